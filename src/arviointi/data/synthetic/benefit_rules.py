"""The municipality's share of the labour market subsidy (työmarkkinatuen kuntaosuus).

Two rules, chosen by the calendar year of the paid days:

* before 2015: the municipality pays 50 % of the subsidy for recipients who have already
  received it for more than 500 days; the state pays everything else. Days spent in
  services (activation measures) are paid by the state.
* from 2015: the state pays the first 300 days; the municipality pays 50 % of days
  301..1000 and 70 % of days after 1000. Days in services are paid by the state.

Day counting: ``days_before`` benefit days have been received before the month; the month's
``days`` are days ``days_before + 1 .. days_before + days``. A day is in a band by its own
number, so a month that crosses a threshold is split exactly.

Kept independent of the product's rule sets (:mod:`arviointi.costs.share_from_days`) on
purpose: the euros billed here are the reference the product's computation is checked
against.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ...errors import InputError

#: Daily labour market subsidy (basic amount, EUR), 2013 level; kept constant over time.
DAILY_SUBSIDY_EUR = 32.50

#: (first day number of band, municipal fraction) for each rule; bands run to the next start.
RULE_PRE_2015: tuple[tuple[int, float], ...] = ((1, 0.0), (501, 0.5))
RULE_2015: tuple[tuple[int, float], ...] = ((1, 0.0), (301, 0.5), (1001, 0.7))


def rule_for_year(year: int) -> tuple[tuple[int, float], ...]:
    """The band table in force in ``year`` (the 2015 reform applies from 1 January 2015)."""
    return RULE_2015 if year >= 2015 else RULE_PRE_2015


def municipal_days(days_before: int, days: int, year: int) -> float:
    """Municipal-share-weighted day count for ``days`` paid days after ``days_before``.

    Returns the sum over the month's paid days of the municipal fraction of each day
    (so euros = result * daily subsidy).
    """
    if days_before < 0 or days < 0:
        raise InputError(
            "<benefit rule>",
            f"days_before={days_before}, days={days}: expected non-negative day counts",
        )
    bands = rule_for_year(year)
    first, last = days_before + 1, days_before + days  # inclusive day numbers
    total = 0.0
    for i, (start, fraction) in enumerate(bands):
        stop = bands[i + 1][0] - 1 if i + 1 < len(bands) else last
        lo, hi = max(first, start), min(last, stop)
        if hi >= lo:
            total += fraction * (hi - lo + 1)
    return total


def municipal_share_eur(
    days_before: int,
    days: int,
    *,
    year: int,
    in_services: bool = False,
    daily_eur: float = DAILY_SUBSIDY_EUR,
) -> float:
    """Euros the municipality pays for one person's month of subsidy.

    ``days_before``: benefit days received before this month; ``days``: days paid this
    month; ``in_services``: the days were spent in services (state-paid under both rules).
    """
    if in_services:
        return 0.0
    return municipal_days(days_before, days, year) * daily_eur


def municipal_share_eur_array(
    days_before: npt.NDArray[np.int64],
    days: npt.NDArray[np.int64],
    in_services: npt.NDArray[np.bool_],
    year: int,
    daily_eur: float = DAILY_SUBSIDY_EUR,
) -> npt.NDArray[np.float64]:
    """Vectorised :func:`municipal_share_eur` for many persons in one month of ``year``."""
    first = days_before + 1
    last = days_before + days
    bands = rule_for_year(year)
    weighted = np.zeros(len(days_before), dtype=float)
    for i, (start, fraction) in enumerate(bands):
        lo = np.maximum(first, start)
        hi = last if i + 1 == len(bands) else np.minimum(last, bands[i + 1][0] - 1)
        weighted += fraction * np.clip(hi - lo + 1, 0, None)
    return np.where(in_services, 0.0, weighted * daily_eur)
