"""Input checks on DataFrame arguments shared by the client, cost, well-being and
organisation analyses.

Every problem is reported at once through :class:`arviointi.errors.InputError`, naming the
DataFrame argument (``source``), the row (1-based position in the frame) and column, and
what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from arviointi.column_checks import require_columns as check_columns
from arviointi.errors import InputError, Problem

#: how many offending rows a single problem lists before summarising
_MAX_ROWS_LISTED = 10


def frame_source(argument: str) -> str:
    """The ``path`` of errors about a DataFrame argument: ``<DataFrame argument clients>``."""
    return f"<DataFrame argument {argument}>"


def require_frame(frame: object, argument: str) -> pd.DataFrame:
    """``frame`` itself must be a DataFrame."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            frame_source(argument),
            f"expected a pandas DataFrame, got {type(frame).__name__}",
        )
    return frame


def require_columns(
    frame: pd.DataFrame, columns: Iterable[str], argument: str, *, purpose: str = ""
) -> None:
    """:func:`arviointi.column_checks.require_columns` for a DataFrame argument."""
    check_columns(frame, columns, frame_source(argument), purpose=purpose)


def _rows_text(mask: np.ndarray) -> str:
    rows = np.flatnonzero(mask) + 1
    shown = ", ".join(str(r) for r in rows[:_MAX_ROWS_LISTED])
    more = f" and {len(rows) - _MAX_ROWS_LISTED} more" if len(rows) > _MAX_ROWS_LISTED else ""
    return f"row {shown}{more}" if len(rows) == 1 else f"rows {shown}{more}"


def bad_rows_problem(mask: np.ndarray | pd.Series, column: str, expected: str) -> Problem | None:
    """A Problem naming the rows where ``mask`` is true, or None when no row is bad."""
    arr = np.asarray(mask, dtype=bool)
    if not arr.any():
        return None
    return Problem(f"{_rows_text(arr)}, column {column!r}", f"expected {expected}")


def check_values_in(
    frame: pd.DataFrame, column: str, allowed: Sequence[object], argument: str
) -> Problem | None:
    """Problem for values of ``column`` outside ``allowed`` (missing values included)."""
    values = frame[column]
    bad = ~values.isin(list(allowed)).to_numpy()
    return bad_rows_problem(bad, column, f"one of {', '.join(map(str, allowed))}")


def check_numeric(
    frame: pd.DataFrame,
    column: str,
    *,
    allow_missing: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> list[Problem]:
    """Problems for non-numeric, missing or out-of-range values of ``column``."""
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    problems: list[Problem] = []
    not_number = values.isna() & raw.notna()
    p = bad_rows_problem(not_number.to_numpy(), column, "a number")
    if p:
        problems.append(p)
    if not allow_missing:
        p = bad_rows_problem(raw.isna().to_numpy(), column, "a value (missing)")
        if p:
            problems.append(p)
    if minimum is not None:
        p = bad_rows_problem((values < minimum).to_numpy(), column, f"a number >= {minimum:g}")
        if p:
            problems.append(p)
    if maximum is not None:
        p = bad_rows_problem((values > maximum).to_numpy(), column, f"a number <= {maximum:g}")
        if p:
            problems.append(p)
    return problems


def raise_if_problems(problems: Sequence[Problem | None], argument: str) -> None:
    """Raise one InputError with every non-None problem."""
    found = [p for p in problems if p is not None]
    if found:
        raise InputError(frame_source(argument), found)
