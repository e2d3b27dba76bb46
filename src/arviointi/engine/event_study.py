"""``event_study`` leads and lags computed in a SQL engine (DuckDB or Spark).

The same TWFE event study as :func:`arviointi.event_study.event_study` with CR1 (by unit)
or classical errors: relative-time dummies ``1[p_t - e_i = k]`` (``p`` the period index,
months for dates; ``e_i`` the unit's first treated period; relative times outside
``window`` binned into its end points; ``reference`` omitted) are built in SQL from a
per-unit table of first treated periods, then the passes of :mod:`arviointi.engine.passes`
solve the exact least-squares problem. Staggered adoption is allowed (with the in-memory
warning about mixed cohorts); never-treated units have every dummy 0.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from arviointi.data.frames import require_columns
from arviointi.engine import passes
from arviointi.engine.backend import Backend, open_backend
from arviointi.engine.determinism import settle_result
from arviointi.engine.fe_did import _check_rows, _inference, _view
from arviointi.engine.normal_equations import moments, solve
from arviointi.errors import DesignError, InputError
from arviointi.event_study.panel import check_window
from arviointi.event_study.results import EventStudyResults
from arviointi.inference import Design, choose
from arviointi.results.base import InferenceInfo

_ids = itertools.count(1_000_000)


def period_index(times: list[Any]) -> tuple[np.ndarray, list[str]]:
    """Integer periods of the sorted distinct times (months for dates), as the in-memory
    event study numbers them, and its warning about missing periods."""
    ser = pd.Series(times)
    if pd.api.types.is_datetime64_any_dtype(ser) or isinstance(times[0], pd.Timestamp):
        ser = pd.to_datetime(ser)
        idx = (ser.dt.year * 12 + ser.dt.month).to_numpy(dtype=np.int64)
    elif hasattr(times[0], "year") and hasattr(times[0], "month"):  # datetime.date
        idx = np.array([t.year * 12 + t.month for t in times], dtype=np.int64)
    elif pd.api.types.is_integer_dtype(ser) or (
        pd.api.types.is_float_dtype(ser) and np.all(np.mod(ser, 1) == 0)
    ):
        idx = ser.to_numpy(dtype=np.int64)
    else:
        raise InputError("<time column>", "expected dates (months) or integer periods")
    idx = idx - int(idx.min())
    gaps = int(idx[-1] - idx[0] + 1 - len(idx)) if len(idx) > 1 else 0
    return idx, ([f"the time column has {gaps} missing period(s) between its ends"] if gaps else [])


def event_study(
    data: Any,
    outcome: str,
    *,
    unit: str,
    time: str,
    treatment: str,
    window: tuple[int, int] | None = None,
    reference: int = -1,
    inference: str = "auto",
    alpha: float = 0.05,
    engine: str = "duckdb",
    spark: Any = None,
) -> EventStudyResults:
    """Event-study coefficients by ``engine``; ``inference`` "auto", "cluster" or "classical"."""
    check_window(window, reference)
    cols = {"unit": unit, "time": time, "outcome": outcome, "treatment": treatment}
    cols["cluster"] = unit
    require_columns(data, list(cols.values()))
    backend = open_backend(data, engine, spark=spark)
    try:
        # reported digits independent of the engine's summation order (determinism.py)
        return settle_result(_fit(backend, cols, window, reference, inference, alpha))
    finally:
        backend.close()


def _starts(backend: Backend, view: str, tp: str, tag: int, label: str, treat: str) -> str:
    """Materialise the per-unit first treated period ``e``; check absorbing + pre-period."""
    name = f"arv_starts_{tag}"
    backend.materialize(
        name,
        f"SELECT v.u, MIN(CASE WHEN v.d = 1 THEN m.p END) AS e, MIN(m.p) AS p0, "
        "MAX(CASE WHEN v.d = 0 THEN m.p END) AS last0 "
        f"FROM {view} v JOIN {tp} m ON v.t = m.t WHERE v.ok = 1 GROUP BY v.u",
    )
    bad = backend.sql(
        "SELECT SUM(CASE WHEN last0 > e THEN 1 ELSE 0 END) AS off, "
        "SUM(CASE WHEN e = p0 THEN 1 ELSE 0 END) AS no_pre, "
        "SUM(CASE WHEN e IS NOT NULL THEN 1 ELSE 0 END) AS treated, COUNT(*) AS units, "
        f"COUNT(DISTINCT e) AS n_starts FROM {name}"
    ).iloc[0]
    if int(bad["off"] or 0):
        raise DesignError(
            f"{label}: {int(bad['off'])} unit(s) switch treatment off (column {treat!r}); "
            "expected treatment to stay on once it starts"
        )
    if int(bad["no_pre"] or 0):
        raise DesignError(
            f"{label}: {int(bad['no_pre'])} unit(s) are treated from their first observed "
            f"period (column {treat!r}); expected at least one pre-treatment period"
        )
    if not int(bad["treated"] or 0):
        raise DesignError(f"{label}: column {treat!r} is 0 on every row; no treated unit")
    return name


def _rel(window: tuple[int, int] | None) -> str:
    rel = "(m.p - s.e)"
    if window is None:
        return rel
    lo, hi = window
    return f"(CASE WHEN {rel} < {lo} THEN {lo} WHEN {rel} > {hi} THEN {hi} ELSE {rel} END)"


def _fit(
    backend: Backend,
    cols: dict[str, str],
    window: tuple[int, int] | None,
    reference: int,
    inference: str,
    alpha: float,
) -> EventStudyResults:
    label, tag, treat = backend.label, next(_ids), cols["treatment"]
    base = _view(backend, cols, [])
    counts = {f"null_{c}": f"{c} IS NULL" for c in ("u", "t", "c")}
    counts |= {"null_v0": "y IS NULL", "null_v1": "d IS NULL"}
    counts["bad_d"] = "d IS NOT NULL AND d <> 0 AND d <> 1"
    total, bytime0, times0 = passes.time_pass(backend, base, 1, counts, tag)
    warnings = _check_rows(total, cols, [], label)
    periods, gap_warn = period_index(bytime0["t"].tolist())
    warnings += gap_warn
    tp = f"arv_tp_{tag}"
    values = ", ".join(f"({i}, {int(p)})" for i, p in enumerate(periods))
    backend.materialize(
        tp,
        f"SELECT m.t, m.tc, q.p FROM {times0} m JOIN "
        f"(SELECT * FROM (VALUES {values}) AS q0(tc, p)) q ON m.tc = q.tc",
    )
    starts = _starts(backend, base, tp, tag, label, treat)
    rel = _rel(window)
    obs_rel = backend.sql(
        f"SELECT {rel} AS rel, COUNT(*) AS n FROM {base} v JOIN {tp} m ON v.t = m.t "
        f"JOIN {starts} s ON v.u = s.u WHERE v.ok = 1 AND s.e IS NOT NULL GROUP BY {rel}"
    )
    n_at = {int(r): int(n) for r, n in zip(obs_rel["rel"], obs_rel["n"], strict=True)}
    observed = sorted(n_at)
    if reference not in observed:
        raise DesignError(
            f"{label}: no treated observation at relative time {reference} (the reference); "
            f"observed relative times are {observed[0]}..{observed[-1]}"
        )
    levels = [lv for lv in observed if lv != reference]
    if not any(lv >= 0 for lv in levels):
        raise DesignError(f"{label}: no post-treatment observation of a treated unit")
    k = len(levels)
    dummies = ", ".join(
        f"CASE WHEN {rel} = {lv} THEN 1.0 ELSE 0.0 END AS w{j}" for j, lv in enumerate(levels)
    )
    view = backend.view_of_sql(
        f"SELECT v.u, v.t, v.y, v.d, v.c, v.ok, {dummies} FROM {base} v "
        f"JOIN {tp} m ON v.t = m.t LEFT JOIN {starts} s ON v.u = s.u"
    )
    tag2 = next(_ids)
    _, bytime, times = passes.time_pass(backend, view, k, {}, tag2)
    T = len(bytime)
    patterns, obs = passes.pattern_pass(backend, view, times, k, T, {}, tag2)
    names = [f"relative time {lv}" for lv in levels]
    sol = solve(moments(bytime, patterns, obs, k), names)
    sc = passes.score_pass(backend, view, times, sol, tag2)
    facts = backend.sql(
        f"SELECT COUNT(*) AS units, SUM(CASE WHEN e IS NOT NULL THEN 1 ELSE 0 END) AS treated, "
        f"COUNT(DISTINCT e) AS n_starts FROM {starts}"
    ).iloc[0]
    return _result(
        sol,
        sc,
        bytime,
        levels,
        n_at,
        observed,
        facts,
        reference,
        inference,
        alpha,
        warnings,
        cols,
        backend.name,
    )


def _result(
    sol: Any,
    sc: pd.Series,
    bytime: pd.DataFrame,
    levels: list[int],
    n_at: dict[int, int],
    observed: list[int],
    facts: pd.Series,
    reference: int,
    inference: str,
    alpha: float,
    warnings: list[str],
    cols: dict[str, str],
    engine: str,
) -> EventStudyResults:
    n, k, T = int(bytime["n"].sum()), len(levels), len(bytime)
    n_units, n_tr = int(facts["units"]), int(facts["treated"])
    if int(facts["n_starts"]) > 1:
        warnings.append(
            "staggered adoption: with effects that vary by cohort or over time the TWFE "
            "event-study coefficients mix cohorts (Sun and Abraham 2021); compare with "
            "staggered_did"
        )
    if n_units == n_tr:
        warnings.append("no never-treated units: the comparison relies on later-treated units")
    design = Design(
        n_treated=n_tr,
        n_control=n_units - n_tr,
        n_pre=sum(lv < 0 for lv in observed),
        n_post=sum(lv >= 0 for lv in observed),
    )
    chosen, reason, more = choose(design, inference, alpha)
    if chosen not in ("cluster", "classical"):
        raise DesignError(
            f"inference={chosen!r} ({reason}) needs the person-level rows; the engine computes "
            "'cluster' (CR1) and 'classical' errors. Run arviointi.event_study.event_study on "
            "a pandas extract for it"
        )
    warnings += more
    vcov, df = _inference(chosen, sol, sc, n, k, n_units, T, n_units - 1)
    beta = sol.beta
    se = np.sqrt(np.diag(vcov))
    q = float(stats.t.ppf(1 - alpha / 2, df))
    post = np.array([lv >= 0 for lv in levels])
    pre = ~post
    c_post = post / post.sum()
    estimate = float(c_post @ beta)
    est_se = float(np.sqrt(c_post @ vcov @ c_post))
    pretrend: dict[str, Any] = {"statistic": None, "df": None, "pvalue": None, "method": chosen}
    if pre.any():
        bp, vp, qn = beta[pre], vcov[np.ix_(pre, pre)], int(pre.sum())
        f_stat = float(bp @ np.linalg.solve(vp, bp) / qn)
        pretrend = {
            "statistic": f_stat,
            "df": (qn, df),
            "pvalue": float(stats.f.sf(f_stat, qn, df)),
            "method": f"Wald F ({chosen} covariance)",
        }
    coefs = pd.DataFrame(
        {
            "coef": [*beta, 0.0],
            "se": [*se, np.nan],
            "ci_low": [*(beta - q * se), np.nan],
            "ci_high": [*(beta + q * se), np.nan],
            "pvalue": [*(2 * stats.t.sf(np.abs(beta / se), df)), np.nan],
            "n_treated_obs": [*(n_at[lv] for lv in levels), n_at[reference]],
        },
        index=pd.Index([*levels, reference], name="rel_time"),
    ).sort_index()
    details = {"bands": "pointwise", **design.as_dict(), "engine": engine}
    info = InferenceInfo(method=chosen, reason=reason, df=df, requested=inference, details=details)
    return EventStudyResults(
        estimate=estimate,
        se=est_se,
        pvalue=float(2 * stats.t.sf(abs(estimate / est_se), df)),
        inference=info,
        n_obs=n,
        n_treated=n_tr,
        n_control=n_units - n_tr,
        outcome=cols["outcome"],
        alpha=alpha,
        warnings=warnings,
        coefficients=coefs,
        pretrend=pretrend,
        vcov=vcov,
        reference=reference,
        bands="pointwise",
    )
