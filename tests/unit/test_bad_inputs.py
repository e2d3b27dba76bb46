"""The bad-input catalogue: every broken file gives an InputError naming file, place, expectation.

Each case has its own small file in tests/fixtures/bad_inputs/ (open them to see the
planted problem; line numbers below count the header as line 1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from arviointi.data import read_table, validate
from arviointi.errors import InputError

BAD = Path(__file__).parents[1] / "fixtures" / "bad_inputs"


def _error(name: str, **read: str) -> InputError:
    path = BAD / name
    with pytest.raises(InputError) as info:
        frame = read_table(path, **read)
        validate(frame, "area_panel", source=str(path))
    err = info.value
    assert err.path == str(path)
    assert name in str(err)
    return err


def _messages(err: InputError) -> list[str]:
    return [str(p) for p in err.problems]


def test_empty_file() -> None:
    err = _error("empty.csv")
    assert "empty" in str(err) and "expected a header line" in str(err)


def test_wrong_delimiter_given() -> None:
    err = _error("semicolon_read_as_comma.csv", sep=",")
    assert "line 1 has 1 field with sep=','" in str(err)
    assert "looks ';'-separated (4 fields)" in str(err)


def test_wrong_decimal_mark_given() -> None:
    err = _error("decimal_comma.csv", decimal=".")
    msg = str(err)
    assert "line 2, column 'unemployment_rate' holds '12,9'" in msg
    assert "expected decimal points" in msg


def test_mixed_decimal_marks() -> None:
    msg = str(_error("mixed_decimal.csv"))
    assert "line 2, column 'unemployment_rate' holds '12,9'" in msg
    assert "line 3, column 'unemployment_rate' holds '10.5'" in msg


def test_wrong_encoding_given() -> None:
    # Line 3 holds 'Pääkaupunki' in ISO-8859-15 (byte 0xe4), read as UTF-8.
    msg = str(_error("latin9.csv", encoding="utf-8"))
    assert "line 3: byte 0xe4" in msg and "ISO-8859-15" in msg


def test_latin9_is_sniffed_when_not_given() -> None:
    frame = read_table(BAD / "latin9.csv")
    assert frame.loc[3, "area"] == "Pääkaupunki"


def test_utf8_read_as_latin9_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf8.csv"
    path.write_text("area,month,unemployed\nPääkaupunki,2012-01,5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: encoding='iso-8859-15' was given but the file"):
        read_table(path, encoding="iso-8859-15")


def test_windows_1252_is_not_mistaken_for_latin9() -> None:
    # Line 2 holds an en dash as Windows-1252 byte 0x96 (a control code in ISO-8859-15).
    msg = str(_error("cp1252.csv"))
    assert "line 2" in msg and "0x96" in msg and "cp1252" in msg


def test_mixed_encodings_in_one_file() -> None:
    # Line 2 holds 'Pääkaupunki' in UTF-8, line 3 the same name in ISO-8859-15.
    msg = str(_error("mixed_encodings.csv"))
    assert "mixed encodings: line 2 has UTF-8 text ('ä') but line 3 has byte 0xe4" in msg


def test_misspelled_column_gets_a_suggestion() -> None:
    msgs = _messages(_error("misspelled_column.csv"))
    assert any("required column 'unemployed'" in m and "'unemploed'" in m for m in msgs)
    assert any("did you mean 'unemployed'" in m for m in msgs)


def test_missing_columns_are_all_listed() -> None:
    msgs = _messages(_error("missing_column.csv"))
    assert any("required column 'area'" in m for m in msgs)
    assert any("required column 'unemployed'" in m for m in msgs)
    assert all("'alue'" in m for m in msgs)  # the source columns are shown


def test_duplicated_unit_time_rows() -> None:
    # Lines 2 and 5 are both (Turku, 2012-01).
    msg = str(_error("duplicate_rows.csv"))
    assert "line 2 and line 5: duplicate (area, month) = ('Turku', '2012-01')" in msg


def test_negative_count_and_row_rule() -> None:
    msgs = _messages(_error("negative_count.csv"))
    assert "line 3, column 'unemployed': expected a whole number >= 0; found -3" in msgs[0]
    # every problem, not only the first: line 4 has long-term > unemployed
    assert any(
        m.startswith("line 4") and "long_term_unemployed (12000) > unemployed" in m for m in msgs
    )
    assert len(msgs) == 2


def test_non_numeric_counts() -> None:
    msgs = _messages(_error("non_numeric_count.csv"))
    assert any("line 3, column 'unemployed'" in m and "'n/a'" in m for m in msgs)
    assert any("line 5, column 'unemployed'" in m and "'12.5'" in m for m in msgs)
    # '11 400' on line 4 is a grouped number, not an error
    assert not any(m.startswith("line 4") for m in msgs)


def test_rate_over_100_percent() -> None:
    msg = str(_error("rate_over_100.csv"))
    assert "line 3, column 'unemployment_rate': expected a number in 0..100; found 126.9" in msg


def test_dates_out_of_range() -> None:
    msgs = _messages(_error("date_out_of_range.csv"))
    assert any(m.startswith("line 3") and "'1899-12'" in m and "1990..2035" in m for m in msgs)
    assert any(m.startswith("line 4") and "'2040-01'" in m for m in msgs)
    assert any(m.startswith("line 5") and "'2012-13'" in m for m in msgs)


def test_mixed_date_formats() -> None:
    msg = str(_error("mixed_date_formats.csv"))
    assert "'YYYY-MM' (first at line 2: '2012-01')" in msg
    assert "(first at line 3: '2012M02')" in msg
    assert "'D.M.YYYY' (first at line 4: '1.3.2012')" in msg


def test_all_missing_outcome() -> None:
    msg = str(_error("all_missing_outcome.csv"))
    assert "column 'unemployed': all 3 values are missing" in msg


def test_truncated_csv() -> None:
    msg = str(_error("truncated.csv"))
    assert "line 4: has 2 field(s)" in msg and "expected 4" in msg and "truncated" in msg


def test_csv_truncated_inside_quotes() -> None:
    msg = str(_error("truncated_quoted.csv"))
    assert "line 3" in msg and "quoted" in msg


@pytest.mark.parametrize("name", ["truncated.parquet", "corrupted.parquet"])
def test_broken_parquet(name: str) -> None:
    msg = str(_error(name))
    assert "not a readable Parquet file" in msg


def test_parquet_rows_are_located_by_record() -> None:
    # Record 6 (the sixth row) holds -7.
    msg = str(_error("negative_count.parquet"))
    assert "record 6, column 'unemployed'" in msg and "found -7" in msg


def test_mapped_column_is_named_by_source_and_schema_name() -> None:
    path = BAD / "negative_count.csv"
    frame = read_table(path).rename(columns={"unemployed": "Työttömät"})
    with pytest.raises(InputError) as info:
        validate(frame, "area_panel", source=str(path), column_map={"Työttömät": "unemployed"})
    assert "line 3, column 'Työttömät' (unemployed)" in str(info.value)


def test_bad_column_map_names_the_params_key() -> None:
    path = BAD / "duplicate_rows.csv"
    frame = read_table(path)
    with pytest.raises(InputError) as info:
        validate(
            frame,
            "area_panel",
            source=str(path),
            column_map={"Aera": "area", "unemployed": "unemploed"},
        )
    msgs = _messages(info.value)
    assert any(m.startswith("columns.Aera") and "closest: 'area'" in m for m in msgs)
    assert any(
        m.startswith("columns.unemployed") and "did you mean 'unemployed'" in m for m in msgs
    )


def test_many_bad_rows_are_counted_not_listed(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    lines = ["area,month,unemployed"] + [f"A{i},2012-01,x" for i in range(40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        validate(read_table(path), "area_panel", source=str(path))
    msgs = _messages(info.value)
    assert len(msgs) == 6
    assert "35 more row(s)" in msgs[-1] and "line 7" in msgs[-1]
