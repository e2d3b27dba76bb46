"""Donald-Lang (2007) inference for an event study with one or few treated units.

On a balanced panel with one adoption date (the treated units all start in the same
period) the TWFE event-study coefficient of relative time ``k`` is exactly

    b_k = mean_T z_gk - mean_C z_gk,    z_gk = mean_{t in bin k} y_gt - mean_{t in ref} y_gt,

the treated units' mean change from the reference period minus the controls' (``bin k``
holds the calendar periods whose relative time is ``k`` after binning at the window ends;
without binning it is one period). Each unit is thus collapsed to one contrast vector
``z_g`` and, if those vectors are independent normal draws with a common covariance
``Sigma``, whatever the serial correlation inside a unit,

* ``b ~ N(tau, Sigma (1/G_T + 1/G_C))`` and the pooled within-group covariance
  ``S = [sum_T (z - zbar_T)(z - zbar_T)' + sum_C (z - zbar_C)(z - zbar_C)'] / (G - 2)``
  is independent of ``b`` with ``(G - 2) S ~ Wishart(Sigma, G - 2)``;
* each ``(b_k - tau_k) / se_k`` with ``se_k^2 = S_kk (1/G_T + 1/G_C)`` is exactly t(G - 2)
  (the two-sample pooled t test; with one treated unit the prediction interval of a new
  draw from the controls), and so is any linear combination such as the average post
  effect;
* the joint test that the ``q`` leads are zero is the two-sample Hotelling T^2:
  ``T^2 = b_pre' V_pre^{-1} b_pre`` with ``V = S (1/G_T + 1/G_C)`` and
  ``F = T^2 (G - 1 - q) / (q (G - 2)) ~ F(q, G - 1 - q)``, computable when ``q < G - 2``.

Uniform (sup-t) bands use the exact law of ``max_k |b_k - tau_k| / se_k`` under that model,
simulated with the estimated correlation.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from arviointi import progress

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def eligibility(
    unit_codes: NDArray[np.intp], time_codes: NDArray[np.intp], n_starts: int, n_controls: int
) -> str | None:
    """Why Donald-Lang event-study inference cannot be used (None when it can).

    It needs a balanced panel (every unit in every period), one adoption date and at
    least two never-treated units.
    """
    n_u, n_t = int(unit_codes.max()) + 1, int(time_codes.max()) + 1
    if n_starts > 1:
        return "several cohorts with different start dates"
    if n_controls < 2:
        return "fewer than 2 never-treated units"
    if len(unit_codes) != n_u * n_t or len(set(zip(unit_codes, time_codes, strict=True))) != (
        n_u * n_t
    ):
        return f"an unbalanced panel ({len(unit_codes)} rows, not {n_u} units x {n_t} periods)"
    return None


def unit_contrasts(
    y: FloatArray,
    unit_codes: NDArray[np.intp],
    time_codes: NDArray[np.intp],
    period_bin: FloatArray,
    levels: list[int],
    reference: int,
) -> FloatArray:
    """Contrast matrix ``Z`` (units x levels): mean of each bin minus the reference bin.

    ``period_bin[j]`` is the (binned) relative time of calendar period code ``j`` for the
    treated cohort; the panel must be balanced.
    """
    n_u, n_t = int(unit_codes.max()) + 1, int(time_codes.max()) + 1
    wide = np.full((n_u, n_t), np.nan)
    wide[unit_codes, time_codes] = y
    ref = wide[:, period_bin == reference].mean(axis=1)
    return np.column_stack([wide[:, period_bin == k].mean(axis=1) - ref for k in levels])


@dataclass
class DonaldLangEventStudy:
    """Coefficients, covariance and tests of the Donald-Lang event study."""

    beta: FloatArray
    vcov: FloatArray
    se: FloatArray
    df: float
    pvalues: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    pretrend: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)


def _pooled_covariance(z: FloatArray, treated: BoolArray) -> FloatArray:
    g = len(z)
    dev = np.vstack([z[treated] - z[treated].mean(axis=0), z[~treated] - z[~treated].mean(axis=0)])
    return np.asarray(dev.T @ dev / (g - 2), dtype=np.float64)


def sup_t_critical(
    corr: FloatArray, df: int, alpha: float, seed: int, n_sim: int = 20_000
) -> float:
    """Quantile of ``max_k |b_k| / sqrt(S_kk)`` with ``b ~ N(0, R)``, ``df S ~ W(R, df)``."""
    vals, vecs = np.linalg.eigh(corr)
    root = vecs * np.sqrt(np.clip(vals, 0, None))
    rng = np.random.default_rng(seed)
    k = len(corr)
    b = rng.standard_normal((n_sim, k)) @ root.T
    x = rng.standard_normal((n_sim, df, k)) @ root.T
    s_diag = (x**2).sum(axis=1) / df
    return float(np.quantile(np.abs(b / np.sqrt(s_diag)).max(axis=1), 1 - alpha))


def pointwise(
    beta: FloatArray, vcov: FloatArray, df: int, *, alpha: float, bands: str, seed: int
) -> tuple[FloatArray, FloatArray, float]:
    """Standard errors, t(df) p-values and the critical value (pointwise or sup-t) of
    coefficients ``beta`` with covariance ``vcov``."""
    se = np.sqrt(np.diag(vcov))
    with np.errstate(divide="ignore", invalid="ignore"):
        pvals = 2 * stats.t.sf(np.abs(beta / se), df)
    if bands == "uniform":
        ok = se > 0
        corr = vcov[np.ix_(ok, ok)] / np.outer(se[ok], se[ok])
        return se, pvals, sup_t_critical(corr, df, alpha, seed)
    return se, pvals, float(stats.t.ppf(1 - alpha / 2, df))


def donald_lang_event_study(
    z: FloatArray,
    treated: BoolArray,
    pre_mask: BoolArray,
    *,
    alpha: float,
    bands: str,
    seed: int,
) -> DonaldLangEventStudy:
    """Donald-Lang coefficients, joint covariance, intervals and Hotelling pre-trend test.

    z : contrast matrix from :func:`unit_contrasts` (units x event times)
    treated : boolean mask of the treated units (rows of ``z``)
    pre_mask : boolean mask of the leads among the event times
    """
    g = len(z)
    nt = int(treated.sum())
    nc = g - nt
    df = g - 2
    beta = z[treated].mean(axis=0) - z[~treated].mean(axis=0)
    s = _pooled_covariance(z, treated)
    vcov = s * (1.0 / nt + 1.0 / nc)
    se, pvals, q = pointwise(beta, vcov, df, alpha=alpha, bands=bands, seed=seed)
    details: dict[str, Any] = {
        "n_treated_clusters": nt,
        "n_control_clusters": nc,
        "critical_value": q,
    }
    n_lead = int(pre_mask.sum())
    pretrend: dict[str, Any] = {"statistic": None, "df": None, "pvalue": None}
    if n_lead == 0:
        pretrend["method"] = "no leads"
    elif n_lead < g - 2 and np.linalg.matrix_rank(vcov[np.ix_(pre_mask, pre_mask)]) < n_lead:
        pretrend["method"] = (
            "Hotelling T^2 not computable: the leads' contrasts are collinear across units"
        )
    elif n_lead < g - 2:
        bp = beta[pre_mask]
        vp = vcov[np.ix_(pre_mask, pre_mask)]
        t2 = float(bp @ np.linalg.solve(vp, bp))
        df2 = g - 1 - n_lead
        f_stat = t2 * df2 / (n_lead * (g - 2))
        pretrend = {
            "statistic": f_stat,
            "df": (n_lead, float(df2)),
            "pvalue": float(stats.f.sf(f_stat, n_lead, df2)),
            "method": "Hotelling T^2 across units (Donald-Lang contrasts), exact F",
        }
        details["hotelling_t2"] = t2
    else:
        pretrend["method"] = (
            f"Hotelling T^2 not computable: {n_lead} leads and only {g} units "
            f"(needs fewer leads than units - 2 = {g - 2})"
        )
    return DonaldLangEventStudy(
        beta=beta,
        vcov=vcov,
        se=se,
        df=float(df),
        pvalues=pvals,
        ci_low=beta - q * se,
        ci_high=beta + q * se,
        pretrend=pretrend,
        details=details,
    )


def permutation_draws(
    all_units: list[Any], n_treated: int, one_start: bool, n_permutations: int, seed: int
) -> tuple[list[list[Any]], bool]:
    """Assignments of the adoption times to units: all of them when one start and few,
    else ``n_permutations`` random draws (the observed one is then added by the caller)."""
    if one_start and math.comb(len(all_units), n_treated) <= n_permutations:
        return [list(c) for c in itertools.combinations(all_units, n_treated)], True
    rng = np.random.default_rng(seed)
    labels = np.array(all_units, dtype=object)
    return [list(rng.permutation(labels)[:n_treated]) for _ in range(n_permutations)], False


def permutation_pretrend_pvalue(
    z: FloatArray,
    treated: BoolArray,
    pre_mask: BoolArray,
    draws: list[list[int]],
    enumerated: bool,
) -> float:
    """Randomisation p-value of the sum of squared leads from the unit contrasts.

    ``draws`` hold row indices of ``z``; each assignment's coefficients are
    ``mean_draw z - mean_rest z`` (the exact TWFE algebra on a balanced panel).
    """

    def stat(mask: BoolArray) -> float:
        b = z[mask].mean(axis=0) - z[~mask].mean(axis=0)
        return float(np.sum(b[pre_mask] ** 2))

    observed = stat(treated)
    perm = []
    for draw in progress.steps(draws, "event study: pre-trend permutations"):
        mask = np.zeros(len(z), dtype=bool)
        mask[draw] = True
        perm.append(stat(mask))
    extra = 0 if enumerated else 1
    hits = int(np.sum(np.array(perm) >= observed - 1e-12))
    return (extra + hits) / (len(draws) + extra)
