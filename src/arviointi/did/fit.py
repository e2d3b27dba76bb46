"""The one least-squares fit behind ``did()``: demean, solve, residuals, cluster facts.

:func:`fit_twfe` fits ``y_it = a_i + d_t + b D_it + X_it'g + e_it`` once on validated
inputs (:class:`arviointi.did.data.Prepared`); every inference method is then applied to the
returned :class:`TwfeFit` (:mod:`arviointi.did.inference_step`), so nothing is refitted per
method. The per-cluster contrasts and noise scales the design-based methods need are
computed from the same fit (:func:`cluster_contrasts`, :func:`panel_noise`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from arviointi.did.data import Prepared
from arviointi.errors import DesignError
from arviointi.estimation import demean_converged
from arviointi.inference.scaled import UnitNoise, cell_means, unit_noise

Array = np.ndarray


@dataclass(frozen=True)
class TwfeFit:
    """One fitted DiD regression (fixed effects absorbed, weights applied).

    Z, yt : demeaned (and sqrt-weighted) regressors (treatment first) and outcome
    coef, resid : least-squares coefficients and residuals of ``yt`` on ``Z``
    n_absorbed : absorbed fixed-effect parameters; ``nested`` those nested in the clusters
    cluster_codes : cluster of each row (all zeros without clusters)
    n_treated, n_control : treated / control clusters (rows in the unclustered 2x2 form)
    """

    prep: Prepared
    Z: Array
    yt: Array
    coef: Array
    resid: Array
    n_absorbed: int
    nested: int
    cluster_codes: Array
    n_treated: int
    n_control: int
    warnings: list[str] = field(default_factory=list)

    @property
    def estimate(self) -> float:
        return float(self.coef[0])

    @property
    def clustered(self) -> bool:
        return self.prep.cluster is not None

    @property
    def n_obs(self) -> int:
        return self.prep.n_obs

    @property
    def k(self) -> int:
        return int(self.Z.shape[1])


def _nested_levels(fe: Array, clusters: Array) -> int:
    """``levels - 1`` when every level of ``fe`` sits in one cluster (else 0).

    The one kept is the constant, as fixest/reghdfe count it (see ``vcov_cr1``).
    """
    n_levels = int(fe.max()) + 1
    first = np.full(n_levels, -1, dtype=np.int64)
    first[fe[::-1]] = clusters[::-1]  # the cluster of each level's first row
    nested = bool(np.all(first[fe] == clusters))
    return n_levels - 1 if nested else 0


def _solve(prep: Prepared, warnings: list[str]) -> tuple[Array, Array, Array, Array]:
    """Demeaned outcome and regressors, coefficients and residuals (checks collinearity)."""
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
    if np.linalg.matrix_rank(Z) < Z.shape[1]:
        raise DesignError(
            f"covariates {prep.covariate_names} are collinear with the treatment or the "
            "fixed effects (or with each other)"
        )
    coef = np.linalg.solve(Z.T @ Z, Z.T @ yt)
    return Z, yt, coef, yt - Z @ coef


def fit_twfe(prep: Prepared, group: str | None = None) -> TwfeFit:
    """Fit the DiD regression once (``group``: the 2x2 group column, for unclustered counts)."""
    warnings = list(prep.warnings)
    Z, yt, coef, resid = _solve(prep, warnings)
    n = prep.n_obs
    n_absorbed = sum(len(np.unique(f)) for f in prep.fe) - (len(prep.fe) - 1)
    if prep.cluster is not None:
        n_treated = int(prep.cluster_treated.sum())
        n_control = len(prep.cluster_treated) - n_treated
        nested = sum(_nested_levels(f, prep.cluster) for f in prep.fe)
        codes: Array = prep.cluster
    else:
        n_treated = int(prep.frame[group].sum())
        n_control = n - n_treated
        nested = 0
        codes = np.zeros(n, dtype=np.intp)
    return TwfeFit(
        prep, Z, yt, coef, resid, n_absorbed, nested, codes, n_treated, n_control, warnings
    )


def adjusted_outcome(prep: Prepared, covariate_coef: Array) -> Array:
    """``y - X g_hat``: the outcome with the fitted covariate part removed."""
    return prep.y - prep.X @ covariate_coef if prep.X.shape[1] else prep.y


def cluster_contrasts(prep: Prepared, covariate_coef: Array) -> tuple[Array, Array]:
    """Per-cluster contrast ``mean_post(r) - mean_pre(r)`` of ``r = y - X g_hat``.

    Returns (contrasts, has_both) where has_both marks clusters observed both before and
    after the start; weighted means when weights were given.
    """
    assert prep.cluster is not None
    r = adjusted_outcome(prep, covariate_coef)
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


def panel_noise(prep: Prepared, covariate_coef: Array) -> UnitNoise | None:
    """Per-cluster contrasts and noise scales of the covariate-adjusted outcome."""
    if prep.cluster is None:
        return None
    r = adjusted_outcome(prep, covariate_coef)
    time = prep.fe[1] if prep.form == "panel" else prep.post.astype(np.intp)
    n_t = int(time.max()) + 1
    wide = cell_means(r, prep.cluster, time, len(prep.cluster_labels), n_t, prep.weights)
    post_t = np.zeros(n_t, dtype=bool)
    post_t[time[prep.post > 0]] = True
    return unit_noise(wide, prep.cluster_treated, post_t)


def sizes_support_dl(sizes: Array | None, treated: NDArray[np.bool_]) -> bool | None:
    """True when the treated clusters are at least as large as the controls (harmonic means)."""
    if sizes is None or not np.all(np.isfinite(sizes)) or np.any(sizes <= 0):
        return None
    hm = [len(x) / float(np.sum(1.0 / x)) for x in (sizes[treated], sizes[~treated])]
    return bool(hm[0] >= hm[1])
