"""Sensitivity of an event-study effect to violations of parallel trends.

In the spirit of Rambachan and Roth (2023): the post-period coefficients are
``beta_k = tau_k + delta_k``; ``delta`` (the differential trend) is 0 at the reference
period ``-1`` and equals ``beta`` before treatment, and is restricted afterwards by

* smoothness ``Delta^SD(M)``: second differences of ``delta`` at most ``M`` in absolute
  value. With slope ``s = delta_{-1} - delta_{-2} = -beta_{-2}``, ``delta_k`` lies in
  ``(k+1) s +- M (k+1)(k+2)/2``; ``M = 0`` is a linear extrapolation of the last
  pre-period slope;
* relative magnitudes ``Delta^RM(Mbar)``: every post-period change ``|delta_k -
  delta_{k-1}|`` is at most ``Mbar`` times the largest pre-period change ``m``, so
  ``|delta_k| <= (k+1) Mbar m``.

For the target ``theta = l' tau_post`` (default: the average post effect, the event
study's ``estimate``) the functions return, for each ``M``, the estimated identified
set and a confidence interval. The intervals are simple and conservative, NOT
Rambachan and Roth's optimal FLCI / conditional-hybrid sets:

* smoothness: the bias-adjusted ``theta_adj = l'beta_post + sum_k l_k (k+1) beta_{-2}``
  is linear in ``beta``; the interval is ``theta_adj +- (h(M) + z_{1-alpha/2} se_adj)``
  with ``h(M) = M sum_k l_k (k+1)(k+2)/2``. Coverage is at least ``1 - alpha`` for every
  ``delta`` in the class;
* relative magnitudes: ``m`` is estimated, so its upper bound ``m_up = max_j (|d_j| +
  z_{1-alpha/(4J)} se(d_j))`` over the ``J`` pre-period changes ``d_j`` (Bonferroni, level
  ``alpha/2``) is combined with ``theta_hat +- z_{1-alpha/4} se`` (level ``alpha/2``):
  ``theta_hat +- (z_{1-alpha/4} se + Mbar m_up sum_k l_k (k+1))``, coverage at least
  ``1 - alpha`` by the union bound.

``z`` quantiles are those of t(df) when the event study's inference has ``df`` (CR1 with
t(G-1), or Donald-Lang with t(G-2) when few units are treated), else normal.

``frame.attrs["breakdown"]`` is the smallest ``M`` (``Mbar``) at which the interval
includes 0 (0.0 when it already does at ``M = 0``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from arviointi.errors import DesignError
from arviointi.event_study.results import EventStudyResults

FloatArray = NDArray[np.float64]


def _setup(
    res: EventStudyResults, target: int | None
) -> tuple[list[int], FloatArray, FloatArray, FloatArray, list[int]]:
    if res.vcov is None:
        raise DesignError(
            "sensitivity bounds need a covariance of the event-study coefficients; "
            f"inference was {res.inference.method!r}"
        )
    if res.reference != -1:
        raise DesignError("sensitivity bounds expect the reference period -1")
    levels: list[int] = list(res.extra["levels"])
    beta = res.coefficients.loc[levels, "coef"].to_numpy(np.float64)
    post = [k for k in levels if k >= 0]
    if post != list(range(len(post))):
        raise DesignError(f"post-period coefficients must be 0..K-1 without gaps, got {post}")
    weights = np.zeros(len(levels))
    if target is None:
        for k in post:
            weights[levels.index(k)] = 1.0 / len(post)
    else:
        if target not in post:
            raise DesignError(f"target {target} is not a post-period relative time {post}")
        weights[levels.index(target)] = 1.0
    return levels, beta, np.asarray(res.vcov, dtype=np.float64), weights, post


def _quantile(p: float, df: float | None) -> float:
    """Quantile of t(df) (the reference distribution of the coefficients), normal if None."""
    if df is None or not np.isfinite(df):
        return float(stats.norm.ppf(p))
    return float(stats.t.ppf(p, df))


def _breakdown(theta: float, se_part: float, slope: float) -> float:
    """Smallest M with |theta| <= se_part + M * slope."""
    gap = abs(theta) - se_part
    if gap <= 0:
        return 0.0
    return float(gap / slope) if slope > 0 else float("inf")


def smoothness_bounds(
    res: EventStudyResults,
    m_values: Sequence[float],
    *,
    alpha: float | None = None,
    target: int | None = None,
) -> pd.DataFrame:
    """Identified set and conservative interval for ``theta`` under ``Delta^SD(M)``.

    Example
    -------
    >>> tab = smoothness_bounds(es_result, [0, 0.05, 0.1])
    >>> tab[["M", "ci_low", "ci_high"]], tab.attrs["breakdown"]
    """
    a = res.alpha if alpha is None else alpha
    levels, beta, vcov, weights, post = _setup(res, target)
    if -2 not in levels:
        raise DesignError("smoothness bounds need the lead -2 (the last pre-period slope)")
    c = weights.copy()
    i2 = levels.index(-2)
    ks = np.array(post, dtype=np.float64)
    lpost = np.array([weights[levels.index(k)] for k in post])
    c[i2] += float(lpost @ (ks + 1))
    theta_adj = float(c @ beta)
    se_adj = float(np.sqrt(c @ vcov @ c))
    width_per_m = float(lpost @ ((ks + 1) * (ks + 2) / 2))
    z = _quantile(1 - a / 2, res.inference.df)
    rows = []
    for m in m_values:
        h = float(m) * width_per_m
        rows.append(
            {
                "M": float(m),
                "id_low": theta_adj - h,
                "id_high": theta_adj + h,
                "ci_low": theta_adj - h - z * se_adj,
                "ci_high": theta_adj + h + z * se_adj,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["breakdown"] = _breakdown(theta_adj, z * se_adj, width_per_m)
    out.attrs["theta_adjusted"] = theta_adj
    out.attrs["se_adjusted"] = se_adj
    return out


def relative_magnitude_bounds(
    res: EventStudyResults,
    mbar_values: Sequence[float],
    *,
    alpha: float | None = None,
    target: int | None = None,
) -> pd.DataFrame:
    """Identified set and conservative interval for ``theta`` under ``Delta^RM(Mbar)``.

    Example
    -------
    >>> tab = relative_magnitude_bounds(es_result, [0, 0.5, 1, 2])
    >>> tab.attrs["breakdown"]
    """
    a = res.alpha if alpha is None else alpha
    levels, beta, vcov, weights, post = _setup(res, target)
    pre = sorted([k for k in levels if k < 0] + [-1])
    if len(pre) < 2:
        raise DesignError("relative-magnitude bounds need at least one lead besides -1")
    # pre-period changes d_j = delta_{pre[j+1]} - delta_{pre[j]} as contrasts of beta
    contrasts = []
    for lo_k, hi_k in itertools.pairwise(pre):
        c = np.zeros(len(levels))
        if hi_k != -1:
            c[levels.index(hi_k)] += 1.0
        if lo_k != -1:
            c[levels.index(lo_k)] -= 1.0
        contrasts.append(c)
    cm = np.array(contrasts)
    d = cm @ beta
    d_se = np.sqrt(np.einsum("ij,jk,ik->i", cm, vcov, cm))
    n_changes = len(d)
    m_hat = float(np.max(np.abs(d)))
    m_up = float(np.max(np.abs(d) + _quantile(1 - a / (4 * n_changes), res.inference.df) * d_se))
    theta = float(weights @ beta)
    se = float(np.sqrt(weights @ vcov @ weights))
    ks = np.array(post, dtype=np.float64)
    lpost = np.array([weights[levels.index(k)] for k in post])
    growth = float(lpost @ (ks + 1))
    z = _quantile(1 - a / 4, res.inference.df)
    rows = []
    for mb in mbar_values:
        rows.append(
            {
                "Mbar": float(mb),
                "id_low": theta - float(mb) * m_hat * growth,
                "id_high": theta + float(mb) * m_hat * growth,
                "ci_low": theta - z * se - float(mb) * m_up * growth,
                "ci_high": theta + z * se + float(mb) * m_up * growth,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["breakdown"] = _breakdown(theta, z * se, m_up * growth)
    out.attrs["max_pre_change"] = m_hat
    out.attrs["max_pre_change_upper"] = m_up
    return out
