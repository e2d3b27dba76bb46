"""Register indicators of well-being (e.g. social-assistance recipients) prepared for an
area-level difference-in-differences with :func:`arviointi.did`.

Counts are turned into rates per ``per`` persons of a denominator column (``population``
by default, or ``labour_force``), so that areas of different size are comparable; the
count and the denominator are kept for disclosure control.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from arviointi.errors import InputError, ParamsError, Problem
from arviointi.matching.frame_checks import (
    bad_rows_problem,
    check_numeric,
    frame_source,
    raise_if_problems,
    require_columns,
    require_frame,
)


def register_indicator_panel(
    area_panel: pd.DataFrame,
    indicator: str = "social_assistance_recipients",
    *,
    pilot_areas: Sequence[str],
    pilot_start: str | pd.Timestamp,
    denominator: str | None = "population",
    per: float = 1000.0,
) -> pd.DataFrame:
    """Area x month frame with ``area``, ``month``, the count, the denominator, ``rate``
    (count / denominator * per; the count itself when ``denominator`` is None), ``pilot``
    (0/1), ``post`` (month >= pilot_start) and ``treated`` (= pilot * post).

    Example::

        reg = register_indicator_panel(area_panel, pilot_areas=["Varissuo"],
                                       pilot_start="2013-01")
        did(reg, "rate", unit="area", time="month", treatment="treated")
    """
    require_frame(area_panel, "area_panel")
    cols = ["area", "month", indicator] + ([denominator] if denominator else [])
    require_columns(area_panel, cols, "area_panel", purpose="register indicator")
    problems: list[Problem | None] = [*check_numeric(area_panel, indicator, minimum=0)]
    if denominator:
        problems += check_numeric(area_panel, denominator, minimum=0)
        problems.append(
            bad_rows_problem(
                (pd.to_numeric(area_panel[denominator], errors="coerce") == 0).to_numpy(),
                denominator,
                "a positive denominator",
            )
        )
    raise_if_problems(problems, "area_panel")
    if not per > 0:
        raise ParamsError("register_indicator_panel", f"per: expected > 0, got {per!r}")
    pilots = list(pilot_areas)
    missing = [a for a in pilots if a not in set(area_panel["area"])]
    if missing or not pilots:
        raise InputError(
            frame_source("area_panel"),
            [Problem("column 'area'", f"expected the pilot area(s) {missing or pilots} in it")],
        )
    out = area_panel[cols].copy()
    out["month"] = pd.to_datetime(out["month"])
    count = pd.to_numeric(out[indicator]).astype(float)
    if denominator:
        out["rate"] = count / pd.to_numeric(out[denominator]).astype(float) * per
    else:
        out["rate"] = count
    out["pilot"] = out["area"].isin(pilots).astype(int)
    out["post"] = (out["month"] >= pd.Timestamp(pilot_start)).astype(int)
    out["treated"] = out["pilot"] * out["post"]
    if not out["post"].any() or out["post"].all():
        raise InputError(
            frame_source("area_panel"),
            f"expected months both before and after pilot_start {pilot_start}",
        )
    return out.sort_values(["area", "month"]).reset_index(drop=True).astype({"rate": np.float64})
