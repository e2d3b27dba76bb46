"""Inference applied to one fitted DiD regression (:class:`arviointi.did.fit.TwfeFit`).

Each method accepted by ``did(inference=...)`` (the names of
:data:`arviointi.inference.METHODS`, from the registry) is one function here taking the
fit and returning an :class:`Applied`; :data:`APPLY` maps the names to them, so adding a
method is adding a function and a registry entry, not another ``elif``.
Design-based methods (Donald-Lang, permutation, Conley-Taber) work on per-cluster
post-minus-pre contrasts of the covariate-adjusted outcome, so no model is refitted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from arviointi.did.fit import TwfeFit, cluster_contrasts, panel_noise, sizes_support_dl
from arviointi.errors import DesignError
from arviointi.estimation import vcov_classical, vcov_cr1, vcov_hc1
from arviointi.inference import (
    METHODS,
    Design,
    InferenceOutcome,
    conley_taber,
    donald_lang,
    placebo_in_space,
    wild_cluster_bootstrap,
)
from arviointi.inference.design import MIN_CLUSTERS_CR1
from arviointi.inference.scaled import (
    UnitNoise,
    VarianceCheck,
    nan_mean_rows,
    scaled_donald_lang,
    variance_check,
)

Array = np.ndarray

#: methods that need the per-cluster noise scales (and the variance check)
NOISE_METHODS = ("scaled_dl", "conformal", "donald_lang", "permutation", "conley_taber")
#: methods that use the per-cluster contrasts (clusters without both periods are left out)
CONTRAST_METHODS = ("donald_lang", "permutation", "conley_taber", "scaled_dl")


@dataclass
class Applied:
    """What one inference method gives for the treatment coefficient."""

    se: float | None
    pvalue: float | None
    df: float | None
    ci: Callable[[float], tuple[float, float]] | None = None
    vcov: Array | None = None
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Request:
    """The fit plus what the design-based methods need from it."""

    fit: TwfeFit
    alpha: float
    seed: int | None
    noise: UnitNoise | None
    contrasts: Array
    treated_mask: Array
    cross_check: bool = True
    #: wild bootstrap draws (params models.did.n_boot)
    n_boot: int = 9999


def design_facts(
    fit: TwfeFit, requested: str, sizes: Array | None
) -> tuple[Design, UnitNoise | None, VarianceCheck | None]:
    """The design that ``auto`` reads, with the noise scales when few clusters need them."""
    prep = fit.prep
    noise: UnitNoise | None = None
    check: VarianceCheck | None = None
    few = min(fit.n_treated, fit.n_control) < MIN_CLUSTERS_CR1
    if fit.clustered and (few or requested in NOISE_METHODS):
        noise = panel_noise(prep, fit.coef[1:])
        check = variance_check(noise, sizes) if noise is not None else None
    design = Design(
        fit.n_treated,
        fit.n_control,
        prep.n_pre,
        prep.n_post,
        fit.clustered,
        variance=check,
        sizes_support_dl=sizes_support_dl(sizes, prep.cluster_treated) if fit.clustered else None,
    )
    return design, noise, check


def contrasts_for(fit: TwfeFit, method: str) -> tuple[Array, Array, pd.Series, list[str]]:
    """Per-cluster contrasts (those used by ``method``), their treated mask and all of them."""
    prep = fit.prep
    if not fit.clustered:
        return np.zeros(0), np.zeros(0, dtype=bool), pd.Series(dtype=float), []
    contrasts, has_both = cluster_contrasts(prep, fit.coef[1:])
    series = pd.Series(contrasts, index=pd.Index(prep.cluster_labels), dtype=float)
    treated_mask = prep.cluster_treated
    warnings: list[str] = []
    if not has_both.all() and method in CONTRAST_METHODS:
        warnings.append(
            f"{int((~has_both).sum())} cluster(s) lack pre- or post-period rows and are "
            "left out of the design-based inference"
        )
        contrasts, treated_mask = contrasts[has_both], treated_mask[has_both]
    return contrasts, treated_mask, series, warnings


def _t_pvalue(estimate: float, se: float | None, df: float) -> float | None:
    from scipy import stats

    return float(2 * stats.t.sf(abs(estimate) / se, df)) if se else None


def _se(V: Array) -> float | None:
    return float(math.sqrt(V[0, 0])) if np.isfinite(V[0, 0]) else None


def _classical(req: Request) -> Applied:
    f = req.fit
    V = vcov_classical(f.Z, f.resid, f.n_absorbed)
    df = float(f.n_obs - f.k - f.n_absorbed)
    return Applied(_se(V), _t_pvalue(f.estimate, _se(V), df), df, vcov=V)


def _robust(req: Request) -> Applied:
    f = req.fit
    V = vcov_hc1(f.Z, f.resid, f.n_absorbed)
    df = float(f.n_obs - f.k - f.n_absorbed)
    return Applied(_se(V), _t_pvalue(f.estimate, _se(V), df), df, vcov=V)


def _cluster(req: Request) -> Applied:
    f = req.fit
    if not f.clustered:
        raise DesignError("inference='cluster' needs cluster= (or unit=) to cluster on")
    V = vcov_cr1(f.Z, f.resid, f.cluster_codes, f.nested, f.n_absorbed)
    G = len(f.prep.cluster_labels)
    df = float(G - 1)
    details = {"n_clusters": G, "n_absorbed_nested": f.nested}
    return Applied(_se(V), _t_pvalue(f.estimate, _se(V), df), df, vcov=V, details=details)


def _no_interval(a: float) -> tuple[float, float]:
    return (math.nan, math.nan)


def _none(req: Request) -> Applied:
    return Applied(None, None, None, ci=_no_interval)


def _from_outcome(out: InferenceOutcome, warnings: list[str] | None = None) -> Applied:
    return Applied(
        out.se, out.pvalue, out.df, ci=out.ci, details=dict(out.details), warnings=warnings or []
    )


def _wild(req: Request) -> Applied:
    f = req.fit
    G = len(f.prep.cluster_labels)
    out = wild_cluster_bootstrap(
        f.Z,
        f.yt,
        f.cluster_codes,
        0,
        B=req.n_boot,
        weights="webb" if G < 12 else "rademacher",
        n_absorbed=f.n_absorbed,
        n_absorbed_nested=f.nested,
        seed=req.seed,
    )
    return _from_outcome(out)


def _permutation(req: Request) -> Applied:
    out = placebo_in_space(req.contrasts, req.treated_mask, seed=req.seed)
    floor, alpha = out.details["pvalue_floor"], req.alpha
    warnings = []
    if floor > alpha:
        warnings.append(
            f"permutation p-value floor {floor:.3g} exceeds "
            f"alpha={alpha:g}: no {alpha:g}-level interval exists (reported as NaN)"
        )
    return _from_outcome(out, warnings)


def _conley_taber(req: Request) -> Applied:
    out = conley_taber(req.contrasts, req.treated_mask, req.fit.estimate, seed=req.seed)
    return _from_outcome(out)


def _scaled_dl(req: Request) -> Applied:
    if req.noise is None:
        raise DesignError("inference='scaled_dl' needs clusters: give unit= or cluster=")
    return _from_outcome(scaled_donald_lang(req.noise, req.fit.estimate))


def _conformal(req: Request) -> Applied:
    from arviointi.inference.conformal import conformal_time

    noise = req.noise
    if noise is None:
        raise DesignError("inference='conformal' needs clusters: give unit= or cluster=")
    d = nan_mean_rows(noise.series[noise.treated].T)
    if not np.isfinite(d).all():
        raise DesignError(
            "inference='conformal' needs the treated and control units in every period "
            "(a balanced panel)"
        )
    return _from_outcome(conformal_time(d, noise.post_t))


def _donald_lang(req: Request) -> Applied:
    estimate = req.fit.estimate
    out = donald_lang(req.contrasts, req.treated_mask, estimate)
    warnings = []
    agg = out.details.get("aggregated_estimate")
    if agg is not None and abs(float(agg) - estimate) > 1e-8 * max(1.0, abs(estimate)):
        warnings.append(
            f"the aggregated contrast estimate {float(agg):.6g} differs from the fixed-"
            f"effects estimate {estimate:.6g} (unbalanced panel, weights or covariates); "
            "the Donald-Lang standard error is applied to the fixed-effects estimate"
        )
    applied = _from_outcome(out, warnings)
    if req.cross_check and len(req.contrasts) >= 3:
        # distribution-free cross-check: placebo-in-space p-value and its floor
        perm = placebo_in_space(req.contrasts, req.treated_mask, seed=req.seed)
        applied.details["permutation_pvalue"] = perm.pvalue
        applied.details["permutation_pvalue_floor"] = perm.details["pvalue_floor"]
    return applied


#: how each method of the registry that ``did`` accepts is applied to the fit
APPLY: dict[str, Callable[[Request], Applied]] = {
    "classical": _classical,
    "robust": _robust,
    "cluster": _cluster,
    "wild": _wild,
    "permutation": _permutation,
    "conley_taber": _conley_taber,
    "donald_lang": _donald_lang,
    "scaled_dl": _scaled_dl,
    "conformal": _conformal,
    "none": _none,
}
assert set(METHODS) <= set(APPLY), "every registered did method needs an APPLY entry"

_ANALYTIC = ("classical", "robust", "cluster", "none")


def apply_inference(req: Request, method: str) -> Applied:
    """Apply ``method`` (a chosen, not ``auto``, method name) to the fit."""
    if method not in _ANALYTIC and not req.fit.clustered:
        raise DesignError(
            f"inference='{method}' needs clusters: give unit= or cluster= (the 2x2 form "
            "without them treats rows as independent)"
        )
    return APPLY[method](req)


def coef_table(fit: TwfeFit, V: Array | None, method: str) -> pd.DataFrame:
    """Treatment and covariate coefficients with analytic SEs (CR1 when design-based)."""
    if V is None:
        if fit.clustered:
            V = vcov_cr1(fit.Z, fit.resid, fit.cluster_codes, fit.nested, fit.n_absorbed)
        else:
            V = vcov_hc1(fit.Z, fit.resid, fit.n_absorbed)
        note = "cluster-robust (CR1)" if fit.clustered else "HC1"
    else:
        note = method
    names = ["treatment", *fit.prep.covariate_names]
    table = pd.DataFrame(
        {"estimate": fit.coef, "se": np.sqrt(np.diag(V))},
        index=pd.Index(names, name="term"),
    )
    table.attrs["se_type"] = note
    return table
