"""Pilot cost ledger (2012-2015) and Kela's monthly municipal-share invoices.

Cost ledger: the budget and the 75 % employment-policy grant applied for are the
published figures (domain.md, seed 001), split into the plan's five cost lines. The
``actual`` column is SYNTHETIC: budget times a seeded deviation (start-up year 2012
underspent by about 15 %, later years within a few per cent).

Invoices: Kela bills Turku monthly for its share of the labour market subsidy. Here the
bill is broken down by the residents' district: district euros = persons on the Kela list
x a per-person amount for the year x a small monthly noise. Turku's annual totals are
calibrated exactly to the published 8.2 M EUR (2011) and 7.5 M EUR (2012 estimate); other
years use the 2011 (before 2011) or 2012 (2013-2014) per-person amount, and from 2015 that
amount times :data:`RULE_2015_FACTOR` (the 2015 reform raised the municipal share).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .allocation import largest_remainder

#: Published budget per cost line and year (EUR).
BUDGET: dict[str, dict[int, float]] = {
    "staff": {2012: 90_000, 2013: 270_000, 2014: 270_000, 2015: 270_000},
    "training_expert_services": {2012: 30_000, 2013: 80_000, 2014: 80_000, 2015: 80_000},
    "other_purchased_services": {2012: 20_000, 2013: 120_000, 2014: 120_000, 2015: 120_000},
    "materials": {2012: 20_000, 2013: 10_000, 2014: 10_000, 2015: 10_000},
    "rents": {2012: 15_000, 2013: 40_000, 2014: 40_000, 2015: 40_000},
}
GRANT_SHARE = 0.75
#: Published budget totals and grants applied for, per year (for the calibration test).
BUDGET_TOTAL = {2012: 175_000, 2013: 520_000, 2014: 520_000, 2015: 520_000}
GRANT_TOTAL = {2012: 131_250, 2013: 390_000, 2014: 390_000, 2015: 390_000}
#: Turku's municipal share of the labour market subsidy, EUR per year (published).
INVOICE_TOTAL = {2011: 8_200_000.0, 2012: 7_500_000.0}
RULE_2015_FACTOR = 1.2
#: Per-person monthly amounts used when the generated window does not include 2011 / 2012.
FALLBACK_PER_PERSON = {2011: 275.0, 2012: 250.0}


def _amount(year: int, per_person: dict[int, float]) -> float:
    """EUR per person on the list per month in ``year`` (see module doc)."""
    if year <= 2011:
        return per_person[2011]
    if year < 2015:
        return per_person[2012]
    return per_person[2012] * RULE_2015_FACTOR


def generate_cost_ledger(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for category, by_year in BUDGET.items():
        for year, budget in by_year.items():
            centre, spread = (-0.15, 0.05) if year == 2012 else (-0.02, 0.05)
            actual = round(budget * (1.0 + rng.normal(centre, spread)), -2)
            rows.append(
                {
                    "year": year,
                    "category": category,
                    "budget": float(budget),
                    "actual": float(actual),
                    "grant": GRANT_SHARE * budget,
                }
            )
    return pd.DataFrame(rows)


def generate_invoices(
    rng: np.random.Generator, kela_actual: pd.DataFrame, kela_cf: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (actual invoices, counterfactual invoices), both month x area.

    ``kela_actual`` / ``kela_cf``: area panel frames with ``area``, ``month``, ``kela_list``.
    """
    base = kela_actual[["area", "month", "kela_list"]].reset_index(drop=True)
    cf_list = kela_cf["kela_list"].to_numpy(dtype=float)
    noise = 1.0 + 0.03 * rng.standard_normal(len(base))
    weight = base["kela_list"].to_numpy(dtype=float) * noise
    years = base["month"].dt.year.to_numpy()
    per_person = dict(FALLBACK_PER_PERSON)
    for year, total in INVOICE_TOTAL.items():
        sel = years == year
        if sel.any():
            per_person[year] = total / weight[sel].sum()
    amounts = np.array([_amount(int(y), per_person) for y in years])
    eur_actual = np.round(weight * amounts, 2)
    for year, total in INVOICE_TOTAL.items():
        sel = years == year
        if sel.any():  # exact calibration to the cent
            cents = largest_remainder(round(total * 100), weight[sel])
            eur_actual[sel] = cents / 100.0
    gap = cf_list - base["kela_list"].to_numpy(dtype=float)
    eur_cf = eur_actual + np.round(gap * noise * amounts, 2)
    actual = base[["month", "area"]].assign(municipal_share_eur=eur_actual)
    cf = base[["month", "area"]].assign(municipal_share_eur=eur_cf)
    return actual, cf
