"""Cell values to the schema's kinds: text, categories, numbers and months.

Every function here collects :class:`~arviointi.errors.Problem` entries (the first few rows
of each kind, then a count) instead of raising, so that :func:`arviointi.data.validate.
validate` can list every problem of a file at once. A rejected value becomes missing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from arviointi.data.locate import _fmt, _report, closest
from arviointi.data.schemas import FIRST_YEAR, LAST_YEAR, Column
from arviointi.errors import Problem

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

_GROUPED_DIGITS = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?:\D|$))")

#: whole numbers from here on are not all representable in float64
_MAX_EXACT_INT = 2**53


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


def _parse_numbers(
    s: pd.Series, missing: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(float values, True where a cell is not a number) of a column of any dtype."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return np.full(len(s), np.nan), ~missing
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype="float64", na_value=np.nan), np.zeros(len(s), dtype=bool)
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
        values_fast[idx[~is_bad]] = np.array([float(p) for p in parsed[~is_bad]], dtype="float64")
    return pd.Series(values_fast).to_numpy(dtype="float64"), bad_type


def _coerce_number(
    s: pd.Series,
    spec: Column,
    shown: str,
    where: Callable[[int], str],
    problems: list[Problem],
    missing: np.ndarray[Any, Any],
) -> pd.Series:
    raw = s.astype(object)
    values, bad_type = _parse_numbers(s, missing)
    what = "a whole number" if spec.kind == "int" else "a number"
    _report(
        problems,
        where,
        bad_type,
        shown,
        lambda i: f"expected {what}; found {raw.iloc[i]!r}",
    )
    with np.errstate(invalid="ignore"):
        _report_number_ranges(values, raw, spec, shown, where, problems, missing | bad_type)
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


def _report_number_ranges(
    values: np.ndarray[Any, Any],
    raw: pd.Series,
    spec: Column,
    shown: str,
    where: Callable[[int], str],
    problems: list[Problem],
    unusable: np.ndarray[Any, Any],
) -> None:
    """Infinite, fractional (for whole numbers), too large and out-of-range values."""
    inf = ~unusable & ~np.isfinite(values)
    _report(
        problems,
        where,
        inf,
        shown,
        lambda i: f"expected a finite number; found {raw.iloc[i]!r}",
    )
    if spec.kind == "int":
        frac = ~unusable & ~inf & (np.mod(values, 1) != 0)
        _report(
            problems,
            where,
            frac,
            shown,
            lambda i: f"expected a whole number; found {raw.iloc[i]!r}",
        )
        # beyond 2**53 a float no longer holds every whole number (and 1e23 would
        # overflow int64 to a negative count)
        huge = ~unusable & ~inf & (np.abs(values) >= _MAX_EXACT_INT)
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
