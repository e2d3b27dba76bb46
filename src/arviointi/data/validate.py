"""Validate a raw table against a :class:`~arviointi.data.schemas.Schema`.

:func:`validate` renames source columns by the params mapping, coerces every schema column
to its kind, and collects EVERY problem before raising one
:class:`~arviointi.errors.InputError` that lists file, line, column, what was expected and
what was found. Rows are located by the reader's index when it names the source position
(``"line"``, ``"sheet row"``, ``"record"``), else by ``position + line_offset``.

Output dtypes: ``str``/``category`` -> pandas string dtype (missing = NaN); ``int`` -> int64,
or float64 when the column has missing values; ``float`` -> float64; ``month`` ->
datetime64[ns] at the first day of the month.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from arviointi.data.coerce import MISSING_TOKENS, MONTH_FORMATS, _coerce, _missing_mask
from arviointi.data.locate import (
    _ROWS_PER_PROBLEM,
    _constant,
    _locator,
    _order_message,
    _report,
    closest,
)
from arviointi.data.names import check_area_spellings, describe_columns
from arviointi.data.schemas import Schema, get_schema
from arviointi.errors import InputError, Problem

__all__ = ["MISSING_TOKENS", "MONTH_FORMATS", "check_areas", "closest", "validate"]


def validate(
    df: pd.DataFrame,
    schema: Schema | str,
    *,
    source: str,
    line_offset: int = 2,
    column_map: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Check and coerce ``df`` by ``schema``; return a clean frame or raise InputError.

    Parameters
    ----------
    df : the raw table (strings from the CSV reader, or typed values from Excel/Parquet)
    schema : a Schema or its name ("area_panel", "clients", ...)
    source : the file name used in messages
    line_offset : source line of the first data row when ``df``'s index does not say
        (2 = a CSV with its header on line 1)
    column_map : SOURCE column name -> schema column name (the params ``columns:``)

    The result has the schema columns present (in schema order) followed by any extra
    source columns (untouched, listed in ``attrs["extra_columns"]``), a RangeIndex, and
    attrs ``source``, ``schema``, ``extra_columns``, ``derived``.
    """
    sch = get_schema(schema) if isinstance(schema, str) else schema
    problems: list[Problem] = []
    where = _locator(df, line_offset, source)
    frame = df.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dupes:
        raise InputError(
            source, f"column name(s) {dupes} appear more than once; expected unique names"
        )
    if len(frame) == 0:
        problems.append(Problem("", "the table has no rows; expected at least one data row"))
    shown: dict[str, str] = {c: f"column {c!r}" for c in frame.columns}

    frame = _map_columns(frame, sch, dict(column_map or {}), shown, problems)
    _check_header(frame, sch, problems)
    present = [c for c in sch.names if c in frame.columns]
    _check_cells(frame, sch, present, where, shown, problems)
    _check_rules(frame, sch, where, shown, problems)
    if problems:
        raise InputError(source, problems)

    derived = _derive(frame, sch)
    order = [c for c in sch.names if c in frame.columns]
    extras = [c for c in frame.columns if c not in sch.names]
    out = frame[order + extras].reset_index(drop=True)
    attrs = dict(df.attrs)
    attrs.update(
        {"source": source, "schema": sch.name, "extra_columns": extras, "derived": derived}
    )
    out.attrs = attrs
    return out


def _map_columns(
    frame: pd.DataFrame,
    sch: Schema,
    cmap: dict[str, str],
    shown: dict[str, str],
    problems: list[Problem],
) -> pd.DataFrame:
    """Rename source columns by the params mapping (``columns:``), checking each entry."""
    renames: dict[str, str] = {}
    targets_seen: dict[str, str] = {}
    for src, dst in cmap.items():
        key = f"columns.{src}"
        if src not in frame.columns:
            close = closest(src, list(frame.columns), n=3, cutoff=0.6)
            hint = f"; closest: {', '.join(repr(c) for c in close)}" if close else ""
            problems.append(
                Problem(
                    key,
                    f"source column {src!r} is not in the file; "
                    f"{describe_columns(list(frame.columns))}{hint}",
                )
            )
            continue
        if dst not in sch.names:
            close = closest(dst, sch.names, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            problems.append(
                Problem(
                    key,
                    f"maps to {dst!r}, which is not a column of the {sch.name} schema; "
                    f"expected one of {sch.names}{hint}",
                )
            )
            continue
        if dst in targets_seen:
            problems.append(Problem(key, f"{src!r} and {targets_seen[dst]!r} both map to {dst!r}"))
            continue
        if dst in frame.columns and dst not in cmap:
            problems.append(
                Problem(
                    key,
                    f"maps {src!r} to {dst!r} but the file already has a column {dst!r}",
                )
            )
            continue
        targets_seen[dst] = src
        renames[src] = dst
    if renames:
        frame = frame.rename(columns=renames)
        for src, dst in renames.items():
            shown[dst] = f"column {src!r} ({dst})"

    return frame


def _check_header(frame: pd.DataFrame, sch: Schema, problems: list[Problem]) -> None:
    """Required columns that are missing, and unknown columns that look like misspellings."""
    unknown = [c for c in frame.columns if c not in sch.names]
    for name in sch.required:
        if name not in frame.columns:
            close = closest(name, unknown, n=3, cutoff=0.6)
            hint = (
                f"; closest source column: {', '.join(repr(c) for c in close)} (rename it or "
                f"map it in params: columns: {{{close[0]}: {name}}})"
                if close
                else f"; {describe_columns(list(frame.columns))}"
            )
            problems.append(
                Problem("header", f"required column {name!r} ({sch.name}) is missing{hint}")
            )
    for col in unknown:
        close = closest(col, sch.names, n=1, cutoff=0.8)
        if close and close[0] not in frame.columns:
            problems.append(
                Problem(
                    "header",
                    f"column {col!r} is not in the {sch.name} schema; did you mean "
                    f"{close[0]!r}? (rename it or map it in params: columns: {{{col}: "
                    f"{close[0]}}})",
                )
            )


def _check_cells(
    frame: pd.DataFrame,
    sch: Schema,
    present: Sequence[str],
    where: Callable[[int], str],
    shown: Mapping[str, str],
    problems: list[Problem],
) -> None:
    """Coerce every schema column in place, collecting the problems of its cells."""
    for name in present:
        spec = sch.column(name)
        col_problems: list[Problem] = []
        missing = _missing_mask(frame[name])
        series = _coerce(frame[name], spec, shown[name], where, col_problems, missing)
        frame[name] = series.set_axis(frame.index)
        if len(series) and missing.all() and spec.required:
            col_problems.append(
                Problem(
                    shown[name],
                    f"all {len(series)} values are missing; expected {spec.expected()}",
                )
            )
        elif not spec.nullable and missing.any():
            _report(
                col_problems,
                where,
                missing,
                shown[name],
                _constant(f"missing value; expected {spec.expected()}"),
            )
        problems.extend(col_problems)


def _check_rules(
    frame: pd.DataFrame,
    sch: Schema,
    where: Callable[[int], str],
    shown: Mapping[str, str],
    problems: list[Problem],
) -> None:
    """Table rules: unique keys, consistent area spellings, ``a <= b`` column pairs."""
    if all(k in frame.columns for k in sch.key):
        _check_key(frame, sch, where, shown, problems)
    if "area" in frame.columns:
        check_area_spellings(frame, where, shown["area"], problems)
    for a, b in sch.not_greater:
        if a in frame.columns and b in frame.columns:
            # Values with their own problems are NaN by now, so only valid pairs compare.
            av = frame[a].to_numpy(dtype="float64", na_value=np.nan)
            bv = frame[b].to_numpy(dtype="float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                bad = av > bv
            _report(
                problems,
                where,
                bad,
                f"{shown[a]} vs {shown[b]}",
                _order_message(a, b, av, bv),
            )


def _derive(frame: pd.DataFrame, sch: Schema) -> list[str]:
    """Add the columns the schema derives when absent (the unemployment rate); their names."""
    derived: list[str] = []
    if (
        sch.derive_rate
        and "unemployment_rate" not in frame.columns
        and {"unemployed", "labour_force"} <= set(frame.columns)
    ):
        u = frame["unemployed"].to_numpy(dtype="float64", na_value=np.nan)
        lf = frame["labour_force"].to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(lf > 0, 100.0 * u / lf, np.nan)
        frame["unemployment_rate"] = rate
        derived.append("unemployment_rate")

    return derived


def _check_key(
    frame: pd.DataFrame,
    sch: Schema,
    where: Callable[[int], str],
    shown: Mapping[str, str],
    problems: list[Problem],
) -> None:
    key = list(sch.key)
    sub = frame[key]
    complete = ~sub.isna().any(axis=1).to_numpy()
    dup = sub.duplicated(keep=False).to_numpy() & complete
    if not dup.any():
        return
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i in np.flatnonzero(dup):
        k = tuple(_key_text(v) for v in sub.iloc[int(i)])
        groups.setdefault(k, []).append(int(i))
    label = "(" + ", ".join(key) + ")"
    items = list(groups.items())
    for k, rows in items[:_ROWS_PER_PROBLEM]:
        locs = " and ".join(where(i) for i in rows[:4]) + (" ..." if len(rows) > 4 else "")
        problems.append(
            Problem(
                locs,
                f"duplicate {label} = {k}; expected one row per {label}",
            )
        )
    if len(items) > _ROWS_PER_PROBLEM:
        problems.append(
            Problem(label, f"... and {len(items) - _ROWS_PER_PROBLEM} more duplicated keys")
        )


def _key_text(v: Any) -> Any:
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m")
    if isinstance(v, np.integer):
        return int(v)
    return v


def check_areas(
    frame: pd.DataFrame, areas: Sequence[str], *, source: str, key: str = "areas"
) -> pd.DataFrame:
    """Keep the rows of ``areas``; unknown names are an InputError with the closest matches."""
    known = sorted(set(frame["area"].dropna().astype(str)))
    problems = []
    for a in areas:
        if a not in known:
            close = closest(a, known, n=3, cutoff=0.6)
            hint = f"; closest: {', '.join(repr(c) for c in close)}" if close else ""
            problems.append(Problem(key, f"area {a!r} is not in the data{hint}"))
    if problems:
        raise InputError(source, problems)
    out = frame[frame["area"].isin(list(areas))].reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    return out
