"""Progress against a target change from a base year (e.g. Tampere: municipal share -3 %
from 2016, about -966 582 EUR)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from arviointi.errors import InputError, ParamsError, Problem


def target_progress(
    series: pd.Series | Mapping[int, float],
    *,
    base_year: int = 2016,
    target_pct: float = -3.0,
    base_amount: float | None = None,
    target_year: int | None = None,
) -> dict[str, Any]:
    """Realised change against a percentage target, in EUR and %.

    ``series`` maps year -> amount (e.g. the municipal share paid per year). The base is
    ``base_amount`` when given, else ``series[base_year]``. ``target_change_eur`` =
    base * target_pct / 100. For each year after the base: ``change_eur``, ``change_pct``,
    ``gap_eur`` = change - target change (negative = better than target for a reduction
    target), ``share_of_target`` = change / target change and ``met``.

    Returns ``base_amount``, ``target_pct``, ``target_change_eur``, ``target_amount``,
    ``by_year`` (DataFrame) and ``at_target_year`` (the row of ``target_year``, default the
    last year, as a dict; None when that year is missing).

    Example::

        p = target_progress({2016: 32_219_400, 2017: 31_900_000, 2018: 31_200_000})
        p["target_change_eur"], p["at_target_year"]["met"]
    """
    fn = "target_progress"
    s = pd.Series(series, dtype=float) if not isinstance(series, pd.Series) else series
    problems: list[Problem] = []
    years = pd.to_numeric(pd.Series(s.index), errors="coerce")
    if years.isna().any() or (years != years.round()).any():
        problems.append(Problem("index", "expected integer years"))
    values = pd.to_numeric(s, errors="coerce")
    for y, v in zip(s.index, values, strict=True):
        if not np.isfinite(v):
            problems.append(Problem(f"year {y}", "expected a finite amount"))
    if problems:
        raise InputError("<argument series>", problems)
    s = pd.Series(values.to_numpy(dtype=float), index=years.astype(int).to_numpy()).sort_index()
    if s.index.duplicated().any():
        raise InputError("<argument series>", "expected one amount per year (repeated year)")
    if not math.isfinite(target_pct):
        raise ParamsError(fn, f"target_pct: expected a number, got {target_pct!r}")
    if base_amount is None:
        if base_year not in s.index:
            raise InputError(
                "<argument series>",
                [Problem(f"year {base_year}", "missing; expected the base-year amount")],
            )
        base = float(s[base_year])
    else:
        base = float(base_amount)
    if not (math.isfinite(base) and base > 0):
        raise ParamsError(fn, f"base_amount: expected a positive amount, got {base!r}")
    target_change = base * target_pct / 100
    later = s[s.index > base_year]
    by_year = pd.DataFrame(
        {
            "year": later.index.astype(int),
            "amount": later.to_numpy(),
            "change_eur": later.to_numpy() - base,
        }
    )
    by_year["change_pct"] = 100 * by_year["change_eur"] / base
    by_year["target_change_eur"] = target_change
    by_year["gap_eur"] = by_year["change_eur"] - target_change
    by_year["share_of_target"] = (
        by_year["change_eur"] / target_change if target_change != 0 else np.nan
    )
    if target_change < 0:
        by_year["met"] = by_year["change_eur"] <= target_change
    else:
        by_year["met"] = by_year["change_eur"] >= target_change
    ty = int(by_year["year"].max()) if target_year is None and len(by_year) else target_year
    at = by_year[by_year["year"] == ty]
    return {
        "base_year": base_year,
        "base_amount": base,
        "target_pct": float(target_pct),
        "target_change_eur": target_change,
        "target_amount": base + target_change,
        "by_year": by_year,
        "at_target_year": None if at.empty else at.iloc[0].to_dict(),
    }
