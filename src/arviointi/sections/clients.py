"""Client-level employment: matched comparison group, balance, person fixed-effects DiD,
exits to work, time to employment and the subgroups the plans single out.

Design. Pilot clients (all living in the pilot district) are compared with comparison
persons matched on the covariates in params ``models.matching.covariates``. The primary
matching is coarsened exact matching (CEM) on bands that follow the benefit rules and the
plans' subgroups, narrow enough for every standardised difference to stay under 0.1 on
the Varissuo data (age < 25, 25-29, 30-39, 40-49, 50-59, 60+; benefit days < 300, 300-499,
500-749, 750-999, 1000-1499, 1500+; language and education exact). Propensity-score
matching (caliper from params, default 0.2 SD of the logit) is a robustness check.

The client panel starts at entry (no history before it), so the DiD with person fixed
effects uses the entry month as each person's "before" month and the months after entry
(up to the end of the evaluation window) as "after". Calendar-month effects absorb common
shocks. Inference: standard errors clustered by person. All pilot clients live in one
district, so a shock shared by that district alone is not in the interval: the report says
so (the ``inference_choice`` diagnostic).

Everything person-level stays inside the analysis object; tables and figures are
aggregates with counts for disclosure control.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from arviointi.data.synthetic import Truth, load_truth
from arviointi.errors import DesignError
from arviointi.matching import (
    MatchResult,
    coarsened_exact_match,
    kaplan_meier_by,
    matched_effect,
    outcome_summary,
    propensity_match,
    subgroup_effects,
)
from arviointi.report import formatting as fm
from arviointi.report.disclosure import persons_below_threshold
from arviointi.report.emitter import Emitter
from arviointi.report.figures import counterfactual_figure
from arviointi.report.i18n import has_message, t
from arviointi.results.base import EffectResults, InferenceInfo
from arviointi.sections.client_effects import (
    cem_coarsening,
    cem_match,
    effect_rows,
    emit_effects_table,
    matching_covariates,
    panel_parts,
    truth_after_entry,
    window_months,
)
from arviointi.sections.context import EvaluationContext

#: months after entry for exits to work and time to employment
FOLLOW_UP_MONTHS = 12


def source_truth(ctx: EvaluationContext, source: str | None) -> Truth | None:
    """The realised truth behind a synthetic data source (None for real data)."""
    if source is None or source not in ctx.evaluation.data:
        return None
    spec = ctx.evaluation.data[source]
    if spec.kind != "synthetic":
        return None
    seed = spec.seed if spec.seed is not None else ctx.evaluation.seed
    return load_truth({"seed": seed, "generator": spec.generator or "turku"})


def window_end(ctx: EvaluationContext) -> pd.Timestamp:
    """Last month analysed: the end of the post window, or ``as_of`` when earlier."""
    end = pd.Timestamp(f"{ctx.evaluation.design.post_window[1]}-01")
    if ctx.as_of:
        end = min(end, pd.Timestamp(f"{ctx.as_of[:7]}-01"))
    return end


def descriptive_result(
    value: float, *, outcome: str, model: str, reason: str, n: int, alpha: float = 0.05
) -> EffectResults:
    """A diagnostic number (balance, share, range) as a results object for the record."""
    return EffectResults(
        estimate=value,
        se=None,
        pvalue=None,
        inference=InferenceInfo(method="none", reason=reason, requested="none"),
        n_obs=n,
        n_treated=0,
        n_control=0,
        outcome=outcome,
        alpha=alpha,
        model=model,
    )


@dataclass
class ClientsAnalysis:
    """Results of the client-level employment analysis (aggregates + results objects).

    ``match`` holds person-level weights in memory; never display it.
    """

    available: bool
    synthetic: bool = False
    alpha: float = 0.05
    match: MatchResult | None = field(default=None, repr=False)
    balance: pd.DataFrame = field(default_factory=pd.DataFrame)
    sample: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    subgroups: pd.DataFrame = field(default_factory=pd.DataFrame)
    curve: pd.DataFrame = field(default_factory=pd.DataFrame)
    time_to_employment: pd.DataFrame = field(default_factory=pd.DataFrame)
    did: EffectResults | None = None
    did_psm: EffectResults | None = None
    share: EffectResults | None = None
    exit_to_work: EffectResults | None = None
    months_employed: EffectResults | None = None
    true_did: float | None = None
    true_share: float | None = None
    max_smd_before: float = math.nan
    max_smd_after: float = math.nan
    inference_reason: str = ""
    end: str = ""
    notes: list[str] = field(default_factory=list)


def planted_truth(
    ctx: EvaluationContext,
    clients: pd.DataFrame,
    panel: Any,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> tuple[float | None, float | None]:
    """(true DiD effect, true share effect) of a synthetic source; None for real data and
    for a register source (the truth after entry needs the person-months in memory)."""
    truth = source_truth(ctx, ctx.source_for("client_panel"))
    if truth is None or not isinstance(panel, pd.DataFrame):
        return None, None
    first, last = start.strftime("%Y-%m"), end.strftime("%Y-%m")
    panel = panel[pd.to_datetime(panel["month"]) <= end]
    return truth_after_entry(truth, clients, panel, first, last), truth.att(
        "employed", "client", first, last
    )


def analyse_clients(ctx: EvaluationContext) -> ClientsAnalysis:
    """Matched client-level employment effects (see the module docstring)."""
    alpha = ctx.evaluation.inference.alpha
    clients = ctx.frame_for("clients")
    panel = ctx.frame_for("client_panel")
    if clients is None or panel is None:
        return ClientsAnalysis(available=False, alpha=alpha)
    end = window_end(ctx)
    start = pd.Timestamp(f"{ctx.evaluation.design.pilot_start}-01")
    covariates = matching_covariates(ctx)
    notes: list[str] = []
    clients = clients[pd.to_datetime(clients["entry_month"]) <= end].reset_index(drop=True)
    match = cem_match(clients, covariates)
    caliper = ctx.evaluation.models.matching.caliper or 0.2
    seed = ctx.evaluation.inference_seed
    psm = propensity_match(clients, covariates=covariates, caliper=caliper, seed=seed)
    balance, sample, months = match.balance(), match.summary(), window_months(start, end)
    parts = panel_parts(clients, panel, match, psm, alpha, months, end, FOLLOW_UP_MONTHS)
    did, did_psm, pooled, year, curve = parts
    did_psm.model = "did_person_fe_psm"
    share = matched_effect(
        pooled, match, outcome="share_employed", obs_weight="months_observed", alpha=alpha
    )
    share.model = "matched_difference"
    full = year[year["months_observed"] == FOLLOW_UP_MONTHS]
    if len(full) < len(year):
        notes.append(
            f"{len(year) - len(full)} client(s) without {FOLLOW_UP_MONTHS} months of follow-up "
            "left out of exits to work and months employed"
        )
    exit_to_work = months_employed = None
    try:
        exit_to_work = matched_effect(full, match, outcome="exit_to_work", alpha=alpha)
        exit_to_work.model = "matched_difference"
        months_employed = matched_effect(full, match, outcome="months_employed", alpha=alpha)
        months_employed.model = "matched_difference"
    except DesignError as exc:  # e.g. at an early checkpoint: no one followed 12 months
        notes.append(f"exits to work within {FOLLOW_UP_MONTHS} months not estimable: {exc}")

    summary = outcome_summary(full)
    matched_ids = set(match.matched.loc[match.matched["weight"] > 0, "person_id"])
    # the CEM weights balance the comparison group, as in the employment curve beside it
    km = kaplan_meier_by(
        year[year["person_id"].isin(matched_ids)], by="group", weights=match.weights()
    )

    subgroups = subgroup_effects(
        clients,
        pooled,
        outcome="share_employed",
        obs_weight="months_observed",
        match=coarsened_exact_match,
        alpha=alpha,
        coarsening=cem_coarsening(covariates),
    )

    true_did, true_share = planted_truth(ctx, clients, panel, start, end)
    last = end.strftime("%Y-%m")
    named = [
        ("employed", did),
        ("employed", did_psm),
        ("employed", share),
        ("exit_to_work", exit_to_work),
        ("months", months_employed),
    ]
    table = pd.concat([r.to_frame() for _, r in named if r is not None], ignore_index=True)
    table.insert(1, "measure", [m for m, r in named if r is not None])
    n_pilot = int((clients["group"] == "pilot").sum())
    reason = (
        f"Standard errors clustered by person ({did.inference.details.get('n_clusters')} "
        f"persons). All {n_pilot} pilot clients live in one district, so a shock shared only "
        "by that district cannot be told apart from the pilot effect and is not in the "
        "interval; with one treated district, district-level inference is not possible."
    )
    return ClientsAnalysis(
        available=True,
        synthetic=ctx.synthetic,
        alpha=alpha,
        match=match,
        balance=balance,
        sample=sample,
        summary=summary,
        table=table,
        subgroups=subgroups,
        curve=curve,
        time_to_employment=km,
        did=did,
        did_psm=did_psm,
        share=share,
        exit_to_work=exit_to_work,
        months_employed=months_employed,
        true_did=true_did,
        true_share=true_share,
        max_smd_before=float(balance["smd_before"].abs().max()),
        max_smd_after=float(balance["smd_after"].abs().max()),
        inference_reason=reason,
        end=last,
        notes=notes + list(match.warnings),
    )


# -- report ---------------------------------------------------------------------------


def balance_table(analysis: ClientsAnalysis) -> pd.DataFrame:
    """Balance before and after matching, with the counts behind each mean."""
    b = analysis.balance.reset_index()
    return pd.DataFrame(
        {
            "covariate": b["covariate"].astype(str),
            "n_treated": b["n_treated_after"].astype(int),
            "n_control": b["n_control_after"].astype(int),
            "smd_before": b["smd_before"].astype(float),
            "smd_after": b["smd_after"].astype(float),
        }
    )


def effects_table(analysis: ClientsAnalysis) -> pd.DataFrame:
    """Effect estimates in percentage points / months, with the persons behind them."""
    return effect_rows(
        (
            ("did", analysis.did, 100.0),
            ("did_psm", analysis.did_psm, 100.0),
            ("share", analysis.share, 100.0),
            ("exit_to_work", analysis.exit_to_work, 100.0),
            ("months_employed", analysis.months_employed, 1.0),
        )
    )


def subgroup_table(analysis: ClientsAnalysis) -> pd.DataFrame:
    """Subgroup effects (pp of client-months employed); missing ones stay empty."""
    s = analysis.subgroups
    return pd.DataFrame(
        {
            "subgroup": s["subgroup"].astype(str),
            "n_treated": s["n_treated"].astype(int),
            "n_control": s["n_control"].astype(int),
            "n_treated_matched": s["n_treated_matched"].astype(int),
            "estimate": 100 * s["estimate"].astype(float),
            "ci_low": 100 * s["ci_low"].astype(float),
            "ci_high": 100 * s["ci_high"].astype(float),
        }
    )


#: months after entry at which the Kaplan-Meier share employed is reported
KM_MONTHS = (3, 6, 11)


def time_to_employment_table(analysis: ClientsAnalysis) -> pd.DataFrame:
    """Share (%) employed at least once by month 3, 6 and 11 after entry (Kaplan-Meier,
    matched persons, comparison persons weighted by their CEM weights), with the number of
    persons at the start (unweighted)."""
    km = analysis.time_to_employment
    rows = []
    for group, g in km.groupby("group", sort=False):
        row: dict[str, Any] = {
            "group": str(group),
            "n_persons": int(g["n_persons_at_risk"].max()),
        }
        for m in KM_MONTHS:
            upto = g[g["time"] <= m]
            row[f"employed_{m}"] = float(upto["employed_pct"].iloc[-1]) if len(upto) else 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def curve_frame(analysis: ClientsAnalysis) -> pd.DataFrame:
    """Share employed (%) by month since entry: pilot against the matched comparison."""
    c = analysis.curve
    pilot = c[c["group"] == "pilot"].set_index("rel_month")
    comp = c[c["group"] == "comparison"].set_index("rel_month")
    months = pilot.index.intersection(comp.index)
    return pd.DataFrame(
        {
            "time": months.to_numpy(dtype=int),
            "observed": 100 * pilot.loc[months, "share_employed"].to_numpy(dtype=float),
            "counterfactual": 100
            * comp.loc[months, "share_employed_weighted"].to_numpy(dtype=float),
            "n": np.minimum(
                pilot.loc[months, "n_persons"].to_numpy(),
                comp.loc[months, "n_persons_weighted"].to_numpy(),
            ),
        }
    ).reset_index(drop=True)


def curve_figure(frame: pd.DataFrame, lang: str) -> Figure:
    """:func:`counterfactual_figure` labelled for months since entry and the two groups."""
    fig = counterfactual_figure(frame, lang, decimals=0)
    ax = fig.axes[0]
    ax.set_xlabel(t("clients.figure.months_since_entry", lang))
    ax.set_ylabel(t("clients.figure.share_employed", lang))
    for legend in fig.legends:
        texts = legend.get_texts()
        if len(texts) >= 2:
            texts[0].set_text(t("clients.figure.pilot", lang))
            texts[1].set_text(t("clients.figure.comparison", lang))
    return fig


def _verdict(em: Emitter, result: Any, **kwargs: Any) -> None:
    """The verdict sentence of a client-level estimate, or a note that it is not published
    when fewer persons than the disclosure threshold are behind it (as in the effects table
    and the summary's headline)."""
    persons = (getattr(result, "n_treated", None), getattr(result, "n_control", None))
    if persons_below_threshold(persons, em.threshold):
        em.paragraph("clients.effect_suppressed", threshold=em.threshold)
        return
    em.verdict(result, **kwargs)


def emit_clients(analysis: ClientsAnalysis, em: Emitter) -> None:
    """Write the client-level employment part of the report."""
    em.section("employment")
    em.heading("clients.heading")
    if not analysis.available:
        em.paragraph("clients.no_data")
        return
    assert analysis.did is not None and analysis.share is not None
    assert analysis.did_psm is not None
    month = f"{int(analysis.end[5:7])}/{analysis.end[:4]}"
    em.paragraphs(["clients.intro", "clients.design", "clients.panel_note"], end=month)
    _emit_balance(analysis, em)
    _emit_effects(analysis, em)
    _emit_time_and_subgroups(analysis, em)
    em.heading("clients.heading_limits", level=3)
    em.paragraphs(["clients.limit_one_district", "clients.limit_no_history"])
    _emit_records(analysis, em)


def _emit_balance(analysis: ClientsAnalysis, em: Emitter) -> None:
    """The matching balance: text and table of standardised differences."""
    langs = em.languages
    em.heading("clients.heading_balance", level=3)
    em.paragraph(
        "clients.balance_text",
        matched=analysis.match.n_treated_matched if analysis.match is not None else 0,
        total=int(str(analysis.sample.loc["treated, all", "n"])),
        before={lang: fm.fmt_number(analysis.max_smd_before, lang, 2) for lang in langs},
        after={lang: fm.fmt_number(analysis.max_smd_after, lang, 2) for lang in langs},
    )
    bal = balance_table(analysis)
    known = all(
        has_message(f"clients.covariate.{c}", lang) for c in bal["covariate"] for lang in langs
    )
    em.table(
        bal,
        "clients.caption_balance",
        translate={"covariate": "clients.covariate"} if known else None,
        level="client",
        counts=["n_treated", "n_control"],
        derived={"smd_before": "n_treated", "smd_after": "n_treated"},
        columns={
            "covariate": "clients.col.covariate",
            "n_treated": "clients.col.n_treated",
            "n_control": "clients.col.n_control",
            "smd_before": "clients.col.smd_before",
            "smd_after": "clients.col.smd_after",
        },
        formats={"smd_before": "signed:2", "smd_after": "signed:2"},
    )


def _emit_effects(analysis: ClientsAnalysis, em: Emitter) -> None:
    """The effect verdicts, the effects table, the truth note and the employment curve."""
    langs = em.languages
    threshold = em.threshold
    em.heading("clients.heading_effects", level=3)
    _verdict(
        em,
        analysis.did,
        outcome_key="clients.outcome.employed",
        unit_key="unit.pp",
        scale=100.0,
        true_effect=analysis.true_did,
    )
    if analysis.exit_to_work is not None:
        _verdict(
            em,
            analysis.exit_to_work,
            outcome_key="clients.outcome.exit_to_work",
            unit_key="unit.pp",
            scale=100.0,
        )
    else:
        em.paragraph("clients.follow_up_short", months=FOLLOW_UP_MONTHS)
    emit_effects_table(
        em,
        effects_table(analysis),
        "clients.caption_effects",
        key_column_key="clients.col.estimate_key",
        estimate_column_key="clients.col.estimate",
        row_key="clients.row",
        decimals=1,
    )
    em.paragraph("clients.units_note")
    if analysis.synthetic and analysis.true_share is not None:
        em.paragraph(
            "clients.truth_note",
            did={
                lang: fm.fmt_number(100 * (analysis.true_did or math.nan), lang, 1)
                for lang in langs
            },
            share={lang: fm.fmt_number(100 * analysis.true_share, lang, 1) for lang in langs},
        )
    curve = curve_frame(analysis)
    curve = curve[curve["n"] >= threshold].drop(columns="n")
    if not curve.empty:
        em.figure(curve_figure, "clients.caption_curve", "clients.alt_curve", frame=curve)


def _emit_time_and_subgroups(analysis: ClientsAnalysis, em: Emitter) -> None:
    """Time to employment (Kaplan-Meier) and the subgroup effects."""
    threshold = em.threshold
    if not analysis.time_to_employment.empty:
        em.heading("clients.heading_time", level=3)
        em.paragraph("clients.time_text")
        em.table(
            time_to_employment_table(analysis),
            "clients.caption_time",
            level="client",
            counts=["n_persons"],
            derived={f"employed_{m}": "n_persons" for m in KM_MONTHS},
            columns={
                "group": "column.group",
                "n_persons": "clients.col.n_persons",
                **{f"employed_{m}": f"clients.col.employed_{m}" for m in KM_MONTHS},
            },
            formats={f"employed_{m}": "number:0" for m in KM_MONTHS},
            translate={"group": "clients.group"},
        )
    em.heading("clients.heading_subgroups", level=3)
    em.paragraph("clients.subgroups_text", threshold=threshold)
    subgroups = subgroup_table(analysis)
    overall = subgroups.index[subgroups["subgroup"] == "all"]
    em.table(
        subgroups,
        "clients.caption_subgroups",
        level="client",
        counts=["n_treated", "n_control", "n_treated_matched"],
        # the subgroups are parts of "all clients": a subgroup missing only a few persons
        # would publish those few by subtraction
        overall_row=overall[0] if len(overall) else None,
        parts={"n_treated_matched": "n_treated"},
        derived={
            "estimate": "n_treated_matched",
            "ci_low": "n_treated_matched",
            "ci_high": "n_treated_matched",
        },
        columns={
            "subgroup": "clients.col.subgroup",
            "n_treated": "clients.col.n_treated",
            "n_control": "clients.col.n_control",
            "n_treated_matched": "clients.col.n_treated_matched",
            "estimate": "clients.col.estimate",
            "ci_low": "column.ci_low",
            "ci_high": "column.ci_high",
        },
        formats={"estimate": "signed:1", "ci_low": "signed:1", "ci_high": "signed:1"},
        translate={"subgroup": "clients.subgroup"},
    )


def _emit_records(analysis: ClientsAnalysis, em: Emitter) -> None:
    """The section's results records (primary, robustness, subgroups, diagnostics)."""
    threshold = em.threshold
    assert analysis.did is not None
    label = {"fi": "Työllisten osuus asiakkaista (kk)", "en": "Share of client-months employed"}
    em.record(
        analysis.did,
        true_effect=analysis.true_did,
        role="primary",
        level="client",
        label=label,
        unit="share",
    )
    em.record(
        analysis.share,
        true_effect=analysis.true_share,
        role="robustness",
        level="client",
        unit="share",
    )
    em.record(
        analysis.did_psm,
        true_effect=analysis.true_did,
        role="robustness",
        level="client",
        unit="share",
    )
    if analysis.exit_to_work is not None:
        analysis.exit_to_work.outcome = "exit_to_work_12m"
        em.record(analysis.exit_to_work, role="robustness", level="client", unit="share")
    if analysis.months_employed is not None:
        analysis.months_employed.outcome = "months_employed_12m"
        em.record(analysis.months_employed, role="robustness", level="client", unit="months")
    for _, row in analysis.subgroups.iterrows():
        if not math.isfinite(float(row["estimate"])) or int(row["n_treated_matched"]) < threshold:
            continue
        res = EffectResults(
            estimate=float(row["estimate"]),
            se=float(row["se"]),
            pvalue=float(row["pvalue"]),
            inference=InferenceInfo(
                method=str(row["inference"]) or "none",
                reason="matched difference within the subgroup",
            ),
            n_obs=int(row["n_treated_matched"] + row["n_control_matched"]),
            n_treated=int(row["n_treated_matched"]),
            n_control=int(row["n_control_matched"]),
            outcome=f"employed_{row['subgroup']}",
            alpha=analysis.alpha,
            model="matched_difference",
        )
        em.record(res, role="subgroup", level="client", unit="share")
    n = analysis.match.n_treated_matched if analysis.match is not None else 0
    em.record(
        descriptive_result(
            analysis.max_smd_after,
            outcome="employed",
            model="balance_max_smd",
            reason="largest absolute standardised mean difference after "
            "matching (0.1 or less is good balance)",
            n=n,
        ),
        role="diagnostic",
        level="client",
    )
    em.record(
        descriptive_result(
            analysis.did.estimate,
            outcome="employed",
            model="inference_choice",
            reason=analysis.inference_reason,
            n=analysis.did.n_obs,
        ),
        role="diagnostic",
        level="client",
    )
