"""Input checks shared by the panel estimators (event study, staggered DiD, synth, ITS).

Every check raises an :mod:`arviointi.errors` subclass whose message names the source,
the row and column and what was expected. Missing values are dropped explicitly and the
count is returned as a warning string, never silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from arviointi.errors import DesignError, InputError, ParamsError, Problem


def drop_missing(
    data: pd.DataFrame, columns: Sequence[str], source: str, *, outcome: str
) -> tuple[pd.DataFrame, list[str]]:
    """Drop rows with a missing value in ``columns``; return the rest and warnings.

    Raises InputError when the outcome is missing on every row.
    """
    if len(data) == 0:
        raise InputError(source, "the data have no rows")
    if data[outcome].isna().all():
        raise InputError(
            source, [Problem(f"column {outcome!r}", "the outcome is missing on every row")]
        )
    warnings: list[str] = []
    mask = data[list(columns)].isna()
    bad = mask.any(axis=1)
    if bad.any():
        counts = {c: int(mask[c].sum()) for c in columns if mask[c].any()}
        detail = ", ".join(f"{c!r}: {n}" for c, n in counts.items())
        warnings.append(
            f"dropped {int(bad.sum())} of {len(data)} rows with missing values ({detail})"
        )
    return data.loc[~bad].copy(), warnings


def require_numeric(data: pd.DataFrame, column: str, source: str) -> None:
    """Raise InputError when ``column`` is not numeric, naming the first bad rows."""
    if pd.api.types.is_bool_dtype(data[column]) or pd.api.types.is_numeric_dtype(data[column]):
        return
    as_num = pd.to_numeric(data[column], errors="coerce")
    bad = data.index[as_num.isna() & data[column].notna()][:5]
    raise InputError(
        source,
        [
            Problem(f"row {i}, column {column!r}", f"expected a number, got {data.at[i, column]!r}")
            for i in bad
        ]
        or [Problem(f"column {column!r}", "expected a numeric column")],
    )


def binary_treatment(data: pd.DataFrame, column: str, source: str) -> pd.Series:
    """Return ``column`` as 0/1 integers; raise InputError on any other value."""
    values = data[column]
    ok = values.isin([0, 1, True, False])
    if not ok.all():
        bad = data.index[~ok][:5]
        raise InputError(
            source,
            [
                Problem(f"row {i}, column {column!r}", f"expected 0/1 treatment, got {values[i]!r}")
                for i in bad
            ],
        )
    return values.astype(int)


def require_unique(data: pd.DataFrame, keys: Sequence[str], source: str) -> None:
    """Raise InputError when rows repeat a key combination such as (unit, time)."""
    dup = data.duplicated(list(keys), keep=False)
    if dup.any():
        rows = data.index[dup][:5]
        raise InputError(
            source,
            [
                Problem(
                    f"row {i}, columns {list(keys)!r}",
                    f"expected one row per {' x '.join(keys)}, this combination repeats",
                )
                for i in rows
            ],
        )


def first_treated(
    data: pd.DataFrame, *, unit: str, time: str, treatment: str, source: str
) -> pd.Series:
    """First treated time per unit (NaN/NaT when never treated).

    Raises DesignError when a unit's treatment switches off after switching on, or when
    a unit is treated in its first observed period (no pre-period).
    """
    d = data[[unit, time, treatment]].sort_values([unit, time])
    first: dict[Any, object] = {}
    for u, g in d.groupby(unit, sort=True):
        tr = g[treatment].to_numpy()
        if tr.any():
            k = int(np.argmax(tr))
            if not tr[k:].all():
                off = g.iloc[k:][tr[k:] == 0].iloc[0]
                raise DesignError(
                    f"{source}: unit {u!r} switches treatment off at {time}={off[time]!r} "
                    f"(column {treatment!r}); expected treatment to stay on once it starts"
                )
            if k == 0:
                raise DesignError(
                    f"{source}: unit {u!r} is treated from its first observed period "
                    f"{time}={g[time].iloc[0]!r} (column {treatment!r}); "
                    "expected at least one pre-treatment period"
                )
            first[u] = g[time].iloc[k]
        else:
            first[u] = None
    return pd.Series(first, name="first_treated")


def period_index(times: pd.Series) -> tuple[pd.Series, list[str]]:
    """Integer period index of a time column (months for datetimes, values for ints).

    Returns the index and a warning when the observed periods have gaps.
    """
    if pd.api.types.is_datetime64_any_dtype(times):
        idx = (times.dt.year * 12 + times.dt.month).astype(int)
    elif pd.api.types.is_integer_dtype(times) or (
        pd.api.types.is_float_dtype(times) and np.all(np.mod(times.dropna(), 1) == 0)
    ):
        idx = times.astype(int)
    else:
        raise InputError(
            "<time column>",
            [Problem(f"column {times.name!r}", "expected datetime64 months or integer years")],
        )
    idx = idx - int(idx.min())
    warnings: list[str] = []
    uniq = np.unique(idx.to_numpy())
    if len(uniq) > 1 and (np.diff(uniq) != 1).any():
        n_gap = int(uniq[-1] - uniq[0] + 1 - len(uniq))
        warnings.append(
            f"time column {times.name!r} has {n_gap} missing period(s) between its ends"
        )
    return idx, warnings


def check_window(window: tuple[int, int] | None, reference: int) -> None:
    """The reference period is a lead and the window holds it and event time 0."""
    if reference >= 0:
        raise ParamsError("event_study", [Problem("reference", "expected a negative lead")])
    if window is not None and not (window[0] <= reference < 0 <= window[1]):
        raise ParamsError(
            "event_study",
            [Problem("window", f"expected (lo, hi) with lo <= reference={reference} < 0 <= hi")],
        )
