"""The client sections' person fixed-effects DiD on a register-sized client panel.

:func:`arviointi.sections.client_effects.fe_did` builds the DiD panel in memory with
:func:`arviointi.matching.did_panel` (the panel months relative to each client's entry,
``employed``, ``post`` = the months after the entry month, ``treated``) and fits
:func:`arviointi.matching.person_fe_did`. :func:`fe_did` does the same inside DuckDB or
Spark: the clients table (one row per person: entry month, group) goes to the engine as a
small table, the window and the relative months are computed in SQL, the person-month
rows are checked there (known statuses, one row per person and month) and the weighted
passes of :mod:`arviointi.engine.matched_did` fit the model. Only aggregates return.
"""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd

from arviointi.data.frames import label_of, require_columns
from arviointi.engine.backend import Backend, open_backend
from arviointi.engine.matched_did import fit_on
from arviointi.errors import InputError, Problem
from arviointi.matching.result import MatchResult
from arviointi.results.base import EffectResults

_ids = itertools.count()
STATUSES = ("unemployed", "employed", "services", "outside")


def _month_index(values: pd.Series) -> pd.Series:
    dt = pd.to_datetime(values)
    return dt.dt.year * 12 + dt.dt.month - 1


def _clients_table(clients: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cid": clients["person_id"].to_numpy(),
            "entry_idx": _month_index(clients["entry_month"]).to_numpy(dtype="int64"),
            "ctreated": (clients["group"] == "pilot").astype("int64").to_numpy(),
        }
    )


def _check_rows(backend: Backend, label: str) -> None:
    """Statuses outside the schema and repeated (person_id, month) rows: InputError."""
    q = backend.quote
    allowed = ", ".join(f"'{s}'" for s in STATUSES)
    rows = backend.view_of_input(f"{q('person_id')} AS pid, {q('month')} AS m, {q('status')} AS s")
    out = backend.sql(
        f"SELECT SUM(CASE WHEN s IS NULL OR s NOT IN ({allowed}) THEN 1 ELSE 0 END) AS bad, "
        "SUM(CASE WHEN pid IS NULL THEN 1 ELSE 0 END) AS no_id, "
        f"SUM(CASE WHEN m IS NULL THEN 1 ELSE 0 END) AS no_month FROM {rows}"
    ).iloc[0]
    dup = backend.sql(
        f"SELECT COALESCE(SUM(n), 0) AS dup FROM (SELECT COUNT(*) AS n FROM {rows} "
        "GROUP BY pid, m HAVING COUNT(*) > 1) x"
    )
    out["dup"] = dup["dup"].iloc[0]
    problems = [
        Problem(where, f"{int(out[key])} rows: expected {what}")
        for key, where, what in (
            ("bad", "column 'status'", f"one of {list(STATUSES)}"),
            ("no_id", "column 'person_id'", "a person id"),
            ("no_month", "column 'month'", "a date (first day of the month)"),
            ("dup", "columns 'person_id'/'month'", "one row per (person_id, month)"),
        )
        if int(out[key] or 0)
    ]
    if problems:
        raise InputError(label, problems)


def did_view(
    backend: Backend, clients: pd.DataFrame, end: pd.Timestamp, months: int, outcome: str
) -> str:
    """The DiD panel of ``client_effects.fe_did`` as a view: months ``-1 .. months-1``
    relative to entry, up to ``end``; ``post`` from the month after entry."""
    q = backend.quote
    extra = "" if outcome == "employed" else f", {q(outcome)} AS {q(outcome)}"
    carried = "" if outcome == "employed" else f", r.{q(outcome)}"
    name = f"arv_clients_{next(_ids)}"
    backend.register_frame(name, _clients_table(clients))
    end_idx = int(end.year * 12 + end.month - 1)
    rows = backend.view_of_input(
        f"{q('person_id')} AS pid, {q('month')} AS month, "
        f"YEAR({q('month')}) * 12 + MONTH({q('month')}) - 1 AS midx, "
        f"CASE WHEN {q('status')} = 'employed' THEN 1 ELSE 0 END AS employed{extra}"
    )
    return backend.view_of_sql(
        f"SELECT r.pid AS person_id, r.month, r.employed{carried}, c.ctreated AS treated, "
        "CASE WHEN r.midx - c.entry_idx >= 1 THEN 1 ELSE 0 END AS post, "
        "c.ctreated * CASE WHEN r.midx - c.entry_idx >= 1 THEN 1 ELSE 0 END AS treated_post "
        f"FROM {rows} r JOIN {name} c ON r.pid = c.cid "
        f"WHERE r.midx <= {end_idx} AND r.midx - c.entry_idx >= -1 "
        f"AND r.midx - c.entry_idx < {int(months)}"
    )


def fe_did(
    clients: pd.DataFrame,
    panel: Any,
    weights: MatchResult,
    alpha: float,
    months: int,
    *,
    end: pd.Timestamp,
    outcome: str = "employed",
    engine: str = "duckdb",
    spark: Any = None,
) -> EffectResults:
    """The person-FE DiD of the client sections with ``panel`` read by ``engine``."""
    needed = ["person_id", "month", "status"] + ([] if outcome == "employed" else [outcome])
    require_columns(panel, needed)
    backend = open_backend(panel, engine, spark=spark)
    try:
        _check_rows(backend, label_of(panel))
        view = did_view(backend, clients, end, months, outcome)
        return fit_on(backend, view, outcome=outcome, weights=weights, alpha=alpha)
    finally:
        backend.close()
