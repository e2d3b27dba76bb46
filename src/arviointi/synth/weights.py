"""Synthetic-control weights: inner simplex problem and the nested choice of V.

Follows Abadie, Diamond and Hainmueller's ``Synth`` (R) procedure:

* predictors are scaled by their standard deviation across treated and donor units
  (``ddof=1``);
* for a diagonal ``V`` (non-negative, summing to 1) the unit weights solve
  ``min_w (X1 - X0 w)' V (X1 - X0 w)`` on the simplex (:func:`simplex_lstsq`);
* ``V`` is chosen to minimise the mean squared prediction error of the outcome over the
  fit periods. The outer problem is non-convex. Like ``Synth`` we start from equal
  ``V`` and from the regression-based ``V`` (diagonal of ``B B'`` where ``B`` are the
  slopes of the fit-period outcomes on the scaled predictors), run BFGS with a
  finite-difference step of 1e-3 (R ``optim``'s default ``ndeps``) on ``|v| / sum|v|``,
  then refine with Nelder-Mead on ``log v`` until it stops improving, and keep the start
  with the lowest loss. Everything is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from arviointi.synth.simplex import simplex_lstsq

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SynthFit:
    """Weights chosen by :func:`fit_synth_weights`."""

    w: FloatArray
    v: FloatArray
    loss: float
    start: str


def scale_predictors(x1: FloatArray, x0: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Divide each predictor (row) by its standard deviation over all units."""
    both = np.column_stack([x1, x0])
    sd = both.std(axis=1, ddof=1)
    sd = np.where(sd > 0, sd, 1.0)
    return x1 / sd, x0 / sd[:, None]


def weights_for_v(x1: FloatArray, x0: FloatArray, v: FloatArray) -> FloatArray:
    """Unit weights on the simplex for a diagonal predictor weighting ``v``."""
    v = np.abs(v)
    total = v.sum()
    v = v / total if total > 0 else np.full(len(v), 1.0 / len(v))
    s = np.sqrt(v)
    return simplex_lstsq(s[:, None] * x0, s * x1)


def _mspe(z1: FloatArray, z0: FloatArray, w: FloatArray) -> float:
    r = z1 - z0 @ w
    return float(r @ r / len(r))


def fit_synth_weights(
    x1: FloatArray,
    x0: FloatArray,
    z1: FloatArray,
    z0: FloatArray,
    *,
    v: FloatArray | None = None,
) -> SynthFit:
    """Choose ``V`` (unless given) and the unit weights.

    x1 (k,), x0 (k, J): predictors of the treated unit and donors (already scaled).
    z1 (m,), z0 (m, J): outcomes over the fit periods.
    """
    k = x0.shape[0]
    if v is not None:
        vv = np.abs(np.asarray(v, dtype=np.float64))
        vv = vv / vv.sum()
        w = weights_for_v(x1, x0, vv)
        return SynthFit(w=w, v=vv, loss=_mspe(z1, z0, w), start="given")
    if k == 1:
        w = weights_for_v(x1, x0, np.ones(1))
        return SynthFit(w=w, v=np.ones(1), loss=_mspe(z1, z0, w), start="single predictor")

    def loss(par: FloatArray) -> float:
        return _mspe(z1, z0, weights_for_v(x1, x0, par))

    def loss_log(par: FloatArray) -> float:
        return loss(np.exp(np.clip(par, -50, 50)))

    starts: list[tuple[str, FloatArray]] = [("equal", np.full(k, 1.0 / k))]
    xall = np.column_stack([np.ones(x0.shape[1] + 1), np.column_stack([x1, x0]).T])
    zall = np.column_stack([z1, z0])
    try:
        beta = np.linalg.solve(xall.T @ xall, xall.T @ zall.T)[1:]
        sv = np.diag(beta @ beta.T)
        if np.all(np.isfinite(sv)) and sv.sum() > 0:
            starts.append(("regression", sv / sv.sum()))
    except np.linalg.LinAlgError:
        pass

    best: SynthFit | None = None
    for name, start in starts:
        res = minimize(loss, start, method="BFGS", options={"eps": 1e-3, "gtol": 1e-8})
        par = np.abs(res.x) if loss(res.x) <= loss(start) else start
        par = par / par.sum()
        z = np.log(np.maximum(par, 1e-10))
        current = loss_log(z)
        for _ in range(5):
            simplex = np.vstack([z] + [z + 0.5 * np.eye(k)[j] for j in range(k)])
            res2 = minimize(
                loss_log,
                z,
                method="Nelder-Mead",
                options={
                    "initial_simplex": simplex,
                    "maxiter": 400 * k,
                    "maxfev": 400 * k,
                    "xatol": 1e-9,
                    "fatol": 1e-15,
                },
            )
            if res2.fun < current - 1e-14 * max(1.0, current):
                z, current = res2.x, float(res2.fun)
            else:
                break
        vv = np.exp(np.clip(z, -50, 50))
        vv = vv / vv.sum()
        w = weights_for_v(x1, x0, vv)
        fit = SynthFit(w=w, v=vv, loss=_mspe(z1, z0, w), start=name)
        if best is None or fit.loss < best.loss:
            best = fit
    assert best is not None
    return best
