"""Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens, Wager 2021).

Algorithm 1 of the paper on a balanced panel with ``N0`` controls, ``N1`` treated units
adopting together after ``T0`` pre-periods (``T1`` post-periods):

* regularisation ``zeta = (N1 T1)^(1/4) sigma`` with ``sigma`` the standard deviation
  (ddof=1) of the controls' first differences over the pre-periods;
* unit weights: ``min_{w0, w in simplex} sum_{t<=T0} (w0 + w'Y_{co,t} - mean_tr Y_t)^2
  + zeta^2 T0 ||w||^2``;
* time weights: ``min_{l0, l in simplex} sum_{i in co} (l0 + l'Y_{i,pre} - mean_post
  Y_i)^2 + zeta_l^2 N0 ||l||^2`` with the tiny ``zeta_l = 1e-6 sigma`` of the reference R
  implementation (``synthdid``) so the solution is unique;
* ``tau = (Ybar_tr,post - l'Ybar_tr,pre) - w'(Ybar_co,post - Y_co,pre l)``, the
  weighted two-way fixed-effects estimate.

Both weight problems are solved exactly (:func:`simplex_lstsq`; ``synthdid`` uses
Frank-Wolfe iterations, so its weights agree only to its convergence tolerance).

Inference: ``"placebo"`` is the paper's Algorithm 4 (placebo variance: ``N1`` controls
drawn as pseudo-treated, the estimator re-run on the controls, ``se`` = standard
deviation of the placebo estimates); it needs ``N0 > N1`` and assumes the treated and
control units' errors are exchangeable, so it is unreliable with one treated unit and
few controls. ``"permutation"`` ranks ``|tau|`` among the placebo estimates (all
assignments when they are few; p-value floor reported, no interval). Both borrow the
treated unit's variance from the controls. ``"scaled_dl"`` (one treated unit) divides each
placebo estimate (every control in turn as the treated unit, the others as its controls) by
that unit's own pre-period residual SD around its synthetic path, calibrates
``kappa^2 = mean (tau_j / s_j)^2`` and gives ``se = s_treated * kappa`` with t(N0 - 1): valid
when the treated unit is noisier than the controls (the unit-scaled test of
:mod:`arviointi.inference.scaled`). ``"auto"`` uses ``"scaled_dl"`` with one treated unit,
at least 3 pre-periods and ``MIN_DONORS_SCALED`` controls, else ``"placebo"`` with at least
``MIN_CLUSTERS_CR1`` controls and ``"permutation"`` otherwise.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from arviointi import progress
from arviointi.data.frames import as_pandas
from arviointi.errors import DesignError, ParamsError, Problem
from arviointi.inference.design import MIN_CLUSTERS_CR1
from arviointi.results.base import InferenceInfo
from arviointi.synth.outcome_matrix import outcome_matrix
from arviointi.synth.results import SDIDResults
from arviointi.synth.simplex import simplex_lstsq

FloatArray = NDArray[np.float64]
#: fewest donors for which ``auto`` uses the unit-scaled test (with 5 donors each placebo has
#: only 4, fits worse than the treated unit's 5 and the test over-rejects: 10 % in
#: docs/inference-size-synth.md)
MIN_DONORS_SCALED = 8


def sdid_weights(
    y0: FloatArray,
    y1_mean: FloatArray,
    t0: int,
    *,
    n_treated: int,
    unit_weights: str = "sdid",
    time_weights: str = "sdid",
) -> tuple[FloatArray, FloatArray, float]:
    """Unit weights (N0), time weights (T0) and zeta for controls ``y0`` (N0 x T).

    ``y1_mean`` is the treated units' mean path (T,).
    """
    n0, t = y0.shape
    t1 = t - t0
    if t0 >= 2:
        diffs = np.diff(y0[:, :t0], axis=1)
        sigma = float(np.std(diffs, ddof=1)) if diffs.size > 1 else 0.0
    else:
        sigma = 0.0
    zeta = (n_treated * t1) ** 0.25 * sigma
    if unit_weights == "uniform":
        omega = np.full(n0, 1.0 / n0)
    else:
        omega = simplex_lstsq(y0[:, :t0].T, y1_mean[:t0], ridge=zeta**2 * t0, intercept=True)
    if time_weights == "uniform":
        lam = np.full(t0, 1.0 / t0)
    else:
        zeta_l = 1e-6 * sigma
        lam = simplex_lstsq(
            y0[:, :t0], y0[:, t0:].mean(axis=1), ridge=zeta_l**2 * n0, intercept=True
        )
    return omega, lam, zeta


def sdid_estimate(
    y0: FloatArray, y1: FloatArray, t0: int, omega: FloatArray, lam: FloatArray
) -> float:
    """``tau`` for controls ``y0`` (N0 x T), treated ``y1`` (N1 x T) and given weights."""
    tr = y1.mean(axis=0)
    treated_gap = tr[t0:].mean() - lam @ tr[:t0]
    control_gap = y0[:, t0:].mean(axis=1) - y0[:, :t0] @ lam
    return float(treated_gap - omega @ control_gap)


def _pre_noise(y_tr: FloatArray, y_co: FloatArray, t0: int, omega: FloatArray) -> float:
    """SD (ddof=1) of the treated series' pre-period gap to its weighted controls, demeaned
    (the SDID unit weights fit the pre-period up to a constant)."""
    gap = y_tr.mean(axis=0)[:t0] - omega @ y_co[:, :t0]
    return float(np.std(gap - gap.mean(), ddof=1))


def _scaled_placebos(
    fit: Any, y0: FloatArray, y1: FloatArray, t0: int, tau: float, omega: FloatArray
) -> tuple[float | None, float | None, float, dict[str, Any]]:
    """Unit-scaled test for one treated unit: leave-one-out placebos scaled by own noise."""
    n0 = len(y0)
    taus, z = [], []
    for j in progress.steps(range(n0), "synthetic DiD: scaled placebos"):
        rest = np.delete(y0, j, axis=0)
        tau_j, om_j, _, _ = fit(rest, y0[j : j + 1])
        s_j = _pre_noise(y0[j : j + 1], rest, t0, om_j)
        taus.append(tau_j)
        if s_j > 0:
            z.append(tau_j / s_j)
    s1 = _pre_noise(y1, y0, t0, omega)
    df = float(len(z) - 1)
    extra: dict[str, Any] = {"placebo_tau": taus, "treated_scale": s1, "n_draws": n0}
    if len(z) < 2 or s1 <= 0:
        return None, None, df, extra
    kappa = float(np.sqrt(np.mean(np.square(z))))
    se = s1 * kappa
    extra["kappa"] = kappa
    return se, float(2 * stats.t.sf(abs(tau) / se, df)), df, extra


SdidFit = Callable[[FloatArray, FloatArray], tuple[float, FloatArray, FloatArray, float]]


def _check_options(unit_weights: str, time_weights: str, inference: str) -> None:
    for key, value, allowed in (
        ("unit_weights", unit_weights, ("sdid", "uniform")),
        ("time_weights", time_weights, ("sdid", "uniform")),
        ("inference", inference, ("auto", "placebo", "permutation", "scaled_dl", "none")),
    ):
        if value not in allowed:
            raise ParamsError("synthetic_did", [Problem(key, f"expected one of {allowed}")])


def _fitter(t0: int, unit_weights: str, time_weights: str) -> SdidFit:
    """``fit(y_controls, y_treated) -> (tau, omega, lambda, zeta)`` with these weights."""

    def fit(y_co: FloatArray, y_tr: FloatArray) -> tuple[float, FloatArray, FloatArray, float]:
        om_w, lam, zeta = sdid_weights(
            y_co,
            y_tr.mean(axis=0),
            t0,
            n_treated=len(y_tr),
            unit_weights=unit_weights,
            time_weights=time_weights,
        )
        return sdid_estimate(y_co, y_tr, t0, om_w, lam), om_w, lam, zeta

    return fit


def _auto_method(n0: int, n1: int, t0: int) -> tuple[str, str]:
    """What ``inference="auto"`` picks for n1 treated, n0 control units and t0 pre-periods."""
    if n1 == 1 and t0 >= 3 and n0 >= MIN_DONORS_SCALED:
        return "scaled_dl", (
            f"one treated and {n0} control units: each control in turn is the placebo "
            "treated unit, and every estimate is scaled by its unit's own pre-period "
            "noise, so a treated unit noisier than the controls does not make the "
            f"interval too narrow (unit-scaled test, t with {n0 - 1} df)"
        )
    if n0 >= MIN_CLUSTERS_CR1 and n0 > n1:
        return "placebo", (
            f"{n1} treated and {n0} control units: placebo variance (Arkhangelsky et al. "
            "2021, Algorithm 4) from controls drawn as pseudo-treated"
        )
    if n0 >= max(2, n1 + 1):
        return "permutation", (
            f"{n1} treated and only {n0} control units (< {MIN_CLUSTERS_CR1}): placebo "
            "standard errors are unreliable, so the rank of |tau| among placebo "
            "estimates is used (p-value only)"
        )
    return "none", f"{n1} treated and {n0} control units: too few controls for any placebo"


def _check_method(method: str, n0: int, n1: int, t0: int, source: str) -> None:
    if method == "scaled_dl" and (n1 != 1 or t0 < 3 or n0 < 3):
        raise DesignError(
            f"{source}: inference='scaled_dl' needs one treated unit, >= 3 pre-periods and "
            f">= 3 controls (got {n1} treated, {t0} pre-periods, {n0} controls)"
        )
    if method in ("placebo", "permutation") and n0 <= n1:
        raise DesignError(
            f"{source}: {method} inference needs more control units ({n0}) than treated ({n1})"
        )


def _pseudo_treated_estimates(
    fit: SdidFit,
    y0: FloatArray,
    n1: int,
    method: str,
    n_placebo: int,
    seed: int,
    details: dict[str, Any],
) -> FloatArray:
    """Estimates with n1 controls as pseudo-treated (all sets or ``n_placebo`` draws)."""
    n0 = len(y0)
    rng = np.random.default_rng(seed)
    idx = np.arange(n0)
    if method == "permutation" and math.comb(n0, n1) <= n_placebo:
        draws = [np.array(c) for c in itertools.combinations(idx, n1)]
        details["enumerated"] = True
    else:
        draws = [rng.permutation(idx)[:n1] for _ in range(n_placebo)]
    placebo: list[float] = []
    for pseudo in progress.steps(draws, f"synthetic DiD: {method} draws"):
        mask = np.zeros(n0, dtype=bool)
        mask[pseudo] = True
        placebo.append(fit(y0[~mask], y0[mask])[0])
    details["n_draws"] = len(draws)
    return np.array(placebo)


def _placebo_se(
    pb: FloatArray, tau: float, n1: int, warnings: list[str]
) -> tuple[float, float | None]:
    se = float(np.sqrt(np.mean((pb - pb.mean()) ** 2)))
    pvalue = float(2 * stats.norm.sf(abs(tau) / se)) if se > 0 else None
    if n1 == 1:
        warnings.append(
            "one treated unit: the placebo standard error assumes the treated unit's "
            "errors behave like the controls' (homoskedasticity across units)"
        )
    return se, pvalue


def _permutation_p(
    pb: FloatArray, tau: float, details: dict[str, Any], warnings: list[str]
) -> float:
    pvalue = float((1 + np.sum(np.abs(pb) >= abs(tau) - 1e-12)) / (len(pb) + 1))
    floor = 1.0 / (len(pb) + 1)
    details["pvalue_floor"] = floor
    warnings.append(
        f"permutation inference: p-value only (floor {floor:.3g}), no standard error or interval"
    )
    return pvalue


def synthetic_did(
    data: Any,
    outcome: str,
    *,
    unit: str,
    time: str,
    treatment: str,
    unit_weights: str = "sdid",
    time_weights: str = "sdid",
    inference: str = "auto",
    n_placebo: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
    source: str = "<DataFrame>",
) -> SDIDResults:
    """Synthetic DiD estimate with unit and time weights.

    Parameters
    ----------
    unit_weights, time_weights : "sdid" (the paper's weights) or "uniform" (then
        ``uniform``/``uniform`` is the plain DiD of means)
    inference : "auto", "placebo", "permutation" or "none"
    n_placebo : placebo draws (permutation enumerates all assignments when fewer)

    Example
    -------
    >>> res = synthetic_did(df, "y", unit="area", time="month", treatment="pilot")
    >>> res.estimate, res.unit_weights.nlargest(5), res.time_weights
    """
    _check_options(unit_weights, time_weights, inference)
    data, source = as_pandas(data, [unit, time, treatment, outcome], source)
    om = outcome_matrix(data, outcome, unit=unit, time=time, treatment=treatment, source=source)
    y0 = om.y.loc[om.controls].to_numpy(np.float64)
    y1 = om.y.loc[om.treated].to_numpy(np.float64)
    n0, n1, t0 = len(om.controls), len(om.treated), len(om.pre)
    warnings = list(om.warnings)
    if t0 < 2 and time_weights == "sdid":
        raise DesignError(f"{source}: SDID needs at least 2 pre-periods, got {t0}")
    fit = _fitter(t0, unit_weights, time_weights)
    tau, omega, lam, zeta = fit(y0, y1)
    if inference == "auto":
        method, reason = _auto_method(n0, n1, t0)
    else:
        method, reason = inference, f"{inference} requested"
    _check_method(method, n0, n1, t0, source)
    details: dict[str, Any] = {"zeta": zeta, "n_pre": t0, "n_post": len(om.post)}
    pb = np.array([], dtype=np.float64)
    if method in ("placebo", "permutation"):
        pb = _pseudo_treated_estimates(fit, y0, n1, method, n_placebo, seed, details)
    se: float | None = None
    pvalue: float | None = None
    df: float | None = None
    if method == "placebo":
        se, pvalue = _placebo_se(pb, tau, n1, warnings)
    elif method == "permutation":
        pvalue = _permutation_p(pb, tau, details, warnings)
    elif method == "scaled_dl":
        se, pvalue, df, extra = _scaled_placebos(fit, y0, y1, t0, tau, omega)
        details.update(extra)
        pb = np.asarray(extra.pop("placebo_tau"), dtype=np.float64)
    else:
        warnings.append("no inference: no standard error, interval or p-value")
    info = InferenceInfo(method=method, reason=reason, df=df, requested=inference, details=details)
    return SDIDResults(
        estimate=tau,
        se=se,
        pvalue=pvalue,
        inference=info,
        n_obs=om.n_obs,
        n_treated=n1,
        n_control=n0,
        outcome=outcome,
        alpha=alpha,
        warnings=warnings,
        unit_weights=pd.Series(omega, index=pd.Index(om.controls, name=unit), name="omega"),
        time_weights=pd.Series(lam, index=pd.Index(om.pre, name=time), name="lambda"),
        zeta=zeta,
        placebo_estimates=pd.Series(pb, name="placebo_tau"),
        model="sdid",
    )
