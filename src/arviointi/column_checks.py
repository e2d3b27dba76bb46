"""The one check that an input has the columns a step needs.

Every estimator, analysis and the data layer call :func:`require_columns`, so a missing
column reads the same everywhere: every missing column at once, named, with the purpose
(when given) and the columns that are there.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import pandas as pd

from arviointi.errors import InputError, Problem

#: how many of the available columns a message lists
_SHOWN = 20


def _available(have: Sequence[Hashable]) -> str:
    shown = ", ".join(map(str, have[:_SHOWN]))
    return shown + (f", ... ({len(have)} in all)" if len(have) > _SHOWN else "")


def require_columns(
    data: Any,
    columns: Iterable[Hashable],
    source: str,
    *,
    purpose: str = "",
    have: Sequence[Hashable] | None = None,
) -> None:
    """Raise InputError listing every column of ``columns`` missing from ``data``.

    data : a pandas DataFrame (anything else is an error), unless ``have`` gives the
        available column names (inputs that are not in memory: files, DuckDB, Spark)
    source : what the error names (a file, ``<DataFrame>``, a DataFrame argument)
    purpose : what the frame is, shown with each missing column (e.g. "output of did_panel")
    """
    if have is None:
        if not isinstance(data, pd.DataFrame):
            raise InputError(source, f"expected a pandas DataFrame, got {type(data).__name__}")
        have = list(data.columns)
    missing = [c for c in dict.fromkeys(columns) if c not in have]
    if missing:
        why = f" ({purpose})" if purpose else ""
        raise InputError(
            source,
            [
                Problem(f"column {c!r}", f"missing{why}; available columns: {_available(have)}")
                for c in missing
            ],
        )
