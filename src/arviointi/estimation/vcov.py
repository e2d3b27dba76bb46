"""Covariance estimators of OLS coefficients (after any within-transformation).

All take the regressor matrix ``X`` (n x k, already demeaned when fixed effects were
absorbed), the residuals and the number of absorbed fixed-effect parameters, and return
the k x k covariance matrix. Degrees-of-freedom corrections follow fixest / Stata
``reghdfe`` so that the numbers match pyfixest's ``feols`` (checked in the tests):

* classical: ``s^2 (X'X)^-1`` with ``s^2 = e'e / (n - k - n_absorbed)``;
* HC1: ``n / (n - k - n_absorbed) * (X'X)^-1 X' diag(e^2) X (X'X)^-1``
  (White 1980; MacKinnon and White 1985);
* CR1: ``G / (G - 1) * (n - 1) / (n - K) * (X'X)^-1 (sum_g X_g' e_g e_g' X_g) (X'X)^-1`` with
  ``K = k + n_absorbed - n_absorbed_nested``: fixed effects nested in the clusters (unit
  effects when clustering by unit) are not counted, except one (the constant) per fully
  nested dimension, so ``n_absorbed_nested = levels - 1`` for unit effects nested in unit
  clusters (Cameron and Miller 2015; Correia's reghdfe; fixest/pyfixest
  ``ssc(k_fixef="nonnested")``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def _as_2d(X: ArrayLike) -> Array:
    arr = np.asarray(X, dtype=float)
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr


def _bread(X: Array) -> Array:
    return np.asarray(np.linalg.inv(X.T @ X), dtype=float)


def _residual_dof(X: ArrayLike, resid: ArrayLike, n_absorbed: int) -> tuple[Array, Array, int]:
    """``X`` as n x k, the residuals, and the residual degrees of freedom ``n - k - absorbed``."""
    Xa = _as_2d(X)
    n, k = Xa.shape
    return Xa, np.asarray(resid, dtype=float), n - k - n_absorbed


def vcov_classical(X: ArrayLike, resid: ArrayLike, n_absorbed: int = 0) -> Array:
    """Homoskedastic (iid) covariance ``e'e / (n - k - n_absorbed) * (X'X)^-1``."""
    Xa, e, dof = _residual_dof(X, resid, n_absorbed)
    if dof <= 0:
        return np.full((Xa.shape[1],) * 2, np.nan)
    return float(e @ e) / dof * _bread(Xa)


def vcov_hc1(X: ArrayLike, resid: ArrayLike, n_absorbed: int = 0) -> Array:
    """Heteroskedasticity-robust HC1 covariance with the ``n / (n - K)`` factor."""
    Xa, e, dof = _residual_dof(X, resid, n_absorbed)
    if dof <= 0:
        return np.full((Xa.shape[1],) * 2, np.nan)
    bread = _bread(Xa)
    Xe = Xa * e[:, None]
    meat = Xe.T @ Xe
    return len(Xa) / dof * (bread @ meat @ bread)


def cluster_scores(X: Array, resid: Array, clusters: ArrayLike) -> tuple[Array, int]:
    """Per-cluster score sums ``X_g' e_g`` (G x k) and the number of clusters G."""
    codes, uniques = _codes(clusters)
    G = len(uniques)
    Xe = X * resid[:, None]
    scores = np.zeros((G, X.shape[1]))
    np.add.at(scores, codes, Xe)
    return scores, G


def _codes(clusters: ArrayLike) -> tuple[NDArray[np.intp], NDArray[np.object_]]:
    arr = np.asarray(clusters)
    uniques, codes = np.unique(arr, return_inverse=True)
    return codes.astype(np.intp), uniques.astype(object)


def cr1_factor(n: int, k: int, G: int, n_absorbed: int = 0, n_absorbed_nested: int = 0) -> float:
    """Small-sample factor ``G/(G-1) * (n-1)/(n-K)``, ``K = k + absorbed - nested``."""
    K = k + n_absorbed - n_absorbed_nested
    if G < 2 or n - K <= 0:
        return float("nan")
    return G / (G - 1) * (n - 1) / (n - K)


def vcov_cr1(
    X: ArrayLike,
    resid: ArrayLike,
    clusters: ArrayLike,
    n_absorbed_nested: int = 0,
    n_absorbed: int | None = None,
) -> Array:
    """Cluster-robust CR1 covariance (Liang and Zeger 1986) with the fixest/reghdfe factor.

    ``n_absorbed`` is the total number of absorbed fixed-effect parameters (defaults to
    ``n_absorbed_nested``, i.e. all absorbed effects nested in the clusters) and
    ``n_absorbed_nested`` those nested in the clusters, which are not counted in K.
    """
    Xa = _as_2d(X)
    meat, factor = _cluster_meat(Xa, resid, clusters, n_absorbed_nested, n_absorbed)
    bread = _bread(Xa)
    return factor * (bread @ meat @ bread)


def _cluster_meat(
    Xa: Array, resid: ArrayLike, clusters: ArrayLike, nested: int, absorbed: int | None
) -> tuple[Array, float]:
    """``sum_g s_g s_g'`` of the cluster scores and the CR1 small-sample factor."""
    n, k = Xa.shape
    scores, G = cluster_scores(Xa, np.asarray(resid, dtype=float), clusters)
    factor = cr1_factor(n, k, G, nested if absorbed is None else absorbed, nested)
    return scores.T @ scores, factor


def vcov_hc1_wls(bread: Array, X: ArrayLike, wresid: ArrayLike) -> Array:
    """HC1 of weighted least squares: ``n/(n-k) * B (sum_i x_i x_i' (w_i e_i)^2) B``.

    ``bread`` is ``(X'WX)^-1`` (the caller has it from the coefficients) and ``wresid`` the
    residuals times the weights, ``w_i e_i``.
    """
    Xa, we, dof = _residual_dof(X, wresid, 0)
    if dof <= 0:
        return np.full((Xa.shape[1],) * 2, np.nan)
    Xe = Xa * we[:, None]
    return len(Xa) / dof * bread @ (Xe.T @ Xe) @ bread


def vcov_cr1_wls(
    bread: Array,
    X: ArrayLike,
    wresid: ArrayLike,
    clusters: ArrayLike,
    n_absorbed_nested: int = 0,
    n_absorbed: int | None = None,
) -> Array:
    """CR1 of weighted least squares: the :func:`vcov_cr1` factor times
    ``B (sum_g s_g s_g') B`` with cluster scores ``s_g = sum_{i in g} x_i w_i e_i``.

    ``bread`` is ``(X'WX)^-1`` and ``wresid`` the residuals times the weights.
    """
    meat, factor = _cluster_meat(_as_2d(X), wresid, clusters, n_absorbed_nested, n_absorbed)
    return factor * bread @ meat @ bread
