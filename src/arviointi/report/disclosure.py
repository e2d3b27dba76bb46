"""Statistical disclosure control of tables built from client-level data.

:func:`suppress` hides

* **primary** cells: counts from 1 to ``threshold - 1`` persons (zeros are not sensitive
  and stay visible);
* **complement** cells: with ``overall_row`` (a row counting the whole population, every
  other row a sub-population of it, as a subgroup table with its "all clients" row), a
  subgroup count whose complement ``overall - subgroup`` is 1 to ``threshold - 1`` persons:
  subtracting the two would otherwise publish the small group left outside the subgroup
  (and its estimate, by differencing the two estimates); likewise with ``parts`` (a count
  column that is part of another, as persons who answered of the clients asked) a part
  whose rest ``whole - part`` is 1 to ``threshold - 1`` persons;
* **secondary** cells: whenever a row or column whose total is known (shown in the table
  or published elsewhere) has exactly one hidden cell, the next smallest visible cell of that
  line is hidden too (or the total itself when nothing else is left). The loop runs until no
  line has a single hidden cell; then a linear-programming audit checks that no hidden cell
  can be computed exactly from the visible cells and totals, and hides more if one can;
* **derived** values (a mean, a share, an estimate) wherever any count of their row is
  hidden: a value computed from the persons of a row says something about each group of
  the row (a share reveals its hidden numerator, an SMD or a matched difference depends on
  the hidden comparison persons too).

Hidden cells print as ``marker`` (default ``".."``) and the report explains the marker with
the note ``disclosure.note`` of the catalogue.

:func:`check_no_person_rows` refuses frames that look person-level: identifier columns
(``person_id``, ``hetu``, ``name`` ...), values shaped like a Finnish personal identity code,
duplicated group keys, or more rows than allowed.

    s = suppress(tab, counts=["pilot", "comparison"], total_row="Total", total_col="all")
    s.mask            # True where hidden; s.display() gives strings with the marker
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from arviointi.errors import DesignError, InputError, Problem

DEFAULT_THRESHOLD = 5
DEFAULT_MARKER = ".."

#: column names (normalised: lower case, "_" for spaces and hyphens) that identify persons
IDENTIFIER_COLUMNS = frozenset(
    {
        "person_id",
        "personid",
        "person",
        "client_id",
        "clientid",
        "customer_id",
        "asiakas_id",
        "asiakasnumero",
        "asiakastunnus",
        "henkilo_id",
        "henkilö_id",
        "hetu",
        "henkilotunnus",
        "henkilötunnus",
        "ssn",
        "social_security_number",
        "personal_identity_code",
        "name",
        "full_name",
        "first_name",
        "last_name",
        "nimi",
        "etunimi",
        "sukunimi",
        "email",
        "e_mail",
        "sahkoposti",
        "sähköposti",
        "phone",
        "puhelin",
        "address",
        "osoite",
        "birth_date",
        "date_of_birth",
        "syntymaaika",
        "syntymäaika",
    }
)
#: a Finnish personal identity code (henkilötunnus), e.g. 131052-308T
HETU_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{6}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y](?![0-9A-Za-z])")

Cell = tuple[Hashable, str]


@dataclass(frozen=True)
class Suppression:
    """A table after disclosure control.

    table : the input values (unchanged copy)
    mask : same shape, True where a value is hidden
    primary : True where a value is hidden because of a small count or a small complement
        (or derived from one)
    """

    table: pd.DataFrame
    mask: pd.DataFrame
    primary: pd.DataFrame
    threshold: int
    marker: str

    @property
    def n_primary(self) -> int:
        return int(self.primary.to_numpy().sum())

    @property
    def n_secondary(self) -> int:
        return int((self.mask & ~self.primary).to_numpy().sum())

    @property
    def any_hidden(self) -> bool:
        return bool(self.mask.to_numpy().any())

    def values(self) -> pd.DataFrame:
        """The table with hidden values replaced by NaN (numbers stay numbers)."""
        return self.table.mask(self.mask)

    def display(self, formatter: Any = str) -> pd.DataFrame:
        """Strings: ``formatter(value)`` for visible cells, the marker for hidden ones."""
        out = self.table.astype(object).map(formatter)
        return out.mask(self.mask, self.marker)


def _norm(name: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def persons_below_threshold(counts: Iterable[Any], threshold: int) -> bool:
    """Whether any of ``counts`` (persons behind one estimate, e.g. its ``n_treated`` and
    ``n_control``) is a small group: 1 to ``threshold - 1`` persons.

    A client-level estimate from such a group is hidden wherever it would be published (the
    effects table, the verdict sentence, the summary's headline and the description
    sheets), the same rule as the table's derived values. Missing counts are not small.
    """
    for c in counts:
        if isinstance(c, bool) or not isinstance(c, int | float | np.integer | np.floating):
            continue
        if np.isfinite(c) and 0 < c < threshold:
            return True
    return False


def check_no_person_rows(
    df: pd.DataFrame,
    *,
    source: str = "<DataFrame>",
    group_cols: Sequence[str] | None = None,
    max_rows: int | None = None,
) -> None:
    """Refuse a frame that could carry person-level data into a report.

    Raises :class:`InputError` (naming ``source``, the row and the column) when a column or
    index level is named like an identifier, a text cell holds something shaped like a
    personal identity code, ``group_cols`` do not identify rows uniquely (several rows per
    group means rows are persons), or the frame has more than ``max_rows`` rows.
    """
    problems: list[Problem] = []
    names = [*list(df.columns), *[n for n in df.index.names if n is not None]]
    for name in names:
        if _norm(name) in IDENTIFIER_COLUMNS:
            problems.append(
                Problem(
                    f"column {name!r}",
                    "looks like a person identifier; report tables and figures take "
                    "aggregated data only (drop the column and aggregate by group)",
                )
            )
    frame = df.reset_index()
    for col in frame.columns:
        series = frame[col]
        if series.dtype.kind in "biufcmM":
            continue
        for pos, value in enumerate(series.tolist()):
            if isinstance(value, str) and HETU_PATTERN.search(value):
                problems.append(
                    Problem(
                        f"row {pos + 1}, column {col!r}",
                        "holds a value shaped like a personal identity code",
                    )
                )
                break
    if group_cols is not None:
        missing = [c for c in group_cols if c not in frame.columns]
        if missing:
            problems.append(Problem(f"columns {missing}", "group columns not in the frame"))
        else:
            dup = frame.duplicated(list(group_cols), keep="first")
            if dup.any():
                first = int(np.flatnonzero(dup.to_numpy())[0])
                problems.append(
                    Problem(
                        f"row {first + 1}, columns {list(group_cols)}",
                        f"{int(dup.sum())} row(s) repeat a group; expected one row per group "
                        "(person-level rows must be aggregated first)",
                    )
                )
    if max_rows is not None and len(df) > max_rows:
        problems.append(
            Problem("rows", f"{len(df)} rows; expected at most {max_rows} in a report table")
        )
    if problems:
        raise InputError(source, problems)


def _validate(
    table: pd.DataFrame,
    counts: Sequence[str],
    derived: Mapping[str, str],
    labels: Sequence[str],
    total_row: Hashable | None,
    total_col: str | None,
    source: str,
) -> None:
    problems: list[Problem] = []
    if not table.index.is_unique:
        problems.append(Problem("index", "row labels must be unique"))
    if not table.columns.is_unique:
        problems.append(Problem("columns", "column names must be unique"))
    cols = set(map(str, table.columns))
    if not counts:
        problems.append(Problem("counts", "at least one count column is needed"))
    for col in [*counts, *([total_col] if total_col else [])]:
        if col not in cols:
            problems.append(Problem(f"column {col!r}", "count column not in the table"))
            continue
        for pos, value in enumerate(table[col].tolist()):
            ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
                value, bool
            )
            if not ok or not np.isfinite(value) or value < 0 or float(value) != int(value):
                problems.append(
                    Problem(
                        f"row {pos + 1} ({table.index[pos]!r}), column {col!r}",
                        f"expected a whole count >= 0, got {value!r}",
                    )
                )
    for dcol, ccol in derived.items():
        if dcol not in cols:
            problems.append(Problem(f"column {dcol!r}", "derived column not in the table"))
        if ccol not in counts and ccol != total_col:
            problems.append(
                Problem(f"derived[{dcol!r}]", f"{ccol!r} is not one of the count columns")
            )
    declared = {*counts, *derived, *labels, *([total_col] if total_col else [])}
    for col in table.columns:
        if col not in declared and pd.api.types.is_numeric_dtype(table[col]):
            problems.append(
                Problem(
                    f"column {col!r}",
                    "numeric column is neither a count, derived from a count, nor a label; "
                    "declare it in counts=, derived= or labels=",
                )
            )
    if total_row is not None and total_row not in table.index:
        problems.append(Problem(f"row {total_row!r}", "total row not in the table index"))
    if problems:
        raise InputError(source, problems)
    vals = _cell_values(table, [*counts, *([total_col] if total_col else [])])
    body = [r for r in table.index if r != total_row]
    rows = [*body, *([total_row] if total_row is not None else [])]
    if total_col is not None:
        for r in rows:
            row_sum = sum(vals[(r, c)] for c in counts)
            if abs(row_sum - vals[(r, total_col)]) > 1e-9:
                problems.append(
                    Problem(
                        f"row {r!r}, column {total_col!r}",
                        f"total {vals[(r, total_col)]:g} is not the sum of {list(counts)} "
                        f"({row_sum:g})",
                    )
                )
                break
    if total_row is not None:
        for c in [*counts, *([total_col] if total_col else [])]:
            col_sum = sum(vals[(r, c)] for r in body)
            if abs(col_sum - vals[(total_row, c)]) > 1e-9:
                problems.append(
                    Problem(
                        f"row {total_row!r}, column {c!r}",
                        f"total {vals[(total_row, c)]:g} is not the column sum ({col_sum:g})",
                    )
                )
    if problems:
        raise InputError(source, problems)


def _cell_values(table: pd.DataFrame, columns: Sequence[str]) -> dict[Cell, float]:
    return {
        (r, c): float(v)
        for c in columns
        for r, v in zip(table.index, table[c].tolist(), strict=True)
    }


@dataclass(frozen=True)
class _Line:
    members: tuple[Cell, ...]
    total: Cell | None  # a cell of the table, or None when the total is only known
    known_total: float


def _lines(
    table: pd.DataFrame,
    vals: dict[Cell, float],
    counts: Sequence[str],
    total_row: Hashable | None,
    total_col: str | None,
    known_row_totals: bool,
    known_column_totals: bool,
) -> list[_Line]:
    body_rows = [r for r in table.index if r != total_row]
    lines: list[_Line] = []
    if total_col is not None or known_row_totals:
        for r in [*body_rows, *([total_row] if total_row is not None else [])]:
            members = tuple((r, c) for c in counts)
            total = (r, total_col) if total_col is not None else None
            known = sum(vals[(r, c)] for c in counts)
            lines.append(_Line(members, total, known))
    if total_row is not None or known_column_totals:
        for c in [*counts, *([total_col] if total_col is not None else [])]:
            members = tuple((r, c) for r in body_rows)
            total = (total_row, c) if total_row is not None else None
            known = sum(vals[(r, c)] for r in body_rows)
            lines.append(_Line(members, total, known))
    return [line for line in lines if len(line.members) > 0]


def _exposed(vals: dict[Cell, float], hidden: set[Cell], lines: list[_Line]) -> list[Cell]:
    """Hidden cells whose value follows exactly from the visible cells and the totals."""
    cells = sorted(hidden, key=repr)
    if not cells:
        return []
    index = {cell: i for i, cell in enumerate(cells)}
    a_eq: list[np.ndarray] = []
    b_eq: list[float] = []
    for line in lines:
        row = np.zeros(len(cells))
        rhs = 0.0
        for cell in line.members:
            if cell in index:
                row[index[cell]] += 1.0
            else:
                rhs -= vals[cell]
        if line.total is not None and line.total in index:
            row[index[line.total]] -= 1.0
        else:
            rhs += line.known_total
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    if not a_eq:
        return []
    a = np.vstack(a_eq)
    b = np.asarray(b_eq)
    exposed: list[Cell] = []
    for i, cell in enumerate(cells):
        c = np.zeros(len(cells))
        c[i] = 1.0
        low = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        if not (low.success and high.success):
            continue
        if -high.fun - low.fun < 0.5:
            exposed.append(cell)
    return exposed


def _small_complements(
    table: pd.DataFrame,
    vals: dict[Cell, float],
    columns: Sequence[str],
    overall_row: Hashable,
    threshold: int,
    source: str,
) -> set[Cell]:
    """Sub-population counts whose complement in ``overall_row`` is a small group."""
    if overall_row not in table.index:
        raise InputError(
            source, [Problem(f"row {overall_row!r}", "overall row not in the table index")]
        )
    out: set[Cell] = set()
    for r in table.index:
        if r == overall_row:
            continue
        for c in columns:
            rest = vals[(overall_row, c)] - vals[(r, c)]
            if rest < 0:
                raise InputError(
                    source,
                    [
                        Problem(
                            f"row {r!r}, column {c!r}",
                            f"{vals[(r, c)]:g} persons in a sub-population of the overall "
                            f"row {overall_row!r} that has only {vals[(overall_row, c)]:g}",
                        )
                    ],
                )
            if 0 < rest < threshold:
                out.add((r, c))
    return out


def _small_rests(
    table: pd.DataFrame,
    vals: dict[Cell, float],
    columns: Sequence[str],
    parts: dict[str, str],
    threshold: int,
    source: str,
) -> set[Cell]:
    """Part counts whose rest in the whole count of their row is a small group."""
    problems = [
        Problem(f"parts[{p!r}]", f"{p!r} and {w!r} must both be count columns")
        for p, w in parts.items()
        if p not in columns or w not in columns
    ]
    if problems:
        raise InputError(source, problems)
    out: set[Cell] = set()
    for part, whole in parts.items():
        for r in table.index:
            rest = vals[(r, whole)] - vals[(r, part)]
            if rest < 0:
                raise InputError(
                    source,
                    [
                        Problem(
                            f"row {r!r}, column {part!r}",
                            f"{vals[(r, part)]:g} is more than the whole "
                            f"({whole!r}: {vals[(r, whole)]:g}) it is a part of",
                        )
                    ],
                )
            if 0 < rest < threshold:
                out.add((r, part))
    return out


def _pick(vals: dict[Cell, float], candidates: Iterable[Cell]) -> Cell | None:
    ranked = sorted(candidates, key=lambda cell: (vals[cell] == 0, vals[cell]))
    return ranked[0] if ranked else None


def _secondary(
    vals: dict[Cell, float], hidden: set[Cell], lines: list[_Line], size: int, source: str
) -> set[Cell]:
    """Secondary suppression: hide more cells until no line has a single hidden cell and the
    LP audit (:func:`_exposed`) finds no hidden cell whose value the public cells fix."""
    hidden = set(hidden)
    for _round in range(10 * (size + 1)):
        changed = False
        for line in lines:
            cells = [*line.members, *([line.total] if line.total is not None else [])]
            n_hidden = sum(cell in hidden for cell in cells)
            if n_hidden != 1:
                continue
            choice = _pick(vals, [m for m in line.members if m not in hidden])
            if choice is None and line.total is not None and line.total not in hidden:
                choice = line.total
            if choice is None:
                raise DesignError(
                    f"{source}: cannot protect a hidden cell in line {line.members}: "
                    "its total is public and nothing else can be hidden"
                )
            hidden.add(choice)
            changed = True
        if changed:
            continue
        exposed = _exposed(vals, hidden, lines)
        if not exposed:
            break
        cell = exposed[0]
        containing = [ln for ln in lines if cell in ln.members or cell == ln.total]
        options = [m for ln in containing for m in ln.members if m not in hidden]
        choice = _pick(vals, options)
        if choice is None:
            raise DesignError(f"{source}: cell {cell} cannot be protected by suppression")
        hidden.add(choice)
    return hidden


def suppress(
    table: pd.DataFrame,
    counts: Sequence[str],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    derived: Mapping[str, str] | None = None,
    labels: Sequence[str] = (),
    total_row: Hashable | None = None,
    total_col: str | None = None,
    known_row_totals: bool = False,
    known_column_totals: bool = False,
    overall_row: Hashable | None = None,
    parts: Mapping[str, str] | None = None,
    marker: str = DEFAULT_MARKER,
    source: str = "<table>",
) -> Suppression:
    """Primary and secondary suppression of a table of person counts.

    Parameters
    ----------
    table : one row per group (index = group labels), count columns of whole persons
    counts : the columns that count persons (the cells of the table's grid)
    threshold : smallest count that may be shown (counts 1..threshold-1 are hidden)
    derived : ``{column: count column}`` for values computed from a count (mean, share);
        hidden wherever their count is hidden. With a single count column, every other
        numeric column not in ``labels`` is taken as derived from it.
    labels : numeric columns that are labels (a year), not data
    total_row, total_col : the row label / column holding the sums (checked)
    known_row_totals, known_column_totals : the sums are public even though not in the
        table (published elsewhere, or implied by shares that add up to 100 %)
    overall_row : the row label of the whole population when the other rows are
        overlapping sub-populations of it (not a sum): every count whose complement
        ``overall - count`` is 1..threshold-1 is hidden
    parts : ``{part column: whole column}`` for counts that are a part of another count of
        the same row (answered of asked, persons with a gap of all persons): a part whose
        rest ``whole - part`` is 1..threshold-1 is hidden
    """
    if threshold < 1:
        raise InputError(source, [Problem("threshold", f"expected >= 1, got {threshold}")])
    counts = list(counts)
    if derived is None:
        derived = {}
        if len(counts) == 1:
            derived = {
                str(c): counts[0]
                for c in table.columns
                if c not in counts
                and c not in labels
                and c != total_col
                and pd.api.types.is_numeric_dtype(table[c])
            }
    _validate(table, counts, derived, labels, total_row, total_col, source)
    grid_cols = [*counts, *([total_col] if total_col is not None else [])]
    vals = _cell_values(table, grid_cols)
    hidden: set[Cell] = {cell for cell, value in vals.items() if 0 < value < threshold}
    if overall_row is not None:
        hidden |= _small_complements(table, vals, grid_cols, overall_row, threshold, source)
    if parts:
        hidden |= _small_rests(table, vals, grid_cols, dict(parts), threshold, source)
    primary_cells = set(hidden)
    lines = _lines(table, vals, counts, total_row, total_col, known_row_totals, known_column_totals)

    hidden = _secondary(vals, hidden, lines, table.size, source)

    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    primary = mask.copy()
    for r, c in hidden:
        mask.loc[r, c] = True
    for r, c in primary_cells:
        primary.loc[r, c] = True
    any_count_hidden = mask[grid_cols].any(axis=1)
    for dcol, ccol in derived.items():
        mask[dcol] = mask[dcol] | mask[ccol] | any_count_hidden
        primary[dcol] = primary[dcol] | primary[ccol]
    return Suppression(
        table=table.copy(), mask=mask, primary=primary, threshold=threshold, marker=marker
    )
