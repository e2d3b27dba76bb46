"""Read a data file into a DataFrame: CSV, Excel, Parquet, PC-Axis .px and JSON-stat2.

CSV files are read as strings (every cell a ``str``) so that
:func:`arviointi.data.validate.validate` can coerce them by schema and point at the line of
any bad value. The delimiter (``,`` ``;`` or tab), the decimal mark (``.`` or ``,``) and the
encoding (UTF-8, else ISO-8859-15) are sniffed unless given; a wrong explicit choice is an
:class:`~arviointi.errors.InputError` that says what the file looks like instead.

The returned frame's index holds where each row is in the source, and its name says how
that is counted: ``"line"`` (1-based physical line of a CSV file, header = line 1),
``"sheet row"`` (Excel row number) or ``"record"`` (1-based Parquet record). A decimal comma is
turned into a decimal point in cells that are plain numbers.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from arviointi.data.decode import GZIP_MAGIC, _short, decode_text, gunzip
from arviointi.errors import InputError, Problem

__all__ = ["FORMATS", "decode_text", "gunzip", "read_table"]

#: Suffix -> format name.
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "excel",
    ".xls": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".px": "px",
    ".json": "jsonstat2",
}

#: Other accepted spellings of a format name.
_FORMAT_ALIASES = {"jsonstat": "jsonstat2", "json": "jsonstat2", "xlsx": "excel", "tsv": "csv"}

_SEPS = (",", ";", "\t")
_SEP_NAMES = {",": "','", ";": "';'", "\t": "tab"}
_COMMA_NUMBER = re.compile(r"^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$")
_DOT_NUMBER = re.compile(r"^[+-]?\d+\.\d+(?:[eE][+-]?\d+)?$")
_SNIFF_LINES = 50
_MAX_FIELD_PROBLEMS = 20


def read_table(
    path: str | Path,
    *,
    format: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read one data file.

    Parameters
    ----------
    path : the file
    format : "csv", "excel", "parquet", "px" or "jsonstat2"; from the suffix when None
    sep, decimal, encoding : CSV only; sniffed when None
    sheet : Excel sheet name or 0-based position (default: the first sheet)

    Raises
    ------
    InputError : the file is missing, empty, corrupted, or not what was declared
    """
    p = Path(path)
    try:
        return _read_table(p, format, sep=sep, decimal=decimal, encoding=encoding, sheet=sheet)
    except InputError:
        raise
    except MemoryError:
        raise InputError(str(p), "the file is too large to read into memory") from None
    except Exception as e:  # a reader's own error is still a problem of this file
        raise InputError(
            str(p),
            f"cannot read the file ({type(e).__name__}: {_short(str(e))}); it may be damaged, "
            "truncated or not in the declared format",
        ) from e


def _read_table(
    p: Path,
    format: str | None,
    *,
    sep: str | None,
    decimal: str | None,
    encoding: str | None,
    sheet: str | int | None,
) -> pd.DataFrame:
    source = str(p)
    suffix = p.suffix.lower()
    if suffix == ".gz":  # data.csv.gz: the format is the inner suffix
        suffix = Path(p.stem).suffix.lower()
    fmt = _FORMAT_ALIASES.get(format, format) if format else FORMATS.get(suffix)
    if fmt is None:
        raise InputError(
            source,
            f"cannot tell the format from the suffix {p.suffix!r}; expected one of "
            f"{sorted(FORMATS)} or an explicit format (csv, excel, parquet, px, jsonstat2)",
        )
    if fmt not in set(FORMATS.values()):
        raise InputError(
            source,
            f"unknown format {fmt!r}; expected one of csv, excel, parquet, px, jsonstat2",
        )
    if not p.is_file():
        raise InputError(source, "file not found (or not a regular file)")
    if fmt == "csv":
        if sep is None and suffix == ".tsv":
            sep = "\t"
        return _read_csv(p, sep=sep, decimal=decimal, encoding=encoding)
    if fmt == "excel":
        return _read_excel(p, sheet)
    if fmt == "parquet":
        return _read_parquet(p)
    if fmt == "px":
        from arviointi.data.px import read_px

        return read_px(p)
    from arviointi.data.jsonstat import read_jsonstat2

    return read_jsonstat2(p)


# --------------------------------------------------------------------------- CSV


def _fields_per_line(lines: Sequence[str], sep: str) -> list[int]:
    counts = []
    for line in lines:
        try:
            row = next(csv.reader([line], delimiter=sep))
        except (csv.Error, StopIteration):
            row = []
        counts.append(len(row))
    return counts


def _sniff_sep(lines: Sequence[str]) -> tuple[str | None, dict[str, list[int]]]:
    """Return the delimiter whose field count is > 1 and the same on every sniffed line."""
    counts = {s: _fields_per_line(lines, s) for s in _SEPS}
    consistent = {s: c[0] for s, c in counts.items() if c and c[0] > 1 and len(set(c)) == 1}
    if not consistent:
        return None, counts
    best = max(consistent.values())
    winners = [s for s, n in consistent.items() if n == best]
    return (winners[0] if len(winners) == 1 else None), counts


def _read_csv(
    path: Path, *, sep: str | None, decimal: str | None, encoding: str | None
) -> pd.DataFrame:
    source = str(path)
    raw = path.read_bytes()
    if raw[:2] == GZIP_MAGIC:
        raw = gunzip(raw, source)
    if not raw.strip():
        raise InputError(
            source, f"the file is empty ({len(raw)} bytes); expected a header line of column names"
        )
    text, _enc = decode_text(raw, encoding, source)
    if decimal not in (None, ".", ","):
        raise InputError(source, f"decimal={decimal!r} is not supported; expected '.' or ','")
    if sep is not None and (len(sep) != 1 or sep in '"\r\n'):
        raise InputError(source, f"sep={sep!r} is not usable; expected ',', ';' or a tab")

    physical = re.split(r"\r\n|\r|\n", text)  # only real line breaks, as csv counts them
    sniff_lines = [ln for ln in physical[:_SNIFF_LINES] if ln.strip()]
    if not sniff_lines:
        raise InputError(
            source, "the file holds only blank lines; expected a header line of column names"
        )
    first_line = next(i for i, ln in enumerate(physical) if ln.strip()) + 1
    sep = _choose_sep(sniff_lines, first_line, sep, source)

    rows, lines = _parse_rows(text, sep, source)
    header = [h.strip() for h in rows[0]]
    problems = _header_problems(header, lines[0])
    problems += _field_count_problems(rows, lines, len(header), text, sep)
    if problems:
        raise InputError(source, problems)
    if len(rows) < 2:
        raise InputError(source, f"the file has a header (line {lines[0]}) but no data rows")

    body = rows[1:]
    decimal = _resolve_decimal(body, header, lines[1:], decimal, source)
    data: dict[str, list[str]] = {}
    for j, h in enumerate(header):
        col = [r[j] for r in body]
        if decimal == ",":
            col = [
                c.strip().replace(",", ".") if _COMMA_NUMBER.match(c.strip()) else c for c in col
            ]
        data[h] = col
    frame = pd.DataFrame(
        {h: pd.Series(v, dtype=object) for h, v in data.items()},
    )
    frame.index = pd.Index(lines[1:], name="line")
    return frame


def _choose_sep(sniff_lines: list[str], first_line: int, sep: str | None, source: str) -> str:
    """The delimiter: sniffed when ``sep`` is None, else ``sep`` checked against the file."""
    sniffed, counts = _sniff_sep(sniff_lines)
    if sep is not None:
        given = _fields_per_line(sniff_lines[:1], sep)[0]
        likely = sniffed or max(counts, key=lambda s: counts[s][0])
        if given <= 1 and likely != sep and counts[likely][0] > 1:
            raise InputError(
                source,
                f"line {first_line} has {given} field with sep="
                f"{_SEP_NAMES.get(sep, repr(sep))}; the file looks "
                f"{_SEP_NAMES[likely]}-separated ({counts[likely][0]} fields)",
            )
        return sep
    if sniffed is not None:
        return sniffed
    header_counts = {s: c[0] for s, c in counts.items() if c}
    if max(header_counts.values()) <= 1:
        below, _ = _sniff_sep(sniff_lines[1:])
        if below is not None and len(sniff_lines) > 2:
            raise InputError(
                source,
                f"line {first_line}: the first line has 1 field but the following lines "
                f"are {_SEP_NAMES[below]}-separated; the file may start with a title line: "
                "remove the lines above the header row",
            )
        return ","  # a single-column file
    best = max(header_counts, key=lambda s: header_counts[s])
    if list(header_counts.values()).count(header_counts[best]) > 1:
        raise InputError(
            source,
            f"line {first_line}: cannot tell the delimiter: "
            + ", ".join(f"{_SEP_NAMES[s]} gives {n} fields" for s, n in header_counts.items())
            + "; pass sep explicitly",
        )
    return best


def _header_problems(header: list[str], head: int) -> list[Problem]:
    """Empty and repeated column names of the header on line ``head``."""
    problems: list[Problem] = []
    for i, h in enumerate(header):
        if not h:
            problems.append(
                Problem(f"line {head}", f"column {i + 1} has no name; expected a column name")
            )
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h and h in seen:
            problems.append(
                Problem(
                    f"line {head}",
                    f"column name {h!r} appears twice (columns {seen[h] + 1} and {i + 1}); "
                    "expected unique names",
                )
            )
        seen.setdefault(h, i)
    return problems


def _field_count_problems(
    rows: list[list[str]], lines: list[int], n: int, text: str, sep: str
) -> list[Problem]:
    """Lines whose number of fields differs from the header's ``n`` (the first few)."""
    problems: list[Problem] = []
    ends_with_newline = text.endswith(("\n", "\r"))
    head = lines[0]
    sep_name = _SEP_NAMES.get(sep, repr(sep))
    wrong = [
        (k, row, line)
        for k, (row, line) in enumerate(zip(rows[1:], lines[1:], strict=True))
        if len(row) != n
    ]
    if n == 1 and len(wrong) == len(rows) - 1 and wrong:
        widths = sorted({len(r) for _, r, _ in wrong})
        problems.append(
            Problem(
                f"line {head}",
                f"the first line has 1 field but the following lines have {widths} with "
                f"sep={sep_name}; the file may start with a title line: remove the lines "
                "above the header row",
            )
        )
    for k, row, line in wrong[:_MAX_FIELD_PROBLEMS]:
        last = k == len(rows) - 2
        hint = (
            "; the file looks truncated (last line cut short)"
            if last and not ends_with_newline and len(row) < n
            else ""
        )
        problems.append(
            Problem(
                f"line {line}",
                f"has {len(row)} field(s) with sep={sep_name}; expected {n} as in the "
                f"header (line {head}){hint}",
            )
        )
    if len(wrong) > _MAX_FIELD_PROBLEMS:
        problems.append(
            Problem(
                "",
                f"... and {len(wrong) - _MAX_FIELD_PROBLEMS} more line(s) with the wrong number "
                "of fields",
            )
        )
    return problems


def _parse_rows(text: str, sep: str, source: str) -> tuple[list[list[str]], list[int]]:
    """Parse all records; return them with the 1-based physical line where each starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    prev_end = 0
    try:
        for row in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            rows.append(row)
            lines.append(start)
    except csv.Error as e:
        raise InputError(
            source,
            f"line {prev_end + 1}: the CSV cannot be parsed ({e}); expected properly quoted "
            "fields (the file may be truncated inside a quoted field)",
        ) from None
    if not rows:
        raise InputError(source, "the file has no lines with content; expected a header line")
    return rows, lines


def _resolve_decimal(
    body: list[list[str]], header: list[str], lines: list[int], decimal: str | None, source: str
) -> str:
    first_comma: tuple[int, str, str] | None = None
    first_dot: tuple[int, str, str] | None = None
    for row, line in zip(body, lines, strict=True):
        for j, cell in enumerate(row):
            c = cell.strip()
            if first_comma is None and _COMMA_NUMBER.match(c):
                first_comma = (line, header[j], c)
            elif first_dot is None and _DOT_NUMBER.match(c):
                first_dot = (line, header[j], c)
        if first_comma is not None and first_dot is not None:
            break

    def where(hit: tuple[int, str, str]) -> str:
        return f"line {hit[0]}, column {hit[1]!r} holds {hit[2]!r}"

    if decimal is None:
        if first_comma is not None and first_dot is not None:
            raise InputError(
                source,
                f"mixed decimal marks: {where(first_comma)} (decimal comma) but "
                f"{where(first_dot)} (decimal point); expected one decimal mark in the whole file",
            )
        return "," if first_comma is not None else "."
    if decimal == "." and first_comma is not None:
        raise InputError(
            source,
            f"decimal='.' was given but {where(first_comma)}, a number with a decimal comma; "
            "expected decimal points (pass decimal=',' if the file uses decimal commas)",
        )
    if decimal == "," and first_dot is not None:
        raise InputError(
            source,
            f"decimal=',' was given but {where(first_dot)}, a number with a decimal point; "
            "expected decimal commas (pass decimal='.')",
        )
    return decimal


# --------------------------------------------------------------------------- Excel, Parquet


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    source = str(path)
    try:
        book = pd.ExcelFile(path)
    except ImportError as e:
        raise InputError(
            source, f"cannot read this Excel format here ({e}); expected .xlsx (save it as .xlsx)"
        ) from None
    except (zipfile.BadZipFile, ValueError, OSError, KeyError, EOFError) as e:
        raise InputError(
            source, f"not a readable Excel workbook ({type(e).__name__}: {e}); expected .xlsx"
        ) from None
    with book:
        names = [str(s) for s in book.sheet_names]
        target: str | int = 0 if sheet is None else sheet
        if isinstance(target, str) and target not in names:
            raise InputError(source, f"sheet {target!r} not found; the workbook has sheets {names}")
        if isinstance(target, int) and not 0 <= target < len(names):
            raise InputError(
                source, f"sheet position {target} not found; the workbook has sheets {names}"
            )
        try:
            frame = pd.read_excel(book, sheet_name=target, dtype=object, header=0)
        except (ValueError, KeyError, OSError, zipfile.BadZipFile) as e:
            raise InputError(
                source, f"sheet {target!r} cannot be read ({type(e).__name__}: {e})"
            ) from None
    if frame.columns.size == 0:
        raise InputError(source, f"sheet {target!r} is empty; expected a header row of names")
    unnamed = [str(c) for c in frame.columns if str(c).startswith("Unnamed:")]
    if unnamed:
        raise InputError(
            source,
            f"sheet {target!r} row 1: {len(unnamed)} column(s) without a name; expected a "
            "header row with a name in every used column",
        )
    if len(frame) == 0:
        raise InputError(source, f"sheet {target!r} has a header row but no data rows")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.Index(range(2, len(frame) + 2), name="sheet row")
    if frame.isna().to_numpy().any():
        sheet_name = target if isinstance(target, str) else names[target]
        unsaved = _formulas_without_values(path, sheet_name)
        if unsaved:
            shown = "; ".join(f"sheet row {r}, column {c!r}: {f}" for r, c, f in unsaved[:5])
            more = f" and {len(unsaved) - 5} more" if len(unsaved) > 5 else ""
            raise InputError(
                source,
                f"sheet {sheet_name!r}: {len(unsaved)} formula cell(s) without a saved value "
                f"({shown}{more}); they would be read as missing. Open the workbook in Excel "
                "or LibreOffice and save it (values are then saved), or paste the values",
            )
    return frame


def _formulas_without_values(path: Path, sheet: str) -> list[tuple[int, str, str]]:
    """(sheet row, column name, formula) of formula cells whose cached value is empty.

    A workbook written by a program (not Excel) may hold formulas without their results;
    pandas reads those cells as missing without saying so.
    """
    import openpyxl

    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows_f = formulas[sheet].iter_rows(values_only=True)
        rows_v = values[sheet].iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(rows_f, ())]
        next(rows_v, None)
        found = []
        for number, (row_f, row_v) in enumerate(zip(rows_f, rows_v, strict=False), start=2):
            for j, (formula, value) in enumerate(zip(row_f, row_v, strict=False)):
                if isinstance(formula, str) and formula.startswith("=") and value is None:
                    name = header[j] if j < len(header) else f"column {j + 1}"
                    found.append((number, name, formula[:60]))
        return found
    finally:
        formulas.close()
        values.close()


def _read_parquet(path: Path) -> pd.DataFrame:
    source = str(path)
    import pyarrow

    try:
        frame = pd.read_parquet(path)
    except (pyarrow.ArrowException, OSError, ValueError, TypeError) as e:
        raise InputError(
            source,
            f"not a readable Parquet file ({type(e).__name__}: {e}); the file may be truncated "
            "or corrupted",
        ) from None
    if frame.columns.size == 0 or len(frame) == 0:
        raise InputError(source, "the Parquet file has no rows (or no columns)")
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    frame.index = pd.Index(range(1, len(frame) + 1), name="record")
    return frame
