"""Every figure's data as a CSV file, downloadable beside the figure in the HTML report.

:meth:`Emitter.figure` keeps the frames it drew from (after disclosure control: rows of a
client-level figure with fewer persons than the threshold are already gone, so the file
holds exactly the numbers the figure shows) as CSV text in the bundle (``data``). The
renderer turns them into ``data:`` links (nothing is loaded from outside) and lists them in
the appendix. CSV: RFC 4180, comma-separated, decimal point, UTF-8 with a byte-order mark
(so that spreadsheet programs read ä and ö); text cells that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading
apostrophe.

    entries = figure_csvs({"frame": df})          # [{"name": "frame", "csv": ..., "rows": n}]
    link = data_link(entries[0], "demo-kuvio-3-frame.csv", "Lataa aineisto (CSV)")
"""

from __future__ import annotations

import html
import io
import urllib.parse
from collections.abc import Mapping
from typing import Any

import pandas as pd

from arviointi.errors import InputError, Problem

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def frame_csv(frame: pd.DataFrame) -> str:
    """``frame`` (index dropped unless named) as CSV text."""
    data = frame.reset_index() if any(n is not None for n in frame.index.names) else frame
    data = data.copy()
    data.columns = [str(_safe_text(str(c))) for c in data.columns]
    for column in data.columns:
        if data[column].dtype == object or pd.api.types.is_string_dtype(data[column]):
            data[column] = data[column].map(_safe_text)
    buffer = io.StringIO()
    data.to_csv(buffer, index=False, lineterminator="\r\n", date_format="%Y-%m-%d")
    return buffer.getvalue()


def figure_csvs(frames: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One ``{"name", "csv", "rows"}`` entry per DataFrame in ``frames``."""
    return [
        {"name": str(name), "csv": frame_csv(value), "rows": len(value)}
        for name, value in frames.items()
        if isinstance(value, pd.DataFrame)
    ]


def check_entries(value: Any, source: str, where: str) -> list[dict[str, Any]]:
    """The ``data`` field of a figure bundle, checked."""
    if value is None:
        return []
    ok = isinstance(value, list) and all(
        isinstance(e, Mapping)
        and isinstance(e.get("name"), str)
        and isinstance(e.get("csv"), str)
        and isinstance(e.get("rows"), int)
        for e in value
    )
    if not ok:
        raise InputError(source, [Problem(where, "figure data must be [{name, csv, rows}]")])
    return [dict(e) for e in value]


def data_link(entry: Mapping[str, Any], filename: str, label: str) -> str:
    """An ``<a download>`` with the CSV in a ``data:`` URI."""
    payload = urllib.parse.quote("\ufeff" + str(entry["csv"]), safe="")
    return (
        f'<a class="arv-data" data-arv-csv="" download="{html.escape(filename, quote=True)}" '
        f'href="data:text/csv;charset=utf-8,{payload}">{html.escape(label)}</a>'
    )
