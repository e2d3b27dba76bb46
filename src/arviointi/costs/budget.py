"""Budget against actual costs by year and category, with the employment-policy grant.

The ledger schema (docs/data-schemas.md): ``year`` int, ``category`` str, ``budget``,
``actual``, ``grant`` floats. ``grant`` is the grant booked for the row; when the column is
absent, the grant is taken as ``grant_rate * actual`` and a note says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from arviointi.errors import InputError, ParamsError, Problem
from arviointi.matching.frame_checks import (
    bad_rows_problem,
    check_numeric,
    raise_if_problems,
    require_columns,
    require_frame,
)

TOTAL = "total"


def _check_ledger(ledger: pd.DataFrame) -> None:
    require_frame(ledger, "ledger")
    require_columns(ledger, ["year", "category", "budget", "actual"], "ledger", purpose="ledger")
    problems: list[Problem | None] = []
    problems += check_numeric(ledger, "year")
    for col in ("budget", "actual", "grant"):
        if col in ledger.columns:
            problems += check_numeric(ledger, col, allow_missing=col == "budget", minimum=0)
    problems.append(
        bad_rows_problem(ledger["category"].isna().to_numpy(), "category", "a category name")
    )
    problems.append(
        bad_rows_problem(
            (ledger["category"].astype(str).str.lower() == TOTAL).to_numpy(),
            "category",
            f"a cost category, not {TOTAL!r} (totals are computed)",
        )
    )
    problems.append(
        bad_rows_problem(
            ledger.duplicated(["year", "category"], keep=False).to_numpy(),
            "year/category",
            "one row per (year, category)",
        )
    )
    raise_if_problems(problems, "ledger")


def budget_vs_actual(ledger: pd.DataFrame, grant_rate: float = 0.75) -> pd.DataFrame:
    """Budget against actual by year and category, a total row per year and an overall one.

    Columns: ``year`` (``"all"`` on the overall row), ``category`` (``"total"`` on total
    rows), ``budget``, ``actual``, ``variance`` = actual - budget, ``variance_pct`` =
    100 * variance / budget, ``grant``, ``grant_at_rate`` = grant_rate * actual (what the rate
    gives on realised costs), ``grant_over_rate`` = grant - grant_at_rate (positive: more
    grant booked than the rate allows on realised costs, e.g. a grant granted on the budget
    when costs came in under it), ``grant_share_pct`` = 100 * grant / actual, ``municipal_net``
    = actual - grant (the city's own cost). ``attrs["notes"]`` lists assumptions.

    Example::

        t = budget_vs_actual(ledger, grant_rate=0.75)
        t[t.category == "total"][["year", "actual", "grant", "municipal_net"]]
    """
    if not 0 <= grant_rate <= 1:
        raise ParamsError("budget_vs_actual", f"grant_rate: expected 0..1, got {grant_rate!r}")
    _check_ledger(ledger)
    notes: list[str] = []
    t = ledger[["year", "category", "budget", "actual"]].copy()
    t["year"] = pd.to_numeric(t["year"]).astype(int)
    t["budget"] = pd.to_numeric(t["budget"]).astype(float)
    t["actual"] = pd.to_numeric(t["actual"]).astype(float)
    if "grant" in ledger.columns:
        t["grant"] = pd.to_numeric(ledger["grant"]).astype(float)
    else:
        t["grant"] = grant_rate * t["actual"]
        notes.append(f"no 'grant' column: grant taken as {grant_rate:g} x actual")
    t["category"] = t["category"].astype(str)
    t = t.sort_values(["year", "category"], kind="stable")
    per_year = t.groupby("year", as_index=False)[["budget", "actual", "grant"]].sum(min_count=1)
    per_year["category"] = TOTAL
    overall = pd.DataFrame(
        {
            "year": ["all"],
            "category": [TOTAL],
            "budget": [t["budget"].sum(min_count=1)],
            "actual": [t["actual"].sum()],
            "grant": [t["grant"].sum()],
        }
    )
    parts = []
    for year, rows in t.groupby("year", sort=True):
        parts.append(rows)
        parts.append(per_year[per_year["year"] == year])
    out = pd.concat([*parts, overall], ignore_index=True)
    out["year"] = out["year"].astype(object)
    out["variance"] = out["actual"] - out["budget"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["variance_pct"] = np.where(
            out["budget"] > 0, 100 * out["variance"] / out["budget"], np.nan
        )
        out["grant_share_pct"] = np.where(
            out["actual"] > 0, 100 * out["grant"] / out["actual"], np.nan
        )
    out["grant_at_rate"] = grant_rate * out["actual"]
    out["grant_over_rate"] = out["grant"] - out["grant_at_rate"]
    out["municipal_net"] = out["actual"] - out["grant"]
    out = out[
        [
            "year",
            "category",
            "budget",
            "actual",
            "variance",
            "variance_pct",
            "grant",
            "grant_at_rate",
            "grant_over_rate",
            "grant_share_pct",
            "municipal_net",
        ]
    ]
    out.attrs["notes"] = notes
    out.attrs["grant_rate"] = grant_rate
    return out


def cost_per_client(
    budget_table: pd.DataFrame, n_clients: Mapping[int | str, int] | pd.Series
) -> pd.DataFrame:
    """Gross and municipal-net cost per client per year (and over all years).

    ``budget_table`` is the output of :func:`budget_vs_actual`; ``n_clients`` maps year to
    the number of clients served. The overall row divides all costs by the number of
    distinct clients only if the caller passes it under the key ``"all"``; otherwise by the
    sum over years (a client-year count), and a note says so.

    Example::

        cost_per_client(budget_vs_actual(ledger), {2013: 120, 2014: 180})
    """
    require_frame(budget_table, "budget_table")
    require_columns(
        budget_table,
        ["year", "category", "actual", "municipal_net"],
        "budget_table",
        purpose="output of budget_vs_actual",
    )
    counts: dict[object, object] = dict(n_clients.items())
    totals = budget_table[budget_table["category"] == TOTAL]
    rows = []
    notes: list[str] = []
    problems: list[Problem] = []
    for _, r in totals.iterrows():
        year = r["year"]
        if year == "all":
            if "all" in counts:
                n = counts["all"]
            else:
                n = sum(int(v) for k, v in counts.items() if k != "all")  # type: ignore[call-overload]
                notes.append("overall row divides by client-years (sum over years)")
        elif year in counts:
            n = counts[year]
        else:
            problems.append(Problem(f"n_clients[{year}]", "missing; expected a client count"))
            continue
        if not (isinstance(n, int | np.integer) and n > 0):
            problems.append(Problem(f"n_clients[{year}]", f"expected a count > 0, got {n!r}"))
            continue
        rows.append(
            {
                "year": year,
                "n_clients": int(n),
                "actual": float(r["actual"]),
                "municipal_net": float(r["municipal_net"]),
                "cost_per_client": float(r["actual"]) / n,
                "municipal_net_per_client": float(r["municipal_net"]) / n,
            }
        )
    if problems:
        raise InputError("<argument n_clients>", problems)
    out = pd.DataFrame(rows)
    out.attrs["notes"] = notes
    return out


__all__ = ["budget_vs_actual", "cost_per_client"]
