"""Area-level employment (notebook employment_area): the pilot area(s) against the
comparison areas for every outcome with ``section: employment`` and ``level: area``.

    analysis = analyse_area(ctx)        # AreaAnalysis: results per outcome + tables
    emit_area(analysis, ctx.emitter)    # report text, tables, figures, records

Per outcome (:func:`analyse_outcome`): the headline difference-in-differences (area and
month fixed effects, equal weight per area, inference from ``models.did.inference``;
``auto`` picks Donald-Lang with few pilot areas), with several pilot areas also a
labour-force weighted DiD (wild cluster bootstrap); an interrupted time series of the
pilot area(s) with month-of-year dummies; an event study (leads/lags from the params,
permutation inference with few pilot areas); a demeaned synthetic control with in-space
placebos (several pilot areas are added up into one unit). Diagnostics: pre-trend test,
placebo a year early, leave-one-out range, minimum detectable effect, smoothness
sensitivity bounds when the event study has a covariance matrix. With synthetic data the
truth is the actual-minus-counterfactual difference of the generator's counterfactual
panel, on the same scale as the estimate.

Scales (decided per outcome, stated in the report):

* ``level``: a rate that is already comparable across areas (``unemployment_rate``, pp);
* ``per_labour_force``: a count of a subgroup divided by the area's labour force, per 100
  (long-term, Kela list, youth, foreign-language unemployed). Areas of very different
  size then move on one scale, and an effect converts back to persons exactly by the
  pilot area's labour force (the pilot does not change the labour force). The generator
  makes district rates parallel in percentage points, and so are these shares; logs
  were tried and are biased there (a common shock is a smaller relative change in a
  high-unemployment district);
* ``log``: 100 x log of the total count of unemployed (``unemployed``): a proportional
  change, about per cent. Per labour force it would repeat the unemployment rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from arviointi import progress
from arviointi.errors import DesignError, InputError, Problem
from arviointi.params.schema import Evaluation, Outcome
from arviointi.report import formatting as fm
from arviointi.report.i18n import Msg

LEVEL_OUTCOMES = ("unemployment_rate",)
LOG_OUTCOMES = ("unemployed",)


def pilot_unit_name(pilots: list[str]) -> str:
    """Name of the one series that stands for the pilot areas ("Tampere + 9" for ten)."""
    return pilots[0] if len(pilots) == 1 else f"{pilots[0]} + {len(pilots) - 1}"


def scale_of(outcome: str) -> str:
    """``level``, ``log`` or ``per_labour_force`` (see the module docstring)."""
    if outcome in LEVEL_OUTCOMES:
        return "level"
    if outcome in LOG_OUTCOMES:
        return "log"
    return "per_labour_force"


def transform(frame: pd.DataFrame, outcome: str, scale: str, source: str) -> pd.Series:
    """The outcome of ``frame`` on ``scale`` (aligned with ``frame.index``)."""
    if outcome not in frame.columns:
        raise InputError(source, [Problem(f"column {outcome!r}", "missing: outcome in params")])
    values = frame[outcome].astype("float64")
    if scale == "level":
        return values
    if scale == "log":
        bad = frame.index[values <= 0]
        if len(bad):
            raise InputError(
                source,
                [Problem(f"row {bad[0]}, column {outcome!r}", "expected > 0 to take a log")],
            )
        return pd.Series(100.0 * np.log(values.to_numpy()), index=frame.index)
    if "labour_force" not in frame.columns:
        raise InputError(
            source,
            [Problem("column 'labour_force'", f"needed to express {outcome} per labour force")],
        )
    lf = frame["labour_force"].astype("float64")
    bad = frame.index[~(lf > 0)]
    if len(bad):
        raise InputError(
            source, [Problem(f"row {bad[0]}, column 'labour_force'", "expected a positive number")]
        )
    return 100.0 * values / lf


def aggregate_pilot(frame: pd.DataFrame, outcome: str, scale: str, source: str) -> pd.DataFrame:
    """One series for all pilot areas together: counts summed before the scale is applied
    (so the rate is the pooled rate, i.e. labour-force weighted)."""
    cols = ["unemployed", "labour_force"] if outcome == "unemployment_rate" else [outcome]
    if scale == "per_labour_force":
        cols = [outcome, "labour_force"]
    if outcome == "unemployment_rate" and not {"unemployed", "labour_force"} <= set(frame):
        means = pd.DataFrame(frame.groupby("month", as_index=False)[outcome].mean())
        means["y"] = means[outcome]
        return pd.DataFrame(means[["month", "y"]])
    summed = pd.DataFrame(frame.groupby("month", as_index=False)[cols].sum())
    if outcome == "unemployment_rate":
        summed["y"] = 100.0 * summed["unemployed"] / summed["labour_force"]
    else:
        summed["y"] = transform(summed, outcome, scale, source)
    return pd.DataFrame(summed[["month", "y"]])


@dataclass
class AreaPanel:
    """Balanced area x month panel of one outcome on its analysis scale.

    data : area, month, y, treated (pilot area in the post period), pilot (pilot area),
        post, labour_force (mean over the pre-period, per area; NaN when absent)
    pilot_series : the pilot area(s) as one series (month, y)
    persons_per_unit : persons that one unit of the scale means in the pilot area(s)
        (labour force / 100 for ``per_labour_force``; None otherwise)
    truth : realised true effect by month on the analysis scale (synthetic data), else None
    dropped : areas dropped for gaps in the window, with the number of missing months
    zero_months : areas dropped from a log scale, with the number of months at zero
    """

    outcome: str
    scale: str
    data: pd.DataFrame
    pilot_series: pd.DataFrame
    pilot_areas: list[str]
    comparison_areas: list[str]
    pilot_start: pd.Timestamp
    n_pre: int
    n_post: int
    persons_per_unit: float | None
    truth: pd.Series | None
    dropped: dict[str, int]
    zero_months: dict[str, int]

    def true_mean(self) -> float | None:
        """The truth averaged over the post months in the data (the DiD/ITS/synth target)."""
        if self.truth is None or self.truth.empty:
            return None
        return float(self.truth.mean())

    def true_event_mean(self, last_lag: int) -> float | None:
        """The truth in the event study's terms: equal-weight mean of the post coefficients
        0..last_lag, where the last one bins every later month."""
        if self.truth is None or self.truth.empty:
            return None
        by_k = self.truth.to_numpy(dtype=float)
        parts = [by_k[k] for k in range(min(last_lag, len(by_k)))]
        if len(by_k) > last_lag:
            parts.append(float(by_k[last_lag:].mean()))
        return float(np.mean(parts))


def _months(evaluation: Evaluation) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    d = evaluation.design
    first = pd.Timestamp(f"{d.pre_window[0]}-01")
    last = pd.Timestamp(f"{d.post_window[1]}-01")
    return first, pd.Timestamp(f"{d.pilot_start}-01"), last


def _truth(
    evaluation: Evaluation,
    source: str,
    outcome: str,
    scale: str,
    actual: pd.DataFrame,
    pilots: list[str],
) -> pd.Series | None:
    """Actual minus counterfactual for the pilot areas, by post month, on ``scale``."""
    spec = evaluation.data[source]
    if spec.kind != "synthetic":
        return None
    from arviointi.data.synthetic import load_synthetic

    cf = load_synthetic(
        {"schema": "counterfactual_area_panel", "seed": spec.seed, "generator": spec.generator}
    )
    cf = cf.loc[cf["area"].isin(pilots)]
    months = actual["month"].unique()
    cf = cf.loc[cf["month"].isin(months)]
    a = aggregate_pilot(actual, outcome, scale, source).set_index("month")["y"]
    c = aggregate_pilot(cf, outcome, scale, f"{source} (counterfactual)").set_index("month")["y"]
    diff = (a - c.reindex(a.index)).sort_index()
    return diff.loc[diff.index >= pd.Timestamp(f"{evaluation.design.pilot_start}-01")]


def build_panel(
    evaluation: Evaluation,
    outcome: Outcome,
    frame: pd.DataFrame,
    source: str,
    comparison_areas: list[str],
) -> AreaPanel:
    """The analysis panel of ``outcome`` (see :class:`AreaPanel`)."""
    first, start, last = _months(evaluation)
    pilots = list(evaluation.design.pilot_areas)
    scale = scale_of(outcome.name)
    months = pd.to_datetime(frame["month"])
    keep = frame.loc[
        (months >= first) & (months <= last) & frame["area"].isin(pilots + comparison_areas)
    ].copy()
    keep["month"] = pd.to_datetime(keep["month"])
    if outcome.name not in keep.columns:
        raise InputError(
            source, [Problem(f"column {outcome.name!r}", "missing: the outcome named in params")]
        )
    n_months = keep["month"].nunique()
    counts = keep.dropna(subset=[outcome.name]).groupby("area")["month"].nunique()
    dropped = {
        str(a): int(n_months - counts.get(a, 0))
        for a in comparison_areas
        if counts.get(a, 0) < n_months
    }
    zero_months: dict[str, int] = {}
    short_pilots = [a for a in pilots if counts.get(a, 0) < n_months]
    if short_pilots:
        raise DesignError(
            f"{source}: pilot area(s) {short_pilots} lack {outcome.name!r} in some months of "
            f"{first:%Y-%m}..{last:%Y-%m}; a balanced panel is needed"
        )
    if scale == "log":
        # a log needs a positive count in every month: comparison areas with a zero drop
        zeros = keep.loc[keep[outcome.name] <= 0].groupby("area")["month"].nunique()
        for area, n in zeros.items():
            if area in pilots:
                raise DesignError(
                    f"{source}: pilot area {area!r} has {int(n)} month(s) with {outcome.name} = 0;"
                    " a log scale is impossible"
                )
            dropped.setdefault(str(area), 0)
            zero_months[str(area)] = int(n)
    keep = keep.loc[~keep["area"].isin(list(dropped))]
    keep = keep.sort_values(["area", "month"]).reset_index(drop=True)
    keep["y"] = transform(keep, outcome.name, scale, source)
    keep["pilot"] = keep["area"].isin(pilots).astype(int)
    keep["post"] = (keep["month"] >= start).astype(int)
    keep["treated"] = keep["pilot"] * keep["post"]
    if "labour_force" in keep.columns:
        pre_lf = keep.loc[keep["post"] == 0].groupby("area")["labour_force"].mean()
        keep["lf_weight"] = keep["area"].map(pre_lf).astype("float64")
    else:
        keep["lf_weight"] = math.nan
    n_pre = int(keep.loc[keep["post"] == 0, "month"].nunique())
    n_post = int(keep.loc[keep["post"] == 1, "month"].nunique())
    pilot_rows = keep.loc[keep["pilot"] == 1]
    persons = None
    if scale == "per_labour_force":
        post_lf = pilot_rows.loc[pilot_rows["post"] == 1].groupby("month")["labour_force"].sum()
        persons = float(post_lf.mean()) / 100.0 if len(post_lf) else None
    truth = _truth(evaluation, source, outcome.name, scale, pilot_rows, pilots)
    data = keep[["area", "month", "y", "pilot", "post", "treated", "lf_weight"]]
    return AreaPanel(
        outcome=outcome.name,
        scale=scale,
        data=data,
        pilot_series=aggregate_pilot(pilot_rows, outcome.name, scale, source),
        pilot_areas=pilots,
        comparison_areas=sorted(set(comparison_areas) - set(dropped)),
        pilot_start=start,
        n_pre=n_pre,
        n_post=n_post,
        persons_per_unit=persons,
        truth=truth,
        dropped=dropped,
        zero_months=zero_months,
    )


def describe(panel: AreaPanel) -> dict[str, Any]:
    """Design facts of the panel for the report text."""
    months = panel.data["month"]
    return {
        "first": months.min().strftime("%Y-%m"),
        "last": months.max().strftime("%Y-%m"),
        "n_pre": panel.n_pre,
        "n_post": panel.n_post,
        "n_pilot": len(panel.pilot_areas),
        "n_comparison": len(panel.comparison_areas),
    }


# -- the analysis ------------------------------------------------------------------------

#: refit leave-one-out for every comparison area up to this many; above it only for the
#: areas with the most extreme contrasts (the range is attained there, see _leave_one_out)
LOO_ALL_MAX = 40
LOO_EXTREMES = 5
#: permutations for the event study's randomisation inference (each one refits the model)
EVENT_STUDY_PERMUTATIONS_MAX = 199
#: smoothness bounds: slope changes M per month, in multiples of the pre-period SD of y
SENSITIVITY_M = (0.0, 0.005, 0.01, 0.02)


@dataclass
class OutcomeResults:
    """Everything estimated for one area-level outcome (results objects and frames)."""

    outcome: Outcome
    panel: AreaPanel
    did: Any
    did_weighted: Any | None
    its: Any | None
    event_study: Any | None
    synth: Any | None
    pretrend: dict[str, Any] | None
    placebo: Any | None
    leave_one_out: pd.DataFrame | None
    mde: Any | None
    sensitivity: pd.DataFrame | None
    notes: list[str]

    @property
    def true_effect(self) -> float | None:
        return self.panel.true_mean()

    def table(self) -> pd.DataFrame:
        """One row per method: estimate, interval, p-value, inference, truth."""
        rows = []
        for role, res, truth in self._estimates():
            lo, hi = res.conf_int()
            rows.append(
                {
                    "model": res.model,
                    "role": role,
                    "estimate": res.estimate,
                    "ci_low": lo,
                    "ci_high": hi,
                    "pvalue": res.pvalue,
                    "inference": res.inference.method,
                    "true_effect": truth,
                }
            )
        return pd.DataFrame(rows)

    def _estimates(self) -> list[tuple[str, Any, float | None]]:
        truth = self.true_effect
        out: list[tuple[str, Any, float | None]] = [("primary", self.did, truth)]
        if self.did_weighted is not None:
            out.append(("robustness", self.did_weighted, truth))
        if self.its is not None:
            out.append(("robustness", self.its, truth))
        if self.event_study is not None:
            last = int(max(self.event_study.coefficients.index))
            out.append(("robustness", self.event_study, self.panel.true_event_mean(last)))
        if self.synth is not None:
            out.append(("robustness", self.synth, truth))
        return out


@dataclass
class AreaAnalysis:
    """The employment_area section: comparison set, per-outcome results, summary tables."""

    comparison: Any
    results: list[OutcomeResults]
    synthetic: bool
    table: pd.DataFrame
    diagnostics: pd.DataFrame
    skipped: list[str]


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
    """Estimates dropping one comparison area at a time.

    In a balanced panel without weights the DiD estimate is mean_T(c) - mean_C(c) of the
    per-area post-minus-pre contrasts c, so dropping area j gives an estimate increasing in
    c_j: the smallest and largest leave-one-out estimates come from the areas with the
    most extreme contrasts. With many comparison areas only those are refitted.
    """
    controls = list(panel.comparison_areas)
    if len(controls) > LOO_ALL_MAX:
        c = main.contrasts.reindex(controls).dropna().sort_values()
        controls = list(c.index[:LOO_EXTREMES]) + list(c.index[-LOO_EXTREMES:])
    rows = []
    for area in progress.steps(controls, f"{panel.outcome}: leave one out"):
        res = _fit_did(panel.data.loc[panel.data["area"] != area], args)
        lo, hi = res.conf_int()
        rows.append({"dropped": area, "estimate": res.estimate, "ci_low": lo, "ci_high": hi})
    out = pd.DataFrame(rows)
    out.attrs["refitted_all"] = len(controls) == len(panel.comparison_areas)
    return out


def analyse_outcome(
    evaluation: Evaluation, outcome: Outcome, frame: pd.DataFrame, source: str, areas: list[str]
) -> OutcomeResults:
    """DiD (headline), weighted DiD, ITS, event study, synthetic control and diagnostics."""
    from arviointi.before_after.model import before_after
    from arviointi.event_study.model import event_study
    from arviointi.event_study.sensitivity import smoothness_bounds
    from arviointi.power.mde import mde_from_pre_period
    from arviointi.synth.model import synthetic_control

    panel = build_panel(evaluation, outcome, frame, source, areas)
    name = outcome.name
    notes: list[str] = []
    if panel.n_pre < 4 or panel.n_post < 1:
        raise DesignError(
            f"{source}: {name}: {panel.n_pre} months before and {panel.n_post} after the pilot "
            "start in the data; at least 4 before and 1 after are needed"
        )
    args = _did_args(evaluation)
    alpha = args["alpha"]
    seed = int(args["seed"])
    main = _named(_fit_did(panel.data, args), name)
    weighted = None
    if len(panel.pilot_areas) > 1 and panel.data["lf_weight"].notna().all():
        # several pilot areas: the labour-force weighted DiD targets the pooled rate of the
        # pilot region; wild cluster bootstrap (enough treated clusters for it, >= 6)
        weighted = _named(
            _fit_did(panel.data, args, weights="lf_weight", inference="wild"), name, "did_lf"
        )
    bam = evaluation.models.before_after
    its = _named(
        before_after(
            panel.pilot_series,
            "y",
            time="month",
            start=panel.pilot_start,
            method=bam.method,
            seasonality=bam.seasonality,
            hac_lags=bam.hac_lags,
            alpha=alpha,
            source=f"{source}: {name}",
        ),
        name,
    )
    es = None
    sensitivity = None
    esm = evaluation.models.event_study
    if esm.enabled:
        leads = min(esm.leads, panel.n_pre - 1)
        lags = min(esm.lags, panel.n_post - 1)
        if leads >= 2 and esm.reference >= -leads:
            es = _named(
                event_study(
                    panel.data,
                    "y",
                    unit="area",
                    time="month",
                    treatment="treated",
                    window=(-leads, lags),
                    reference=esm.reference,
                    alpha=alpha,
                    n_permutations=min(evaluation.inference.n_boot, EVENT_STUDY_PERMUTATIONS_MAX),
                    seed=seed,
                    source=f"{source}: {name}",
                ),
                name,
            )
            if es.vcov is not None and -2 in es.coefficients.index:
                pre_sd = float(panel.data.loc[panel.data["post"] == 0, "y"].std())
                sensitivity = smoothness_bounds(es, [m * pre_sd for m in SENSITIVITY_M])
            else:
                notes.append("sensitivity_unavailable")
    synth = None
    if evaluation.models.synthetic_control.enabled:
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
        synth = _named(
            synthetic_control(
                sc_data, "y", unit="area", time="month", treatment="treated", alpha=alpha
            ),
            name,
        )
    pretrend = main.pretrend_test() if panel.n_pre >= 3 else None
    placebo = None
    shift = 12 if panel.n_pre > 24 else panel.n_pre // 2
    if shift >= 1:
        placebo = _named(main.placebo_in_time(shift), name, "placebo_in_time")
        placebo.extra["shift"] = shift
    loo = _leave_one_out(panel, main, args) if len(panel.comparison_areas) >= 3 else None
    pre = panel.data.loc[panel.data["post"] == 0]
    try:
        mde = mde_from_pre_period(
            pre,
            "y",
            unit="area",
            time="month",
            treated_units=list(panel.pilot_areas),
            n_post=panel.n_post,
            alpha=alpha,
        )
    except DesignError as exc:  # the MDE is context; without it the estimates still stand
        mde = None
        notes.append(f"{name}: no minimum detectable effect ({exc})")
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
        mde=mde,
        sensitivity=sensitivity,
        notes=notes,
    )


def area_outcomes(evaluation: Evaluation) -> list[Outcome]:
    """The outcomes this section handles: section employment, level area."""
    return [o for o in evaluation.outcomes if o.section == "employment" and o.level == "area"]


def _diagnostics_row(res: OutcomeResults) -> dict[str, Any]:
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
    diagnostics = pd.DataFrame([_diagnostics_row(r) for r in results])
    return AreaAnalysis(
        comparison=comparison,
        results=results,
        synthetic=bool(ctx.synthetic),
        table=table,
        diagnostics=diagnostics,
        skipped=skipped,
    )


# -- the report --------------------------------------------------------------------------

#: placebo gaps drawn only for comparison areas fitted at most this many times worse
PLACEBO_FIT_LIMIT = 5.0


def _pvalue(p: float | None) -> dict[str, str]:
    """A p-value written per language ("p = 0,79" / "p = 0.79")."""
    return {lang: fm.fmt_pvalue(p, lang) for lang in ("fi", "en")}


def _numbers(value: float, decimals: int) -> dict[str, str]:
    return {lang: fm.fmt_number(value, lang, decimals) for lang in ("fi", "en")}


_SCALE_UNIT = {
    "level": "area.unit.pp",
    "log": "area.unit.log",
    "per_labour_force": "area.unit.per100",
}


def _label_values(outcome: Outcome) -> dict[str, Any]:
    """The outcome's label from the params, per language (a placeholder value)."""
    fi = outcome.label.fi
    return {"label": {"fi": fi, "en": outcome.label.en or fi}}


def _verdict_args(res: OutcomeResults) -> dict[str, Any]:
    """Verdict in persons for per-labour-force outcomes, otherwise on the analysis scale."""
    panel = res.panel
    if panel.scale == "per_labour_force" and panel.persons_per_unit:
        return {"unit_key": "area.unit.persons", "scale": panel.persons_per_unit, "decimals": 0}
    decimals = 1 if panel.scale == "log" else 2
    return {"unit_key": _SCALE_UNIT[panel.scale], "scale": 1.0, "decimals": decimals}


def _diagnostic(
    res: OutcomeResults,
    model: str,
    estimate: float,
    *,
    se: float | None = None,
    pvalue: float | None = None,
    method: str = "none",
    reason: str = "",
    df: float | None = None,
    ci_method: Any = None,
) -> Any:
    from arviointi.results.base import EffectResults, InferenceInfo

    main = res.did
    return EffectResults(
        estimate=estimate,
        se=se,
        pvalue=pvalue,
        inference=InferenceInfo(method=method, reason=reason, requested=method, df=df),
        n_obs=main.n_obs,
        n_treated=main.n_treated,
        n_control=main.n_control,
        outcome=res.outcome.name,
        alpha=main.alpha,
        model=model,
        ci_method=ci_method,
    )


def _record_outcome(res: OutcomeResults, em: Any, synthetic: bool) -> None:
    panel = res.panel
    truth = panel.true_mean() if synthetic else None
    common = {"level": "area", "scale": panel.scale, "unit": _SCALE_UNIT[panel.scale]}
    label = {"fi": res.outcome.label.fi, "en": res.outcome.label.en or res.outcome.label.fi}
    em.record(res.did, true_effect=truth, role="primary", label=label, **common)
    for role, result, t_eff in res._estimates()[1:]:
        em.record(result, true_effect=t_eff if synthetic else None, role=role, **common)
    diag = {**common, "role": "diagnostic"}
    if res.pretrend is not None:
        p = res.pretrend
        em.record(
            _diagnostic(
                res,
                "pretrend_test",
                p["slope_difference"],
                se=p["se"],
                pvalue=p["pvalue"],
                method="donald_lang",
                reason=p["method"],
                df=p["df"],
            ),
            **diag,
        )
    if res.event_study is not None:
        p = res.event_study.pretrend
        em.record(
            _diagnostic(
                res,
                "event_study_pretrend",
                float(p["statistic"]),
                pvalue=p["pvalue"],
                method=res.event_study.inference.method,
                reason=p["method"],
            ),
            **diag,
        )
    if res.placebo is not None:
        em.record(
            res.placebo,
            true_effect=0.0 if synthetic else None,
            shift=res.placebo.extra["shift"],
            **diag,
        )
    if res.leave_one_out is not None and len(res.leave_one_out):
        lo = float(res.leave_one_out["estimate"].min())
        hi = float(res.leave_one_out["estimate"].max())
        em.record(
            _diagnostic(
                res,
                "leave_one_out",
                res.did.estimate,
                reason=f"estimates dropping one comparison area at a time: {lo:.4g} .. {hi:.4g}",
            ),
            range_low=lo,
            range_high=hi,
            **diag,
        )
    choice = _diagnostic(
        res,
        "inference_choice",
        res.did.estimate,
        se=res.did.se,
        pvalue=res.did.pvalue,
        method=res.did.inference.method,
        reason=res.did.inference.reason,
        ci_method=res.did.conf_int,
    )
    em.record(choice, **diag)
    if res.mde is not None:
        em.record(
            _diagnostic(
                res,
                "mde",
                res.mde.mde,
                reason=f"minimum detectable effect at power {res.mde.power:g}, "
                f"AR(1) rho {res.mde.rho:.2f} from the pre-period",
            ),
            **diag,
        )
    if res.sensitivity is not None:
        em.record(
            _diagnostic(
                res,
                "rr_smoothness_breakdown",
                float(res.sensitivity.attrs["breakdown"]),
                reason="smallest M (change of the monthly slope) at which the smoothness "
                "bounded interval includes 0",
            ),
            **diag,
        )


def _estimates_frame(res: OutcomeResults, synthetic: bool) -> pd.DataFrame:
    tab = res.table()
    out = pd.DataFrame(
        {
            "method": tab["model"].astype(str),
            "estimate": tab["estimate"].astype(float),
            "ci_low": tab["ci_low"].astype(float),
            "ci_high": tab["ci_high"].astype(float),
            "pvalue": tab["pvalue"].astype(float),
            "inference": tab["inference"].astype(str),
        }
    )
    if synthetic:
        out["true_effect"] = tab["true_effect"].astype(float)
    return out


def _gap_frame(synth: Any) -> pd.DataFrame:
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
    from arviointi.report.figures import counterfactual_figure, event_study_figure, gap_figure

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
        values["year"] = str(rule.get("labour_force_year", int(first.panel.pilot_start.year) - 1))
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
    em.paragraphs(["area.method.scale", "area.method.did", "area.method.robustness"])
    if len(comp.pilot_areas) > 1:
        em.paragraph("area.method.several")
    for res in analysis.results:
        _emit_outcome(
            res, em, analysis.synthetic, counterfactual_figure, event_study_figure, gap_figure
        )
    _emit_diagnostics(analysis, em)


def _emit_outcome(
    res: OutcomeResults,
    em: Any,
    synthetic: bool,
    counterfactual_figure: Any,
    event_study_figure: Any,
    gap_figure: Any,
) -> None:
    panel = res.panel
    labels = _label_values(res.outcome)
    em.heading("area.heading.outcome", level=3, **labels)
    em.paragraph(f"area.scale.{panel.scale}", **labels)
    if panel.dropped:
        em.paragraph("area.dropped", n=len(panel.dropped))
    vargs = _verdict_args(res)
    truth = panel.true_mean() if synthetic else None
    em.verdict(res.did, outcome_key=f"area.subject.{res.outcome.name}", true_effect=truth, **vargs)
    if res.pretrend is not None and res.pretrend["pvalue"] is not None:
        alpha = res.did.alpha
        key = "area.caution.pretrend" if res.pretrend["pvalue"] < alpha else "area.pretrend_ok"
        em.paragraph(key, pvalue=_pvalue(res.pretrend["pvalue"]))
    es_p = None if res.event_study is None else res.event_study.pretrend.get("pvalue")
    if es_p is not None and es_p < res.did.alpha:
        em.paragraph("area.caution.es_pretrend", pvalue=_pvalue(es_p))
    em.paragraph(
        f"area.inference.{res.did.inference.method}"
        if res.did.inference.method in INFERENCE_TEXT
        else "area.inference.other"
    )
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
        _estimates_frame(res, synthetic),
        "area.caption.estimates",
        caption_values={**labels, "unit": Msg(_SCALE_UNIT[panel.scale])},
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
    its = res.its
    if its is not None:
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
            treatment_start=panel.pilot_start,
        )
    es = res.event_study
    if es is not None:
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
            pvalue=_pvalue(es.pretrend["pvalue"]),
            leads=int(-min(c["rel_time"])),
            lags=int(max(c["rel_time"])),
        )
        if frame["ci_low"].isna().all():
            em.paragraph("area.event_study_noci")
    sc = res.synth
    if sc is not None:
        em.figure(
            gap_figure,
            "area.caption.gap",
            "alt.gap",
            caption_values={**labels, "limit": int(PLACEBO_FIT_LIMIT)},
            frame=_gap_frame(sc),
            treated=str(sc.rmspe["unit"].iloc[0]),
            treatment_start=panel.pilot_start,
        )
        top = sc.weights.sort_values(ascending=False)
        top = top[top >= 0.05].head(5)
        em.paragraph(
            "area.synth",
            donors={
                lang: ", ".join(f"{u} {fm.fmt_number(w, lang, 2)}" for u, w in top.items())
                for lang in ("fi", "en")
            },
            pvalue=_pvalue(sc.pvalue),
            n=len(sc.rmspe),
        )
    _record_outcome(res, em, synthetic)


INFERENCE_TEXT = ("donald_lang", "cluster", "wild", "permutation", "conley_taber", "none")


def _emit_diagnostics(analysis: AreaAnalysis, em: Any) -> None:
    em.heading("area.heading.diagnostics", level=3)
    em.paragraphs(["area.diag.intro", "area.diag.placebo", "area.diag.loo", "area.diag.mde"])
    rows = []
    for res in analysis.results:
        d = _diagnostics_row(res)
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
                    **_label_values(res.outcome),
                    breakdown=_numbers(breakdown, 3),
                )
            else:
                # even with trends exactly parallel (M = 0) the robust interval contains zero
                em.paragraph("area.diag.sensitivity_none", **_label_values(res.outcome))
