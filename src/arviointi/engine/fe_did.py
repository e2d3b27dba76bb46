"""``did`` with unit and time fixed effects, computed in a SQL engine (DuckDB or Spark).

The same model and numbers as :func:`arviointi.did.did` in its panel form (absorbing,
common-start treatment, unbalanced panels allowed, optional covariates, CR1 clustered by
the unit or by a coarser cluster column nested in the treatment groups, or classical
errors), but the rows never leave the engine: three grouped passes
(:mod:`arviointi.engine.sql`) return a few aggregates per period and per observation
pattern, and :mod:`arviointi.engine.normal_equations` solves the exact least-squares
problem from them. Memory on the Python side is obs(T^2 + patterns * T), not obs(rows).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from arviointi.data.frames import require_columns
from arviointi.engine import passes, twoway
from arviointi.engine.backend import Backend, open_backend
from arviointi.engine.determinism import settle_result
from arviointi.engine.normal_equations import moments, solve
from arviointi.engine.results import EngineDiDResults
from arviointi.errors import DesignError, InputError, ParamsError, Problem
from arviointi.inference import Design, choose
from arviointi.inference.vcov import cr1_factor
from arviointi.results.base import InferenceInfo

_ids = itertools.count()
ENGINE_METHODS = ("cluster", "classical")


def _view(backend: Backend, cols: dict[str, str], covs: list[str]) -> str:
    q = backend.quote
    select = [
        f"{q(cols['unit'])} AS u",
        f"{q(cols['time'])} AS t",
        f"CAST({q(cols['outcome'])} AS DOUBLE) AS y",
        f"CAST({q(cols['treatment'])} AS DOUBLE) AS d",
        f"CAST({q(cols['treatment'])} AS DOUBLE) AS w0",
        *[f"CAST({q(c)} AS DOUBLE) AS w{j + 1}" for j, c in enumerate(covs)],
        f"{q(cols['cluster'])} AS c",
    ]
    if "cluster2" in cols:
        select.append(f"{q(cols['cluster2'])} AS c2")
    values = [cols["outcome"], cols["treatment"], *covs]
    complete = " AND ".join(f"{q(c)} IS NOT NULL" for c in values)
    select.append(f"CASE WHEN {complete} THEN 1 ELSE 0 END AS ok")
    return backend.view_of_input(", ".join(select))


def _check_rows(total: pd.Series, cols: dict[str, str], covs: list[str], label: str) -> list[str]:
    """Errors for missing keys and non-binary treatment; the warning for dropped rows."""
    keys = {"u": cols["unit"], "t": cols["time"], "c": cols["cluster"]}
    if "cluster2" in cols:
        keys["c2"] = cols["cluster2"]
    problems = [
        Problem(
            f"column {name!r}",
            f"{int(total[f'null_{k}'])} missing values; the panel keys must be complete",
        )
        for k, name in keys.items()
        if int(total[f"null_{k}"])
    ]
    if problems:
        raise InputError(label, list({p.location: p for p in problems}.values()))
    if int(total["bad_d"]):
        raise InputError(
            label,
            [
                Problem(
                    f"column {cols['treatment']!r}",
                    f"expected 0 or 1; {int(total['bad_d'])} other values",
                )
            ],
        )
    n_all, n_ok = int(total["n_all"]), int(total["n"])
    if n_ok == 0:
        raise InputError(label, "no rows left after dropping rows with missing values")
    if n_ok == n_all:
        return []
    names = [cols["outcome"], cols["treatment"], *covs]
    counts = {c: int(total[f"null_v{j}"]) for j, c in enumerate(names) if int(total[f"null_v{j}"])}
    return [
        f"dropped {n_all - n_ok} of {n_all} rows with missing values (missing per column: {counts})"
    ]


def _check_patterns(
    patterns: pd.DataFrame, obs: np.ndarray, cols: dict[str, str], times: list[Any], label: str
) -> int:
    """The design checks of the panel form; returns the common start's period code."""
    unit, time, treat = cols["unit"], cols["time"], cols["treatment"]
    dup = obs.sum(axis=1) != patterns["n"].to_numpy()
    if dup.any():
        extra = int((patterns["n"] - obs.sum(axis=1))[dup].mul(patterns["cnt"][dup]).sum())
        raise InputError(
            label,
            [
                Problem(
                    f"columns {unit!r}/{time!r}",
                    f"expected one row per unit and period; {extra} duplicated rows",
                )
            ],
        )
    if int(patterns["off"].sum()):
        raise DesignError(
            f"{label}: column {treat!r}: some units switch treatment off (1 then 0); "
            "did() expects an absorbing treatment"
        )
    ever = patterns["ever"].to_numpy() == 1
    if not ever.any():
        raise DesignError(f"{label}: column {treat!r} is never 1: there is no treated unit")
    if ever.all():
        raise DesignError(
            f"{label}: every unit is treated at some point (column {treat!r}); DiD needs "
            "never-treated comparison units"
        )
    starts = sorted({int(s) for s in patterns.loc[ever, "ft"]})
    if len(starts) > 1:
        shown = [times[s] for s in starts[:10]]
        raise DesignError(
            f"{label}: treated units start at different times in column {time!r} ({shown}); "
            "staggered adoption needs arviointi.staggered"
        )
    t0 = starts[0]
    if not obs[ever, :t0].any():
        raise DesignError(
            f"{label}: no pre-period: the treated units have no rows before {times[t0]!r} "
            f"(column {time!r})"
        )
    return t0


def _inference(
    method: str, sol: Any, sc: pd.Series, n: int, k: int, n_units: int, T: int, nested: int
) -> tuple[np.ndarray, float]:
    n_absorbed = n_units + T - 1
    if method == "classical":
        dof = n - k - n_absorbed
        return float(sc["rss"]) / dof * sol.bread, float(dof)
    meat = np.zeros((k, k))
    for a in range(k):
        for b in range(a, k):
            meat[a, b] = meat[b, a] = float(sc[f"meat{a}_{b}"])
    G = int(sc["n_clusters"])
    factor = cr1_factor(n, k, G, n_absorbed, nested)
    return factor * (sol.bread @ meat @ sol.bread), float(G - 1)


def did(
    data: Any,
    outcome: str,
    *,
    unit: str,
    time: str,
    treatment: str,
    covariates: list[str] | None = None,
    cluster: str | list[str] | None = None,
    inference: str = "auto",
    alpha: float = 0.05,
    engine: str = "duckdb",
    spark: Any = None,
) -> EngineDiDResults:
    """Two-way fixed-effects DiD computed by ``engine`` ("duckdb" or "spark").

    ``data`` is anything :mod:`arviointi.data.frames` accepts; ``spark`` an existing
    session (default: the active one, else a local one). ``inference`` is "auto",
    "cluster" (CR1, clusters = ``cluster`` or the unit) or "classical"; the design-based
    methods need the rows and run in :func:`arviointi.did.did`. ``cluster`` may name two
    columns (e.g. ``["person", "month"]``): two-way clustered CR1
    (:mod:`arviointi.engine.twoway`), with ``inference`` "auto" or "cluster".
    """
    if not 0 < alpha < 1:
        raise ParamsError("did(alpha=...)", f"alpha must be in (0, 1), got {alpha!r}")
    covs = list(covariates or [])
    cols = {"unit": unit, "time": time, "outcome": outcome, "treatment": treatment}
    cols |= _cluster_columns(cluster, unit, inference)
    require_columns(data, [*cols.values(), *covs])
    backend = open_backend(data, engine, spark=spark)
    try:
        return settle_result(_fit(backend, cols, covs, inference, alpha))
    finally:
        backend.close()


def _cluster_columns(cluster: str | list[str] | None, unit: str, inference: str) -> dict[str, str]:
    """``cluster``/``cluster2`` from a name, a list of one or two names, or None (the unit)."""
    if cluster is None or isinstance(cluster, str):
        return {"cluster": cluster or unit}
    names = list(cluster)
    if len(names) == 1:
        return {"cluster": names[0]}
    if len(names) != 2 or len(set(names)) != 2:
        raise ParamsError(
            "did(cluster=...)", f"expected one column or two different columns, got {cluster!r}"
        )
    if inference not in ("auto", "cluster"):
        raise ParamsError(
            "did(inference=...)",
            f"two-way clustering ({names}) is CR1; inference must be 'auto' or 'cluster', "
            f"got {inference!r}",
        )
    return {"cluster": names[0], "cluster2": names[1]}


def _fit(
    backend: Backend, cols: dict[str, str], covs: list[str], inference: str, alpha: float
) -> EngineDiDResults:
    label, k, tag = backend.label, 1 + len(covs), next(_ids)
    view = _view(backend, cols, covs)
    values = ["y", "d", *[f"w{j + 1}" for j in range(len(covs))]]
    keys = ("u", "t", "c", "c2") if "cluster2" in cols else ("u", "t", "c")
    counts = {f"null_{c}": f"{c} IS NULL" for c in keys}
    counts |= {f"null_v{j}": f"{v} IS NULL" for j, v in enumerate(values)}
    counts["bad_d"] = "d IS NOT NULL AND d <> 0 AND d <> 1"
    total, bytime, times_name = passes.time_pass(backend, view, k, counts, tag)
    warnings = _check_rows(total, cols, covs, label)
    T, times = len(bytime), bytime["t"].tolist()
    unit_keys = {
        "ever": "CAST(MAX(r.d) AS INT)",
        "ft": "MIN(CASE WHEN r.d = 1 THEN r.tc END)",
        "off": "CASE WHEN MAX(CASE WHEN r.d = 0 THEN r.tc END) > "
        "MIN(CASE WHEN r.d = 1 THEN r.tc END) THEN 1 ELSE 0 END",
    }
    patterns, obs = passes.pattern_pass(backend, view, times_name, k, T, unit_keys, tag)
    t0 = _check_patterns(patterns, obs, cols, times, label)
    names = [cols["treatment"], *covs]
    sol = solve(moments(bytime, patterns, obs, k), names)
    if "cluster2" in cols:
        two = twoway.score_pass(backend, view, times_name, sol, tag)
        return _result_twoway(sol, two, patterns, bytime, t0, cols, names, alpha, warnings, backend)
    sc = passes.score_pass(backend, view, times_name, sol, tag)
    passes.check_clusters(sc, cols, label)
    return _result(sol, sc, patterns, bytime, t0, cols, names, inference, alpha, warnings, backend)


def _result(
    sol: Any,
    sc: pd.Series,
    patterns: pd.DataFrame,
    bytime: pd.DataFrame,
    t0: int,
    cols: dict[str, str],
    names: list[str],
    inference: str,
    alpha: float,
    warnings: list[str],
    backend: Backend,
) -> EngineDiDResults:
    n, k, T = int(bytime["n"].sum()), len(names), len(bytime)
    n_units = int(patterns["cnt"].sum())
    G, n_tr = int(sc["n_clusters"]), int(sc["treated_clusters"])
    design = Design(n_tr, G - n_tr, t0, T - t0, True)
    method, reason, more = choose(design, inference, alpha)
    if method not in ENGINE_METHODS:
        raise DesignError(
            f"inference={method!r} ({reason}) needs the person-level rows; the engine computes "
            "'cluster' (CR1) and 'classical' errors. Run arviointi.did.did on a pandas extract "
            "(engine: pandas) for design-based inference"
        )
    # unit effects are nested in the clusters (checked: no unit lies in two clusters)
    nested = n_units - 1
    if (bytime["n"] == 1).all() and cols["cluster"] == cols["unit"]:
        nested += T - 1
    V, df = _inference(method, sol, sc, n, k, n_units, T, nested)
    se = math.sqrt(V[0, 0]) if np.isfinite(V[0, 0]) and V[0, 0] >= 0 else None
    est = float(sol.beta[0])
    pvalue = float(2 * stats.t.sf(abs(est) / se, df)) if se else None
    details: dict[str, Any] = {"design": design.as_dict(), "engine": backend.name}
    if method == "cluster":
        details |= {"n_clusters": G, "n_absorbed_nested": nested}
    table = pd.DataFrame(
        {"estimate": sol.beta, "se": np.sqrt(np.diag(V))},
        index=pd.Index(["treatment", *names[1:]], name="term"),
    )
    table.attrs["se_type"] = method
    info = InferenceInfo(method=method, reason=reason, df=df, requested=inference, details=details)
    return EngineDiDResults(
        estimate=est,
        se=se,
        pvalue=pvalue,
        inference=info,
        n_obs=n,
        n_treated=n_tr,
        n_control=G - n_tr,
        outcome=cols["outcome"],
        alpha=alpha,
        warnings=[*warnings, *more],
        coef_table=table,
        design=design,
        engine=backend.name,
        aggregates={"periods": T, "patterns": len(patterns), "clusters": G, "units": n_units},
    )


def _result_twoway(
    sol: Any,
    sc: twoway.TwoWayScores,
    patterns: pd.DataFrame,
    bytime: pd.DataFrame,
    t0: int,
    cols: dict[str, str],
    names: list[str],
    alpha: float,
    warnings: list[str],
    backend: Backend,
) -> EngineDiDResults:
    """The result with two-way clustered CR1 errors (df = fewest clusters - 1)."""
    n, T = int(bytime["n"].sum()), len(bytime)
    n_units = int(patterns["cnt"].sum())
    n_tr = int(patterns.loc[patterns["ever"] == 1, "cnt"].sum())
    nested = twoway.nested_absorbed(sc, n_units, T)
    V = twoway.vcov(sc, sol, n, n_units + T - 1, nested)
    G = min(sc.G["c"], sc.G["c2"])
    df = float(G - 1)
    diag = np.diag(V)
    ses = np.where(np.isfinite(diag) & (diag >= 0), np.sqrt(np.abs(diag)), np.nan)
    se = float(ses[0]) if np.isfinite(ses[0]) else None
    est = float(sol.beta[0])
    pvalue = float(2 * stats.t.sf(abs(est) / se, df)) if se else None
    design = Design(n_tr, n_units - n_tr, t0, T - t0, True)
    pair = (cols["cluster"], cols["cluster2"])
    details = {"design": design.as_dict(), "engine": backend.name}
    details |= twoway.details(sc, pair, nested)
    if se is None:
        warnings = [*warnings, "the two-way covariance V1 + V2 - V12 is not positive here: no se"]
    table = pd.DataFrame(
        {"estimate": sol.beta, "se": ses}, index=pd.Index(["treatment", *names[1:]], name="term")
    )
    table.attrs["se_type"] = "cluster"
    reason = f"two-way clustered CR1 by {pair[0]!r} and {pair[1]!r} (Cameron-Gelbach-Miller)"
    info = InferenceInfo(
        method="cluster", reason=reason, df=df, requested="cluster", details=details
    )
    return EngineDiDResults(
        estimate=est,
        se=se,
        pvalue=pvalue,
        inference=info,
        n_obs=n,
        n_treated=n_tr,
        n_control=n_units - n_tr,
        outcome=cols["outcome"],
        alpha=alpha,
        warnings=warnings,
        coef_table=table,
        design=design,
        engine=backend.name,
        aggregates={"periods": T, "patterns": len(patterns), "clusters": G, "units": n_units},
    )
