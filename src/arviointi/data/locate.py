"""Where a problem is and how it is listed: the row locator of a validated table, the
"first few rows, then the count" reporting, and close-spelling suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from arviointi.errors import Problem

_ROWS_PER_PROBLEM = 5
_POSITION_INDEX_NAMES = ("line", "sheet row", "record")


def closest(word: str, pool: Sequence[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Case-insensitive difflib suggestions from ``pool`` (returned in their own spelling)."""
    folded: dict[str, str] = {}
    for p in pool:
        folded.setdefault(str(p).casefold(), str(p))
    hits = difflib.get_close_matches(str(word).casefold(), list(folded), n=n, cutoff=cutoff)
    return [folded[h] for h in hits]


def _locator(df: pd.DataFrame, line_offset: int, source: str) -> Callable[[int], str]:
    if df.index.name in _POSITION_INDEX_NAMES:
        label = str(df.index.name)
        values = df.index.to_numpy()
        return lambda i: f"{label} {values[i]}"
    word = "row" if source.startswith("<") else "line"
    return lambda i: f"{word} {i + line_offset}"


def _report(
    problems: list[Problem],
    where: Callable[[int], str],
    mask: np.ndarray[Any, Any],
    column: str,
    message: Callable[[int], str],
) -> None:
    """Add one problem per flagged row (the first few) and a count of the rest."""
    idx = np.flatnonzero(mask)
    for i in idx[:_ROWS_PER_PROBLEM]:
        problems.append(Problem(f"{where(int(i))}, {column}", message(int(i))))
    if len(idx) > _ROWS_PER_PROBLEM:
        rest = len(idx) - _ROWS_PER_PROBLEM
        nxt = int(idx[_ROWS_PER_PROBLEM])
        problems.append(
            Problem(
                column,
                f"... and {rest} more row(s) with the same problem "
                f"(e.g. {where(nxt)}: {message(nxt)})",
            )
        )


def _constant(text: str) -> Callable[[int], str]:
    return lambda _i: text


def _order_message(
    a: str, b: str, av: np.ndarray[Any, Any], bv: np.ndarray[Any, Any]
) -> Callable[[int], str]:
    return lambda i: f"{a} ({_fmt(av[i])}) > {b} ({_fmt(bv[i])}); expected {a} <= {b}"


def _fmt(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)
