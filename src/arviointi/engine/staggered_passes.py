"""The grouped passes of the engine's Callaway-Sant'Anna estimator.

The view has fixed columns ``u`` (unit), ``t`` (period), ``y`` (outcome), ``g`` (the
unit's first treated period, NULL = never). Three passes return aggregates only:

* :func:`period_pass` - per period: complete rows and the mean outcome (for centering),
  plus the counts of missing values;
* :func:`unit_pass` - units grouped by (first treated value, periods observed,
  duplicated periods, conflicting first-treated values), with a count and one example
  unit per group (for the error messages);
* :func:`moment_pass` - for the balanced units, per first-treated value: the number of
  units, ``sum_i y_is`` per period and the cross products ``sum_i y_is y_ir`` of every
  pair of periods (outcomes centred per period). Every ATT(g,t) and every influence
  function quadratic form of the estimator is a function of these moments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from arviointi.engine.backend import Backend

CLEAN = "u IS NOT NULL AND t IS NOT NULL AND y IS NOT NULL"


def period_pass(backend: Backend, view: str, tag: int) -> tuple[pd.Series, pd.DataFrame, str]:
    """(totals, periods sorted with code ``tc`` and mean ``ybar``, name of the period table)."""
    total = backend.sql(
        "SELECT COUNT(*) AS n_all, "
        "SUM(CASE WHEN u IS NULL THEN 1 ELSE 0 END) AS null_u, "
        "SUM(CASE WHEN t IS NULL THEN 1 ELSE 0 END) AS null_t, "
        "SUM(CASE WHEN y IS NULL THEN 1 ELSE 0 END) AS null_y, "
        f"SUM(CASE WHEN {CLEAN} THEN 1 ELSE 0 END) AS n_clean FROM {view}"
    ).iloc[0]
    name = f"arv_speriods_{tag}"
    backend.materialize(
        name,
        "SELECT t, CAST(DENSE_RANK() OVER (ORDER BY t) - 1 AS INT) AS tc, ybar FROM "
        f"(SELECT t, AVG(y) AS ybar FROM {view} WHERE {CLEAN} GROUP BY t) p",
    )
    periods = backend.sql(f"SELECT t, tc, ybar FROM {name}").sort_values("tc", ignore_index=True)
    return total, periods, name


def unit_pass(backend: Backend, view: str) -> pd.DataFrame:
    """Units grouped by first-treated value ``g``, periods ``nt`` and the two defects."""
    return backend.sql(
        "WITH units AS (SELECT u, COUNT(*) AS n, COUNT(DISTINCT t) AS nt, MIN(g) AS g, "
        "MAX(g) AS g_max, COUNT(g) AS g_n "
        f"FROM {view} WHERE {CLEAN} GROUP BY u) "
        "SELECT g, nt, CASE WHEN n <> nt THEN 1 ELSE 0 END AS dup, "
        "CASE WHEN g <> g_max OR (g_n > 0 AND g_n < n) THEN 1 ELSE 0 END AS conflict, "
        "COUNT(*) AS cnt, MIN(u) AS example FROM units "
        "GROUP BY g, nt, CASE WHEN n <> nt THEN 1 ELSE 0 END, "
        "CASE WHEN g <> g_max OR (g_n > 0 AND g_n < n) THEN 1 ELSE 0 END"
    )


@dataclass
class Block:
    """The moments of the balanced units sharing one first-treated value."""

    n: int
    S: NDArray[np.float64]  # (T,) sum of centred outcomes per period
    M: NDArray[np.float64]  # (T, T) sum of products of centred outcomes


def moment_pass(
    backend: Backend, view: str, periods_name: str, n_times: int
) -> list[tuple[Any, Block]]:
    """Per first-treated value of the balanced units (``n_times`` periods each): a Block."""
    rows = (
        f"WITH units AS (SELECT u, MIN(g) AS g FROM {view} WHERE {CLEAN} GROUP BY u "
        f"HAVING COUNT(*) = {int(n_times)}), "
        "r AS (SELECT v.u, x.g, p.tc, v.y - p.ybar AS yc FROM "
        f"{view} v JOIN units x ON v.u = x.u JOIN {periods_name} p ON v.t = p.t "
        "WHERE v.y IS NOT NULL) "
    )
    sums = backend.sql(rows + "SELECT g, tc, COUNT(*) AS n, SUM(yc) AS s FROM r GROUP BY g, tc")
    gram = backend.sql(
        rows + "SELECT a.g AS g, a.tc AS s, b.tc AS r, SUM(a.yc * b.yc) AS m "
        "FROM r a JOIN r b ON a.u = b.u AND a.tc <= b.tc GROUP BY a.g, a.tc, b.tc"
    )
    return _blocks(sums, gram, n_times)


def _key(value: Any) -> Any:
    return None if value is None or bool(pd.isna(value)) else value


def _blocks(sums: pd.DataFrame, gram: pd.DataFrame, T: int) -> list[tuple[Any, Block]]:
    out: dict[Any, Block] = {}
    for rec in sums.to_dict("records"):
        key = _key(rec["g"])
        blk = out.setdefault(key, Block(0, np.zeros(T), np.zeros((T, T))))
        blk.S[int(rec["tc"])] = float(rec["s"])
        blk.n = int(rec["n"])  # the same in every period of a balanced block
    for rec in gram.to_dict("records"):
        blk = out[_key(rec["g"])]
        s, r = int(rec["s"]), int(rec["r"])
        blk.M[s, r] = blk.M[r, s] = float(rec["m"])
    return list(out.items())
