"""Inference applied to one fitted event study (:class:`arviointi.event_study.fit.EventFit`).

:func:`choose_method` turns the request (``auto`` or a method name) into the method this
design supports; :data:`APPLY` maps each method to the function that computes the
per-coefficient standard errors, intervals, p-values, the average post effect's SE and the
joint pre-trend test from the fit (only the permutation method refits, once per draw).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from arviointi import progress
from arviointi.errors import DesignError
from arviointi.estimation import vcov_classical, vcov_cr1, vcov_hc1
from arviointi.event_study.donald_lang import (
    donald_lang_event_study,
    permutation_draws,
    permutation_pretrend_pvalue,
    unit_contrasts,
)
from arviointi.event_study.fit import EventFit, event_dummies
from arviointi.event_study.scaled import scaled_event_study
from arviointi.event_study.twfe import twfe_ols
from arviointi.inference import choose

FloatArray = NDArray[np.float64]
ANALYTIC = ("cluster", "robust", "classical")


@dataclass
class EventInference:
    """Per-coefficient and average-effect inference of an event study."""

    se: FloatArray
    pvals: FloatArray
    lo: FloatArray
    hi: FloatArray
    pretrend: dict[str, Any]
    vcov: FloatArray | None = None
    df: float | None = None
    est_se: float | None = None
    est_p: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    inference: str
    alpha: float
    bands: str
    n_permutations: int
    seed: int


def _empty(n_levels: int, method: str) -> EventInference:
    nan = np.full(n_levels, np.nan)
    pretrend = {"statistic": None, "df": None, "pvalue": None, "method": method}
    return EventInference(nan.copy(), nan.copy(), nan.copy(), nan.copy(), pretrend)


def _auto(fit: EventFit, alpha: float) -> tuple[str, str, list[str]]:
    """The ``auto`` rule of :func:`arviointi.inference.choose`, adapted to the event study."""
    chosen, reason, warnings = choose(fit.design, "auto", alpha)
    ok_dl = fit.dl_obstacle is None
    if (chosen == "none" and ok_dl) or chosen in ANALYTIC:
        return chosen, reason, warnings
    if chosen == "scaled_dl" and ok_dl:
        reason += (
            "; event study: each unit collapsed to its vector of contrasts y_k - y_ref "
            "relative to the control mean and scaled by its own pre-period noise, pointwise "
            f"t({len(fit.control_units) - 1}) and a Hotelling T^2 pre-trend test"
        )
        return chosen, reason, warnings
    if not fit.control_units:
        reason += (
            f"; '{chosen}' has no per-coefficient form for an event study and without "
            "never-treated units there is nothing to permute, so CR1 is used (unreliable)"
        )
        warnings.append(
            "no never-treated units and few clusters: CR1 cluster-robust errors are "
            "reported but are unreliable"
        )
        return "cluster", reason, warnings
    if chosen == "donald_lang" and ok_dl:
        reason += (
            "; event study: each unit collapsed to its vector of contrasts "
            f"y_k - y_ref, pointwise two-sample t({fit.n_units - 2}) and a "
            "Hotelling T^2 pre-trend test across units; the permutation p-value of "
            "the sum of squared leads is kept in the details as a cross-check"
        )
        return chosen, reason, warnings
    if chosen in ("donald_lang", "scaled_dl", "none") and not ok_dl:
        warnings.append(
            f"Donald-Lang event-study intervals need a balanced panel with one "
            f"adoption date; this design has {fit.dl_obstacle}, so the adoption times "
            "are permuted instead: p-values only, no intervals"
        )
        reason += f"; not usable for this event study ({fit.dl_obstacle})"
    reason += (
        f"; '{chosen}' has no per-coefficient form for this event study, so the "
        "adoption times are permuted over all units (randomisation inference "
        "under the sharp null of no effect)"
    )
    return "permutation", reason, warnings


def choose_method(
    fit: EventFit, inference: str, alpha: float, source: str
) -> tuple[str, str, list[str]]:
    """(method, reason, warnings) for the request ``inference`` on this design."""
    if inference == "auto":
        return _auto(fit, alpha)
    _, reason, warnings = choose(fit.design, inference, alpha)
    if inference in ("donald_lang", "scaled_dl") and fit.dl_obstacle is not None:
        raise DesignError(
            f"{source}: inference='{inference}' for an event study needs a balanced "
            f"panel with one adoption date and >= 2 never-treated units; this design has "
            f"{fit.dl_obstacle}"
        )
    return inference, reason, warnings


def _sup_t_critical(vcov: FloatArray, alpha: float, seed: int) -> float:
    sd = np.sqrt(np.diag(vcov))
    corr = vcov / np.outer(sd, sd)
    vals, vecs = np.linalg.eigh(corr)
    root = vecs * np.sqrt(np.clip(vals, 0, None))
    draws = np.random.default_rng(seed).standard_normal((20_000, len(sd))) @ root.T
    return float(np.quantile(np.abs(draws).max(axis=1), 1 - alpha))


def _analytic_vcov(fit: EventFit, method: str) -> tuple[FloatArray, float]:
    xd, resid = fit.xd, fit.resid
    if method == "cluster":
        # fixest "nested" convention: unit effects nested in the clusters are not
        # counted in K except one (K = k + n_times), matching pyfixest/fixest
        V = vcov_cr1(
            xd, resid, fit.units_codes, n_absorbed_nested=fit.n_units - 1, n_absorbed=fit.absorbed
        )
        return V, float(fit.n_units - 1)
    vcov = vcov_hc1 if method == "robust" else vcov_classical
    return vcov(xd, resid, n_absorbed=fit.absorbed), float(fit.n - xd.shape[1] - fit.absorbed)


def _analytic(fit: EventFit, method: str, opt: Options) -> EventInference:
    out = _empty(len(fit.levels), method)
    vcov, df = _analytic_vcov(fit, method)
    beta, c_post, pre_mask = fit.beta, fit.c_post, fit.pre_mask
    se = np.sqrt(np.diag(vcov))
    pvals = 2 * stats.t.sf(np.abs(beta / se), df)
    if opt.bands == "uniform":
        q = _sup_t_critical(vcov, opt.alpha, opt.seed)
    else:
        q = float(stats.t.ppf(1 - opt.alpha / 2, df))
    out.vcov, out.df, out.se, out.pvals = vcov, df, se, pvals
    out.lo, out.hi = beta - q * se, beta + q * se
    out.est_se = float(np.sqrt(c_post @ vcov @ c_post))
    out.est_p = float(2 * stats.t.sf(abs(fit.estimate / out.est_se), df))
    if pre_mask.any():
        bp = beta[pre_mask]
        qn = int(pre_mask.sum())
        f_stat = float(bp @ np.linalg.solve(vcov[np.ix_(pre_mask, pre_mask)], bp) / qn)
        out.pretrend = {
            "statistic": f_stat,
            "df": (qn, df),
            "pvalue": float(stats.f.sf(f_stat, qn, df)),
            "method": f"Wald F ({method} covariance)",
        }
    return out


def _permuted_coefficients(fit: EventFit, draws: list[Any]) -> FloatArray:
    """The event study refitted with the adoption times reassigned to each draw's units."""
    starts = fit.start.to_numpy(np.float64)
    units = fit.clean[fit.unit]
    perm_b = []
    for draw in progress.steps(draws, "event study: permutations"):
        e_perm = units.map(dict(zip(draw, starts, strict=True))).to_numpy(np.float64)
        xp = event_dummies(fit.relative_times(e_perm), fit.levels)
        bp, _, _ = twfe_ols(fit.y, xp, fit.units_codes, fit.time_codes)
        bp[(xp.sum(axis=0) == 0)] = np.nan
        perm_b.append(bp)
    return np.array(perm_b)


def _permutation(fit: EventFit, method: str, opt: Options) -> EventInference:
    out = _empty(len(fit.levels), method)
    # every assignment of the common start to nt units (the observed one included)
    # when few, else random draws
    draws, enumerated = permutation_draws(
        list(fit.unit_labels),
        len(fit.treated_units),
        fit.start.nunique() == 1,
        opt.n_permutations,
        opt.seed,
    )
    out.details["enumerated"] = enumerated
    pb = _permuted_coefficients(fit, draws)
    nb = len(pb)
    # enumeration contains the observed assignment; random draws add it (+1)
    extra = 0 if enumerated else 1
    denom = nb + extra

    def perm_p(stat: FloatArray, observed_stat: Any) -> Any:
        with np.errstate(invalid="ignore"):
            hits = np.sum(stat >= observed_stat - 1e-12, axis=0)
        return (extra + hits) / denom

    beta, pre_mask = fit.beta, fit.pre_mask
    out.pvals = perm_p(np.abs(pb), np.abs(beta))
    post_b = pb[:, fit.post_mask]
    n_ok = np.maximum((~np.isnan(post_b)).sum(axis=1), 1)
    out.est_p = float(perm_p(np.abs(np.nansum(post_b, axis=1) / n_ok), abs(fit.estimate)))
    if pre_mask.any():
        s_obs = float(np.sum(beta[pre_mask] ** 2))
        s_perm = np.nansum(pb[:, pre_mask] ** 2, axis=1)
        out.pretrend = {
            "statistic": s_obs,
            "df": None,
            "pvalue": float(perm_p(s_perm, s_obs)),
            "method": "permutation of the sum of squared leads",
        }
    out.details.update({"n_draws": nb, "pvalue_floor": 1 / denom})
    out.warnings.append(
        "permutation inference: p-values only, no standard errors or intervals "
        f"(p-value floor {1 / denom:.3g})"
    )
    return out


def _bonferroni_pretrend(
    beta: FloatArray, se: FloatArray, df: float, pre_mask: NDArray[np.bool_], why: str
) -> dict[str, Any]:
    """Joint pre-trend test from the leads' own t statistics when Hotelling's T^2 cannot be
    computed: the largest |t| with a Bonferroni p-value (valid, conservative)."""
    t = np.abs(beta[pre_mask] / se[pre_mask])
    q = int(pre_mask.sum())
    p_min = float(2 * stats.t.sf(float(np.max(t)), df))
    return {
        "statistic": float(np.max(t)),
        "df": float(df),
        "pvalue": min(1.0, q * p_min),
        "method": f"largest |t| of the {q} leads with a Bonferroni p-value ({why})",
    }


def _from_contrast_test(fit: EventFit, method: str, dl: Any) -> EventInference:
    """SEs, intervals, the average effect and the pre-trend test of a (scaled) Donald-Lang
    event study."""
    out = _empty(len(fit.levels), method)
    out.vcov, out.df, out.se, out.pvals = dl.vcov, dl.df, dl.se, dl.pvalues
    out.lo, out.hi = dl.ci_low, dl.ci_high
    c_post = fit.c_post
    out.est_se = float(np.sqrt(c_post @ dl.vcov @ c_post))
    if out.est_se > 0:
        out.est_p = float(2 * stats.t.sf(abs(fit.estimate / out.est_se), dl.df))
    out.details.update(dl.details)
    out.details["max_abs_diff_twfe"] = float(np.max(np.abs(dl.beta - fit.beta)))
    out.pretrend = dict(dl.pretrend)
    return out


def _scaled_dl(fit: EventFit, method: str, opt: Options) -> EventInference:
    assert fit.noise is not None
    dl = scaled_event_study(
        fit.noise,
        fit.period_bin,
        fit.levels,
        fit.reference,
        fit.pre_mask,
        alpha=opt.alpha,
        bands=opt.bands,
        seed=opt.seed,
    )
    out = _from_contrast_test(fit, method, dl)
    if fit.pre_mask.any() and out.pretrend["pvalue"] is None:
        assert out.df is not None
        why = str(out.pretrend["method"])
        out.pretrend = _bonferroni_pretrend(fit.beta, out.se, out.df, fit.pre_mask, why)
        out.warnings.append(f"{out.pretrend['method']}")
    return out


def _permutation_cross_check(
    fit: EventFit, z: FloatArray, out: EventInference, opt: Options
) -> None:
    """The permutation p-value of the sum of squared leads, kept beside Hotelling's test
    (and used when Hotelling's cannot be computed)."""
    pre_mask = fit.pre_mask
    index = {u: i for i, u in enumerate(fit.unit_labels)}
    draws, enumerated = permutation_draws(
        list(fit.unit_labels), len(fit.treated_units), True, opt.n_permutations, opt.seed
    )
    p_perm = permutation_pretrend_pvalue(
        z, fit.is_treated, pre_mask, [[index[u] for u in d] for d in draws], enumerated
    )
    out.details["permutation_pretrend_pvalue"] = p_perm
    out.details["permutation_draws"] = len(draws) + (0 if enumerated else 1)
    if out.pretrend["pvalue"] is None:
        out.warnings.append(
            f"{out.pretrend['method']}; the joint pre-trend p-value is the permutation "
            "p-value of the sum of squared leads"
        )
        out.pretrend = {
            "statistic": float(np.sum(fit.beta[pre_mask] ** 2)),
            "df": None,
            "pvalue": p_perm,
            "method": f"permutation of the sum of squared leads ({out.pretrend['method']})",
        }


def _donald_lang(fit: EventFit, method: str, opt: Options) -> EventInference:
    z = unit_contrasts(
        fit.y, fit.units_codes, fit.time_codes, fit.period_bin, fit.levels, fit.reference
    )
    dl = donald_lang_event_study(
        z, fit.is_treated, fit.pre_mask, alpha=opt.alpha, bands=opt.bands, seed=opt.seed
    )
    out = _from_contrast_test(fit, method, dl)
    if fit.pre_mask.any():
        _permutation_cross_check(fit, z, out, opt)
    if len(fit.treated_units) == 1 and opt.inference == "donald_lang":
        # auto checked the variance first
        out.warnings.append(
            "Donald-Lang intervals with one treated unit assume its contrasts vary like "
            "the controls' (a common variance); they are prediction intervals from the "
            f"{len(fit.control_units)} control units"
        )
    return out


def _none(fit: EventFit, method: str, opt: Options) -> EventInference:
    out = _empty(len(fit.levels), method)
    out.warnings.append("no valid inference for this design; no p-values or intervals")
    return out


#: how each method an event study accepts is applied to the fit (others: no inference)
APPLY: dict[str, Callable[[EventFit, str, Options], EventInference]] = {
    "cluster": _analytic,
    "robust": _analytic,
    "classical": _analytic,
    "permutation": _permutation,
    "scaled_dl": _scaled_dl,
    "donald_lang": _donald_lang,
}


def apply_inference(fit: EventFit, method: str, opt: Options) -> EventInference:
    """Apply the chosen ``method`` to the fitted event study."""
    return APPLY.get(method, _none)(fit, method, opt)
