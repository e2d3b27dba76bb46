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

Layers: :mod:`~arviointi.did.data` (checks, demeaning) -> :mod:`~arviointi.did.fit` (the one
least-squares fit) -> :mod:`~arviointi.did.inference_step` (each method applied to the fit)
-> :mod:`~arviointi.did.results` (with the diagnostics) -> this module (the entry point).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from arviointi.did.data import Prepared, prepare_spec
from arviointi.did.fit import cluster_contrasts, fit_twfe, panel_noise
from arviointi.did.inference_step import (
    Request,
    apply_inference,
    coef_table,
    contrasts_for,
    design_facts,
)
from arviointi.did.results import DiDResults
from arviointi.errors import ParamsError
from arviointi.inference import METHODS, choose
from arviointi.results.base import InferenceInfo

# fit-layer names kept importable from here (scripts/simulate_size.py uses them)
__all__ = ["cluster_contrasts", "did", "fit_prepared", "panel_noise", "refit"]

Array = np.ndarray


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
    return _did_pandas(data, spec)


def _did_pandas(data: pd.DataFrame, spec: dict[str, Any], cross_check: bool = True) -> DiDResults:
    """Validate a pandas frame against the (checked) ``spec``, then fit."""
    prep = prepare_spec(data, spec)
    sizes = _cluster_sizes(data, prep, spec["size"])
    return fit_prepared(prep, spec, sizes=sizes, cross_check=cross_check)


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


def fit_prepared(
    prep: Prepared,
    spec: dict[str, Any],
    sizes: Array | None = None,
    *,
    cross_check: bool = True,
) -> DiDResults:
    """Fit once on validated inputs, then apply the chosen inference to the fit.

    Used by :func:`did` and its diagnostics. ``cross_check=False`` skips the placebo-in-space
    cross-check that a Donald-Lang estimate carries in ``inference.details``
    (``permutation_pvalue``); every other number is the same.
    """
    inference = str(spec["inference"])
    alpha = float(spec["alpha"])
    fit = fit_twfe(prep, spec["group"])
    warnings = list(fit.warnings)
    design, noise, check = design_facts(fit, inference, sizes)
    method, reason, choice_warnings = choose(design, inference, alpha)
    warnings += choice_warnings
    contrasts, treated_mask, contrast_series, contrast_warnings = contrasts_for(fit, method)
    warnings += contrast_warnings
    request = Request(
        fit,
        alpha,
        spec["seed"],
        noise,
        contrasts,
        treated_mask,
        cross_check,
        n_boot=int(spec.get("n_boot", 9999)),
    )
    applied = apply_inference(request, method)
    warnings += applied.warnings
    details: dict[str, Any] = {"design": design.as_dict(), **applied.details}
    if check is not None:
        details["variance_check"] = check.as_dict()
        details["treated_variance_ratio"] = check.ratio
    info = InferenceInfo(
        method=method, reason=reason, df=applied.df, requested=inference, details=details
    )
    return DiDResults(
        estimate=fit.estimate,
        se=applied.se,
        pvalue=applied.pvalue,
        inference=info,
        n_obs=fit.n_obs,
        n_treated=fit.n_treated,
        n_control=fit.n_control,
        outcome=str(spec["outcome"]),
        alpha=alpha,
        ci_method=applied.ci,
        warnings=warnings,
        coef_table=coef_table(fit, applied.vcov, method),
        design=design,
        prepared=prep,
        spec=spec,
        contrasts=contrast_series,
        refit=refit,
        sizes=sizes,
    )


def refit(
    data: pd.DataFrame | Prepared,
    spec: dict[str, Any],
    *,
    sizes: Array | None = None,
    cross_check: bool = True,
) -> DiDResults:
    """``did()`` again with the arguments of ``spec`` (used by the diagnostics): on a frame,
    or on validated inputs (:meth:`Prepared.rows`) with their cluster ``sizes``."""
    if isinstance(data, Prepared):
        return fit_prepared(data, spec, sizes=sizes, cross_check=cross_check)
    return _did_pandas(data, spec, cross_check=cross_check)
