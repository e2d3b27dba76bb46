"""The report text, tables and figures of the employment_area section."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from arviointi.report import formatting as fm
from arviointi.report.i18n import Msg
from arviointi.sections.area.analysis import diagnostics_row
from arviointi.sections.area.panel import describe
from arviointi.sections.area.records import estimates_frame, record_outcome
from arviointi.sections.area.results import AreaAnalysis, OutcomeResults
from arviointi.sections.area.wording import (
    INFERENCE_TEXT,
    PLACEBO_FIT_LIMIT,
    SCALE_UNIT,
    label_values,
    numbers_text,
    pvalue_text,
    verdict_args,
)


def _gap_frame(synth: Any) -> pd.DataFrame:
    """The synthetic control's gap and the gaps of the well-fitted in-space placebos."""
    unit = str(synth.rmspe["unit"].iloc[0])
    treated = pd.DataFrame({"time": synth.gaps["time"], "unit": unit, "gap": synth.gaps["gap"]})
    limit = PLACEBO_FIT_LIMIT * synth.pre_rmspe
    good = synth.rmspe.loc[~synth.rmspe["treated"] & (synth.rmspe["pre_rmspe"] <= limit), "unit"]
    placebo = synth.placebo_gaps[[u for u in synth.placebo_gaps.columns if u in set(good)]]
    long = placebo.reset_index().melt(
        id_vars=placebo.index.name or "index", var_name="unit", value_name="gap"
    )
    long = long.rename(columns={placebo.index.name or "index": "time"})
    long["unit"] = long["unit"].astype(str)
    return pd.concat([long, treated], ignore_index=True)


def emit_area(analysis: AreaAnalysis, em: Any) -> None:
    """Write the area-level employment section (text, tables, figures, records)."""
    comp = analysis.comparison
    em.section("employment")
    em.heading("area.heading.main")
    if not analysis.results:
        em.paragraph("area.none")
        return
    first = analysis.results[0]
    facts = describe(first.panel)
    em.paragraph(
        "area.design",
        pilots=", ".join(comp.pilot_areas),
        n_comparison=facts["n_comparison"],
        first=facts["first"],
        last=facts["last"],
        start=first.panel.pilot_start.strftime("%Y-%m"),
        n_pre=facts["n_pre"],
        n_post=facts["n_post"],
    )
    _emit_comparison(comp, first.panel.pilot_start, em)
    em.paragraphs(["area.method.scale", "area.method.did", "area.method.robustness"])
    if len(comp.pilot_areas) > 1:
        em.paragraph("area.method.several")
    for res in analysis.results:
        _emit_outcome(res, em, analysis.synthetic)
    _emit_diagnostics(analysis, em)


def _emit_comparison(comp: Any, pilot_start: pd.Timestamp, em: Any) -> None:
    """How the comparison areas were chosen, what was excluded and the list of areas."""
    rule = comp.rule
    keys = []
    values: dict[str, Any] = {}
    if rule.get("all_other_areas"):
        keys.append("area.rule.all_other")
    if comp.excluded["reason"].eq("listed").any():
        keys.append("area.rule.listed")
        values["listed"] = ", ".join(comp.excluded.loc[comp.excluded["reason"] == "listed", "area"])
    if rule.get("exclude_regions"):
        keys.append("area.rule.regions")
        values["regions"] = ", ".join(rule["exclude_regions"])
    if rule.get("exclude_subregions"):
        keys.append("area.rule.subregions")
        values["subregions"] = ", ".join(rule["exclude_subregions"])
    listed = bool(comp.excluded["reason"].eq("listed").any())
    if rule.get("exclude_regions") or rule.get("exclude_subregions") or listed:
        keys.append("area.rule.why_excluded")
    if "min_labour_force" in rule:
        keys.append("area.rule.min_lf")
        values["min_lf"] = int(rule["min_labour_force"])
        values["year"] = str(rule.get("labour_force_year", int(pilot_start.year) - 1))
    if comp.excluded["reason"].eq("incomplete").any():
        keys.append("area.rule.incomplete")
    if keys:
        em.paragraphs(keys, **values)
    counts = comp.excluded_counts()
    counts = counts.loc[counts["reason"] != "pilot"]
    if len(counts):
        em.table(
            counts.reset_index(drop=True),
            "area.caption.excluded",
            level="area",
            columns={"reason": "area.column.reason", "n": "area.column.n_areas"},
            translate={"reason": "area.reason"},
        )
    em.note("area.comparison_list", areas=", ".join(comp.areas))


def _emit_outcome(res: OutcomeResults, em: Any, synthetic: bool) -> None:
    """One outcome: verdict, cautions, the estimates table, figures and the records."""
    panel = res.panel
    labels = label_values(res.outcome)
    em.heading("area.heading.outcome", level=3, **labels)
    em.paragraph(f"area.scale.{panel.scale}", **labels)
    if panel.dropped:
        em.paragraph("area.dropped", n=len(panel.dropped))
    vargs = verdict_args(res)
    truth = panel.true_mean() if synthetic else None
    em.verdict(res.did, outcome_key=f"area.subject.{res.outcome.name}", true_effect=truth, **vargs)
    if res.pretrend is not None and res.pretrend["pvalue"] is not None:
        alpha = res.did.alpha
        key = "area.caution.pretrend" if res.pretrend["pvalue"] < alpha else "area.pretrend_ok"
        em.paragraph(key, pvalue=pvalue_text(res.pretrend["pvalue"]))
    es_p = None if res.event_study is None else res.event_study.pretrend.get("pvalue")
    if es_p is not None and es_p < res.did.alpha:
        em.paragraph("area.caution.es_pretrend", pvalue=pvalue_text(es_p))
    em.paragraph(
        f"area.inference.{res.did.inference.method}"
        if res.did.inference.method in INFERENCE_TEXT
        else "area.inference.other"
    )
    _emit_estimates(res, em, synthetic, labels)
    if res.its is not None:
        _emit_its(res.its, em, labels, panel.pilot_start)
    if res.event_study is not None:
        _emit_event_study(res.event_study, em, labels)
    if res.synth is not None:
        _emit_synth(res.synth, em, labels, panel.pilot_start)
    record_outcome(res, em, synthetic)


def _emit_estimates(res: OutcomeResults, em: Any, synthetic: bool, labels: dict[str, Any]) -> None:
    columns = {
        "method": "area.column.method",
        "estimate": "area.column.estimate",
        "ci_low": "area.column.ci_low",
        "ci_high": "area.column.ci_high",
        "pvalue": "area.column.pvalue",
        "inference": "area.column.inference",
        "true_effect": "area.column.true_effect",
    }
    em.table(
        estimates_frame(res, synthetic),
        "area.caption.estimates",
        caption_values={**labels, "unit": Msg(SCALE_UNIT[res.panel.scale])},
        level="area",
        columns=columns,
        formats={
            "estimate": "number:2",
            "ci_low": "number:2",
            "ci_high": "number:2",
            "true_effect": "number:2",
            "pvalue": "pvalue",
        },
        translate={"method": "area.model", "inference": "area.inference_short"},
    )


def _emit_its(its: Any, em: Any, labels: dict[str, Any], pilot_start: pd.Timestamp) -> None:
    from arviointi.report.figures import counterfactual_figure

    path = its.path.rename(columns={"time": "month"})
    frame = path[["month", "observed", "counterfactual", "lower", "upper"]].copy()
    pre = path["post"] == 0 if path["post"].dtype != bool else ~path["post"]
    frame.loc[pre.to_numpy(), ["lower", "upper"]] = np.nan
    em.figure(
        counterfactual_figure,
        "area.caption.its",
        "alt.counterfactual",
        caption_values=labels,
        frame=frame,
        treatment_start=pilot_start,
    )


def _emit_event_study(es: Any, em: Any, labels: dict[str, Any]) -> None:
    from arviointi.report.figures import event_study_figure

    c = es.coefficients.reset_index()
    if c["ci_low"].notna().any():
        # the reference period is 0 by normalisation: the band passes through it
        c.loc[c["rel_time"] == es.reference, ["ci_low", "ci_high"]] = 0.0
    frame = pd.DataFrame(
        {
            "rel_time": c["rel_time"],
            "estimate": c["coef"],
            "ci_low": c["ci_low"],
            "ci_high": c["ci_high"],
        }
    )
    em.figure(
        event_study_figure,
        "area.caption.event_study",
        "alt.event_study",
        caption_values=labels,
        frame=frame,
    )
    em.paragraph(
        "area.event_study",
        pvalue=pvalue_text(es.pretrend["pvalue"]),
        leads=int(-min(c["rel_time"])),
        lags=int(max(c["rel_time"])),
    )
    if frame["ci_low"].isna().all():
        em.paragraph("area.event_study_noci")


def _emit_synth(sc: Any, em: Any, labels: dict[str, Any], pilot_start: pd.Timestamp) -> None:
    from arviointi.report.figures import gap_figure

    em.figure(
        gap_figure,
        "area.caption.gap",
        "alt.gap",
        caption_values={**labels, "limit": int(PLACEBO_FIT_LIMIT)},
        frame=_gap_frame(sc),
        treated=str(sc.rmspe["unit"].iloc[0]),
        treatment_start=pilot_start,
    )
    top = sc.weights.sort_values(ascending=False)
    top = top[top >= 0.05].head(5)
    em.paragraph(
        "area.synth",
        donors={
            lang: ", ".join(f"{u} {fm.fmt_number(w, lang, 2)}" for u, w in top.items())
            for lang in ("fi", "en")
        },
        pvalue=pvalue_text(sc.pvalue),
        n=len(sc.rmspe),
    )


def _emit_diagnostics(analysis: AreaAnalysis, em: Any) -> None:
    em.heading("area.heading.diagnostics", level=3)
    em.paragraphs(["area.diag.intro", "area.diag.placebo", "area.diag.loo", "area.diag.mde"])
    rows = []
    for res in analysis.results:
        d = diagnostics_row(res)
        rows.append(
            {
                "outcome": res.outcome.name,
                "pretrend_p": d["pretrend_p"],
                "placebo": d["placebo"],
                "placebo_p": d["placebo_p"],
                "loo_min": d["loo_min"],
                "loo_max": d["loo_max"],
                "mde": d["mde"],
            }
        )
    frame = pd.DataFrame(rows)
    for col in frame.columns[1:]:
        frame[col] = frame[col].astype(float)
    em.table(
        frame,
        "area.caption.diagnostics",
        level="area",
        columns={c: f"area.column.{c}" for c in frame.columns},
        formats={
            "pretrend_p": "pvalue",
            "placebo_p": "pvalue",
            "placebo": "number:2",
            "loo_min": "number:2",
            "loo_max": "number:2",
            "mde": "number:2",
        },
        translate={"outcome": "area.outcome"},
    )
    if any("sensitivity_unavailable" in r.notes for r in analysis.results):
        em.paragraph("area.diag.no_sensitivity")
    for res in analysis.results:
        if res.sensitivity is not None:
            breakdown = float(res.sensitivity.attrs["breakdown"])
            if breakdown > 0:
                em.paragraph(
                    "area.diag.sensitivity",
                    **label_values(res.outcome),
                    breakdown=numbers_text(breakdown, 3),
                )
            else:
                # even with trends exactly parallel (M = 0) the robust interval contains zero
                em.paragraph("area.diag.sensitivity_none", **label_values(res.outcome))
