"""Disclosure control on adversarial tables.

Every suppressed table is audited here independently of the module's own LP audit: by
exhaustive search over the integer values the hidden cells could take given everything
visible (small tables), and by linear algebra (a hidden cell is determined by the visible
sums exactly when its unit vector lies in the row space of the constraint matrix).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arviointi.errors import DesignError, InputError
from arviointi.report.disclosure import check_no_person_rows, suppress

Cell = tuple[Hashable, str]


def equations(
    table: pd.DataFrame,
    counts: list[str],
    total_row: Hashable | None,
    total_col: str | None,
    known_column_totals: bool = False,
) -> list[tuple[list[Cell], Cell | float]]:
    """(members, total) of every published sum: total is a table cell or a known number."""
    body = [r for r in table.index if r != total_row]
    eqs: list[tuple[list[Cell], Cell | float]] = []
    if total_col is not None:
        for r in table.index:
            eqs.append(([(r, c) for c in counts], (r, total_col)))
    if total_row is not None:
        for c in [*counts, *([total_col] if total_col else [])]:
            eqs.append(([(r, c) for r in body], (total_row, c)))
    elif known_column_totals:
        for c in counts:
            eqs.append(([(r, c) for r in body], float(table.loc[body, c].sum())))
    return eqs


def feasible_values(
    table: pd.DataFrame, mask: pd.DataFrame, eqs: list[tuple[list[Cell], Cell | float]]
) -> dict[Cell, set[int]]:
    """Every value each hidden cell can take, by exhaustive search with pruning."""
    hidden = [(r, c) for r in mask.index for c in mask.columns if mask.loc[r, c]]
    hidden = [cell for cell in hidden if any(cell in m or cell == t for m, t in eqs)]
    # no hidden cell exceeds the largest published sum (the grand total when shown)
    bound = int(max(float(table.loc[t]) if isinstance(t, tuple) else t for _, t in eqs))
    values: dict[Cell, set[int]] = {cell: set() for cell in hidden}
    assign: dict[Cell, int] = {}

    def val(cell: Cell | float) -> float | None:
        if not isinstance(cell, tuple):
            return cell
        if cell in assign:
            return assign[cell]
        if cell in values:
            return None
        return float(table.loc[cell])

    def consistent() -> bool:
        for members, total in eqs:
            vals = [val(m) for m in members]
            tot = val(total)
            known = sum(v for v in vals if v is not None)
            if tot is not None:
                if known > tot:
                    return False
                if all(v is not None for v in vals) and known != tot:
                    return False
        return True

    def candidates(cell: Cell) -> range:
        # a cell that is the last unknown of a sum with a known total is forced
        for members, total in eqs:
            unknown = [m for m in members if val(m) is None]
            tot = val(total)
            if tot is not None and unknown == [cell]:
                forced = tot - sum(v for m in members if (v := val(m)) is not None)
                return range(int(forced), int(forced) + 1) if forced >= 0 else range(0)
            if total == cell and all(val(m) is not None for m in members):
                forced = sum(v for m in members if (v := val(m)) is not None)
                return range(int(forced), int(forced) + 1)
        return range(bound + 1)

    def search(i: int) -> None:
        if i == len(hidden):
            for cell, v in assign.items():
                values[cell].add(v)
            return
        for v in candidates(hidden[i]):
            assign[hidden[i]] = v
            if consistent():
                search(i + 1)
            del assign[hidden[i]]

    search(0)
    return values


def determined_by_algebra(
    table: pd.DataFrame, mask: pd.DataFrame, eqs: list[tuple[list[Cell], Cell | float]]
) -> list[Cell]:
    hidden = [(r, c) for r in mask.index for c in mask.columns if mask.loc[r, c]]
    index = {cell: i for i, cell in enumerate(hidden)}
    rows = []
    for members, total in eqs:
        row = np.zeros(len(hidden))
        for m in members:
            if m in index:
                row[index[m]] += 1
        if isinstance(total, tuple) and total in index:
            row[index[total]] -= 1
        rows.append(row)
    a = np.array(rows) if rows else np.zeros((0, len(hidden)))
    rank = np.linalg.matrix_rank(a) if len(a) else 0
    out = []
    for cell, i in index.items():
        e = np.zeros(len(hidden))
        e[i] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(cell)
    return out


def with_totals(body: pd.DataFrame) -> pd.DataFrame:
    table = body.copy()
    table["total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    return table.astype(int)


def test_district_with_three_clients() -> None:
    body = pd.DataFrame(
        {"pilot": [40, 2, 20, 12], "comparison": [35, 1, 18, 9]},
        index=["Varissuo", "Papinsaari", "Lauste", "Halinen"],
    )
    table = with_totals(body)
    s = suppress(table, ["pilot", "comparison"], total_row="Total", total_col="total")
    # the district row is wholly below the threshold: its cells and its total are hidden
    assert s.mask.loc["Papinsaari"].all()
    assert s.primary.loc["Papinsaari"].all()
    eqs = equations(table, ["pilot", "comparison"], "Total", "total")
    assert determined_by_algebra(table, s.mask, eqs) == []
    for cell, vals in feasible_values(table, s.mask, eqs).items():
        assert len(vals) > 1, f"{cell} can only be {vals}"
    # the original values are among the feasible ones (the audit is not vacuous)
    assert 2 in feasible_values(table, s.mask, eqs)[("Papinsaari", "pilot")]


def test_the_audit_catches_a_table_without_secondary_suppression() -> None:
    body = pd.DataFrame({"pilot": [40, 2, 20], "comparison": [35, 9, 18]}, index=list("ABC"))
    table = with_totals(body)
    naive = pd.DataFrame(False, index=table.index, columns=table.columns)
    naive.loc["B", "pilot"] = True  # primary only
    eqs = equations(table, ["pilot", "comparison"], "Total", "total")
    assert determined_by_algebra(table, naive, eqs) == [("B", "pilot")]
    assert feasible_values(table, naive, eqs)[("B", "pilot")] == {2}


def test_single_foreign_language_client_and_derived_mean() -> None:
    table = pd.DataFrame(
        {"n": [60, 8, 1], "mean_age": [41.2, 38.5, 57.0]}, index=["fi", "sv", "other"]
    )
    s = suppress(table, ["n"], known_column_totals=True)
    assert s.mask.loc["other", "n"] and s.primary.loc["other", "n"]
    assert s.mask.loc["other", "mean_age"], "the mean of one person is that person's age"
    # the total (69) is public, so one more count is hidden and its mean too
    assert s.mask.loc["sv", "n"] and s.mask.loc["sv", "mean_age"]
    assert not s.mask.loc["fi"].any()
    eqs = equations(table[["n"]], ["n"], None, None, known_column_totals=True)
    for cell, vals in feasible_values(table[["n"]], s.mask[["n"]], eqs).items():
        assert len(vals) > 1, cell
    shown = s.display()
    assert "57" not in " ".join(shown.to_numpy().ravel().astype(str))
    assert (shown.loc["other"] == "..").all()


def test_tiny_subgroups_cross_table() -> None:
    body = pd.DataFrame(
        {"basic": [3, 12, 1], "secondary": [7, 2, 15], "tertiary": [0, 9, 4]},
        index=["<25", "25-49", "50+"],
    )
    table = with_totals(body)
    counts = ["basic", "secondary", "tertiary"]
    s = suppress(table, counts, total_row="Total", total_col="total")
    for r in body.index:
        for c in counts:
            if 0 < body.loc[r, c] < 5:
                assert s.mask.loc[r, c], (r, c)
    assert not s.mask.loc["<25", "tertiary"], "zeros are not sensitive"
    eqs = equations(table, counts, "Total", "total")
    assert determined_by_algebra(table, s.mask, eqs) == []
    for cell, vals in feasible_values(table, s.mask, eqs).items():
        assert len(vals) > 1, cell
    assert s.n_primary == 4 and s.n_secondary >= 2


def test_threshold_comes_from_the_caller() -> None:
    table = pd.DataFrame({"n": [12, 7, 30]}, index=list("abc"))
    assert not suppress(table, ["n"], threshold=5).any_hidden
    assert suppress(table, ["n"], threshold=10).mask.loc["b", "n"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=9, max_size=9))
def test_random_tables_never_reveal_a_hidden_cell(values: list[int]) -> None:
    body = pd.DataFrame(np.array(values).reshape(3, 3), index=list("abc"), columns=list("xyz"))
    table = with_totals(body)
    try:
        s = suppress(table, list("xyz"), total_row="Total", total_col="total")
    except DesignError:
        return  # cannot protect (e.g. everything small) -> refused, never published
    for r in table.index:
        for c in [*"xyz", "total"]:
            if 0 < table.loc[r, c] < 5:
                assert s.mask.loc[r, c]
    eqs = equations(table, list("xyz"), "Total", "total")
    assert determined_by_algebra(table, s.mask, eqs) == []


def test_bad_tables_name_row_and_column() -> None:
    table = pd.DataFrame({"n": [4, -1, 2.5], "x": [1.0, 2.0, 3.0]}, index=list("abc"))
    with pytest.raises(InputError) as err:
        suppress(table, ["n"], derived={}, source="wellbeing table")
    text = str(err.value)
    assert "wellbeing table" in text
    assert "row 2 ('b'), column 'n'" in text and "row 3 ('c'), column 'n'" in text
    assert "column 'x'" in text and "neither a count" in text


def test_inconsistent_total_is_refused() -> None:
    table = with_totals(pd.DataFrame({"x": [10, 20], "y": [30, 40]}, index=list("ab")))
    table.loc["a", "total"] = 41
    with pytest.raises(InputError, match="row 'a', column 'total'"):
        suppress(table, ["x", "y"], total_row="Total", total_col="total")


def test_unprotectable_line_is_a_design_error() -> None:
    table = pd.DataFrame({"n": [3]}, index=["only"])
    with pytest.raises(DesignError):
        suppress(table, ["n"], known_column_totals=True)


@pytest.mark.parametrize("column", ["person_id", "Henkilötunnus", "client id", "Nimi", "email"])
def test_identifier_columns_are_refused(column: str) -> None:
    frame = pd.DataFrame({column: ["a", "b"], "n": [1, 2]})
    with pytest.raises(InputError, match="person identifier"):
        check_no_person_rows(frame, source="tab.csv")


def test_identity_codes_in_cells_are_refused() -> None:
    frame = pd.DataFrame({"area": ["Varissuo", "x 131052-308T y"], "n": [10, 12]})
    with pytest.raises(InputError) as err:
        check_no_person_rows(frame, source="tab.csv")
    assert "row 2, column 'area'" in str(err.value)


def test_repeated_groups_and_too_many_rows_are_refused() -> None:
    frame = pd.DataFrame({"area": ["a", "b", "a"], "n": [1, 2, 3]})
    with pytest.raises(InputError, match="row 3"):
        check_no_person_rows(frame, group_cols=["area"])
    with pytest.raises(InputError, match="at most 2"):
        check_no_person_rows(frame, max_rows=2)
    check_no_person_rows(frame.drop_duplicates("area"), group_cols=["area"], max_rows=2)


def test_brute_force_helper_agrees_on_a_hand_solved_case() -> None:
    # 2x2 with all four inner cells hidden and margins (5, 7 | 6, 6): a in 0..5, fixed sum
    table = with_totals(pd.DataFrame({"x": [2, 4], "y": [3, 3]}, index=list("ab")))
    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    for r, c in itertools.product("ab", "xy"):
        mask.loc[r, c] = True
    vals = feasible_values(table, mask, equations(table, ["x", "y"], "Total", "total"))
    assert vals[("a", "x")] == {0, 1, 2, 3, 4, 5}


# -- the adversarial campaign of issue 16 (item 5) -----------------------------------------


def test_a_subgroup_missing_a_few_persons_is_hidden_with_its_estimate() -> None:
    # "all clients" 60; the under-25 subgroup 57: subtracting publishes the 3 older clients,
    # and differencing the two estimates reveals their outcome
    table = pd.DataFrame(
        {
            "subgroup": ["all", "under25", "over50", "foreign"],
            "n_treated": [60, 57, 20, 60],
            "n_control": [200, 150, 198, 0],
            "estimate": [4.1, 4.4, 2.0, 4.1],
        }
    )
    s = suppress(
        table,
        ["n_treated", "n_control"],
        derived={"estimate": "n_treated"},
        overall_row=0,
    )
    assert s.mask.loc[1, "n_treated"] and s.mask.loc[1, "estimate"]
    assert s.mask.loc[2, "n_control"], "198 of 200: the other two comparison persons"
    assert s.mask.loc[2, "estimate"], "an estimate depends on every count of its row"
    # a complement of 0 is not a small group (the subgroup is everyone), and zeros stay
    assert not s.mask.loc[3, "n_treated"] and not s.mask.loc[3, "n_control"]
    assert not s.mask.loc[0].any()
    shown = " ".join(s.display().to_numpy().ravel().astype(str))
    assert "57" not in shown and "198" not in shown


def test_a_subgroup_larger_than_the_overall_row_is_refused() -> None:
    table = pd.DataFrame({"n": [10, 12]}, index=["all", "women"])
    with pytest.raises(InputError, match="sub-population"):
        suppress(table, ["n"], overall_row="all")


def test_a_share_is_hidden_when_its_denominator_is_hidden() -> None:
    # response rate = responded / clients: hiding the 3 clients but showing 100 % and the
    # number responded would publish it
    table = pd.DataFrame(
        {"n_clients": [3, 80], "n_responded": [3, 60], "response_pct": [100.0, 75.0]},
        index=["pilot", "comparison"],
    )
    s = suppress(table, ["n_clients", "n_responded"], derived={"response_pct": "n_responded"})
    assert s.mask.loc["pilot"].all()
    assert not s.mask.loc["comparison"].any()


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.one_of(st.integers(min_value=1, max_value=4), st.integers(min_value=0, max_value=150)),
        min_size=12,
        max_size=12,
    )
)
def test_many_tiny_cells_with_threshold_50_never_reveal_a_cell(values: list[int]) -> None:
    # many cells of 1-4 persons, a threshold of 50 (as set in params), margins shown
    body = pd.DataFrame(np.array(values).reshape(4, 3), index=list("abcd"), columns=list("xyz"))
    table = with_totals(body)
    try:
        s = suppress(table, list("xyz"), threshold=50, total_row="Total", total_col="total")
    except DesignError:
        return  # cannot be protected: refused, never published
    shown = s.display()
    for r in table.index:
        for c in [*"xyz", "total"]:
            value = int(table.loc[r, c])
            if 0 < value < 50:
                assert s.mask.loc[r, c] and shown.loc[r, c] == ".."
    eqs = equations(table, list("xyz"), "Total", "total")
    assert determined_by_algebra(table, s.mask, eqs) == []


def two_tables_of_one_population() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clients by age and by language, pilot and comparison: the same column totals."""
    by_age = with_totals(
        pd.DataFrame(
            {"pilot": [3, 40, 22], "comparison": [60, 2, 41]}, index=["<25", "25-49", "50+"]
        )
    )
    by_language = with_totals(
        pd.DataFrame({"pilot": [58, 7], "comparison": [101, 2]}, index=["fi/sv", "other"])
    )
    assert (by_age.loc["Total"] == by_language.loc["Total"]).all()
    return by_age, by_language


def test_differencing_two_tables_with_shared_margins_recovers_nothing() -> None:
    by_age, by_language = two_tables_of_one_population()
    counts = ["pilot", "comparison"]
    masks = [
        suppress(t, counts, total_row="Total", total_col="total").mask
        for t in (by_age, by_language)
    ]
    # the union of both tables' equations, the shared totals being one unknown each
    # (a total hidden in one table but shown in the other is shown)
    shared = {
        c: not (masks[0].loc["Total", c] and masks[1].loc["Total", c]) for c in [*counts, "total"]
    }
    hidden: list[tuple[int, Hashable, str]] = []
    for k, (t, m) in enumerate(zip((by_age, by_language), masks, strict=True)):
        for r in t.index:
            for c in [*counts, "total"]:
                if m.loc[r, c] and not (r == "Total" and shared[c]):
                    hidden.append((k if r != "Total" else -1, r, c))
    hidden = sorted(set(hidden), key=repr)
    index = {cell: i for i, cell in enumerate(hidden)}

    def var(k: int, r: Hashable, c: str) -> tuple[int, Hashable, str]:
        return (-1, r, c) if r == "Total" else (k, r, c)

    rows = []
    for k, t in enumerate((by_age, by_language)):
        for members, total in equations(t, counts, "Total", "total"):
            row = np.zeros(len(hidden))
            for r, c in members:
                if var(k, r, c) in index:
                    row[index[var(k, r, c)]] += 1
            assert isinstance(total, tuple)
            if var(k, *total) in index:
                row[index[var(k, *total)]] -= 1
            rows.append(row)
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    for cell, i in index.items():
        e = np.zeros(len(hidden))
        e[i] = 1
        assert np.linalg.matrix_rank(np.vstack([a, e])) > rank, f"{cell} is recoverable"


def test_a_part_whose_rest_is_a_small_group_is_hidden() -> None:
    # 70 clients asked, 66 answered: the 4 who did not answer are a group of their own
    table = pd.DataFrame(
        {
            "n_clients": [70, 70, 160],
            "n_responded": [66, 50, 160],
            "response_pct": [94.3, 71.4, 100.0],
        },
        index=["pilot 0", "pilot 1", "comparison 0"],
    )
    s = suppress(
        table,
        ["n_clients", "n_responded"],
        derived={"response_pct": "n_responded"},
        threshold=10,
        parts={"n_responded": "n_clients"},
    )
    assert s.mask.loc["pilot 0", "n_responded"] and s.mask.loc["pilot 0", "response_pct"]
    assert not s.mask.loc["pilot 0", "n_clients"]
    assert not s.mask.loc["pilot 1"].any(), "20 did not answer: not a small group"
    assert not s.mask.loc["comparison 0"].any(), "everyone answered: a rest of 0 is no group"
    with pytest.raises(InputError, match="more than the whole"):
        suppress(
            table.assign(n_responded=[71, 50, 160]),
            ["n_clients", "n_responded"],
            derived={"response_pct": "n_responded"},
            parts={"n_responded": "n_clients"},
        )
    with pytest.raises(InputError, match="both be count columns"):
        suppress(
            table,
            ["n_clients"],
            derived={"response_pct": "n_clients"},
            labels=["n_responded"],
            parts={"n_responded": "n_clients"},
        )
