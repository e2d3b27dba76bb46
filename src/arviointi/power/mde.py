"""Minimum detectable effect (MDE) for a DiD with few treated units, before the data are in.

The test is the one ``did(inference="auto")`` uses for few clusters, the Donald-Lang
aggregated t test on per-unit post-minus-pre contrasts ``c_g`` with common SD ``sigma_c``:
under an effect ``delta`` its statistic is noncentral t with ``G - 2`` degrees of freedom
and noncentrality ``delta / (sigma_c * sqrt(1/G_T + 1/G_C))``. The MDE is the ``delta`` at
which the two-sided level-``alpha`` test rejects with probability ``power`` (solved exactly
with the noncentral t distribution, not the normal approximation
``(z_{1-alpha/2} + z_power) * se``).

``sigma_c`` comes either from the caller or from pre-period data: the outcome net of the
period means across units and of each unit's mean is fitted by a pooled AR(1)
``e_t = rho e_{t-1} + u_t`` (with Kendall's small-sample bias correction of ``rho``), and
``sigma_c^2 = a' Sigma a`` is the exact variance of ``mean_post - mean_pre`` of that AR(1)
for the planned numbers of pre- and post-periods.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import integrate, optimize, stats

from arviointi.errors import DesignError, InputError, ParamsError, Problem
from arviointi.inference import Design


def power_at(delta: float, design: Design, contrast_sd: float, alpha: float = 0.05) -> float:
    """Power of the two-sided Donald-Lang test at effect ``delta`` (noncentral t)."""
    df = design.n_clusters - 2
    if df < 1:
        raise DesignError(f"power needs at least 3 clusters, got {design.n_clusters}")
    se = contrast_sd * math.sqrt(1 / design.n_treated + 1 / design.n_control)
    nc = delta / se
    crit = stats.t.ppf(1 - alpha / 2, df)
    value = float(stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc))
    if math.isfinite(value):
        return value

    # scipy's noncentral t can return NaN with very few degrees of freedom (1 treated and
    # 2 comparison areas: df = 1); integrate over the chi-square instead:
    # T' = (Z + nc) / sqrt(V / df) rejects when Z + nc > crit * s or < -crit * s
    def integrand(v: float) -> float:
        s = math.sqrt(v / df)
        tail = stats.norm.cdf(nc - crit * s) + stats.norm.cdf(-nc - crit * s)
        return float(tail * stats.chi2.pdf(v, df))

    return float(integrate.quad(integrand, 0, np.inf, limit=200)[0])


def mde(design: Design, contrast_sd: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest effect detected with probability ``power`` by the level-``alpha`` test.

    design : treated and control cluster counts (``n_pre``/``n_post`` are not used here;
        they enter through ``contrast_sd``, see :func:`contrast_sd_ar1`)
    contrast_sd : SD of one unit's post-minus-pre contrast under no effect
    """
    for key, val in (("alpha", alpha), ("power", power)):
        if not 0 < val < 1:
            raise ParamsError(f"mde({key}=...)", f"{key} must be in (0, 1), got {val!r}")
    if not contrast_sd > 0:
        raise ParamsError("mde(contrast_sd=...)", f"must be > 0, got {contrast_sd!r}")
    if power <= alpha:
        return 0.0
    se = contrast_sd * math.sqrt(1 / design.n_treated + 1 / design.n_control)
    hi = se
    while power_at(hi, design, contrast_sd, alpha) < power:
        hi *= 2
    return float(
        optimize.brentq(
            lambda d: power_at(d, design, contrast_sd, alpha) - power, 0, hi, xtol=1e-12
        )
    )


def contrast_sd_ar1(n_pre: int, n_post: int, sigma: float, rho: float) -> float:
    """SD of ``mean(post) - mean(pre)`` for a stationary AR(1) with marginal SD ``sigma``."""
    if n_pre < 1 or n_post < 1:
        raise DesignError(f"need n_pre >= 1 and n_post >= 1, got {n_pre}, {n_post}")
    if not -1 < rho < 1:
        raise ParamsError("rho", f"AR(1) coefficient must be in (-1, 1), got {rho!r}")
    T = n_pre + n_post
    a = np.r_[np.full(n_pre, -1.0 / n_pre), np.full(n_post, 1.0 / n_post)]
    lag = np.abs(np.subtract.outer(np.arange(T), np.arange(T)))
    Sigma = sigma**2 * rho**lag
    return float(math.sqrt(a @ Sigma @ a))


@dataclass(frozen=True)
class MDEResult:
    """An MDE computed from pre-period data, with the fitted noise model."""

    mde: float
    contrast_sd: float
    rho: float
    sigma: float
    design: Design
    alpha: float
    power: float


def mde_from_pre_period(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str,
    time: str,
    treated_units: list[object],
    n_post: int,
    alpha: float = 0.05,
    power: float = 0.8,
) -> MDEResult:
    """MDE of the planned design estimated from pre-period panel data only.

    data : pre-period rows (unit x period); treated_units : the unit(s) to be treated;
    n_post : planned number of post-periods. Every unit needs at least 4 periods.
    """
    missing = [c for c in (outcome, unit, time) if c not in data.columns]
    if missing:
        raise InputError("<DataFrame>", [Problem(f"column {c!r}", "missing") for c in missing])
    frame = data[[unit, time, outcome]]
    n_na = int(frame[outcome].isna().sum())
    if n_na:
        raise InputError(
            "<DataFrame>", f"column {outcome!r}: {n_na} missing values in the pre-period"
        )
    wide = frame.pivot(index=time, columns=unit, values=outcome).sort_index()
    if wide.isna().any().any():
        raise InputError("<DataFrame>", "mde_from_pre_period needs a balanced pre-period panel")
    unknown = [u for u in treated_units if u not in wide.columns]
    if unknown:
        raise InputError("<DataFrame>", f"column {unit!r}: treated units {unknown} not found")
    Y = wide.to_numpy(dtype=float)  # T x N
    T, N = Y.shape
    if T < 4 or N < 3:
        raise DesignError(f"need >= 4 pre-periods and >= 3 units, got {T} and {N}")
    E = Y - Y.mean(axis=1, keepdims=True)  # remove period effects
    E = E - E.mean(axis=0, keepdims=True)  # remove unit effects
    E *= math.sqrt(N / (N - 1))  # the period mean removed 1/N of each unit's variance
    x, z = E[:-1].ravel(), E[1:].ravel()
    if not float(x @ x) > 0:
        raise DesignError(
            f"column {outcome!r}: the pre-period outcome does not vary beyond the area and "
            "month means (a constant outcome?); its noise, and so the minimum detectable "
            "effect, cannot be estimated"
        )
    rho_hat = float(x @ z / (x @ x))
    rho = float(np.clip((T * rho_hat + 1) / (T - 3), -0.99, 0.99))  # Kendall (1954)
    # removing each unit's mean also removes the variance of that mean, (1 + rho)/(1 - rho)/T
    # of the marginal variance for an AR(1) (large-T approximation)
    shrink = 1 - (1 + rho) / (1 - rho) / T
    sigma = float(math.sqrt((E**2).sum() / (N * (T - 1)) / max(shrink, 0.1)))
    csd = contrast_sd_ar1(T, n_post, sigma, rho)
    n_t = len(treated_units)
    design = Design(n_t, N - n_t, T, n_post, True)
    return MDEResult(mde(design, csd, alpha, power), csd, rho, sigma, design, alpha, power)
