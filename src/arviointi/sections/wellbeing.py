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
  (:func:`arviointi.sections.comparison.resolve_comparison`) with the params inference.
* Coded qualitative material: summarised by wave when a source is given; the shipped
  evaluations have none, and the report says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from arviointi.did import did as did_estimate
from arviointi.errors import ArviointiError, DesignError
from arviointi.report import formatting as fm
from arviointi.report.emitter import Emitter
from arviointi.report.figures import wellbeing_figure
from arviointi.report.i18n import t
from arviointi.results.base import EffectResults, InferenceInfo
from arviointi.sections.clients import descriptive_result, source_truth, window_end
from arviointi.sections.comparison import resolve_comparison
from arviointi.sections.context import EvaluationContext
from arviointi.wellbeing import (
    attrition_table,
    change_difference,
    paired_change,
    register_indicator_panel,
)

SCALES = ("life_management", "work_ability", "wellbeing")
#: scale ranges (for the figure, which shows every scale as % of its range)
SCALE_RANGES = {"life_management": (1, 10), "work_ability": (0, 10), "wellbeing": (14, 70)}
WAVE_FROM = 0
WAVE_TO = 2
#: register indicators are shown per this many residents
PER = 1000.0
#: the placebo-in-time test moves the pilot start this many months earlier (pre-period only)
PLACEBO_SHIFT = 12


@dataclass
class RegisterResult:
    """Area-level DiD on one register indicator."""

    outcome: str
    result: EffectResults
    comparison_areas: list[str]
    pretrend_pvalue: float | None
    loo_min: float | None
    loo_max: float | None
    true_effect: float | None
    means: pd.DataFrame
    placebo: EffectResults | None = None


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
    _register(ctx, out)
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


def _register(ctx: EvaluationContext, out: WellbeingAnalysis) -> None:
    ev = ctx.evaluation
    wanted = [o for o in ev.outcomes if o.section == "wellbeing" and o.level == "area"]
    out.register_outcomes = [o.name for o in wanted]
    if not wanted:
        return
    start = pd.Timestamp(f"{ev.design.pre_window[0]}-01")
    end = window_end(ctx)
    try:
        comparison = resolve_comparison(ev, ctx.frames)
    except ArviointiError as exc:
        out.notes.append(f"comparison areas could not be resolved: {exc}")
        out.register_missing = [o.name for o in wanted]
        return
    for outcome in wanted:
        source = outcome.source or ctx.source_for("area_panel")
        frame = ctx.frames.get(source) if source else None
        if source is None or frame is None or outcome.name not in frame.columns:
            out.register_missing.append(outcome.name)
            continue
        areas = [*ev.design.pilot_areas, *comparison.areas]
        data = frame[frame["area"].isin(areas)]
        data = data[
            (pd.to_datetime(data["month"]) >= start) & (pd.to_datetime(data["month"]) <= end)
        ]
        denominator = "population" if "population" in data.columns else None
        reg = register_indicator_panel(
            data,
            outcome.name,
            pilot_areas=ev.design.pilot_areas,
            pilot_start=f"{ev.design.pilot_start}-01",
            denominator=denominator,
            per=PER,
        )
        res = did_estimate(
            reg,
            "rate",
            unit="area",
            time="month",
            treatment="treated",
            inference=ev.models.did.inference,
            alpha=out.alpha,
            seed=ev.inference_seed,
            n_boot=ev.models.did.n_boot,
        )
        res.outcome = outcome.name
        pre_p: float | None = None
        try:
            pre_p = float(res.pretrend_test()["pvalue"])
        except ArviointiError as exc:
            out.notes.append(f"pre-trend test of {outcome.name}: {exc}")
        loo_min = loo_max = None
        try:
            loo = res.leave_one_out()
            loo_min, loo_max = float(loo["estimate"].min()), float(loo["estimate"].max())
        except ArviointiError as exc:
            out.notes.append(f"leave-one-out of {outcome.name}: {exc}")
        placebo: EffectResults | None = None
        try:
            placebo = res.placebo_in_time(PLACEBO_SHIFT)
            placebo.outcome = outcome.name
            placebo.model = "placebo_in_time"
        except ArviointiError as exc:
            out.notes.append(f"placebo in time of {outcome.name}: {exc}")
        true = _register_truth(ctx, source, reg, outcome.name)
        means = (
            reg.assign(period=reg["post"].map({0: "before", 1: "after"}))
            .groupby(["pilot", "period"])["rate"]
            .mean()
            .unstack("period")
            .reindex(columns=["before", "after"])
            .reset_index()
        )
        out.register.append(
            RegisterResult(
                outcome=outcome.name,
                result=res,
                comparison_areas=list(comparison.areas),
                pretrend_pvalue=pre_p,
                loo_min=loo_min,
                loo_max=loo_max,
                true_effect=true,
                means=means,
                placebo=placebo,
            )
        )


#: register outcome name -> the name in :class:`arviointi.data.synthetic.Truth`
_TRUTH_NAMES = {"social_assistance_recipients": "social_assistance"}


def _register_truth(
    ctx: EvaluationContext, source: str, reg: pd.DataFrame, outcome: str
) -> float | None:
    """The planted effect on the rate (per 1 000): the realised effect in persons divided
    by the pilot area's mean denominator in the post months (approximate when the
    denominator changes over time)."""
    truth = source_truth(ctx, source)
    name = _TRUTH_NAMES.get(outcome, outcome)
    if truth is None:
        return None
    post = reg[(reg["pilot"] == 1) & (reg["post"] == 1)]
    if post.empty:
        return None
    first = post["month"].min().strftime("%Y-%m")
    last = post["month"].max().strftime("%Y-%m")
    persons = truth.att(name, "area", first, last)
    if "population" not in reg.columns:
        return persons
    return persons / float(post["population"].mean()) * PER


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
    p = analysis.paired
    return pd.DataFrame(
        {
            "scale": p["scale"].astype(str),
            "group": p["group"].astype(str),
            "n_pairs": p["n_pairs"].astype(int),
            "mean_before": p["mean_before"].astype(float),
            "mean_after": p["mean_after"].astype(float),
            "mean_change": p["mean_change"].astype(float),
            "d_z": p["d_z"].astype(float),
            "p_ttest": p["p_ttest"].astype(float),
        }
    )


def response_table(analysis: WellbeingAnalysis) -> pd.DataFrame:
    r = analysis.response
    return pd.DataFrame(
        {
            "group": r["group"].astype(str),
            "wave": r["wave"].astype(int),
            "n_clients": r["n_clients"].astype(int),
            "n_responded": r["n_responded"].astype(int),
            "response_pct": 100 * r["response_rate"].astype(float),
        }
    )


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
    _emit_register(analysis, em)
    em.heading("wellbeing.heading_qualitative", level=3)
    em.paragraph("wellbeing.no_qualitative")


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
    em.table(
        paired_table(analysis),
        "wellbeing.caption_paired",
        level="client",
        counts=["n_pairs"],
        derived={
            "mean_before": "n_pairs",
            "mean_after": "n_pairs",
            "mean_change": "n_pairs",
            "d_z": "n_pairs",
            "p_ttest": "n_pairs",
        },
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
    labels = {
        "life_management": {"fi": "Elämänhallinta", "en": "Life management"},
        "work_ability": {"fi": "Työkyky", "en": "Work ability"},
        "wellbeing": {"fi": "Hyvinvointi-indeksi", "en": "Well-being scale"},
    }
    for scale, res in analysis.changes.items():
        em.record(
            res,
            true_effect=analysis.truths.get(scale),
            role="primary",
            level="client",
            label=labels.get(scale, {"fi": scale, "en": scale}),
            unit="points",
            waves=[WAVE_FROM, analysis.wave_to],
        )
    if not analysis.ipw.empty:
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


def _fixed_interval(low: float, high: float) -> Callable[[float], tuple[float, float]]:
    """A ``ci_method`` that returns the same (low, high) at every level (a range)."""

    def interval(_alpha: float) -> tuple[float, float]:
        return (low, high)

    return interval


def _register_values(reg: RegisterResult, em: Emitter) -> dict[str, Any]:
    """Placeholder values (per language) of the register checks sentence."""
    method = reg.result.inference.method
    pre = reg.pretrend_pvalue
    low = reg.loo_min if reg.loo_min is not None else math.nan
    high = reg.loo_max if reg.loo_max is not None else math.nan
    return {
        "inference": em.per_language(lambda lang: t(f"wellbeing.inference.{method}", lang)),
        "pretrend": em.per_language(
            lambda lang: fm.fmt_pvalue(pre, lang) if pre is not None else fm.MISSING
        ),
        "low": em.per_language(lambda lang: fm.fmt_number(low, lang, 2)),
        "high": em.per_language(lambda lang: fm.fmt_number(high, lang, 2)),
    }


def _emit_register(analysis: WellbeingAnalysis, em: Emitter) -> None:
    em.heading("wellbeing.heading_register", level=3)
    if not analysis.register_outcomes:
        em.paragraph("wellbeing.no_register")
        return
    for name in analysis.register_missing:
        em.paragraph("wellbeing.register_missing", outcome=name)
    for reg in analysis.register:
        res = reg.result
        em.paragraph(
            "wellbeing.register_intro",
            n=len(reg.comparison_areas),
            per=int(PER),
        )
        em.verdict(
            res,
            outcome_key=f"wellbeing.register.{reg.outcome}",
            unit_key="wellbeing.unit.per_1000",
            decimals=2,
            true_effect=reg.true_effect,
        )
        em.paragraph("wellbeing.register_checks", **_register_values(reg, em))
        em.record(
            res,
            true_effect=reg.true_effect,
            role="primary",
            level="area",
            label={
                "fi": "Toimeentulotuen saajat / 1 000 as.",
                "en": "Social assistance recipients per 1,000",
            },
            unit="per_1000",
        )
        if reg.pretrend_pvalue is not None:
            em.record(
                descriptive_result(
                    reg.pretrend_pvalue,
                    outcome=reg.outcome,
                    model="pretrend_test",
                    reason="p-value of equal pre-period linear trends (Donald-Lang t test on "
                    "per-area slopes)",
                    n=res.n_obs,
                ),
                role="diagnostic",
                level="area",
            )
        if reg.placebo is not None:
            em.paragraph(
                "wellbeing.register_placebo",
                months=PLACEBO_SHIFT,
                estimate={
                    lang: fm.fmt_number(reg.placebo.estimate, lang, 2) for lang in em.languages
                },
                pvalue={
                    lang: fm.fmt_pvalue(reg.placebo.pvalue, lang)
                    if reg.placebo.pvalue is not None
                    else fm.MISSING
                    for lang in em.languages
                },
            )
            em.record(
                reg.placebo,
                true_effect=0.0 if reg.true_effect is not None else None,
                role="diagnostic",
                level="area",
                shift_months=PLACEBO_SHIFT,
            )
        if reg.loo_min is not None and reg.loo_max is not None:
            lo, hi = reg.loo_min, reg.loo_max
            loo = EffectResults(
                estimate=res.estimate,
                se=None,
                pvalue=None,
                inference=InferenceInfo(
                    method="none",
                    reason="the interval is the range of the estimates dropping one comparison "
                    f"area at a time: {lo:.4g} .. {hi:.4g}",
                    requested="none",
                ),
                n_obs=res.n_obs,
                n_treated=res.n_treated,
                n_control=res.n_control,
                outcome=reg.outcome,
                alpha=analysis.alpha,
                model="leave_one_out",
                ci_method=_fixed_interval(lo, hi),
            )
            em.record(loo, role="diagnostic", level="area", range_low=lo, range_high=hi)
        em.record(
            descriptive_result(
                res.estimate,
                outcome=reg.outcome,
                model="inference_choice",
                reason=res.inference.reason,
                n=res.n_obs,
            ),
            role="diagnostic",
            level="area",
        )
