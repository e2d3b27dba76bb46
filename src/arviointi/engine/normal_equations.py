"""Exact two-way fixed-effects least squares from grouped aggregates.

Model ``y_it = a_i + d_t + w_it' b + e_it`` on an unbalanced panel. Absorbing the unit
effects (within-unit demeaning) leaves a regression of ``y~`` on ``w~`` and the ``T - 1``
demeaned time dummies, whose normal equations need only

* per period ``s``: ``N_s``, ``sum w``, ``sum y`` and the totals ``sum w w'``, ``sum w y``;
* per observation pattern ``p`` (units seen in the same periods, ``o_p`` the 0/1 vector,
  ``n_p`` its length, ``c_p`` units): ``sum_i wbar_i``, ``sum_i ybar_i``,
  ``sum_i n_i wbar_i wbar_i'`` and ``sum_i n_i wbar_i ybar_i``;

because ``T~'T~ = diag(N) - sum_p c_p o_p o_p' / n_p``, ``T~'w~ = sum_s w - sum_p o_p
sum_i wbar_i`` and ``w~'w~ = sum w w' - sum_i n_i wbar_i wbar_i'``. The system has
``k + T - 1`` unknowns whatever the number of rows, and its solution is the least-squares
solution itself (no iteration, no tolerance). The CR1 bread is the top-left block of its
inverse (the Frisch-Waugh-Lovell partialled regressor ``w`` minus its two-way projection).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from arviointi.engine.sql import BITS
from arviointi.errors import DesignError

Array = NDArray[np.float64]


@dataclass
class Moments:
    """The aggregates of the two first passes, as arrays (T periods, k regressors)."""

    N: Array  # (T,) complete rows per period
    SW: Array  # (T, k)
    SY: Array  # (T,)
    WW: Array  # (k, k)
    WY: Array  # (k,)
    YY: float
    A: Array  # (T, T) sum_p c_p o_p o_p' / n_p
    OMW: Array  # (T, k) sum_p o_p sum_i wbar_i
    OMY: Array  # (T,)
    QWW: Array  # (k, k)
    QWY: Array  # (k,)
    QYY: float


def _sym(frame: pd.DataFrame, prefix: str, k: int) -> Array:
    out = np.zeros((k, k))
    for a in range(k):
        for b in range(a, k):
            out[a, b] = out[b, a] = float(frame[f"{prefix}{a}_{b}"].sum())
    return out


def pattern_matrix(patterns: pd.DataFrame, n_times: int) -> NDArray[np.bool_]:
    """The 0/1 observation vectors (patterns x T) decoded from the mask words."""
    words = (n_times + BITS - 1) // BITS
    bits = np.arange(BITS, dtype=np.int64)
    cols = []
    for w in range(words):
        m = patterns[f"m{w}"].to_numpy(dtype=np.int64)
        cols.append(((m[:, None] >> bits[None, :]) & 1).astype(bool))
    return np.concatenate(cols, axis=1)[:, :n_times]


def moments(
    bytime: pd.DataFrame, patterns: pd.DataFrame, obs: NDArray[np.bool_], k: int
) -> Moments:
    """Assemble :class:`Moments`; ``bytime`` sorted by period code, ``obs`` from the patterns."""
    T = len(bytime)
    weight = patterns["cnt"].to_numpy(dtype=float) / patterns["n"].to_numpy(dtype=float)
    A = np.zeros((T, T))
    MW = patterns[[f"mw{j}" for j in range(k)]].to_numpy(dtype=float)
    MY = patterns["my"].to_numpy(dtype=float)
    OMW = np.zeros((T, k))
    OMY = np.zeros(T)
    step = 50_000
    for lo in range(0, len(obs), step):
        Oc = obs[lo : lo + step].astype(float)
        A += (Oc * weight[lo : lo + step, None]).T @ Oc
        OMW += Oc.T @ MW[lo : lo + step]
        OMY += Oc.T @ MY[lo : lo + step]
    return Moments(
        N=bytime["n"].to_numpy(dtype=float),
        SW=bytime[[f"sw{j}" for j in range(k)]].to_numpy(dtype=float),
        SY=bytime["sy"].to_numpy(dtype=float),
        WW=_sym(bytime, "ww", k),
        WY=np.array([float(bytime[f"wy{j}"].sum()) for j in range(k)]),
        YY=float(bytime["yy"].sum()),
        A=A,
        OMW=OMW,
        OMY=OMY,
        QWW=_sym(patterns, "qww", k),
        QWY=np.array([float(patterns[f"qwy{j}"].sum()) for j in range(k)]),
        QYY=float(patterns["qyy"].sum()),
    )


@dataclass
class Solution:
    """Coefficients, time effects (period 0 = 0), time projections and the bread."""

    beta: Array
    delta: Array  # (T,)
    gamma: Array  # (T, k)
    bread: Array  # (k, k) = (Z''Z'')^-1


def solve(m: Moments, names: list[str]) -> Solution:
    """Solve the reduced normal equations (see the module docstring) by the Schur complement."""
    k = m.WW.shape[0]
    T1 = (np.diag(m.N) - m.A)[1:, 1:]
    TW = (m.SW - m.OMW)[1:]
    TY = (m.SY - m.OMY)[1:]
    WWt = m.WW - m.QWW
    WYt = m.WY - m.QWY
    if len(T1):
        try:
            gamma1 = np.linalg.solve(T1, TW)
            ty1 = np.linalg.solve(T1, TY)
        except np.linalg.LinAlgError as exc:
            raise DesignError(
                "the time effects are not identified (a period without units)"
            ) from exc
    else:
        gamma1, ty1 = np.zeros((0, k)), np.zeros(0)
    schur = WWt - TW.T @ gamma1
    scale = np.maximum(np.abs(np.diag(WWt)), 1e-300)
    if np.any(np.abs(np.diag(schur)) < 1e-10 * scale) or np.linalg.matrix_rank(schur) < k:
        raise DesignError(
            f"the regressors {names} are collinear with the unit and time fixed effects "
            "(or with each other): no contrast left"
        )
    bread = np.asarray(np.linalg.inv(schur), dtype=float)
    beta = np.asarray(np.linalg.solve(schur, WYt - TW.T @ ty1), dtype=float)
    delta = np.concatenate([[0.0], ty1 - gamma1 @ beta])
    gamma = np.vstack([np.zeros((1, k)), gamma1])
    return Solution(beta=beta, delta=delta, gamma=gamma, bread=bread)
