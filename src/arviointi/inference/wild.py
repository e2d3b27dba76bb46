"""Wild cluster bootstrap with the null imposed (WCR; Cameron, Gelbach and Miller 2008).

For the tested coefficient ``b`` (column ``j`` of the regressors ``X``, already within-
transformed, so the absorbed fixed effects are part of both fits by Frisch-Waugh-Lovell):

1. restricted fit under ``H0: b = b0``: residuals ``u(b0) = M_R (y - b0 x_j)`` where ``R``
   holds the other columns;
2. bootstrap samples ``y* = (y - u(b0)) + v_g u(b0)`` with one weight ``v_g`` per cluster,
   Rademacher (+-1) or Webb's six-point distribution (Webb 2023);
3. bootstrap t statistics ``t* = (b* - b0) / se_CR1*`` compared with the actual
   ``t = (b_hat - b0) / se_CR1``; p-value = share of ``|t*| >= |t|``.

Everything is linear in ``b0`` (``b* - b0 = sum_g v_g (A_g - b0 B_g)``, the bootstrap
scores likewise), so p-values for any ``b0`` come from precomputed arrays without refitting,
and the interval is found by bisection on ``p(b0) = alpha``. When ``2^G`` is at most the
number of draws, all Rademacher sign patterns are enumerated.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from arviointi import progress
from arviointi.estimation.vcov import cr1_factor
from arviointi.inference.outcome import InferenceOutcome

Array = NDArray[np.float64]

_WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


def _weights(G: int, B: int, kind: str, rng: np.random.Generator) -> tuple[Array, bool]:
    if kind == "rademacher" and 2**G <= B:
        pats = np.array(list(itertools.product((-1.0, 1.0), repeat=G)))
        return pats, True
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(B, G)), False
    if kind == "webb":
        return rng.choice(_WEBB, size=(B, G)), False
    raise ValueError(f"weights must be 'rademacher' or 'webb', got {kind!r}")


def wild_cluster_bootstrap(
    X: ArrayLike,
    y: ArrayLike,
    clusters: ArrayLike,
    j: int = 0,
    *,
    B: int = 9999,
    weights: str = "rademacher",
    n_absorbed: int = 0,
    n_absorbed_nested: int = 0,
    seed: int | None = None,
) -> InferenceOutcome:
    """Wild cluster restricted bootstrap p-value and inverted interval for coefficient ``j``.

    X, y : regressors and outcome after any within-transformation (and weighting)
    clusters : cluster id per row
    weights : "rademacher" (full enumeration when 2^G <= B) or "webb" (better for G < 12)
    n_absorbed, n_absorbed_nested : absorbed fixed effects, for the CR1 factor
    """
    Xa = np.asarray(X, dtype=float)
    if Xa.ndim == 1:
        Xa = Xa[:, None]
    ya = np.asarray(y, dtype=float)
    n, k = Xa.shape
    _, codes = np.unique(np.asarray(clusters), return_inverse=True)
    G = int(codes.max()) + 1
    rng = np.random.default_rng(seed)
    V, exact = _weights(G, B, weights, rng)

    XtX_inv = np.linalg.inv(Xa.T @ Xa)
    beta = XtX_inv @ Xa.T @ ya
    resid = ya - Xa @ beta
    c = XtX_inv[j] @ Xa.T  # b = c'y
    factor = cr1_factor(n, k, G, n_absorbed, n_absorbed_nested)

    def gsum(v: Array) -> Array:
        out = np.zeros((G, *v.shape[1:]))
        np.add.at(out, codes, v)
        return out

    se = math.sqrt(factor * float((gsum(c * resid) ** 2).sum()))
    bhat = float(beta[j])

    # restricted residuals u(b0) = M_R y - b0 M_R x_j  =: ua - b0 ub
    R = np.delete(Xa, j, axis=1)
    if R.shape[1]:
        proj = R @ np.linalg.lstsq(R, np.column_stack([ya, Xa[:, j]]), rcond=None)[0]
        ua, ub = ya - proj[:, 0], Xa[:, j] - proj[:, 1]
    else:
        ua, ub = ya.copy(), Xa[:, j].copy()
    A_g, B_g = gsum(c * ua), gsum(c * ub)
    # bootstrap scores of the unrestricted fit, per cluster g and draw d:
    # sum_{i in g} c_i [M_X (v u)]_i = v_g A_g - C_g X'(v u), with X'(v u) = sum_h v_h X_h'u_h
    C = gsum(c[:, None] * (Xa @ XtX_inv))  # G x k
    Mua, Mub = gsum(Xa * ua[:, None]).T, gsum(Xa * ub[:, None]).T  # k x G
    Pa = (V * A_g).T - C @ (Mua @ V.T)  # G x D
    Pb = (V * B_g).T - C @ (Mub @ V.T)
    num_a, num_b = V @ A_g, V @ B_g  # D

    def pvalue(b0: float) -> float:
        t_act = (bhat - b0) / se
        num = num_a - b0 * num_b
        den = np.sqrt(factor * ((Pa - b0 * Pb) ** 2).sum(axis=0))
        tstar = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        return float(np.mean(np.abs(tstar) >= abs(t_act) - 1e-12))

    def bound(alpha: float, direction: float) -> float:
        inner = bhat
        step = max(se, 1e-8)
        outer = bhat + direction * step
        for _ in range(60):
            if pvalue(outer) <= alpha:
                break
            inner, outer = outer, bhat + direction * (abs(outer - bhat) * 2)
        else:
            return direction * math.inf
        for _ in range(80):
            mid = (inner + outer) / 2
            if pvalue(mid) > alpha:
                inner = mid
            else:
                outer = mid
        return (inner + outer) / 2

    def ci(alpha: float) -> tuple[float, float]:
        # each bound is up to 140 bootstrap p-values over all draws
        label = "wild bootstrap: interval"
        lo, hi = (bound(alpha, d) for d in progress.steps((-1.0, 1.0), label))
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return (math.nan, math.nan)
        return (lo, hi)

    details = {
        "n_draws": len(V),
        "exact_enumeration": exact,
        "weights": weights,
        "n_clusters": G,
        "pvalue_floor": 1.0 / len(V) if exact else None,
    }
    return InferenceOutcome("wild", se, pvalue(0.0), None, ci, details)
