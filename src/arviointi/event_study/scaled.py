"""Unit-scaled Donald-Lang inference for an event study with one or few treated units.

The event-study form of :mod:`arviointi.inference.scaled`: every unit's outcome is taken
relative to the control mean of the period (leave-one-out for a control), collapsed to its
vector of contrasts ``z_gk = mean_{bin k} - mean_{reference}``, and divided by the unit's own
noise scale ``s_g``, measured on its PRE-period series alone (the post periods carry effects
that vary by period). If every unit's noise is ``sigma_g`` times one common process, the
scaled control vectors ``u_j = z_j / s_j`` estimate the covariance of a scaled contrast
vector, ``K = sum_C u u' / G_C`` (uncentred: their mean is zero under the model), and

    V(b) = K [sum_T s^2 / G_T^2 + (1 - 1/G_T) sum_C s^2 / G_C^2],

with pointwise t(G_C - 1) intervals, sup-t bands from the same law, and a Hotelling pre-trend
test with ``G_C - 1`` degrees of freedom. It stays valid when the treated unit is noisier
than its comparisons, where the pooled Donald-Lang covariance does not.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from arviointi.event_study.donald_lang import DonaldLangEventStudy, pointwise
from arviointi.inference.scaled import UnitNoise

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def bin_contrasts(
    series: FloatArray, period_bin: FloatArray, levels: list[int], reference: int
) -> FloatArray:
    """Units x levels: mean of each relative-time bin minus the reference bin."""
    ref = series[:, period_bin == reference].mean(axis=1)
    return np.column_stack([series[:, period_bin == k].mean(axis=1) - ref for k in levels])


def _hotelling(beta: FloatArray, vcov: FloatArray, pre_mask: BoolArray, nu: int) -> dict[str, Any]:
    q = int(pre_mask.sum())
    if q == 0:
        return {"statistic": None, "df": None, "pvalue": None, "method": "no leads"}
    vp = vcov[np.ix_(pre_mask, pre_mask)]
    if q >= nu or np.linalg.matrix_rank(vp) < q:
        return {
            "statistic": None,
            "df": None,
            "pvalue": None,
            "method": (
                f"Hotelling T^2 not computable: {q} leads and {nu + 1} control units "
                f"(needs fewer leads than controls - 1)"
            ),
        }
    bp = beta[pre_mask]
    t2 = float(bp @ np.linalg.solve(vp, bp))
    f_stat = t2 * (nu - q + 1) / (q * nu)
    return {
        "statistic": f_stat,
        "df": (q, float(nu - q + 1)),
        "pvalue": float(stats.f.sf(f_stat, q, nu - q + 1)),
        "method": "Hotelling T^2 on unit-scaled contrasts, F approximation",
    }


def scaled_event_study(
    noise: UnitNoise,
    period_bin: FloatArray,
    levels: list[int],
    reference: int,
    pre_mask: BoolArray,
    *,
    alpha: float,
    bands: str,
    seed: int,
) -> DonaldLangEventStudy:
    """Coefficients, covariance, intervals and pre-trend test (see the module docstring).

    noise : from :func:`arviointi.inference.scaled.unit_noise` with ``pre_only=True`` on the
        balanced units x periods outcome matrix
    """
    z = bin_contrasts(noise.series, period_bin, levels, reference)
    t, c = noise.treated, ~noise.treated
    nt, nc = int(t.sum()), int(c.sum())
    beta = z[t].mean(axis=0)
    s = noise.scale
    u = z[c] / s[c][:, None]
    K = u.T @ u / nc
    factor = float(np.sum(s[t] ** 2) / nt**2 + (1 - 1 / nt) * np.sum(s[c] ** 2) / nc**2)
    vcov = np.asarray(K * factor, dtype=np.float64)
    nu = nc - 1
    se, pvals, q = pointwise(beta, vcov, nu, alpha=alpha, bands=bands, seed=seed)
    details: dict[str, Any] = {
        "n_treated_clusters": nt,
        "n_control_clusters": nc,
        "critical_value": q,
        "treated_scale": float(np.sqrt(np.mean(s[t] ** 2))),
        "control_scale": float(np.sqrt(np.mean(s[c] ** 2))),
    }
    return DonaldLangEventStudy(
        beta=beta,
        vcov=vcov,
        se=se,
        df=float(nu),
        pvalues=pvals,
        ci_low=beta - q * se,
        ci_high=beta + q * se,
        pretrend=_hotelling(beta, vcov, pre_mask, nu),
        details=details,
    )
