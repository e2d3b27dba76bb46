"""Well-being: client survey scales before and after, attrition, the pilot-minus-comparison
change, and register indicators (social-assistance recipients) with an area-level DiD.

* Survey: waves 0 (entry) and :data:`WAVE_TO` (about 12 months later; wave 1 at an early
  checkpoint that has no complete wave-2 pairs yet). Paired tests and
  effect sizes per group (:func:`arviointi.wellbeing.paired_change`); attrition (response
  by wave, completers against drop-outs at baseline, inverse-probability-of-response
  weights as a sensitivity analysis); the difference in change between pilot and
  comparison respondents (:func:`arviointi.wellbeing.change_difference`) with the planted
  truth beside it for synthetic data.
* Register: each outcome in params with ``section: wellbeing, level: area`` becomes a rate
  per 1 000 residents (:func:`arviointi.wellbeing.register_indicator_panel`) and an
  area-level DiD against the comparison areas of ``design.comparison``
  (:func:`arviointi.sections.comparison.resolve_comparison`) with the params inference
  (:mod:`arviointi.sections.wellbeing_register`).
* Coded qualitative material: summarised by wave when a source is given; the shipped
  evaluations have none, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from arviointi.errors import DesignError
from arviointi.report import formatting as fm
from arviointi.report.emitter import Emitter
from arviointi.report.figures import wellbeing_figure
from arviointi.report.i18n import t
from arviointi.report.table_html import typed_columns
from arviointi.results.base import EffectResults
from arviointi.sections.clients import descriptive_result, source_truth
from arviointi.sections.context import EvaluationContext
from arviointi.sections.wellbeing_register import (
    RegisterAnalysis,
    RegisterResult,
    analyse_register,
    emit_register,
)
from arviointi.wellbeing import (
    attrition_table,
    change_difference,
    paired_change,
)

SCALES = ("life_management", "work_ability", "wellbeing")
#: scale ranges (for the figure, which shows every scale as % of its range)
SCALE_RANGES = {"life_management": (1, 10), "work_ability": (0, 10), "wellbeing": (14, 70)}
WAVE_FROM = 0
WAVE_TO = 2


@dataclass
class WellbeingAnalysis:
    """Results of the well-being analysis (aggregates and results objects)."""

    has_survey: bool
    wave_to: int = WAVE_TO
    follow_up_pending: bool = False
    synthetic: bool = False
    alpha: float = 0.05
    paired: pd.DataFrame = field(default_factory=pd.DataFrame)
    response: pd.DataFrame = field(default_factory=pd.DataFrame)
    dropouts: pd.DataFrame = field(default_factory=pd.DataFrame)
    ipw: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: dict[str, EffectResults] = field(default_factory=dict)
    truths: dict[str, float | None] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    register: list[RegisterResult] = field(default_factory=list)
    register_missing: list[str] = field(default_factory=list)
    register_outcomes: list[str] = field(default_factory=list)
    has_qualitative: bool = False
    notes: list[str] = field(default_factory=list)


def analyse_wellbeing(ctx: EvaluationContext) -> WellbeingAnalysis:
    """Compute the survey and register analyses the data allow (module docstring)."""
    alpha = ctx.evaluation.inference.alpha
    survey = ctx.frame_for("survey")
    clients = ctx.frame_for("clients")
    out = WellbeingAnalysis(
        has_survey=survey is not None and clients is not None,
        synthetic=ctx.synthetic,
        alpha=alpha,
    )
    if survey is not None and clients is not None:
        _survey(ctx, out, survey, clients)
    register = analyse_register(ctx, alpha)
    out.register_outcomes = register.outcomes
    out.register = register.results
    out.register_missing = register.missing
    out.notes += register.notes
    return out


def _survey(
    ctx: EvaluationContext, out: WellbeingAnalysis, survey: pd.DataFrame, clients: pd.DataFrame
) -> None:
    scales = [s for s in SCALES if s in survey.columns]
    sv = survey.merge(clients[["person_id", "group"]], on="person_id", how="left")
    unknown = int(sv["group"].isna().sum())
    if unknown:
        out.notes.append(f"{unknown} survey row(s) of persons not in clients left out")
        sv = sv[sv["group"].notna()]
    seed = ctx.evaluation.inference_seed
    truth = source_truth(ctx, ctx.source_for("survey"))
    # the latest follow-up wave with complete pairs in both groups (early checkpoints
    # may not have reached wave 2 yet)
    for wave_to in range(WAVE_TO, WAVE_FROM, -1):
        try:
            changes = {
                s: change_difference(sv, s, wave_from=WAVE_FROM, wave_to=wave_to, alpha=out.alpha)
                for s in scales
            }
        except DesignError:
            continue
        out.wave_to = wave_to
        out.changes = changes
        break
    else:
        out.has_survey = False
        out.follow_up_pending = True
        out.notes.append("no follow-up survey wave with complete pairs in both groups yet")
        return
    out.paired = pd.concat(
        [
            paired_change(
                sv,
                s,
                wave_from=WAVE_FROM,
                wave_to=out.wave_to,
                group="group",
                alpha=out.alpha,
                n_boot=999,
                seed=seed,
            )
            for s in scales
        ],
        ignore_index=True,
    )
    att = attrition_table(survey, clients, scales=scales, wave_from=WAVE_FROM, wave_to=out.wave_to)
    out.response = att["response_by_wave"]
    out.dropouts = att["completers_vs_dropouts"]
    out.ipw = att["ipw"]
    out.notes += att["notes"]
    for s in scales:
        out.truths[s] = None if truth is None else truth.att(s, "survey", out.wave_to, out.wave_to)
    out.table = pd.concat([r.to_frame() for r in out.changes.values()], ignore_index=True)
    out.table["true_effect"] = [out.truths[s] for s in out.changes]


# -- report ---------------------------------------------------------------------------


def figure_frame(analysis: WellbeingAnalysis, group: str = "pilot") -> pd.DataFrame:
    """Mean before and after of each scale for ``group``, as % of the scale's range."""
    rows = []
    for _, r in analysis.paired[analysis.paired["group"] == group].iterrows():
        lo, hi = SCALE_RANGES[str(r["scale"])]
        rows.append(
            {
                "measure": str(r["scale"]),
                "before": 100 * (float(r["mean_before"]) - lo) / (hi - lo),
                "after": 100 * (float(r["mean_after"]) - lo) / (hi - lo),
                "n": int(r["n_pairs"]),
            }
        )
    return pd.DataFrame(rows)


def scales_figure(frame: pd.DataFrame, lang: str) -> Figure:
    """:func:`wellbeing_figure` with the scale names translated."""
    shown = frame.assign(measure=[t(f"wellbeing.scale.{m}", lang) for m in frame["measure"]])
    fig = wellbeing_figure(shown, lang, decimals=0)
    fig.axes[0].set_xlabel(t("wellbeing.figure_axis", lang))
    return fig


def paired_table(analysis: WellbeingAnalysis) -> pd.DataFrame:
    """Paired change per scale and group (aggregates with the number of pairs)."""
    numbers = dict.fromkeys(("mean_before", "mean_after", "mean_change", "d_z", "p_ttest"), float)
    return typed_columns(analysis.paired, {"scale": str, "group": str, "n_pairs": int, **numbers})


def response_table(analysis: WellbeingAnalysis) -> pd.DataFrame:
    """Clients and respondents per group and wave, and the response rate in per cent."""
    out = typed_columns(
        analysis.response,
        {"group": str, "wave": int, "n_clients": int, "n_responded": int, "response_rate": float},
    )
    return out.assign(response_pct=100 * out.pop("response_rate"))


def emit_wellbeing(analysis: WellbeingAnalysis, em: Emitter) -> None:
    """Write the well-being section of the report."""
    em.section("wellbeing")
    em.heading("wellbeing.heading")
    if analysis.follow_up_pending:
        em.paragraph("wellbeing.follow_up_pending")
    elif not analysis.has_survey:
        em.paragraph("wellbeing.no_survey")
    else:
        _emit_survey(analysis, em)
    emit_register(
        RegisterAnalysis(
            outcomes=analysis.register_outcomes,
            results=analysis.register,
            missing=analysis.register_missing,
        ),
        analysis.alpha,
        em,
    )
    em.heading("wellbeing.heading_qualitative", level=3)
    em.paragraph("wellbeing.no_qualitative")


#: the labels of the survey scales in results.json
_SCALE_LABELS = {
    "life_management": {"fi": "Elämänhallinta", "en": "Life management"},
    "work_ability": {"fi": "Työkyky", "en": "Work ability"},
    "wellbeing": {"fi": "Hyvinvointi-indeksi", "en": "Well-being scale"},
}


def _emit_survey(analysis: WellbeingAnalysis, em: Emitter) -> None:
    em.heading("wellbeing.heading_survey", level=3)
    em.paragraph("wellbeing.survey_intro", wave=analysis.wave_to, months=6 * analysis.wave_to)
    fig = figure_frame(analysis)
    if not fig.empty and int(fig["n"].min()) >= em.threshold:
        em.figure(
            scales_figure,
            "wellbeing.caption_figure",
            "wellbeing.alt_figure",
            frame=fig.drop(columns="n"),
        )
    _emit_paired_table(analysis, em)
    em.heading("wellbeing.heading_change", level=3)
    em.paragraph("wellbeing.change_intro")
    for scale, res in analysis.changes.items():
        em.verdict(
            res,
            outcome_key=f"wellbeing.scale.{scale}",
            unit_key="unit.points",
            decimals=2,
            true_effect=analysis.truths.get(scale),
        )
    em.heading("wellbeing.heading_attrition", level=3)
    _emit_attrition(analysis, em)
    for scale, res in analysis.changes.items():
        em.record(
            res,
            true_effect=analysis.truths.get(scale),
            role="primary",
            level="client",
            label=_SCALE_LABELS.get(scale, {"fi": scale, "en": scale}),
            unit="points",
            waves=[WAVE_FROM, analysis.wave_to],
        )
    _record_ipw_shifts(analysis, em)


def _emit_paired_table(analysis: WellbeingAnalysis, em: Emitter) -> None:
    per_pair = ("mean_before", "mean_after", "mean_change", "d_z", "p_ttest")
    em.table(
        paired_table(analysis),
        "wellbeing.caption_paired",
        level="client",
        counts=["n_pairs"],
        derived=dict.fromkeys(per_pair, "n_pairs"),
        columns={
            "scale": "wellbeing.col.scale",
            "group": "column.group",
            "n_pairs": "wellbeing.col.n_pairs",
            "mean_before": "wellbeing.col.mean_before",
            "mean_after": "wellbeing.col.mean_after",
            "mean_change": "wellbeing.col.mean_change",
            "d_z": "wellbeing.col.d_z",
            "p_ttest": "column.pvalue",
        },
        formats={
            "mean_before": "number:1",
            "mean_after": "number:1",
            "mean_change": "signed:2",
            "d_z": "signed:2",
            "p_ttest": "pvalue",
        },
        translate={"scale": "wellbeing.scale", "group": "wellbeing.group"},
    )


def _emit_attrition(analysis: WellbeingAnalysis, em: Emitter) -> None:
    """Response by wave, how drop-outs differed, and the response-weighting shift."""
    em.table(
        response_table(analysis),
        "wellbeing.caption_response",
        level="client",
        counts=["n_clients", "n_responded"],
        parts={"n_responded": "n_clients"},  # the rest did not answer: a group of its own
        derived={"response_pct": "n_responded"},
        labels=["wave"],
        columns={
            "group": "column.group",
            "wave": "wellbeing.col.wave",
            "n_clients": "wellbeing.col.n_clients",
            "n_responded": "wellbeing.col.n_responded",
            "response_pct": "wellbeing.col.response_pct",
        },
        formats={"response_pct": "number:0"},
        translate={"group": "wellbeing.group"},
    )
    differing = _differing_variables(analysis)
    key = "wellbeing.dropouts_differ" if differing else "wellbeing.dropouts_similar"
    em.paragraph(
        key,
        variables=em.per_language(
            lambda lang: ", ".join(t(f"wellbeing.variable.{v}", lang) for v in differing)
        ),
    )
    if not analysis.ipw.empty:
        ipw = analysis.ipw.set_index("scale")
        shift = float((ipw["mean_change_ipw"] - ipw["mean_change"]).abs().max())
        em.paragraph(
            "wellbeing.ipw_text",
            shift=em.per_language(lambda lang: fm.fmt_number(shift, lang, 2)),
        )
    em.paragraph("wellbeing.completers_note")


def _record_ipw_shifts(analysis: WellbeingAnalysis, em: Emitter) -> None:
    for _, row in analysis.ipw.iterrows():
        em.record(
            descriptive_result(
                float(row["mean_change_ipw"] - row["mean_change"]),
                outcome=str(row["scale"]),
                model="attrition_ipw_shift",
                reason="response-weighted minus complete-case mean change (all "
                "respondents with both waves); large values mean the change depends on "
                "who answered",
                n=int(row["n_pairs"]),
            ),
            role="diagnostic",
            level="client",
        )


def _differing_variables(analysis: WellbeingAnalysis) -> list[str]:
    d = analysis.dropouts
    if d.empty:
        return []
    low = d[d["pvalue"].astype(float) < analysis.alpha]
    return list(dict.fromkeys(str(v) for v in low["variable"]))
