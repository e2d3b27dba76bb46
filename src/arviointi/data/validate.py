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

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from arviointi.data.names import check_area_spellings, describe_columns
from arviointi.data.schemas import FIRST_YEAR, LAST_YEAR, Column, Schema, get_schema
from arviointi.errors import InputError, Problem

__all__ = ["MISSING_TOKENS", "MONTH_FORMATS", "validate"]

#: Cell texts read as missing values.
MISSING_TOKENS = frozenset(
    {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", ".", "..", "..."}
)

#: Accepted month formats: name -> pattern with groups (year, month) or (day, month, year).
MONTH_FORMATS: dict[str, re.Pattern[str]] = {
    "YYYY-MM": re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})$"),
    "YYYYMmm (StatFin)": re.compile(r"^(?P<y>\d{4})M(?P<m>\d{2})$"),
    "D.M.YYYY": re.compile(r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$"),
    "YYYY-MM-DD": re.compile(
        r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$"
    ),
}

_ROWS_PER_PROBLEM = 5
_GROUPED_DIGITS = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?:\D|$))")
_POSITION_INDEX_NAMES = ("line", "sheet row", "record")


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

    # -- column mapping
    cmap = dict(column_map or {})
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

    # -- required, misspelled and extra columns
    present = [c for c in sch.names if c in frame.columns]
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

    # -- cell values
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

    # -- table rules
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
    if problems:
        raise InputError(source, problems)

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

    order = [c for c in sch.names if c in frame.columns]
    extras = [c for c in frame.columns if c not in sch.names]
    out = frame[order + extras].reset_index(drop=True)
    attrs = dict(df.attrs)
    attrs.update(
        {"source": source, "schema": sch.name, "extra_columns": extras, "derived": derived}
    )
    out.attrs = attrs
    return out


#: whole numbers from here on are not all representable in float64
_MAX_EXACT_INT = 2**53


def closest(word: str, pool: Sequence[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Case-insensitive difflib suggestions from ``pool`` (returned in their own spelling)."""
    folded: dict[str, str] = {}
    for p in pool:
        folded.setdefault(str(p).casefold(), str(p))
    hits = difflib.get_close_matches(str(word).casefold(), list(folded), n=n, cutoff=cutoff)
    return [folded[h] for h in hits]


# --------------------------------------------------------------------------- locating


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


# --------------------------------------------------------------------------- coercion


def _per_unique(s: pd.Series, fn: Callable[[Any], Any], dtype: Any) -> np.ndarray[Any, Any]:
    """``fn`` applied to each distinct value once, spread back to every row."""
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=False)
    table = np.array([fn(u) for u in uniques], dtype=dtype)
    if len(table) == 0:
        return np.empty(0, dtype=dtype)
    return table[codes]


def _is_missing_value(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    return isinstance(v, str) and v.strip() in MISSING_TOKENS


def _all_text(s: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(s.dtype) and (
        s.dtype != object or pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")
    )


def _missing_mask(s: pd.Series) -> np.ndarray[Any, Any]:
    if _all_text(s):  # vectorised
        stripped = s.astype("str").str.strip()
        return (s.isna() | stripped.isin(list(MISSING_TOKENS))).to_numpy(dtype=bool)
    if s.dtype == object:
        return _per_unique(s, _is_missing_value, bool)
    return s.isna().to_numpy()


def _text_of(v: Any) -> Any:
    if _is_missing_value(v):
        return np.nan
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _as_text(s: pd.Series) -> pd.Series:
    """Strings of the values (integral floats without '.0'), stripped; missing -> NaN."""
    return pd.Series(_per_unique(s, _text_of, object))


_BAD = object()


def _number_of(v: Any) -> Any:
    """float for a number or numeric text, NaN for missing, _BAD for anything else."""
    if _is_missing_value(v):
        return np.nan
    if isinstance(v, bool | np.bool_):
        return _BAD
    if isinstance(v, int | float | np.integer | np.floating):
        return float(v)
    if isinstance(v, str):
        t = _GROUPED_DIGITS.sub("", v.strip())
        if "_" in t:  # float() accepts '1_000'; a data file should not
            return _BAD
        try:
            return float(t)
        except ValueError:
            return _BAD
    return _BAD


def _coerce(
    s: pd.Series,
    spec: Column,
    shown: str,
    where: Callable[[int], str],
    problems: list[Problem],
    missing: np.ndarray[Any, Any],
) -> pd.Series:
    if spec.kind in ("int", "float"):
        return _coerce_number(s, spec, shown, where, problems, missing)
    if spec.kind == "month":
        return _coerce_month(s, spec, shown, where, problems, missing)
    text = _as_text(s)
    text[missing] = np.nan
    if spec.kind == "category":
        bad = ~missing & ~text.isin(spec.allowed).to_numpy()

        def msg(i: int) -> str:
            close = closest(str(text.iloc[i]), spec.allowed, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"expected {spec.expected()}; found {text.iloc[i]!r}{hint}"

        _report(problems, where, bad, shown, msg)
    return text.astype("str")


def _coerce_number(
    s: pd.Series,
    spec: Column,
    shown: str,
    where: Callable[[int], str],
    problems: list[Problem],
    missing: np.ndarray[Any, Any],
) -> pd.Series:
    raw = s.astype(object)
    if pd.api.types.is_bool_dtype(s.dtype):
        num = pd.Series(np.full(len(s), np.nan))
        bad_type = ~missing
    elif pd.api.types.is_numeric_dtype(s.dtype):
        num = pd.Series(s.to_numpy(dtype="float64", na_value=np.nan))
        bad_type = np.zeros(len(s), dtype=bool)
    else:
        values_fast = np.full(len(s), np.nan)
        slow = ~missing
        if _all_text(s):  # plain numbers in C first; only the rest cell by cell
            text = s.astype("str").str.strip()
            plain = text.str.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?").to_numpy(
                dtype=bool, na_value=False
            )
            plain = plain & ~missing
            values_fast[plain] = pd.to_numeric(text[plain]).to_numpy(dtype="float64")
            slow &= ~plain
        bad_type = np.zeros(len(s), dtype=bool)
        if slow.any():
            sub = s[slow]
            parsed = _per_unique(sub, _number_of, object)
            is_bad = np.array([p is _BAD for p in parsed], dtype=bool)
            idx = np.flatnonzero(slow)
            bad_type[idx[is_bad]] = True
            values_fast[idx[~is_bad]] = np.array(
                [float(p) for p in parsed[~is_bad]], dtype="float64"
            )
        num = pd.Series(values_fast)
    values = num.to_numpy(dtype="float64")
    what = "a whole number" if spec.kind == "int" else "a number"
    _report(
        problems,
        where,
        bad_type,
        shown,
        lambda i: f"expected {what}; found {raw.iloc[i]!r}",
    )
    with np.errstate(invalid="ignore"):
        inf = ~missing & ~bad_type & ~np.isfinite(values)
        _report(
            problems,
            where,
            inf,
            shown,
            lambda i: f"expected a finite number; found {raw.iloc[i]!r}",
        )
        if spec.kind == "int":
            frac = ~missing & ~bad_type & ~inf & (np.mod(values, 1) != 0)
            _report(
                problems,
                where,
                frac,
                shown,
                lambda i: f"expected a whole number; found {raw.iloc[i]!r}",
            )
            # beyond 2**53 a float no longer holds every whole number (and 1e23 would
            # overflow int64 to a negative count)
            huge = ~missing & ~bad_type & ~inf & (np.abs(values) >= _MAX_EXACT_INT)
            _report(
                problems,
                where,
                huge,
                shown,
                lambda i: (
                    f"expected a whole number below {_MAX_EXACT_INT:,}; found {raw.iloc[i]!r} "
                    "(too large to be a count: a unit or export error?)"
                ),
            )
        if spec.minimum is not None:
            low = values < spec.minimum
            _report(
                problems,
                where,
                low,
                shown,
                lambda i: (
                    f"expected {spec.expected()}; found {_fmt(values[i])}"
                    + (" (a negative count)" if spec.minimum == 0 else "")
                ),
            )
        if spec.maximum is not None:
            high = values > spec.maximum
            _report(
                problems,
                where,
                high,
                shown,
                lambda i: f"expected {spec.expected()}; found {_fmt(values[i])}",
            )
    with np.errstate(invalid="ignore"):
        rejected = missing | bad_type | ~np.isfinite(values)
        if spec.kind == "int":
            rejected |= (np.mod(values, 1) != 0) | (np.abs(values) >= _MAX_EXACT_INT)
        if spec.minimum is not None:
            rejected |= values < spec.minimum
        if spec.maximum is not None:
            rejected |= values > spec.maximum
    values = np.where(rejected, np.nan, values)
    if spec.kind == "int" and not np.isnan(values).any():
        return pd.Series(values.astype("int64"))
    return pd.Series(values, dtype="float64")


_M_OK, _M_UNPARSED, _M_INVALID, _M_MISSING = 0, 1, 2, 3


def _month_of(v: Any) -> tuple[int, int, str | None, int]:
    """(year, month, format name, status) of one cell value."""
    if _is_missing_value(v):
        return (-1, -1, None, _M_MISSING)
    y = m = d = None
    fmt = None
    if isinstance(v, dt.datetime | dt.date | pd.Timestamp | np.datetime64):
        ts = pd.Timestamp(v)
        y, m, d, fmt = ts.year, ts.month, ts.day, "date value"
    elif isinstance(v, str):
        t = v.strip()
        for name, pat in MONTH_FORMATS.items():
            mt = pat.match(t)
            if mt:
                g = mt.groupdict()
                y, m = int(g["y"]), int(g["m"])
                d = int(g["d"]) if g.get("d") else 1
                fmt = name
                break
    if fmt is None or y is None or m is None or d is None:
        return (-1, -1, None, _M_UNPARSED)
    try:
        dt.date(y, m, d)
    except ValueError:
        return (-1, -1, fmt, _M_INVALID)
    return (y, m, fmt, _M_OK)


def _coerce_month(
    s: pd.Series,
    spec: Column,
    shown: str,
    where: Callable[[int], str],
    problems: list[Problem],
    missing: np.ndarray[Any, Any],
) -> pd.Series:
    n = len(s)
    years = np.full(n, -1, dtype="int64")
    months = np.full(n, -1, dtype="int64")
    raw = s.astype(object).to_numpy()
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        given = pd.DatetimeIndex(s)
        has = ~missing
        years[has] = given.year.to_numpy()[has]
        months[has] = given.month.to_numpy()[has]
        fmt_of = np.full(n, None, dtype=object)
        fmt_of[has] = "date value"
        unparsed = np.zeros(n, dtype=bool)
        invalid = np.zeros(n, dtype=bool)
    else:
        parsed = _per_unique(s, _month_of, object)
        fmt_of = np.array([p[2] for p in parsed], dtype=object)
        status = np.array([p[3] for p in parsed], dtype="int64")
        status[missing] = _M_MISSING
        fmt_of[missing] = None
        unparsed = status == _M_UNPARSED
        invalid = status == _M_INVALID
        good_rows = status == _M_OK
        years[good_rows] = [p[0] for p in parsed[good_rows]]
        months[good_rows] = [p[1] for p in parsed[good_rows]]
    first: dict[str, int] = {}
    for f in {f for f in fmt_of if f is not None}:
        first[f] = int(np.flatnonzero(fmt_of == f)[0])
    first = dict(sorted(first.items(), key=lambda kv: kv[1]))
    _report(
        problems,
        where,
        unparsed,
        shown,
        lambda i: f"expected {spec.expected()}; found {raw[i]!r}",
    )
    _report(
        problems,
        where,
        invalid,
        shown,
        lambda i: (
            f"not a valid calendar date: {raw[i]!r} (format {fmt_of[i]}); "
            f"expected {spec.expected()}"
        ),
    )
    if len(first) > 1:
        parts = [f"{f!r} (first at {where(i)}: {raw[i]!r})" for f, i in first.items()]
        problems.append(
            Problem(
                shown,
                "mixed date formats in one column: "
                + " and ".join(parts)
                + "; expected a single format",
            )
        )
    ok = years > 0
    out_of_range = ok & ((years < FIRST_YEAR) | (years > LAST_YEAR))
    _report(
        problems,
        where,
        out_of_range,
        shown,
        lambda i: f"date out of range: {raw[i]!r}; expected years {FIRST_YEAR}..{LAST_YEAR}",
    )
    good = ok & ~out_of_range
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if good.any():
        stamps = pd.to_datetime(
            pd.DataFrame({"year": years[good], "month": months[good], "day": 1})
        )
        out[good] = stamps.to_numpy(dtype="datetime64[ns]")
    return pd.Series(out)


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
