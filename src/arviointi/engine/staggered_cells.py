"""Group-time cells of the engine's Callaway-Sant'Anna estimator, from cohort moments.

:func:`cells` follows :func:`arviointi.staggered.staggered_did` cell by cell (the same
base periods and comparison groups); :func:`influence_rows` writes every cell's
influence function in the per-cohort coordinates described in
:mod:`arviointi.engine.staggered` and the block-diagonal Gram matrix ``W``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from arviointi.engine.staggered_passes import Block

Array = NDArray[np.float64]


@dataclass
class Cell:
    """One ATT(g,t): cohort position, period, base period, comparison blocks, means."""

    g: float
    t: int
    b: int
    controls: list[float]
    n_g: int
    n_c: int
    mu_g: float
    mu_c: float


def _base(gi: int, t: int, base_period: str) -> int | None:
    if t >= gi:
        return gi - 1
    if base_period == "varying":
        return t - 1
    return None if t == gi - 1 else gi - 1


def cells(
    blocks: dict[float, Block], cohorts: list[float], times: list[Any], control: str, base: str
) -> tuple[pd.DataFrame, list[Cell | None]]:
    """The ATT(g,t) table (no se yet) and each cell's definition (None: no comparison)."""
    records: list[dict[str, Any]] = []
    defs: list[Cell | None] = []
    for g in cohorts:
        gi = int(g)
        for t in range(1, len(times)):
            b = _base(gi, t, base)
            if b is None:
                continue
            ctrl = [
                h
                for h in blocks
                if not np.isfinite(h) or (control == "not_yet_treated" and h > max(t, b) and h != g)
            ]
            n_g, n_c = blocks[g].n, sum(blocks[h].n for h in ctrl)
            rec: dict[str, Any] = {
                "group": times[gi],
                "time": times[t],
                "event_time": t - gi,
                "att": np.nan,
                "n_group": n_g,
                "n_control": n_c,
                "post": t >= gi,
            }
            if n_c == 0:
                records.append(rec)
                defs.append(None)
                continue
            mu_g = (blocks[g].S[t] - blocks[g].S[b]) / n_g
            mu_c = sum(blocks[h].S[t] - blocks[h].S[b] for h in ctrl) / n_c
            rec["att"] = float(mu_g - mu_c)
            records.append(rec)
            defs.append(Cell(g, t, b, ctrl, n_g, n_c, float(mu_g), float(mu_c)))
    return pd.DataFrame(records), defs


def _gram(blk: Block) -> Array:
    """``sum_i e_i e_i'`` with ``e_i = (y_i, 1 - sum_s y_is)``."""
    T = len(blk.S)
    W = np.zeros((T + 1, T + 1))
    W[:T, :T] = blk.M
    cross = blk.S - blk.M.sum(axis=1)
    W[:T, T] = W[T, :T] = cross
    W[T, T] = blk.n - 2 * blk.S.sum() + blk.M.sum()
    return W


def influence_rows(
    blocks: dict[float, Block], defs: list[Cell | None], n: int
) -> tuple[Array, Array, list[float]]:
    """(influence coordinates: rows x cells, block-diagonal ``W``, block of each row)."""
    keys = sorted(blocks)
    T = len(next(iter(blocks.values())).S)
    at = {h: i * (T + 1) for i, h in enumerate(keys)}
    rows = len(keys) * (T + 1)
    Q = np.zeros((rows, len(defs)))
    for j, cell in enumerate(defs):
        if cell is None:
            continue
        parts = [(cell.g, n / cell.n_g, cell.mu_g)]
        parts += [(h, -n / cell.n_c, cell.mu_c) for h in cell.controls]
        for h, scale, mu in parts:
            L = np.zeros(T)
            L[cell.t], L[cell.b] = scale, -scale
            const = -scale * mu
            Q[at[h] : at[h] + T, j] = L + const
            Q[at[h] + T, j] = const
    W = np.zeros((rows, rows))
    for h in keys:
        W[at[h] : at[h] + T + 1, at[h] : at[h] + T + 1] = _gram(blocks[h])
    owner = [h for h in keys for _ in range(T + 1)]
    return Q, W, owner
