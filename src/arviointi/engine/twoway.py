"""Two-way clustered standard errors in the engine (Cameron, Gelbach and Miller 2011).

``V = V_1 + V_2 - V_12``: the CR1 covariance clustered by the first column, by the
second and by their intersection, each with its own ``G / (G - 1)`` and the common
``(n - 1) / (n - K)`` (fixest / pyfixest ``ssc(k_fixef="nonnested", G_df="conventional")``,
checked against pyfixest in the tests). The clusters need not be nested in the units
(person and month, person and area): the score of a row is its two-way partialled
regressor times its residual, ``(z_it - zbar_i)(e_it - ebar_i)``, so one query joins the
unit means back to the rows and sums the scores per intersection cell; the sums per
first and per second cluster come from the cells. Only those totals leave the engine.

A fixed-effect dimension is *nested* in the clustering when every level lies in one
cluster of one of the two columns (the unit effects under clustering by person, the
month effects under clustering by month); nested effects are not counted in ``K``
except one per nested dimension (the fixest rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from arviointi.engine.backend import Backend
from arviointi.engine.normal_equations import Solution
from arviointi.engine.sql import _pairs
from arviointi.inference.vcov import cr1_factor

DIMS = ("c", "c2", "cell")


def scores_sql(view: str, params: str, k: int) -> str:
    """Per dimension (``c``, ``c2``, their intersection): clusters and the meat."""
    z = [f"(v.w{j} - p.g{j}) AS z{j}" for j in range(k)]
    fit = " - ".join(["v.y", "p.delta", *[f"v.w{j} * p.b{j}" for j in range(k)]])
    means = [f"AVG(z{j}) AS mz{j}" for j in range(k)]
    row = [f"(r.z{j} - m.mz{j}) * (r.e - m.me) AS s{j}" for j in range(k)]
    sums = ", ".join(f"SUM(s{j}) AS s{j}" for j in range(k))
    meat = ", ".join(f"SUM(s{a} * s{b}) AS meat{a}_{b}" for a, b in _pairs(k))
    return (
        f"WITH r AS (SELECT v.u, v.t, v.c, v.c2, {', '.join(z)}, {fit} AS e FROM {view} v "
        f"JOIN {params} p ON v.t = p.t WHERE v.ok = 1), "
        f"m AS (SELECT u, {', '.join(means)}, AVG(e) AS me FROM r GROUP BY u), "
        f"rs AS (SELECT r.c, r.c2, {', '.join(row)} FROM r JOIN m ON r.u = m.u), "
        f"cells AS (SELECT c, c2, {sums} FROM rs GROUP BY c, c2), "
        f"a AS (SELECT c, {sums} FROM cells GROUP BY c), "
        f"b AS (SELECT c2, {sums} FROM cells GROUP BY c2) "
        f"SELECT 'c' AS dim, COUNT(*) AS g, {meat} FROM a "
        f"UNION ALL SELECT 'c2' AS dim, COUNT(*) AS g, {meat} FROM b "
        f"UNION ALL SELECT 'cell' AS dim, COUNT(*) AS g, {meat} FROM cells"
    )


def nesting_sql(view: str, key: str) -> str:
    """How many levels of ``key`` (``u`` or ``t``) lie in more than one cluster of each column."""
    split = "CASE WHEN MIN({0}) <> MAX({0}) THEN 1 ELSE 0 END"
    return (
        f"SELECT SUM(s1) AS s1, SUM(s2) AS s2 FROM (SELECT {key}, {split.format('c')} AS s1, "
        f"{split.format('c2')} AS s2 FROM {view} WHERE ok = 1 GROUP BY {key}) x"
    )


@dataclass
class TwoWayScores:
    """The engine's totals: clusters and meat per dimension, and which effects are nested."""

    G: dict[str, int]
    meat: dict[str, np.ndarray]
    unit_nested: bool
    time_nested: bool


def score_pass(
    backend: Backend, view: str, times_name: str, sol: Solution, tag: int
) -> TwoWayScores:
    """Run :func:`scores_sql` for the fitted ``sol`` (parameters as in the one-way pass)."""
    from arviointi.engine import sql

    k = len(sol.beta)
    rows: list[list[Any]] = [
        [tc, sol.delta[tc], *sol.gamma[tc], *sol.beta] for tc in range(len(sol.delta))
    ]
    params_name = f"arv_params2_{tag}"
    backend.materialize(params_name, sql.params_table(rows, k))
    backend.materialize(
        f"{params_name}_t",
        f"SELECT m.t, p.* FROM {times_name} m JOIN {params_name} p ON m.tc = p.tc",
    )
    frame = backend.sql(scores_sql(view, f"{params_name}_t", k))
    out = {str(r["dim"]): r for r in frame.to_dict("records")}
    meat: dict[str, np.ndarray] = {}
    for dim in DIMS:
        M = np.zeros((k, k))
        for a, b in _pairs(k):
            M[a, b] = M[b, a] = float(out[dim][f"meat{a}_{b}"])
        meat[dim] = M
    split = {key: backend.sql(nesting_sql(view, key)).iloc[0] for key in ("u", "t")}
    return TwoWayScores(
        G={dim: int(out[dim]["g"]) for dim in DIMS},
        meat=meat,
        unit_nested=not int(split["u"]["s1"]) or not int(split["u"]["s2"]),
        time_nested=not int(split["t"]["s1"]) or not int(split["t"]["s2"]),
    )


def nested_absorbed(sc: TwoWayScores, n_units: int, n_times: int) -> int:
    """Absorbed effects not counted in K: levels - 1 of each nested dimension."""
    return (n_units - 1 if sc.unit_nested else 0) + (n_times - 1 if sc.time_nested else 0)


def vcov(sc: TwoWayScores, sol: Solution, n: int, n_absorbed: int, nested: int) -> np.ndarray:
    """``V_1 + V_2 - V_12`` with the per-dimension CR1 factors."""
    k = len(sol.beta)
    V = np.zeros((k, k))
    for dim, sign in zip(DIMS, (1.0, 1.0, -1.0), strict=True):
        factor = cr1_factor(n, k, sc.G[dim], n_absorbed, nested)
        V += sign * factor * (sol.bread @ sc.meat[dim] @ sol.bread)
    return V


def details(sc: TwoWayScores, names: tuple[str, str], nested: int) -> dict[str, Any]:
    """What the result's inference details say about the two-way clustering."""
    return {
        "cluster": list(names),
        "n_clusters": {names[0]: sc.G["c"], names[1]: sc.G["c2"], "intersection": sc.G["cell"]},
        "n_absorbed_nested": nested,
        "vcov": "two-way CR1 (Cameron, Gelbach and Miller 2011): V1 + V2 - V12",
    }
