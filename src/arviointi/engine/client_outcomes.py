"""Per-client outcomes and the employment curve from a register-sized client panel.

The engine versions of :func:`arviointi.matching.client_outcomes` and
:func:`arviointi.matching.employment_curve` (same columns, same numbers, tested): the
person-month rows are grouped in DuckDB or Spark, and what returns is one row per client
(the size of the clients table, which is in memory already) or one row per group and month
since entry. The months after the window end ``end`` are cut in the engine.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from arviointi.engine.backend import Backend
from arviointi.engine.client_panel import _clients_table
from arviointi.matching.outcomes import finish_client_outcomes

_ids = itertools.count()


def relative_rows(
    backend: Backend, clients: pd.DataFrame, end: pd.Timestamp, extra: list[str]
) -> str:
    """Panel rows of known clients up to ``end`` with ``rel`` (months since entry)."""
    q = backend.quote
    name = f"arv_oclients_{next(_ids)}"
    backend.register_frame(name, _clients_table(clients))
    cols = "".join(f", {q(c)} AS x_{i}" for i, c in enumerate(extra))
    rows = backend.view_of_input(
        f"{q('person_id')} AS pid, YEAR({q('month')}) * 12 + MONTH({q('month')}) - 1 AS midx, "
        f"CASE WHEN {q('status')} = 'employed' THEN 1 ELSE 0 END AS employed{cols}"
    )
    end_idx = int(end.year * 12 + end.month - 1)
    kept = "".join(f", r.x_{i}" for i in range(len(extra)))
    return backend.view_of_sql(
        f"SELECT r.pid, r.employed, r.midx - c.entry_idx AS rel{kept} FROM {rows} r "
        f"JOIN {name} c ON r.pid = c.cid WHERE r.midx <= {end_idx}"
    )


def _unknown(backend: Backend, clients: pd.DataFrame, end: pd.Timestamp) -> int:
    q = backend.quote
    name = f"arv_uclients_{next(_ids)}"
    backend.register_frame(name, _clients_table(clients))
    rows = backend.view_of_input(
        f"{q('person_id')} AS pid, YEAR({q('month')}) * 12 + MONTH({q('month')}) - 1 AS midx"
    )
    end_idx = int(end.year * 12 + end.month - 1)
    out = backend.sql(
        f"SELECT COUNT(DISTINCT r.pid) AS n FROM {rows} r LEFT JOIN {name} c ON r.pid = c.cid "
        f"WHERE c.cid IS NULL AND r.midx <= {end_idx}"
    )
    return int(out["n"].iloc[0])


def client_outcomes(
    backend: Backend,
    clients: pd.DataFrame,
    *,
    end: pd.Timestamp,
    window_months: int | None = 12,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """:func:`arviointi.matching.client_outcomes` with the panel in ``backend``'s input.

    ``columns``: the input's columns (benefit_days / municipal_share_eur are summed when
    present)."""
    sums: list[str] = [c for c in ("benefit_days", "municipal_share_eur") if c in (columns or [])]
    rows = relative_rows(backend, clients, end, sums)
    upper = "" if window_months is None else f" AND rel < {int(window_months)}"
    parts = ["pid", "COUNT(*) AS months_observed", "SUM(employed) AS months_employed"]
    parts += ["MIN(CASE WHEN employed = 1 THEN rel END) AS first_emp", "MAX(rel) AS last_obs"]
    parts += [f"SUM(x_{i}) AS {c}" for i, c in enumerate(sums)]
    per = backend.sql(f"SELECT {', '.join(parts)} FROM {rows} WHERE rel >= 0{upper} GROUP BY pid")
    notes: list[str] = []
    n_unknown = _unknown(backend, clients, end)
    if n_unknown:
        notes.append(f"{n_unknown} person(s) in the panel but not in clients were left out")
    per = per.set_index("pid").sort_index()
    out = pd.DataFrame(
        {
            "months_observed": per["months_observed"].astype("int64"),
            "months_employed": per["months_employed"].astype("int64"),
        }
    )
    out["share_employed"] = out["months_employed"] / out["months_observed"]
    out["exit_to_work"] = (out["months_employed"] > 0).astype(float)
    first = pd.to_numeric(per["first_emp"], errors="coerce").astype(float)
    out["event"] = first.notna().astype(float)
    out["time_to_employment"] = first.fillna(per["last_obs"].astype(float)).astype(float)
    for col in sums:
        out[col] = per[col].astype(float)
    return finish_client_outcomes(out, clients, notes, window_months)


def employment_curve(
    backend: Backend,
    clients: pd.DataFrame,
    *,
    end: pd.Timestamp,
    max_months: int = 24,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """:func:`arviointi.matching.employment_curve` (aggregates by group and month since
    entry) with the panel in ``backend``'s input."""
    rows = relative_rows(backend, clients, end, [])
    groups = pd.DataFrame({"gid": clients["person_id"].to_numpy(), "grp": clients["group"]})
    w = pd.Series(0.0, index=groups["gid"]) if weights is None else weights
    groups["w"] = groups["gid"].map(w).fillna(0.0).astype(float).to_numpy()
    name = f"arv_groups_{next(_ids)}"
    backend.register_frame(name, groups)
    agg = backend.sql(
        "SELECT g.grp AS grp, r.rel AS rel_month, COUNT(*) AS n_persons, "
        "SUM(r.employed) AS n_employed, SUM(CASE WHEN g.w > 0 THEN 1 ELSE 0 END) AS nw, "
        "SUM(CASE WHEN g.w > 0 THEN g.w END) AS sw, "
        "SUM(CASE WHEN g.w > 0 THEN g.w * r.employed END) AS swy "
        f"FROM {rows} r JOIN {name} g ON r.pid = g.gid "
        f"WHERE r.rel >= 0 AND r.rel < {int(max_months)} GROUP BY g.grp, r.rel"
    )
    agg = agg.sort_values(["grp", "rel_month"], ignore_index=True)
    out = pd.DataFrame(
        {
            "group": agg["grp"].to_numpy(dtype=object),
            "rel_month": agg["rel_month"].to_numpy(dtype=np.int64),
            "n_persons": agg["n_persons"].to_numpy(dtype=np.int64),
            "n_employed": agg["n_employed"].to_numpy(dtype=np.int64),
        }
    )
    out["share_employed"] = out["n_employed"] / out["n_persons"]
    if weights is not None:
        out["n_persons_weighted"] = agg["nw"].to_numpy(dtype=np.int64)
        sw = pd.to_numeric(agg["sw"], errors="coerce").to_numpy(dtype=float)
        swy = pd.to_numeric(agg["swy"], errors="coerce").to_numpy(dtype=float)
        out["share_employed_weighted"] = np.where(out["n_persons_weighted"] > 0, swy / sw, np.nan)
    return out
