"""Synthetic control (Abadie and Gardeazabal 2003; Abadie, Diamond and Hainmueller 2010).

``synthetic_control`` builds the synthetic unit as a convex combination of never-treated
donors that matches the treated unit's predictors (``V`` chosen by the nested
optimisation in :mod:`arviointi.synth.weights`), reports the gap series and the average
post-period gap, and runs in-space placebos: every donor in turn is treated as if it had
been treated (with the other donors as its pool and ``V`` re-chosen the same way). The
p-value is the rank of the treated unit's post/pre RMSPE ratio among all J+1 ratios,
so its floor is 1/(J+1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from arviointi import progress
from arviointi.data.frames import as_pandas
from arviointi.errors import DesignError, InputError, Problem
from arviointi.results.base import InferenceInfo
from arviointi.synth.outcome_matrix import outcome_matrix
from arviointi.synth.results import SynthResults
from arviointi.synth.simplex import simplex_lstsq
from arviointi.synth.weights import fit_synth_weights, scale_predictors

Covariate = str | tuple[str, Sequence[object]]


def _predictor_table(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    units: list[Any],
    pre: list[Any],
    outcome: str,
    covariates: Sequence[Covariate] | None,
    source: str,
) -> pd.DataFrame:
    """Predictors (rows) x units (columns): each a mean over the given (or pre) times."""
    if covariates is None:
        y = data.pivot(index=unit, columns=time, values=outcome)
        table = y.loc[units, pre].T
        table.index = [f"{outcome}[{t}]" for t in pre]
        return table
    rows: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    for spec in covariates:
        if isinstance(spec, str):
            col, times = spec, list(pre)
        else:
            col, times = spec[0], list(spec[1])
        if col not in data.columns:
            problems.append(Problem(f"covariate {col!r}", "column is missing from the data"))
            continue
        sub = data.loc[data[time].isin(times), [unit, col]]
        values = pd.to_numeric(sub[col], errors="coerce").groupby(sub[unit]).mean()
        values = values.reindex(units)
        name = col if isinstance(spec, str) else f"{col}[{times[0]}..{times[-1]}]"
        for u in values.index[values.isna()]:
            problems.append(
                Problem(
                    f"unit {u!r}, column {col!r}",
                    f"no numeric value at {time} in {times[0]!r}..{times[-1]!r}; "
                    "expected the predictor for every unit",
                )
            )
        rows[name] = values
    if problems:
        raise InputError(source, problems)
    return pd.DataFrame(rows).T


FitOne = Callable[[Any, list[Any]], tuple[np.ndarray, np.ndarray, float]]


def _weight_fitter(
    y: pd.DataFrame, table: pd.DataFrame, fit: list[Any], direct: bool, v: Sequence[float] | None
) -> FitOne:
    """``fit_one(target, pool) -> (w, v, loss)``: donor weights of one (placebo) unit."""

    def fit_one(target: Any, pool: list[Any]) -> tuple[np.ndarray, np.ndarray, float]:
        z1 = y.loc[target, fit].to_numpy()
        z0 = y.loc[pool, fit].to_numpy().T
        if direct:
            wd = simplex_lstsq(z0, z1)
            sd2 = np.var(np.column_stack([z1, z0]), axis=1, ddof=1)
            vd = sd2 / sd2.sum() if sd2.sum() > 0 else np.full(len(sd2), 1 / len(sd2))
            return wd, vd, float(np.mean((z1 - z0 @ wd) ** 2))
        x1, x0 = scale_predictors(
            table[target].to_numpy(np.float64), table[pool].to_numpy(np.float64)
        )
        res = fit_synth_weights(x1, x0, z1, z0, v=None if v is None else np.asarray(v, float))
        return res.w, res.v, res.loss

    return fit_one


def _rmspe(g: np.ndarray, is_post: np.ndarray) -> tuple[float, float]:
    return float(np.sqrt(np.mean(g[~is_post] ** 2))), float(np.sqrt(np.mean(g[is_post] ** 2)))


def _placebos(
    y: pd.DataFrame, controls: list[Any], fit_one: FitOne, is_post: np.ndarray
) -> tuple[list[dict[str, Any]], dict[Any, np.ndarray]]:
    """Every donor in turn treated as if it had been, with the other donors as its pool."""
    rows = []
    placebo_gaps: dict[Any, np.ndarray] = {}
    for j in progress.steps(controls, "synthetic control: placebos"):
        pool = [u for u in controls if u != j]
        wj, _, _ = fit_one(j, pool)
        gj = y.loc[j].to_numpy() - y.loc[pool].T.to_numpy() @ wj
        placebo_gaps[j] = gj
        a, b = _rmspe(gj, is_post)
        rows.append({"unit": j, "treated": False, "pre_rmspe": a, "post_rmspe": b})
    return rows, placebo_gaps


def _rank_inference(
    rm: pd.DataFrame, alpha: float, warnings: list[str]
) -> tuple[float | None, InferenceInfo]:
    """The rank p-value of the treated unit's post/pre RMSPE ratio (row 0) among all units."""
    n_units = len(rm)
    if n_units <= 1:
        info = InferenceInfo(
            method="none",
            reason="placebos not run (placebos=False or fewer than 2 donors)",
            requested="auto",
        )
        return None, info
    treated_ratio = float(rm["ratio"].iloc[0])
    pvalue = float((rm["ratio"] >= treated_ratio).sum() / n_units)
    floor = 1.0 / n_units
    info = InferenceInfo(
        method="placebo",
        reason=(
            f"one treated unit: in-space placebo test, rank of the post/pre RMSPE ratio "
            f"among {n_units} units (p-value floor 1/{n_units} = {floor:.3g})"
        ),
        requested="auto",
        details={"n_placebos": n_units - 1, "pvalue_floor": floor},
    )
    if floor > alpha:
        warnings.append(
            f"with {n_units - 1} donors the placebo p-value cannot be below {floor:.3g} "
            f"(> alpha = {alpha})"
        )
    return pvalue, info


def _fit_periods(fit_times: Sequence[object] | None, pre: list[Any], source: str) -> list[Any]:
    fit = list(pre) if fit_times is None else list(fit_times)
    bad_fit = [t for t in fit if t not in pre]
    if bad_fit:
        raise InputError(
            source,
            [Problem(f"fit_times {t!r}", "expected a pre-treatment period") for t in bad_fit],
        )
    return fit


def _predictor_fit(
    table: pd.DataFrame, treated: Any, controls: list[Any], w: np.ndarray
) -> pd.DataFrame:
    """Each predictor: the treated unit's value, the synthetic unit's and the donor mean."""
    return pd.DataFrame(
        {
            "treated": table[treated],
            "synthetic": table[controls].to_numpy() @ w,
            "donor_mean": table[controls].mean(axis=1),
        }
    )


def _the_treated_unit(treated: list[Any], treatment: str, source: str) -> Any:
    if len(treated) != 1:
        raise DesignError(
            f"{source}: {len(treated)} treated units in column {treatment!r}; the synthetic "
            "control needs exactly one (use synthetic_did for several)"
        )
    return treated[0]


def synthetic_control(
    data: Any,
    outcome: str,
    *,
    unit: str,
    time: str,
    treatment: str,
    covariates: Sequence[Covariate] | None = None,
    fit_times: Sequence[object] | None = None,
    v: Sequence[float] | None = None,
    placebos: bool = True,
    alpha: float = 0.05,
    source: str = "<DataFrame>",
) -> SynthResults:
    """Synthetic control estimate for one treated unit.

    Parameters
    ----------
    covariates : predictors. ``None`` = the outcome in every pre-period; then (with the
        default ``fit_times``) the nested problem is solved exactly: the weights minimise
        the pre-period MSPE. Otherwise a list of column names (averaged over all pre-periods,
        ignoring missing values) or ``(column, times)`` pairs (averaged over ``times``).
    fit_times : periods whose outcome MSPE chooses ``V`` (default: all pre-periods)
    v : fixed predictor weights instead of the nested optimisation
    placebos : run the in-space placebos (J extra fits) for the rank p-value

    Example
    -------
    >>> res = synthetic_control(df, "gdpcap", unit="region", time="year", treatment="d")
    >>> res.weights.round(3), res.pvalue
    """
    cov_cols = [c if isinstance(c, str) else c[0] for c in covariates or []]
    data, source = as_pandas(data, [unit, time, treatment, outcome, *cov_cols], source)
    om = outcome_matrix(data, outcome, unit=unit, time=time, treatment=treatment, source=source)
    treated = _the_treated_unit(om.treated, treatment, source)
    assert om.data is not None
    fit = _fit_periods(fit_times, list(om.pre), source)
    table = _predictor_table(
        om.data,
        unit=unit,
        time=time,
        units=[treated, *om.controls],
        pre=om.pre,
        outcome=outcome,
        covariates=covariates,
        source=source,
    )
    y = om.y
    # with the pre-period outcomes as the only predictors and V judged on the same
    # periods, the nested problem is solved exactly by the V that undoes the scaling
    # (V_kk proportional to sd_k^2): the weights minimise the fit-period MSPE directly
    direct = covariates is None and v is None and fit == list(om.pre)
    fit_one = _weight_fitter(y, table, fit, direct, v)
    w, vw, loss = fit_one(treated, om.controls)
    synth_path = y.loc[om.controls].T.to_numpy() @ w
    observed = y.loc[treated].to_numpy()
    gap = observed - synth_path
    is_post = np.array([t in om.post for t in y.columns])
    pre_r, post_r = _rmspe(gap, is_post)
    rows = [{"unit": treated, "treated": True, "pre_rmspe": pre_r, "post_rmspe": post_r}]
    placebo_gaps: dict[Any, np.ndarray] = {}
    if placebos and len(om.controls) >= 2:
        placebo_rows, placebo_gaps = _placebos(y, list(om.controls), fit_one, is_post)
        rows += placebo_rows
    rm = pd.DataFrame(rows)
    warnings = list(om.warnings)
    with np.errstate(divide="ignore", invalid="ignore"):
        rm["ratio"] = rm["post_rmspe"] / rm["pre_rmspe"]
    pvalue, inference = _rank_inference(rm, alpha, warnings)
    warnings.append(
        "no analytic standard error or interval for the synthetic control; "
        "inference is the placebo rank p-value"
    )
    times = list(y.columns)
    gaps = pd.DataFrame(
        {"time": times, "observed": observed, "synthetic": synth_path, "gap": gap, "post": is_post}
    )
    predictors = _predictor_fit(table, treated, list(om.controls), w)
    return SynthResults(
        estimate=float(gap[is_post].mean()),
        se=None,
        pvalue=pvalue,
        inference=inference,
        n_obs=om.n_obs,
        n_treated=1,
        n_control=len(om.controls),
        outcome=outcome,
        alpha=alpha,
        warnings=warnings,
        weights=pd.Series(w, index=pd.Index(om.controls, name=unit), name="weight"),
        v_weights=pd.Series(vw, index=table.index, name="v"),
        predictors=predictors,
        gaps=gaps,
        placebo_gaps=pd.DataFrame(placebo_gaps, index=pd.Index(times, name=time)),
        rmspe=rm,
        pre_rmspe=pre_r,
        extra={"v_loss": loss, "fit_times": fit},
    )
