"""The estimates of the employment_area section (see :mod:`arviointi.sections.area`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from arviointi import progress
from arviointi.errors import DesignError, InputError, Problem
from arviointi.params.schema import Evaluation, Outcome
from arviointi.sections.area.panel import AreaPanel, build_panel
from arviointi.sections.area.results import (
    EVENT_STUDY_PERMUTATIONS_MAX,
    LOO_EXTREMES,
    SENSITIVITY_M,
    AreaAnalysis,
    OutcomeResults,
)
from arviointi.sections.area.scales import pilot_unit_name


def _did_args(evaluation: Evaluation) -> dict[str, Any]:
    inf = evaluation.inference
    return {
        "inference": evaluation.models.did.inference,
        "n_boot": evaluation.models.did.n_boot,
        "alpha": inf.alpha,
        "seed": inf.seed if inf.seed is not None else evaluation.seed,
    }


def _fit_did(data: pd.DataFrame, args: dict[str, Any], **extra: Any) -> Any:
    from arviointi.did.model import did

    res = did(data, "y", unit="area", time="month", treatment="treated", **{**args, **extra})
    return res


def _named(res: Any, outcome: str, model: str | None = None) -> Any:
    res.outcome = outcome
    if model is not None:
        res.model = model
    return res


def _leave_one_out(panel: AreaPanel, main: Any, args: dict[str, Any]) -> pd.DataFrame:
    """Estimates dropping one comparison area at a time, refitted where the range lies.

    Only the range (smallest and largest estimate) is reported. In the balanced,
    unweighted panel the DiD estimate is mean_T(c) - mean_C(c) of the per-area
    post-minus-pre contrasts c, so dropping area j gives an estimate increasing in c_j:
    the range is attained at the areas with the most extreme contrasts, and only the
    :data:`LOO_EXTREMES` areas at each end are refitted (all of them when there are at
    most twice as many). A refit needs only its estimate, which does not depend on the
    inference method: it is fitted with classical standard errors, not with the
    design's inference (a permutation or bootstrap per refit).
    """
    controls = list(panel.comparison_areas)
    if len(controls) > 2 * LOO_EXTREMES:
        c = main.contrasts.reindex(controls).dropna().sort_values()
        controls = list(c.index[:LOO_EXTREMES]) + list(c.index[-LOO_EXTREMES:])
    refit = {**args, "inference": "classical"}
    rows = []
    for area in progress.steps(controls, f"{panel.outcome}: leave one out"):
        res = _fit_did(panel.data.loc[panel.data["area"] != area], refit)
        rows.append({"dropped": area, "estimate": res.estimate})
    out = pd.DataFrame(rows, columns=["dropped", "estimate"])
    out.attrs["refitted_all"] = len(controls) == len(panel.comparison_areas)
    return out


def analyse_outcome(
    evaluation: Evaluation, outcome: Outcome, frame: pd.DataFrame, source: str, areas: list[str]
) -> OutcomeResults:
    """DiD (headline), weighted DiD, ITS, event study, synthetic control and diagnostics."""
    panel = build_panel(evaluation, outcome, frame, source, areas)
    name = outcome.name
    notes: list[str] = []
    if panel.n_pre < 4 or panel.n_post < 1:
        raise DesignError(
            f"{source}: {name}: {panel.n_pre} months before and {panel.n_post} after the pilot "
            "start in the data; at least 4 before and 1 after are needed"
        )
    args = _did_args(evaluation)
    main = _named(_fit_did(panel.data, args), name)
    weighted = None
    if len(panel.pilot_areas) > 1 and panel.data["lf_weight"].notna().all():
        # several pilot areas: the labour-force weighted DiD targets the pooled rate of the
        # pilot region; wild cluster bootstrap (enough treated clusters for it, >= 6)
        weighted = _named(
            _fit_did(panel.data, args, weights="lf_weight", inference="wild"), name, "did_lf"
        )
    # the order of the original single function (every estimator is seeded anyway)
    its = _its(evaluation, panel, args["alpha"], source)
    es, sensitivity = _event_study(evaluation, panel, args, source, notes)
    synth = _synth(evaluation, panel, args["alpha"])
    pretrend = main.pretrend_test() if panel.n_pre >= 3 else None
    placebo = None
    shift = 12 if panel.n_pre > 24 else panel.n_pre // 2
    if shift >= 1:
        placebo = _named(main.placebo_in_time(shift), name, "placebo_in_time")
        placebo.extra["shift"] = shift
    loo = _leave_one_out(panel, main, args) if len(panel.comparison_areas) >= 3 else None
    return OutcomeResults(
        outcome=outcome,
        panel=panel,
        did=main,
        did_weighted=weighted,
        its=its,
        event_study=es,
        synth=synth,
        pretrend=pretrend,
        placebo=placebo,
        leave_one_out=loo,
        mde=_mde(panel, args["alpha"], notes),
        sensitivity=sensitivity,
        notes=notes,
    )


def _its(evaluation: Evaluation, panel: AreaPanel, alpha: float, source: str) -> Any:
    """Interrupted time series of the pilot area(s) as one series."""
    from arviointi.before_after.model import before_after

    bam = evaluation.models.before_after
    res = before_after(
        panel.pilot_series,
        "y",
        time="month",
        start=panel.pilot_start,
        method=bam.method,
        seasonality=bam.seasonality,
        hac_lags=bam.hac_lags,
        alpha=alpha,
        source=f"{source}: {panel.outcome}",
    )
    return _named(res, panel.outcome)


def _event_study(
    evaluation: Evaluation, panel: AreaPanel, args: dict[str, Any], source: str, notes: list[str]
) -> tuple[Any | None, pd.DataFrame | None]:
    """The event study (leads and lags from the params) and its smoothness bounds."""
    from arviointi.event_study.model import event_study
    from arviointi.event_study.sensitivity import smoothness_bounds

    esm = evaluation.models.event_study
    if not esm.enabled:
        return None, None
    leads = min(esm.leads, panel.n_pre - 1)
    lags = min(esm.lags, panel.n_post - 1)
    if leads < 2 or esm.reference < -leads:
        return None, None
    es = event_study(
        panel.data,
        "y",
        unit="area",
        time="month",
        treatment="treated",
        window=(-leads, lags),
        reference=esm.reference,
        alpha=args["alpha"],
        n_permutations=min(evaluation.inference.n_boot, EVENT_STUDY_PERMUTATIONS_MAX),
        seed=int(args["seed"]),
        source=f"{source}: {panel.outcome}",
    )
    es = _named(es, panel.outcome)
    if es.vcov is None or -2 not in es.coefficients.index:
        notes.append("sensitivity_unavailable")
        return es, None
    pre_sd = float(panel.data.loc[panel.data["post"] == 0, "y"].std())
    return es, smoothness_bounds(es, [m * pre_sd for m in SENSITIVITY_M])


def _synth(evaluation: Evaluation, panel: AreaPanel, alpha: float) -> Any | None:
    """Demeaned synthetic control of the pilot area(s) as one unit, in-space placebos."""
    from arviointi.synth.model import synthetic_control

    if not evaluation.models.synthetic_control.enabled:
        return None
    donors = evaluation.models.synthetic_control.donors
    ctrl = panel.data.loc[panel.data["pilot"] == 0, ["area", "month", "y"]]
    if donors:
        ctrl = ctrl.loc[ctrl["area"].isin(donors)]
    unit = pilot_unit_name(panel.pilot_areas)
    sc_data = pd.concat([panel.pilot_series.assign(area=unit), ctrl], ignore_index=True)
    sc_data["treated"] = (
        (sc_data["area"] == unit) & (sc_data["month"] >= panel.pilot_start)
    ).astype(int)
    # demeaned synthetic control (Ferman and Pinto 2021): each unit's pre-period mean
    # is removed, so the weights match the pre-period path, not the level; a pilot
    # area outside the donors' range (the highest rate) can still be fitted
    pre_mean = sc_data.loc[sc_data["month"] < panel.pilot_start].groupby("area")["y"].mean()
    sc_data["y"] = sc_data["y"] - sc_data["area"].map(pre_mean)
    res = synthetic_control(
        sc_data, "y", unit="area", time="month", treatment="treated", alpha=alpha
    )
    return _named(res, panel.outcome)


def _mde(panel: AreaPanel, alpha: float, notes: list[str]) -> Any | None:
    """Minimum detectable effect from the pre-period (None, with a note, when impossible)."""
    from arviointi.power.mde import mde_from_pre_period

    pre = panel.data.loc[panel.data["post"] == 0]
    try:
        return mde_from_pre_period(
            pre,
            "y",
            unit="area",
            time="month",
            treated_units=list(panel.pilot_areas),
            n_post=panel.n_post,
            alpha=alpha,
        )
    except DesignError as exc:  # the MDE is context; without it the estimates still stand
        notes.append(f"{panel.outcome}: no minimum detectable effect ({exc})")
        return None


def area_outcomes(evaluation: Evaluation) -> list[Outcome]:
    """The outcomes this section handles: section employment, level area."""
    return [o for o in evaluation.outcomes if o.section == "employment" and o.level == "area"]


def diagnostics_row(res: OutcomeResults) -> dict[str, Any]:
    row: dict[str, Any] = {"outcome": res.outcome.name}
    row["pretrend_p"] = None if res.pretrend is None else res.pretrend["pvalue"]
    row["es_pretrend_p"] = None if res.event_study is None else res.event_study.pretrend["pvalue"]
    row["placebo"] = None if res.placebo is None else res.placebo.estimate
    row["placebo_p"] = None if res.placebo is None else res.placebo.pvalue
    loo = res.leave_one_out
    row["loo_min"] = None if loo is None else float(loo["estimate"].min())
    row["loo_max"] = None if loo is None else float(loo["estimate"].max())
    row["mde"] = None if res.mde is None else res.mde.mde
    row["synth_pre_rmspe"] = None if res.synth is None else res.synth.pre_rmspe
    return row


def analyse_area(ctx: Any) -> AreaAnalysis:
    """The employment_area section: every employment outcome at area level (see module)."""
    from arviointi.sections.comparison import resolve_comparison

    evaluation: Evaluation = ctx.evaluation
    comparison = resolve_comparison(evaluation, ctx.frames)
    results: list[OutcomeResults] = []
    skipped: list[str] = []
    for outcome in progress.steps(area_outcomes(evaluation), "area-level outcomes"):
        source = outcome.source or comparison.source
        frame = ctx.frames.get(source)
        if frame is None:
            raise InputError(
                "<params>", [Problem(f"outcomes.{outcome.name}.source", f"no source {source!r}")]
            )
        if outcome.name not in frame.columns:
            skipped.append(outcome.name)
            continue
        present = set(frame["area"])  # once: not per comparison area (22M string reads)
        areas = [a for a in comparison.areas if a in present]
        results.append(analyse_outcome(evaluation, outcome, frame, source, areas))
    tables = []
    for res in results:
        part = res.table()
        part.insert(0, "outcome", res.outcome.name)
        part.insert(1, "scale", res.panel.scale)
        tables.append(part)
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    diagnostics = pd.DataFrame([diagnostics_row(r) for r in results])
    return AreaAnalysis(
        comparison=comparison,
        results=results,
        synthetic=bool(ctx.synthetic),
        table=table,
        diagnostics=diagnostics,
        skipped=skipped,
    )
