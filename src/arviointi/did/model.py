"""Difference-in-differences: ``did()``.

Panel form: ``y_it = a_i + d_t + b D_it + X_it'g + e_it`` with unit and time fixed effects
absorbed by a within-transformation (:func:`arviointi.did.data.demean`); ``D`` is the 0/1
treatment column (absorbing, common start). 2x2 form: ``y = a + c1 G + c2 P + b G*P + X'g + e``
(the group and period effects absorbed the same way; with ``unit=`` given, unit effects
replace the group effect, which is the first-difference estimator on a balanced panel).

Inference is chosen from the design by :func:`arviointi.inference.choose` (see that module
for the rule) or taken as requested; design-based methods (Donald-Lang, permutation,
Conley-Taber) work on per-cluster post-minus-pre contrasts of the covariate-adjusted
outcome, so no model is refitted per placebo.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from arviointi.did.data import Prepared, demean_converged, prepare
from arviointi.did.results import DiDResults
from arviointi.errors import DesignError, ParamsError
from arviointi.inference import (
    METHODS,
    Design,
    InferenceOutcome,
    choose,
    conley_taber,
    donald_lang,
    placebo_in_space,
    vcov_classical,
    vcov_cr1,
    vcov_hc1,
    wild_cluster_bootstrap,
)
from arviointi.inference.design import MIN_CLUSTERS_CR1
from arviointi.inference.scaled import (
    UnitNoise,
    VarianceCheck,
    cell_means,
    nan_mean_rows,
    scaled_donald_lang,
    unit_noise,
    variance_check,
)
from arviointi.results.base import InferenceInfo

Array = np.ndarray


def _nested_levels(fe: Array, clusters: Array) -> int:
    """``levels - 1`` when every level of ``fe`` sits in one cluster (else 0).

    The one kept is the constant, as fixest/reghdfe count it (see ``vcov_cr1``).
    """
    n_levels = int(fe.max()) + 1
    first = np.full(n_levels, -1, dtype=np.int64)
    first[fe[::-1]] = clusters[::-1]  # the cluster of each level's first row
    nested = bool(np.all(first[fe] == clusters))
    return n_levels - 1 if nested else 0


def cluster_contrasts(prep: Prepared, covariate_coef: Array) -> tuple[Array, Array]:
    """Per-cluster contrast ``mean_post(r) - mean_pre(r)`` of ``r = y - X g_hat``.

    Returns (contrasts, has_both) where has_both marks clusters observed both before and
    after the start; weighted means when weights were given.
    """
    assert prep.cluster is not None
    r = prep.y - prep.X @ covariate_coef if prep.X.shape[1] else prep.y
    w = np.ones_like(r) if prep.weights is None else prep.weights
    G = len(prep.cluster_labels)
    post = prep.post.astype(bool)
    out = []
    for mask in (post, ~post):
        sw = np.bincount(prep.cluster[mask], weights=w[mask], minlength=G)
        swr = np.bincount(prep.cluster[mask], weights=(w * r)[mask], minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(swr / sw)
    has_both = np.isfinite(out[0]) & np.isfinite(out[1])
    return out[0] - out[1], has_both


def did(
    data: Any,
    outcome: str,
    *,
    unit: str | None = None,
    time: str | None = None,
    treatment: str | None = None,
    group: str | None = None,
    post: str | None = None,
    covariates: list[str] | None = None,
    weights: str | None = None,
    inference: str = "auto",
    cluster: str | None = None,
    size: str | None = None,
    alpha: float = 0.05,
    seed: int | None = None,
    engine: str = "auto",
    n_boot: int = 9999,
) -> DiDResults:
    """Estimate a difference-in-differences effect with inference chosen from the design.

    Panel form: ``did(df, "y", unit="area", time="month", treatment="treated")``.
    2x2 form: ``did(df, "y", group="nj", post="wave2")`` (repeated cross-sections, or a
    panel when ``unit=`` is also given).

    inference : "auto" (default; see :func:`arviointi.inference.choose`), "classical",
        "robust" (HC1), "cluster" (CR1, fixest small-sample factor), "wild" (wild cluster
        restricted bootstrap), "permutation" (placebo-in-space), "conley_taber",
        "donald_lang" (aggregated t test), "scaled_dl" (unit-scaled Donald-Lang, valid when
        the treated unit is noisier than the comparisons), "conformal" (moving-block
        permutation over time; see :mod:`arviointi.inference.scaled` and ``conformal``).
    cluster : cluster column (default: the unit in the panel form)
    size : column with each unit's size (population or labour force); its pre-period mean
        per cluster tells ``auto`` whether the treated units are smaller (so noisier) than
        the comparisons when too few periods exist to measure their noise directly
    seed : seed of the random draws (wild bootstrap, large permutation sets)
    n_boot : draws of the wild cluster bootstrap (params ``models.did.n_boot``)
    engine : "auto", "pandas", "duckdb" or "spark". ``data`` may also be a polars or Arrow
        frame, Parquet/CSV path or glob, DuckDB relation or Spark DataFrame; large inputs
        are fitted by :mod:`arviointi.engine` without loading them (same numbers)
    """
    if not isinstance(data, pd.DataFrame) or engine not in ("auto", "pandas"):
        from arviointi.engine.route import route_did

        kw: dict[str, Any] = {"unit": unit, "time": time, "treatment": treatment}
        kw |= {"group": group, "post": post, "covariates": covariates, "weights": weights}
        kw |= {"inference": inference, "cluster": cluster, "alpha": alpha, "seed": seed}
        kw["n_boot"] = n_boot
        kw["engine"] = engine
        return route_did(data, outcome, kw, did)
    if inference not in (*METHODS, "auto"):
        raise ParamsError(
            "did(inference=...)",
            f"inference must be 'auto' or one of {list(METHODS)}, got {inference!r}",
        )
    if not 0 < alpha < 1:
        raise ParamsError("did(alpha=...)", f"alpha must be in (0, 1), got {alpha!r}")
    spec: dict[str, Any] = {
        "outcome": outcome,
        "unit": unit,
        "time": time,
        "treatment": treatment,
        "group": group,
        "post": post,
        "covariates": covariates,
        "weights": weights,
        "inference": inference,
        "cluster": cluster,
        "size": size,
        "alpha": alpha,
        "seed": seed,
        "n_boot": n_boot,
    }
    prep = prepare(
        data,
        outcome,
        unit=unit,
        time=time,
        treatment=treatment,
        group=group,
        post=post,
        covariates=covariates,
        weights=weights,
        cluster=cluster,
    )
    sizes = _cluster_sizes(data, prep, size)
    return fit_prepared(prep, spec, sizes=sizes)


def _cluster_sizes(data: pd.DataFrame, prep: Prepared, size: str | None) -> Array | None:
    """Per-cluster mean of the ``size`` column over the pre-period rows (None without one)."""
    if size is None:
        return None
    if size not in prep.frame.columns and size not in data.columns:
        raise ParamsError("did(size=...)", f"size column {size!r} not in the data")
    if prep.cluster is None:
        return None
    frame = prep.frame if size in prep.frame.columns else data.loc[prep.frame.index]
    vals = pd.to_numeric(frame[size], errors="coerce").to_numpy(dtype=float)
    pre = prep.post == 0
    G = len(prep.cluster_labels)
    ok = pre & np.isfinite(vals)
    s = np.bincount(prep.cluster[ok], weights=vals[ok], minlength=G)
    n = np.bincount(prep.cluster[ok], minlength=G)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.where(n > 0, n, 1), np.nan)


def panel_noise(prep: Prepared, covariate_coef: Array) -> UnitNoise | None:
    """Per-cluster contrasts and noise scales of the covariate-adjusted outcome."""
    if prep.cluster is None:
        return None
    r = prep.y - prep.X @ covariate_coef if prep.X.shape[1] else prep.y
    time = prep.fe[1] if prep.form == "panel" else prep.post.astype(np.intp)
    n_t = int(time.max()) + 1
    wide = cell_means(r, prep.cluster, time, len(prep.cluster_labels), n_t, prep.weights)
    post_t = np.zeros(n_t, dtype=bool)
    post_t[time[prep.post > 0]] = True
    return unit_noise(wide, prep.cluster_treated, post_t)


def _sizes_support_dl(sizes: Array | None, treated: NDArray[np.bool_]) -> bool | None:
    """True when the treated clusters are at least as large as the controls (harmonic means)."""
    if sizes is None or not np.all(np.isfinite(sizes)) or np.any(sizes <= 0):
        return None
    hm = [len(x) / float(np.sum(1.0 / x)) for x in (sizes[treated], sizes[~treated])]
    return bool(hm[0] >= hm[1])


_NOISE_METHODS = ("scaled_dl", "conformal", "donald_lang", "permutation", "conley_taber")


def _noise_based(method: str, noise: UnitNoise | None, estimate: float) -> InferenceOutcome:
    """The unit-scaled Donald-Lang test or the conformal time permutation."""
    from arviointi.inference.conformal import conformal_time

    if noise is None:
        raise DesignError(f"inference='{method}' needs clusters: give unit= or cluster=")
    if method == "scaled_dl":
        return scaled_donald_lang(noise, estimate)
    d = nan_mean_rows(noise.series[noise.treated].T)
    if not np.isfinite(d).all():
        raise DesignError(
            "inference='conformal' needs the treated and control units in every period "
            "(a balanced panel)"
        )
    return conformal_time(d, noise.post_t)


def fit_prepared(prep: Prepared, spec: dict[str, Any], sizes: Array | None = None) -> DiDResults:
    """Fit the model on validated inputs (used by :func:`did` and the diagnostics)."""
    inference = str(spec["inference"])
    alpha = float(spec["alpha"])
    seed = spec["seed"]
    warnings = list(prep.warnings)
    n = prep.n_obs
    raw = np.column_stack([prep.y, prep.d, prep.X])
    dm = demean_converged(raw, prep.fe, prep.weights)
    tilde = dm.values
    if dm.warning is not None:
        warnings.append(dm.warning)
    if prep.weights is not None:
        tilde = tilde * np.sqrt(prep.weights)[:, None]
    yt, Z = tilde[:, 0], tilde[:, 1:]
    if float(np.abs(Z[:, 0]).max()) < 1e-10:
        raise DesignError("the treatment is collinear with the fixed effects; no DiD contrast")
    k = Z.shape[1]
    if np.linalg.matrix_rank(Z) < k:
        raise DesignError(
            f"covariates {prep.covariate_names} are collinear with the treatment or the "
            "fixed effects (or with each other)"
        )
    coef = np.linalg.solve(Z.T @ Z, Z.T @ yt)
    resid = yt - Z @ coef
    estimate = float(coef[0])
    n_absorbed = sum(len(np.unique(f)) for f in prep.fe) - (len(prep.fe) - 1)
    clustered = prep.cluster is not None
    cluster_codes = prep.cluster if prep.cluster is not None else np.zeros(n, dtype=np.intp)
    if clustered:
        assert prep.cluster is not None
        n_treated = int(prep.cluster_treated.sum())
        n_control = len(prep.cluster_treated) - n_treated
        nested = sum(_nested_levels(f, prep.cluster) for f in prep.fe)
    else:
        n_treated = int(prep.frame[spec["group"]].sum())
        n_control = n - n_treated
        nested = 0
    noise: UnitNoise | None = None
    check: VarianceCheck | None = None
    if clustered and (min(n_treated, n_control) < MIN_CLUSTERS_CR1 or inference in _NOISE_METHODS):
        noise = panel_noise(prep, coef[1:])
        check = variance_check(noise, sizes) if noise is not None else None
    design = Design(
        n_treated,
        n_control,
        prep.n_pre,
        prep.n_post,
        clustered,
        variance=check,
        sizes_support_dl=_sizes_support_dl(sizes, prep.cluster_treated) if clustered else None,
    )
    method, reason, choice_warnings = choose(design, inference, alpha)
    warnings += choice_warnings

    contrasts = np.zeros(0)
    treated_mask = np.zeros(0, dtype=bool)
    contrast_series = pd.Series(dtype=float)
    if clustered:
        contrasts, has_both = cluster_contrasts(prep, coef[1:])
        contrast_series = pd.Series(contrasts, index=pd.Index(prep.cluster_labels), dtype=float)
        treated_mask = prep.cluster_treated
        if not has_both.all() and method in (
            "donald_lang",
            "permutation",
            "conley_taber",
            "scaled_dl",
        ):
            warnings.append(
                f"{int((~has_both).sum())} cluster(s) lack pre- or post-period rows and are "
                "left out of the design-based inference"
            )
            contrasts, treated_mask = contrasts[has_both], treated_mask[has_both]

    details: dict[str, Any] = {"design": design.as_dict()}
    se: float | None
    df: float | None
    ci: Callable[[float], tuple[float, float]] | None = None
    pvalue: float | None
    V: Array | None = None
    if method in ("classical", "robust", "cluster"):
        if method == "classical":
            V = vcov_classical(Z, resid, n_absorbed)
            df = float(n - k - n_absorbed)
        elif method == "robust":
            V = vcov_hc1(Z, resid, n_absorbed)
            df = float(n - k - n_absorbed)
        else:
            if not clustered:
                raise DesignError("inference='cluster' needs cluster= (or unit=) to cluster on")
            V = vcov_cr1(Z, resid, cluster_codes, nested, n_absorbed)
            df = float(len(prep.cluster_labels) - 1)
            details["n_clusters"] = len(prep.cluster_labels)
            details["n_absorbed_nested"] = nested
        se = float(math.sqrt(V[0, 0])) if np.isfinite(V[0, 0]) else None
        from scipy import stats

        pvalue = float(2 * stats.t.sf(abs(estimate) / se, df)) if se else None
    elif method == "none":
        se, pvalue, df = None, None, None

        def ci(a: float) -> tuple[float, float]:
            return (math.nan, math.nan)
    else:
        if not clustered:
            raise DesignError(
                f"inference='{method}' needs clusters: give unit= or cluster= (the 2x2 form "
                "without them treats rows as independent)"
            )
        out: InferenceOutcome
        if method == "wild":
            G = len(prep.cluster_labels)
            out = wild_cluster_bootstrap(
                Z,
                yt,
                cluster_codes,
                0,
                B=int(spec.get("n_boot", 9999)),
                weights="webb" if G < 12 else "rademacher",
                n_absorbed=n_absorbed,
                n_absorbed_nested=nested,
                seed=seed,
            )
        elif method == "permutation":
            out = placebo_in_space(contrasts, treated_mask, seed=seed)
            if out.details["pvalue_floor"] > alpha:
                warnings.append(
                    f"permutation p-value floor {out.details['pvalue_floor']:.3g} exceeds "
                    f"alpha={alpha:g}: no {alpha:g}-level interval exists (reported as NaN)"
                )
        elif method == "conley_taber":
            out = conley_taber(contrasts, treated_mask, estimate, seed=seed)
        elif method in ("scaled_dl", "conformal"):
            out = _noise_based(method, noise, estimate)
        else:
            out = donald_lang(contrasts, treated_mask, estimate)
            agg = out.details.get("aggregated_estimate")
            if agg is not None and abs(float(agg) - estimate) > 1e-8 * max(1.0, abs(estimate)):
                warnings.append(
                    f"the aggregated contrast estimate {float(agg):.6g} differs from the fixed-"
                    f"effects estimate {estimate:.6g} (unbalanced panel, weights or covariates); "
                    "the Donald-Lang standard error is applied to the fixed-effects estimate"
                )
        se, pvalue, df, ci = out.se, out.pvalue, out.df, out.ci
        details.update(out.details)
        if method == "donald_lang" and len(contrasts) >= 3:
            # distribution-free cross-check: placebo-in-space p-value and its floor
            perm = placebo_in_space(contrasts, treated_mask, seed=seed)
            details["permutation_pvalue"] = perm.pvalue
            details["permutation_pvalue_floor"] = perm.details["pvalue_floor"]

    if check is not None:
        details["variance_check"] = check.as_dict()
        details["treated_variance_ratio"] = check.ratio

    # per-coefficient table (covariates): analytic SEs; cluster-robust when design-based
    if V is None:
        if clustered:
            V = vcov_cr1(Z, resid, cluster_codes, nested, n_absorbed)
        else:
            V = vcov_hc1(Z, resid, n_absorbed)
        table_note = "cluster-robust (CR1)" if clustered else "HC1"
    else:
        table_note = method
    names = ["treatment", *prep.covariate_names]
    coef_table = pd.DataFrame(
        {"estimate": coef, "se": np.sqrt(np.diag(V))},
        index=pd.Index(names, name="term"),
    )
    coef_table.attrs["se_type"] = table_note

    info = InferenceInfo(method=method, reason=reason, df=df, requested=inference, details=details)
    return DiDResults(
        estimate=estimate,
        se=se,
        pvalue=pvalue,
        inference=info,
        n_obs=n,
        n_treated=n_treated,
        n_control=n_control,
        outcome=str(spec["outcome"]),
        alpha=alpha,
        ci_method=ci,
        warnings=warnings,
        coef_table=coef_table,
        design=design,
        prepared=prep,
        spec=spec,
        contrasts=contrast_series,
    )
