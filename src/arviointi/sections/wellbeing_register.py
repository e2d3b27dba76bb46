"""Well-being, register part: each outcome in params with ``section: wellbeing, level:
area`` becomes a rate per 1 000 residents (:func:`arviointi.wellbeing.register_indicator_panel`)
and an area-level DiD against the comparison areas of ``design.comparison`` with the params
inference, checked with a pre-trend test, leave-one-area-out and a placebo in time.
:mod:`arviointi.sections.wellbeing` runs it and writes it after the survey part.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from arviointi.did import DiDResults
from arviointi.did import did as did_estimate
from arviointi.errors import ArviointiError
from arviointi.report import formatting as fm
from arviointi.report.emitter import Emitter
from arviointi.report.i18n import t
from arviointi.results.base import EffectResults, InferenceInfo
from arviointi.sections.clients import descriptive_result, source_truth, window_end
from arviointi.sections.comparison import resolve_comparison
from arviointi.sections.context import EvaluationContext
from arviointi.wellbeing import register_indicator_panel

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
class RegisterAnalysis:
    """The register outcomes asked for, their results, those without data, and notes."""

    outcomes: list[str] = field(default_factory=list)
    results: list[RegisterResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def analyse_register(ctx: EvaluationContext, alpha: float) -> RegisterAnalysis:
    """The area-level DiD of every register outcome of the well-being section."""
    out = RegisterAnalysis()
    ev = ctx.evaluation
    wanted = [o for o in ev.outcomes if o.section == "wellbeing" and o.level == "area"]
    out.outcomes = [o.name for o in wanted]
    if not wanted:
        return out
    start = pd.Timestamp(f"{ev.design.pre_window[0]}-01")
    end = window_end(ctx)
    try:
        comparison = resolve_comparison(ev, ctx.frames)
    except ArviointiError as exc:
        out.notes.append(f"comparison areas could not be resolved: {exc}")
        out.missing = [o.name for o in wanted]
        return out
    for outcome in wanted:
        source = outcome.source or ctx.source_for("area_panel")
        frame = ctx.frames.get(source) if source else None
        if source is None or frame is None or outcome.name not in frame.columns:
            out.missing.append(outcome.name)
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
            alpha=alpha,
            seed=ev.inference_seed,
            n_boot=ev.models.did.n_boot,
        )
        res.outcome = outcome.name
        pre_p, loo_range, placebo = _checks(res, out.notes)
        out.results.append(
            RegisterResult(
                outcome=outcome.name,
                result=res,
                comparison_areas=list(comparison.areas),
                pretrend_pvalue=pre_p,
                loo_min=loo_range[0],
                loo_max=loo_range[1],
                true_effect=_register_truth(ctx, source, reg, outcome.name),
                means=_means(reg),
                placebo=placebo,
            )
        )
    return out


def _checks(
    res: DiDResults, notes: list[str]
) -> tuple[float | None, tuple[float | None, float | None], EffectResults | None]:
    """The pre-trend p-value, the leave-one-out (min, max) and the placebo in time of
    ``res``; a check that cannot be computed is None and a note."""
    outcome = res.outcome
    pre_p: float | None = None
    try:
        pre_p = float(res.pretrend_test()["pvalue"])
    except ArviointiError as exc:
        notes.append(f"pre-trend test of {outcome}: {exc}")
    loo_min = loo_max = None
    try:
        loo = res.leave_one_out()
        loo_min, loo_max = float(loo["estimate"].min()), float(loo["estimate"].max())
    except ArviointiError as exc:
        notes.append(f"leave-one-out of {outcome}: {exc}")
    placebo: EffectResults | None = None
    try:
        placebo = res.placebo_in_time(PLACEBO_SHIFT)
        placebo.outcome = outcome
        placebo.model = "placebo_in_time"
    except ArviointiError as exc:
        notes.append(f"placebo in time of {outcome}: {exc}")
    return pre_p, (loo_min, loo_max), placebo


def _means(reg: pd.DataFrame) -> pd.DataFrame:
    """Mean rate of the pilot and the comparison areas before and after the start."""
    return (
        reg.assign(period=reg["post"].map({0: "before", 1: "after"}))
        .groupby(["pilot", "period"])["rate"]
        .mean()
        .unstack("period")
        .reindex(columns=["before", "after"])
        .reset_index()
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

#: the label of the register indicator in results.json
_REGISTER_LABEL = {
    "fi": "Toimeentulotuen saajat / 1 000 as.",
    "en": "Social assistance recipients per 1,000",
}


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
        "inference": em.per_language(lambda lang: t(f"inference.{method}", lang)),
        "pretrend": em.per_language(
            lambda lang: fm.fmt_pvalue(pre, lang) if pre is not None else fm.MISSING
        ),
        "low": em.per_language(lambda lang: fm.fmt_number(low, lang, 2)),
        "high": em.per_language(lambda lang: fm.fmt_number(high, lang, 2)),
    }


def emit_register(analysis: RegisterAnalysis, alpha: float, em: Emitter) -> None:
    """The register part of the well-being section (after the survey)."""
    em.heading("wellbeing.heading_register", level=3)
    if not analysis.outcomes:
        em.paragraph("wellbeing.no_register")
        return
    for name in analysis.missing:
        em.paragraph("wellbeing.register_missing", outcome=name)
    for reg in analysis.results:
        _emit_register_outcome(reg, alpha, em)


def _emit_register_outcome(reg: RegisterResult, alpha: float, em: Emitter) -> None:
    res = reg.result
    em.paragraph("wellbeing.register_intro", n=len(reg.comparison_areas), per=int(PER))
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
        label=dict(_REGISTER_LABEL),
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
        _emit_placebo(reg, reg.placebo, em)
    if reg.loo_min is not None and reg.loo_max is not None:
        lo, hi = reg.loo_min, reg.loo_max
        loo = _leave_one_out(reg, lo, hi, alpha)
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


def _emit_placebo(reg: RegisterResult, placebo: EffectResults, em: Emitter) -> None:
    """The placebo-in-time sentence and record (true effect 0 on synthetic data)."""
    em.paragraph(
        "wellbeing.register_placebo",
        months=PLACEBO_SHIFT,
        estimate=em.per_language(lambda lang: fm.fmt_number(placebo.estimate, lang, 2)),
        pvalue=em.per_language(
            lambda lang: (
                fm.fmt_pvalue(placebo.pvalue, lang) if placebo.pvalue is not None else fm.MISSING
            )
        ),
    )
    em.record(
        placebo,
        true_effect=0.0 if reg.true_effect is not None else None,
        role="diagnostic",
        level="area",
        shift_months=PLACEBO_SHIFT,
    )


def _leave_one_out(reg: RegisterResult, lo: float, hi: float, alpha: float) -> EffectResults:
    """The estimate with the leave-one-area-out range as its interval."""
    res = reg.result
    return EffectResults(
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
        alpha=alpha,
        model="leave_one_out",
        ci_method=_fixed_interval(lo, hi),
    )
