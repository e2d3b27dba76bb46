"""Planted true effects and the realised truth that evaluations compare against.

Two layers:

* :class:`TrueEffects` holds the planted PARAMETERS (what the generator is told to do).
* :class:`Truth` holds the REALISED effects in the units an evaluation estimates. The
  generator simulates both potential outcomes with common random numbers (the same noise
  draws with and without the pilot), so the truth is the exact difference
  ``actual - counterfactual`` in this very data set, not an expectation.

Outcomes and levels (``Truth.att(outcome, level, ...)``):

=====================  =======  ==========================================================
outcome                level    unit / definition
=====================  =======  ==========================================================
unemployment_rate      area     Varissuo, percentage points, mean over months in window
unemployed             area     Varissuo, persons, mean over months
kela_list              area     Varissuo, persons on the Kela list, mean over months
social_assistance      area     Varissuo, recipients, mean over months
municipal_share_eur    area     Varissuo's share of Kela's invoice, EUR/month, mean
employed               client   pilot clients, share employed (0..1), pooled client-months
municipal_share_eur    client   pilot clients, EUR per client-month, pooled client-months
life_management        survey   pilot respondents at a wave (window = wave numbers)
work_ability           survey   idem
wellbeing              survey   idem
=====================  =======  ==========================================================
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from ...errors import ParamsError


@dataclass(frozen=True)
class TrueEffects:
    """Planted effect parameters of the Varissuo pilot (all zero = a placebo data set).

    Area level (Varissuo only; comparison districts carry no effect):
      unemployment_rate_pp : full effect on the unemployment rate, percentage points
        (negative = fewer unemployed), reached after ``ramp_months`` and kept to the end.
      kela_list_pct : full proportional effect on Varissuo's Kela list, % of counterfactual.
      social_assistance_pct : full proportional effect on social assistance recipients, %.
      ramp_months : linear phase-in from ``pilot_start``: month k (0-based) gets
        min(1, (k + 1) / ramp_months) of the full effect.
    Client level (pilot clients, from the month after entry):
      employment_hazard_ratio : multiplier of the monthly unemployed -> employed probability.
      services_hazard_ratio : multiplier of the monthly unemployed -> services probability.
    Survey (pilot clients; half at wave 1, full at wave 2; scale points before rounding):
      life_management, work_ability, wellbeing : additive shifts.
    """

    unemployment_rate_pp: float = -1.5
    kela_list_pct: float = -8.0
    social_assistance_pct: float = -5.0
    ramp_months: int = 6
    employment_hazard_ratio: float = 1.8
    services_hazard_ratio: float = 1.5
    life_management: float = 0.8
    work_ability: float = 0.6
    wellbeing: float = 3.0

    def ramp(self, months_since_start: int) -> float:
        """Share (0..1) of the full area effect in month ``months_since_start`` (0-based)."""
        if months_since_start < 0:
            return 0.0
        return min(1.0, (months_since_start + 1) / max(self.ramp_months, 1))

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


#: Documentation of every realised outcome: (level, outcome) -> (unit, definition).
OUTCOMES: dict[tuple[str, str], tuple[str, str]] = {
    ("area", "unemployment_rate"): (
        "percentage points",
        "Varissuo unemployment rate, actual minus counterfactual, mean over months",
    ),
    ("area", "unemployed"): ("persons", "Varissuo unemployed jobseekers, mean over months"),
    ("area", "kela_list"): ("persons", "Varissuo residents on the Kela list, mean over months"),
    ("area", "social_assistance"): (
        "persons",
        "Varissuo social assistance recipients, mean over months",
    ),
    ("area", "municipal_share_eur"): (
        "EUR per month",
        "Varissuo's part of Kela's municipal-share invoice, mean over months",
    ),
    ("client", "employed"): (
        "probability (0..1)",
        "pilot clients: share of client-months employed, pooled over client-months",
    ),
    ("client", "municipal_share_eur"): (
        "EUR per client-month",
        "pilot clients: municipal share of their subsidy, pooled over client-months",
    ),
    ("survey", "life_management"): ("scale points 1..10", "pilot respondents at the wave(s)"),
    ("survey", "work_ability"): ("scale points 0..10", "pilot respondents at the wave(s)"),
    ("survey", "wellbeing"): ("scale points 14..70", "pilot respondents at the wave(s)"),
}


@dataclass(frozen=True)
class Truth:
    """Realised effects of the planted pilot in one generated data set.

    ``series`` has one row per (level, outcome, period): ``period`` is a month "YYYY-MM"
    (area, client) or a wave number as text (survey); ``effect_sum`` is the summed
    actual-minus-counterfactual difference over the ``weight`` units in that period
    (weight 1 for an area-month, number of observed client-months, number of respondents).
    """

    effects: TrueEffects
    pilot_start: pd.Timestamp
    series: pd.DataFrame = field(repr=False)

    def att(
        self,
        outcome: str,
        level: str,
        post_start: str | pd.Timestamp | int | None = None,
        post_end: str | pd.Timestamp | int | None = None,
    ) -> float:
        """Realised average effect on the treated for ``outcome`` at ``level`` in a window.

        Area/client: ``post_start``/``post_end`` are months (inclusive; default: pilot
        start to the last month). Survey: they are wave numbers (default: wave 2 only).
        """
        if (level, outcome) not in OUTCOMES:
            known = ", ".join(f"{lv}/{oc}" for lv, oc in OUTCOMES)
            raise ParamsError(
                "<truth>",
                f"outcome={outcome!r}, level={level!r}: expected one of {known}",
            )
        rows = self.series[(self.series["level"] == level) & (self.series["outcome"] == outcome)]
        if level == "survey":
            lo = 2 if post_start is None else int(post_start)
            hi = lo if post_end is None else int(post_end)
            waves = rows["period"].astype(int)
            sel = rows[(waves >= lo) & (waves <= hi)]
        else:
            start = self.pilot_start if post_start is None else pd.Timestamp(post_start)
            months = pd.to_datetime(rows["period"].map(_month_of))
            sel = rows[months >= start]
            if post_end is not None:
                sel = sel[pd.to_datetime(sel["period"].map(_month_of)) <= pd.Timestamp(post_end)]
        weight = float(sel["weight"].sum())
        if weight == 0:
            raise ParamsError(
                "<truth>",
                f"window {post_start}..{post_end} for {level}/{outcome}: no treated units in it",
            )
        return float(sel["effect_sum"].sum()) / weight

    def table(self, windows: Mapping[str, tuple[str, str]] | None = None) -> pd.DataFrame:
        """Documented table of realised effects (one row per level, outcome and window)."""
        last = self._last_month()
        windows = windows or {"post": (self.pilot_start.strftime("%Y-%m"), last)}
        rows: list[dict[str, Any]] = []
        for (level, outcome), (unit, definition) in OUTCOMES.items():
            if level == "survey":
                for wave in (1, 2):
                    rows.append(
                        {
                            "level": level,
                            "outcome": outcome,
                            "window": f"wave {wave}",
                            "value": self.att(outcome, level, wave, wave),
                            "unit": unit,
                            "definition": definition,
                        }
                    )
                continue
            for name, (lo, hi) in windows.items():
                rows.append(
                    {
                        "level": level,
                        "outcome": outcome,
                        "window": f"{name} {lo}..{hi}",
                        "value": self.att(outcome, level, lo, hi),
                        "unit": unit,
                        "definition": definition,
                    }
                )
        return pd.DataFrame(rows)

    def _last_month(self) -> str:
        area = self.series[self.series["level"] == "area"]
        return str(area["period"].max())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: planted parameters, realised table (post window and per year)."""
        last = self._last_month()
        windows = {"post": (self.pilot_start.strftime("%Y-%m"), last)}
        for year in range(self.pilot_start.year, int(last[:4]) + 1):
            windows[str(year)] = (f"{year}-01", f"{year}-12")
        table = self.table(windows)
        records = [
            {k: (_round(v) if isinstance(v, float) else v) for k, v in row.items()}
            for row in table.to_dict(orient="records")
        ]
        return {
            "synthetic": True,
            "pilot_start": self.pilot_start.strftime("%Y-%m"),
            "planted": self.effects.to_dict(),
            "realised": records,
            "notes": (
                "Realised effects are exact actual-minus-counterfactual differences in this "
                "data set (common random numbers); see data/synthetic/README.md."
            ),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _month_of(period: str) -> str:
    return f"{period}-01" if len(period) == 7 else period


def _round(value: float) -> float:
    return round(value, 6) if math.isfinite(value) else value
