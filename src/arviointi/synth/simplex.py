"""Least squares on the probability simplex, the inner problem of synth and SDID.

``simplex_lstsq`` solves

    min_w ||A w - b||^2 + ridge * ||w||^2   subject to   w >= 0, sum(w) = 1

deterministically: a Lawson-Hanson NNLS on the problem augmented with a heavily
weighted row for the sum constraint finds the support, then the equality-constrained
least squares on that support is solved exactly (null-space method) and kept when it is
feasible and no worse. ``intercept=True`` adds a free intercept (SDID's omega_0 / lambda_0),
handled exactly by centring the rows of ``A`` and ``b``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import nnls

FloatArray = NDArray[np.float64]


def _objective(a: FloatArray, b: FloatArray, w: FloatArray, ridge: float) -> float:
    r = a @ w - b
    return float(r @ r + ridge * (w @ w))


def _equality_lstsq(a: FloatArray, b: FloatArray, ridge: float) -> FloatArray:
    """min ||a w - b||^2 + ridge ||w||^2 s.t. sum(w) = 1 (no sign constraint)."""
    k = a.shape[1]
    if k == 1:
        return np.ones(1)
    w0 = np.full(k, 1.0 / k)
    # orthonormal basis of {z : sum(z) = 0}
    q, _ = np.linalg.qr(np.vstack([np.ones(k), np.eye(k)[:-1]]).T)
    null = q[:, 1:]
    a_aug = a @ null
    r_aug = b - a @ w0
    if ridge > 0:
        a_aug = np.vstack([a_aug, np.sqrt(ridge) * null])
        r_aug = np.concatenate([r_aug, -np.sqrt(ridge) * w0])
    z, *_ = np.linalg.lstsq(a_aug, r_aug, rcond=None)
    return np.asarray(w0 + null @ z, dtype=np.float64)


def simplex_lstsq(
    a: FloatArray, b: FloatArray, *, ridge: float = 0.0, intercept: bool = False
) -> FloatArray:
    """Weights on the simplex minimising ``||a w - b||^2 + ridge ||w||^2``.

    Parameters
    ----------
    a : (m, k) matrix whose columns are the candidates (donor units or periods)
    b : (m,) target
    ridge : non-negative penalty on ``||w||^2``
    intercept : allow a free constant shift ``a w + c`` (solved out exactly by centring)
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if intercept:
        a = a - a.mean(axis=0, keepdims=True)
        b = b - b.mean()
    k = a.shape[1]
    if k == 1:
        return np.ones(1)
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), 1.0)
    big = 1e3 * scale
    rows = [a]
    rhs = [b]
    if ridge > 0:
        rows.append(np.sqrt(ridge) * np.eye(k))
        rhs.append(np.zeros(k))
    rows.append(big * np.ones((1, k)))
    rhs.append(np.array([big]))
    w_nnls, _ = nnls(np.vstack(rows), np.concatenate(rhs), maxiter=50 * k)
    w_nnls = np.clip(w_nnls, 0.0, None)
    w_nnls = w_nnls / w_nnls.sum()
    best = w_nnls
    best_obj = _objective(a, b, best, ridge)
    # polish on the support: exact equality-constrained solution
    support = np.flatnonzero(w_nnls > 1e-9)
    for _ in range(k):
        ws = _equality_lstsq(a[:, support], b, ridge)
        if (ws >= 0).all():
            cand = np.zeros(k)
            cand[support] = ws
            obj = _objective(a, b, cand, ridge)
            if obj <= best_obj + 1e-12 * max(1.0, best_obj):
                best, best_obj = cand, obj
            break
        # drop the most negative weight and try again (a step of the active-set method)
        support = np.delete(support, int(np.argmin(ws)))
        if len(support) == 0:
            break
    return best
