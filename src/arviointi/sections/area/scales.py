"""Scales of the area-level outcomes (level, per labour force, log) and the pilot areas
added up into one series (see :mod:`arviointi.sections.area`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from arviointi.errors import InputError, Problem

LEVEL_OUTCOMES = ("unemployment_rate",)
LOG_OUTCOMES = ("unemployed",)


def pilot_unit_name(pilots: list[str]) -> str:
    """Name of the one series that stands for the pilot areas ("Tampere + 9" for ten)."""
    return pilots[0] if len(pilots) == 1 else f"{pilots[0]} + {len(pilots) - 1}"


def scale_of(outcome: str) -> str:
    """``level``, ``log`` or ``per_labour_force`` (see the module docstring)."""
    if outcome in LEVEL_OUTCOMES:
        return "level"
    if outcome in LOG_OUTCOMES:
        return "log"
    return "per_labour_force"


def transform(frame: pd.DataFrame, outcome: str, scale: str, source: str) -> pd.Series:
    """The outcome of ``frame`` on ``scale`` (aligned with ``frame.index``)."""
    if outcome not in frame.columns:
        raise InputError(source, [Problem(f"column {outcome!r}", "missing: outcome in params")])
    values = frame[outcome].astype("float64")
    if scale == "level":
        return values
    if scale == "log":
        bad = frame.index[values <= 0]
        if len(bad):
            raise InputError(
                source,
                [Problem(f"row {bad[0]}, column {outcome!r}", "expected > 0 to take a log")],
            )
        return pd.Series(100.0 * np.log(values.to_numpy()), index=frame.index)
    if "labour_force" not in frame.columns:
        raise InputError(
            source,
            [Problem("column 'labour_force'", f"needed to express {outcome} per labour force")],
        )
    lf = frame["labour_force"].astype("float64")
    bad = frame.index[~(lf > 0)]
    if len(bad):
        raise InputError(
            source, [Problem(f"row {bad[0]}, column 'labour_force'", "expected a positive number")]
        )
    return 100.0 * values / lf


def aggregate_pilot(frame: pd.DataFrame, outcome: str, scale: str, source: str) -> pd.DataFrame:
    """One series for all pilot areas together: counts summed before the scale is applied
    (so the rate is the pooled rate, i.e. labour-force weighted)."""
    cols = ["unemployed", "labour_force"] if outcome == "unemployment_rate" else [outcome]
    if scale == "per_labour_force":
        cols = [outcome, "labour_force"]
    if outcome == "unemployment_rate" and not {"unemployed", "labour_force"} <= set(frame):
        means = pd.DataFrame(frame.groupby("month", as_index=False)[outcome].mean())
        means["y"] = means[outcome]
        return pd.DataFrame(means[["month", "y"]])
    summed = pd.DataFrame(frame.groupby("month", as_index=False)[cols].sum())
    if outcome == "unemployment_rate":
        summed["y"] = 100.0 * summed["unemployed"] / summed["labour_force"]
    else:
        summed["y"] = transform(summed, outcome, scale, source)
    return pd.DataFrame(summed[["month", "y"]])
