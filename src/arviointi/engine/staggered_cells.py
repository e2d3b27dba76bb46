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


def centred(blk: Block) -> Array:
    """``sum_i (y_i - ybar)(y_i - ybar)'`` within the block."""
    return np.asarray(blk.M - np.outer(blk.S, blk.S) / blk.n, dtype=float)


def influence_rows(
    blocks: dict[float, Block], defs: list[Cell | None], n: int
) -> tuple[Array, list[tuple[Array, int]], list[float]]:
    """(influence coordinates: rows x cells, each block's (centred moments, units), block
    of each row).

    Units are written in block-centred outcomes ``yc``: ``e_i = (yc_i, 1 - sum_s yc_is)``;
    a cell's influence on unit ``i`` of block ``h`` is ``scale (dy_i - mu)`` = ``L' yc_i +
    scale (dybar_h - mu)``, where ``L`` is ``scale`` at the period and ``-scale`` at the base.
    """
    keys = sorted(blocks)
    T = len(next(iter(blocks.values())).S)
    at = {h: i * (T + 1) for i, h in enumerate(keys)}
    Q = np.zeros((len(keys) * (T + 1), len(defs)))
    for j, cell in enumerate(defs):
        if cell is None:
            continue
        parts = [(cell.g, n / cell.n_g, cell.mu_g)]
        parts += [(h, -n / cell.n_c, cell.mu_c) for h in cell.controls]
        for h, scale, mu in parts:
            blk = blocks[h]
            const = scale * ((blk.S[cell.t] - blk.S[cell.b]) / blk.n - mu)
            Q[at[h] : at[h] + T, j] = const
            Q[at[h] + cell.t, j] += scale
            Q[at[h] + cell.b, j] -= scale
            Q[at[h] + T, j] = const
    moments = [(centred(blocks[h]), blocks[h].n) for h in keys]
    owner = [h for h in keys for _ in range(T + 1)]
    return Q, moments, owner


def sum_of_squares(q: Array, moments: list[tuple[Array, int]]) -> float:
    """``sum_i (e_i' q)^2`` over all units: per block ``l' Mc l + n k^2`` with
    ``k = q_T`` (the constant) and ``l = q_y - k`` (the outcome loadings)."""
    T = moments[0][0].shape[0]
    total = 0.0
    for i, (Mc, n_h) in enumerate(moments):
        block = q[i * (T + 1) : (i + 1) * (T + 1)]
        k = float(block[T])
        lv = block[:T] - k
        total += float(lv @ Mc @ lv) + n_h * k * k
    return total
