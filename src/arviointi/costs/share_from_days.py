"""The municipality's share of the labour market subsidy computed from benefit days.

Rule sets (a parameter, ``rules``):

* ``"pre2015"``: the municipality pays 50 % of the subsidy for days after the recipient's
  500th benefit day; the state pays the rest.
* ``"2015"`` (in force from 1 January 2015): the state pays days 1-300; the municipality
  pays 50 % of days 301-1000 and 70 % of days from day 1001.
* ``"by_year"`` (default): ``"pre2015"`` for months before 2015, ``"2015"`` from 2015.
* or an explicit band table ``((first_day, municipal_fraction), ...)`` with increasing
  first days starting at 1.

Under every rule, days spent in employment services (``status == "services"``) are paid
by the state (0 EUR for the municipality). Each day is placed in a band by its own running
number, so a month that crosses 300, 500 or 1000 days is split exactly.

Day counting (a simplification, stated in reports): the running count starts from
``unemployment_days_at_entry`` of the clients frame (used as the benefit days received
before entry) and adds each panel month's ``benefit_days`` in calendar order, services days
included (``services_count_towards_days``). The counter never resets: the re-qualifying
work condition that resets it in the law is not modelled.

The band arithmetic here is deliberately kept apart from the synthetic generator's own
rule code (:mod:`arviointi.data.synthetic.benefit_rules`): the generator's recorded euros
are the independent reference the product's computed share is checked against (tests and
the costs section's agreement diagnostic), which one shared implementation would make
circular. Both are also tested against hand-computed values at the 300/500/1000-day limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd

from arviointi.errors import ParamsError
from arviointi.matching.frame_checks import (
    check_numeric,
    raise_if_problems,
    require_columns,
    require_frame,
)
from arviointi.matching.outcomes import check_client_panel

Bands = tuple[tuple[int, float], ...]

RULE_SETS: dict[str, Bands] = {
    "pre2015": ((1, 0.0), (501, 0.5)),
    "2015": ((1, 0.0), (301, 0.5), (1001, 0.7)),
}

RuleName = Literal["by_year", "pre2015", "2015"]


def _validate_bands(bands: Sequence[tuple[int, float]]) -> Bands:
    out = tuple((int(a), float(b)) for a, b in bands)
    starts = [a for a, _ in out]
    ok = (
        len(out) >= 1
        and starts[0] == 1
        and all(b > a for a, b in pairwise(starts))
        and all(0 <= f <= 1 for _, f in out)
    )
    if not ok:
        raise ParamsError(
            "municipal_share_from_days",
            "rules: expected 'by_year', 'pre2015', '2015' or bands ((1, f0), (d1, f1), ...) "
            "with increasing first days and fractions in 0..1",
        )
    return out


def municipal_days(days_before: np.ndarray, days: np.ndarray, bands: Bands) -> np.ndarray:
    """Municipal-fraction-weighted number of days among days ``days_before+1 ..
    days_before+days`` (vectorised)."""
    first = days_before + 1
    last = days_before + days
    total = np.zeros(len(first), dtype=float)
    for i, (start, fraction) in enumerate(bands):
        stop = bands[i + 1][0] - 1 if i + 1 < len(bands) else np.iinfo(np.int64).max
        n_in = np.minimum(last, stop) - np.maximum(first, start) + 1
        total += fraction * np.clip(n_in, 0, None)
    return total


def municipal_share_from_days(
    panel: pd.DataFrame,
    clients: pd.DataFrame,
    *,
    daily_eur: float,
    rules: RuleName | Sequence[tuple[int, float]] = "by_year",
    initial_days_col: str = "unemployment_days_at_entry",
    services_count_towards_days: bool = True,
) -> pd.DataFrame:
    """Client panel with ``days_before`` and ``municipal_share_eur_computed`` (in memory).

    ``daily_eur`` is the daily labour market subsidy the share applies to (a parameter:
    it changes by year and with increments). Output rows are in (person_id, month) order.

    Example::

        p = municipal_share_from_days(panel, clients, daily_eur=32.50, rules="pre2015")
        p.groupby(p["month"].dt.year)["municipal_share_eur_computed"].sum()
    """
    if not (isinstance(daily_eur, int | float) and daily_eur > 0):
        raise ParamsError("municipal_share_from_days", f"daily_eur: expected > 0, got {daily_eur}")
    if isinstance(rules, str):
        if rules not in ("by_year", *RULE_SETS):
            raise ParamsError(
                "municipal_share_from_days",
                f"rules: expected 'by_year', 'pre2015', '2015' or a band table, got {rules!r}",
            )
        custom: Bands | None = None
    else:
        custom = _validate_bands(rules)
    check_client_panel(panel)
    require_columns(panel, ["benefit_days"], "panel", purpose="benefit days per month")
    require_frame(clients, "clients")
    require_columns(clients, ["person_id", initial_days_col], "clients", purpose="day counts")
    raise_if_problems(check_numeric(clients, initial_days_col, minimum=0), "clients")

    p = panel.copy()
    p["month"] = pd.to_datetime(p["month"])
    p = p.sort_values(["person_id", "month"], kind="stable").reset_index(drop=True)
    start = pd.Series(
        pd.to_numeric(clients[initial_days_col]).to_numpy(dtype=np.int64),
        index=clients["person_id"].to_numpy(),
    )
    known = p["person_id"].isin(start.index)
    notes = []
    if (~known).any():
        notes.append(
            f"{int(p.loc[~known, 'person_id'].nunique())} panel person(s) not in clients were "
            "left out"
        )
        p = p[known].reset_index(drop=True)
    days = pd.to_numeric(p["benefit_days"]).to_numpy(dtype=np.int64)
    in_services = (p["status"] == "services").to_numpy()
    counted = days if services_count_towards_days else np.where(in_services, 0, days)
    cum_before = p.assign(_c=counted).groupby("person_id")["_c"].cumsum().to_numpy() - counted
    days_before = p["person_id"].map(start).to_numpy(dtype=np.int64) + cum_before
    year = p["month"].dt.year.to_numpy()
    if custom is not None:
        weighted = municipal_days(days_before, days, custom)
    elif rules == "by_year":
        weighted = np.where(
            year < 2015,
            municipal_days(days_before, days, RULE_SETS["pre2015"]),
            municipal_days(days_before, days, RULE_SETS["2015"]),
        )
    else:
        weighted = municipal_days(days_before, days, RULE_SETS[str(rules)])
    p["days_before"] = days_before
    p["municipal_share_eur_computed"] = np.where(in_services, 0.0, weighted * float(daily_eur))
    p.attrs["notes"] = notes
    return p
