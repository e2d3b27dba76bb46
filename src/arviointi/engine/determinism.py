"""Reported numbers of a routed or engine fit, settled to a fixed number of significant digits.

DuckDB and Spark add their partial sums in parallel, in an order that depends on the
threads, partitions and files; pandas adds in row order. The exact least-squares
solution is the same, but its last one or two binary digits (about 1e-14 relative) are
not, so a results.json written from one engine would not be byte-identical to one written
from another or to a rerun. The estimate, standard error and p-value of a fit whose input
was routed by :mod:`arviointi.engine.route` (every engine, pandas included) and of the
engine estimators are therefore rounded to :data:`SIGNIFICANT` significant digits: 10
digits keep every published figure and the 1e-9 agreement with the in-memory estimators,
and a 1e-14 difference changes a rounded value only when it falls within 1e-14 of a
rounding boundary (about one number in 10 000). Intervals are computed from the settled
estimate and standard error, so they agree too. A pandas DataFrame passed straight to an
estimator is not routed and keeps its full precision (the shipped evaluations' results).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

SIGNIFICANT = 10


def settle(x: float | None) -> float | None:
    """``x`` rounded to :data:`SIGNIFICANT` significant digits (None, nan, inf kept)."""
    if x is None or not math.isfinite(x) or x == 0:
        return x
    return float(f"{float(x):.{SIGNIFICANT - 1}e}")


def _settle_frame(frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    for col in columns:
        if col in frame.columns:
            frame[col] = [settle(v) if v is not None else None for v in frame[col].astype(float)]


def settle_result(res: Any) -> Any:
    """Round the reported numbers of ``res`` (an EffectResults) in place; returns it."""
    res.estimate = settle(res.estimate)
    res.se = settle(res.se)
    res.pvalue = settle(res.pvalue)
    table = getattr(res, "coef_table", None)
    if isinstance(table, pd.DataFrame):
        _settle_frame(table, ("estimate", "se"))
    return res
