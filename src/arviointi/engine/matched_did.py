"""The matched person fixed-effects DiD computed in DuckDB or Spark.

The same model and numbers as :func:`arviointi.matching.person_fe_did`: ``y_it = a_i +
g_t + d * post_it + beta * treated_post_it + e_it`` with person and (optionally) month
effects, weighted least squares with the matching weights (constant within person),
CR1 clustered by person with the reghdfe / pyfixest factor. The person-month panel stays
in the engine: the weights (one per person, e.g. from
:func:`arviointi.matching.coarsened_exact_match`) are sent to the engine as a small
table and joined there, and the three grouped passes of :mod:`arviointi.engine.passes`
run weighted (every sum is multiplied by the person's weight; the observation patterns
carry the sum of their weights). Without month effects the period is a constant, so the
time effects reduce to the intercept.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from arviointi.data.frames import require_columns
from arviointi.engine import passes
from arviointi.engine.backend import Backend, open_backend
from arviointi.engine.determinism import settle_result
from arviointi.engine.normal_equations import Moments, moments, solve
from arviointi.errors import DesignError, InputError, Problem
from arviointi.inference.vcov import cr1_factor
from arviointi.matching.fe_did import person_fe_result
from arviointi.matching.result import MatchResult
from arviointi.results.base import EffectResults

_ids = itertools.count()
COLUMNS = ["person_id", "month", "post", "treated", "treated_post"]


def person_fe_did(
    panel: Any,
    *,
    outcome: str = "employed",
    weights: pd.Series | MatchResult | None = None,
    month_effects: bool = True,
    alpha: float = 0.05,
    engine: str = "duckdb",
    spark: Any = None,
) -> EffectResults:
    """:func:`arviointi.matching.person_fe_did` on a panel the engine reads.

    ``panel`` is anything :mod:`arviointi.data.frames` accepts (e.g. a Parquet dataset)
    with the columns of :func:`arviointi.matching.did_panel`; ``weights`` a MatchResult
    or a Series of weights indexed by person_id (persons without a positive weight are
    left out and counted in the notes).
    """
    require_columns(panel, [*COLUMNS, outcome])
    table = _weight_table(weights)
    backend = open_backend(panel, engine, spark=spark)
    try:
        res = _fit(backend, outcome, table, month_effects, alpha, weights is not None)
        return settle_result(res)
    finally:
        backend.close()


def _weight_table(weights: pd.Series | MatchResult | None) -> pd.DataFrame | None:
    if weights is None:
        return None
    w = weights.weights() if isinstance(weights, MatchResult) else weights
    values = pd.to_numeric(w, errors="coerce").astype(float)
    if (values < 0).any():
        raise InputError("<DataFrame argument weights>", "expected non-negative weights")
    keep = values > 0
    return pd.DataFrame({"pid": w.index[keep.to_numpy()], "pw": values[keep].to_numpy()})


def _select(backend: Backend, columns: str, source: str | None) -> str:
    """A view of ``columns`` over the input, or over the view ``source`` when given."""
    if source is None:
        return backend.view_of_input(columns)
    return backend.view_of_sql(f"SELECT {columns} FROM {source}")


def _view(
    backend: Backend,
    outcome: str,
    table: pd.DataFrame | None,
    month_effects: bool,
    source: str | None = None,
) -> str:
    q = backend.quote
    values = [outcome, "post", "treated_post", "treated"]
    complete = " AND ".join(f"{q(c)} IS NOT NULL" for c in values)
    time = q("month") if month_effects else "CAST(0 AS INT)"
    rows = _select(
        backend,
        f"{q('person_id')} AS u, {time} AS t, CAST({q(outcome)} AS DOUBLE) AS y, "
        f"CAST({q('treated')} AS DOUBLE) AS d, CAST({q('treated_post')} AS DOUBLE) AS w0, "
        f"CAST({q('post')} AS DOUBLE) AS w1, {q('person_id')} AS c, "
        f"CASE WHEN {complete} THEN 1 ELSE 0 END AS ok",
        source,
    )
    if table is None:
        return rows
    name = f"arv_weights_{next(_ids)}"
    backend.register_frame(name, table)
    return backend.view_of_sql(f"SELECT r.*, x.pw FROM {rows} r JOIN {name} x ON r.u = x.pid")


def _left_out(backend: Backend, table: pd.DataFrame | None, source: str | None) -> int:
    """Persons of the panel without a positive weight."""
    if table is None:
        return 0
    q = backend.quote
    name = f"arv_weights_{next(_ids)}"
    backend.register_frame(name, table)
    rows = _select(backend, f"{q('person_id')} AS u", source)
    out = backend.sql(
        f"SELECT COUNT(DISTINCT r.u) AS n FROM {rows} r LEFT JOIN {name} x ON r.u = x.pid "
        "WHERE x.pid IS NULL"
    )
    return int(out["n"].iloc[0])


def _subset(m: Moments, keep: list[int]) -> Moments:
    """The moments of the regressors ``keep`` only."""
    ix = np.ix_(keep, keep)
    return Moments(
        N=m.N, SW=m.SW[:, keep], SY=m.SY, WW=m.WW[ix], WY=m.WY[keep], YY=m.YY, A=m.A,
        OMW=m.OMW[:, keep], OMY=m.OMY, QWW=m.QWW[ix], QWY=m.QWY[keep], QYY=m.QYY,
    )  # fmt: skip


def fit_on(
    backend: Backend,
    source: str | None,
    *,
    outcome: str,
    weights: pd.Series | MatchResult | None,
    alpha: float,
    month_effects: bool = True,
) -> EffectResults:
    """:func:`person_fe_did` on an open backend, from the view ``source`` (the columns of
    :func:`arviointi.matching.did_panel`) or from the input when None."""
    table = _weight_table(weights)
    res = _fit(backend, outcome, table, month_effects, alpha, weights is not None, source)
    return settle_result(res)


def _fit(
    backend: Backend,
    outcome: str,
    table: pd.DataFrame | None,
    month_effects: bool,
    alpha: float,
    weighted: bool,
    source: str | None = None,
) -> EffectResults:
    tag = next(_ids)
    notes: list[str] = []
    n_out = _left_out(backend, table, source)
    if n_out:
        notes.append(f"{n_out} person(s) without a positive matching weight left out")
    view = _view(backend, outcome, table, month_effects, source)
    wt = table is not None
    counts = {"null_v": "ok = 0"}
    total, bytime, times_name = passes.time_pass(backend, view, 2, counts, tag, wt)
    if int(total["n_all"]) == 0:
        raise DesignError("no person-months left for the person fixed-effects DiD")
    if int(total["null_v"]):
        raise InputError(
            backend.label,
            [Problem(f"columns {[outcome, 'post', 'treated_post', 'treated']!r}",
                     f"{int(total['null_v'])} rows with missing values")],
        )  # fmt: skip
    T = len(bytime)
    unit_keys = {"ever": "CAST(MAX(r.d) AS INT)"}
    patterns, obs = passes.pattern_pass(backend, view, times_name, 2, T, unit_keys, tag, wt)
    units = patterns["units"] if wt else patterns["cnt"]
    n_treated = int(units[patterns["ever"] == 1].sum())
    n_control = int(units[patterns["ever"] == 0].sum())
    if n_treated == 0 or n_control == 0:
        raise DesignError("the person fixed-effects DiD needs treated and comparison persons")
    full = moments(bytime, patterns, obs, 2)
    within = full.WW[0, 0] - full.QWW[0, 0]
    if math.sqrt(max(within, 0.0)) <= 1e-10 * max(1.0, math.sqrt(full.WW[0, 0])):
        raise DesignError(
            "treated_post has no within-person variation: no treated person is seen both "
            "before and after entry"
        )
    keep, dropped = [0, 1], []
    try:
        sol = solve(full, ["treated_post", "post"])
    except DesignError:
        keep, dropped = [0], ["post"]
        notes.append("post is collinear with the month effects and was left out")
        sol = solve(_subset(full, keep), ["treated_post"])
    sc = passes.score_pass(backend, view, times_name, sol, tag, wt)
    n_obs = int(bytime["n_rows"].sum()) if wt else int(bytime["n"].sum())
    n_units = int(units.sum())
    return _result(sol, sc, n_obs, n_units, T, n_treated, n_control, keep, dropped, notes,
                   outcome, alpha, month_effects, weighted, backend.name)  # fmt: skip


def _result(
    sol: Any,
    sc: pd.Series,
    n_obs: int,
    G: int,
    T: int,
    n_treated: int,
    n_control: int,
    keep: list[int],
    dropped: list[str],
    notes: list[str],
    outcome: str,
    alpha: float,
    month_effects: bool,
    weighted: bool,
    engine: str,
) -> EffectResults:
    k = len(keep)
    meat = np.zeros((k, k))
    for a in range(k):
        for b in range(a, k):
            meat[a, b] = meat[b, a] = float(sc[f"meat{a}_{b}"])
    factor = cr1_factor(n_obs, k, G, G + T - 1, G - 1)
    vcov = factor * sol.bread @ meat @ sol.bread
    return person_fe_result(
        float(sol.beta[0]),
        float(math.sqrt(vcov[0, 0])),
        float(sol.beta[1]) if 1 in keep else math.nan,
        n_groups=G,
        n_obs=n_obs,
        n_treated=n_treated,
        n_control=n_control,
        outcome=outcome,
        alpha=alpha,
        month_effects=month_effects,
        dropped=dropped,
        notes=notes,
        weighted=weighted,
        details={"engine": engine},
    )
