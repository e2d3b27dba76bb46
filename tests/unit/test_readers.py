"""Readers (CSV sniffing, Excel, Parquet) and load_source, incl. Hypothesis properties."""

from __future__ import annotations

import contextlib
import hashlib
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from arviointi.data import file_digest, load_source, read_table, validate
from arviointi.data.validate import MISSING_TOKENS
from arviointi.errors import InputError

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("text", "sep", "decimal"),
    [
        ("area,month,unemployed,unemployment_rate\nTurku,2012-01,11356,12.9\n", ",", "."),
        ("area;month;unemployed;unemployment_rate\nTurku;2012-01;11356;12,9\n", ";", ","),
        ("area;month;unemployed;unemployment_rate\nTurku;2012-01;11356;12.9\n", ";", "."),
        ("area\tmonth\tunemployed\tunemployment_rate\nTurku\t2012-01\t11356\t12,9\n", "\t", ","),
        ('area,month,unemployed,unemployment_rate\nTurku,2012-01,11356,"12,9"\n', ",", ","),
    ],
)
def test_sniffs_delimiter_and_decimal(tmp_path: Path, text: str, sep: str, decimal: str) -> None:
    frame = read_table(_write(tmp_path / "a.csv", text))
    assert list(frame.columns) == ["area", "month", "unemployed", "unemployment_rate"]
    assert frame.loc[2, "unemployment_rate"] == "12.9"  # decimal comma -> point, still text
    # the same file with the explicit (right) choice reads the same
    again = read_table(tmp_path / "a.csv", sep=sep, decimal=decimal)
    pd.testing.assert_frame_equal(frame, again)
    out = validate(frame, "area_panel", source="a.csv")
    assert out.loc[0, "unemployment_rate"] == 12.9
    assert out.loc[0, "unemployed"] == 11356


def test_encodings_and_bom(tmp_path: Path) -> None:
    text = "area;month;unemployed;note\nPääkaupunki;2012-01;5;100 €\n"
    for enc in ("utf-8", "utf-8-sig", "iso-8859-15"):
        frame = read_table(_write(tmp_path / f"{enc}.csv", text, enc))
        assert list(frame.columns) == ["area", "month", "unemployed", "note"], enc
        assert frame.loc[2, "area"] == "Pääkaupunki", enc
        assert frame.loc[2, "note"] == "100 €", enc


def test_line_numbers_count_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    text = (
        "area,month,unemployed,note\n"  # line 1
        'Turku,2012-01,1,"two\nlines"\n'  # lines 2-3
        "\n"  # line 4 (blank)
        "Salo,2012-01,x,ok\n"  # line 5
    )
    frame = read_table(_write(tmp_path / "a.csv", text))
    assert frame.index.name == "line"
    assert list(frame.index) == [2, 5]
    assert frame.loc[2, "note"] == "two\nlines"
    with pytest.raises(InputError, match=r"line 5, column 'unemployed'"):
        validate(frame, "area_panel", source="a.csv")


def test_title_line_above_the_header_is_explained(tmp_path: Path) -> None:
    text = '"Työttömät työnhakijat"\n\narea;month;unemployed\nTurku;2012-01;1\nSalo;2012-01;2\n'
    with pytest.raises(InputError) as info:
        read_table(_write(tmp_path / "a.csv", text))
    assert "line 1: the first line has 1 field but the following lines are ';'-separated" in str(
        info.value
    )
    assert "title line" in str(info.value)


def test_leading_blank_lines_shift_the_header(tmp_path: Path) -> None:
    frame = read_table(_write(tmp_path / "a.csv", "\n\narea;month;unemployed\nTurku;2012-01;x\n"))
    assert list(frame.index) == [4]
    with pytest.raises(InputError, match=r"line 4, column 'unemployed'"):
        validate(frame, "area_panel", source="a.csv")


def test_other_explicit_delimiters(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "\narea|month|unemployed\nTurku|2012-01|1\n")
    frame = read_table(path, sep="|")
    assert list(frame.columns) == ["area", "month", "unemployed"] and list(frame.index) == [3]
    semi = _write(tmp_path / "b.csv", "\narea;month;unemployed\nTurku;2012-01;1\nSalo;2012-01\n")
    with pytest.raises(InputError, match=r"line 2 has 1 field with sep='\|'; the file looks ';'"):
        read_table(semi, sep="|")


def test_ambiguous_delimiter_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "a,b;c\n1,2;3\n")
    with pytest.raises(InputError, match="cannot tell the delimiter"):
        read_table(path)


def test_excel_round_trip_locates_sheet_rows(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Alue": ["Turku", "Salo", "Turku"],
            "Kuukausi": pd.to_datetime(["2012-01-01", "2012-01-01", "2012-02-01"]),
            "Työttömät": [11356, 2100, -1],
        }
    )
    path = tmp_path / "a.xlsx"
    with pd.ExcelWriter(path) as xl:
        frame.to_excel(xl, sheet_name="data", index=False)
    raw = read_table(path, sheet="data")
    assert raw.index.name == "sheet row" and list(raw.index) == [2, 3, 4]
    cmap = {"Alue": "area", "Kuukausi": "month", "Työttömät": "unemployed"}
    with pytest.raises(InputError, match=r"sheet row 4, column 'Työttömät' \(unemployed\)"):
        validate(raw, "area_panel", source=str(path), column_map=cmap)
    ok = validate(raw.iloc[:2], "area_panel", source=str(path), column_map=cmap)
    assert ok["unemployed"].tolist() == [11356, 2100]
    assert ok["month"].tolist() == [pd.Timestamp("2012-01-01")] * 2
    with pytest.raises(
        InputError, match=r"sheet 'nope' not found; the workbook has sheets \['data'\]"
    ):
        read_table(path, sheet="nope")


def test_parquet_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "area": ["Turku", "Salo"],
            "month": pd.to_datetime(["2012-01-01", "2012-01-01"]),
            "unemployed": [11356, 2100],
            "labour_force": [87717.0, np.nan],
        }
    )
    path = tmp_path / "a.parquet"
    frame.to_parquet(path, index=False)
    out = validate(read_table(path), "area_panel", source=str(path))
    assert out["unemployed"].dtype == "int64"
    assert out["labour_force"].dtype == "float64"  # a missing value -> float
    assert out.loc[0, "unemployment_rate"] == pytest.approx(100 * 11356 / 87717, rel=1e-12)
    assert np.isnan(out["unemployment_rate"].to_numpy()[1])


def test_format_from_suffix_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot tell the format from the suffix '\.dat'"):
        read_table(_write(tmp_path / "a.dat", "a\n1\n"))
    frame = read_table(_write(tmp_path / "a.dat", "a;b\n1;2\n"), format="csv")
    assert frame.shape == (1, 2)
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "missing.csv")


def test_binary_file_with_csv_suffix(tmp_path: Path) -> None:
    src = tmp_path / "a.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(src)
    path = tmp_path / "a.csv"
    path.write_bytes(src.read_bytes())
    with pytest.raises(InputError, match="it is a Parquet file"):
        read_table(path)


# --------------------------------------------------------------------------- load_source


def test_load_source_maps_columns_keeps_areas_and_records_digest(tmp_path: Path) -> None:
    text = (
        "Alue;Kuukausi;Työttömät;Työvoima\n"
        "Turku;2011M12;11356;87717\n"
        "Salo;2011M12;2100;25000\n"
        "Turku;2012M01;11400;87717\n"
    )
    path = _write(tmp_path / "panel.csv", text, "iso-8859-15")
    spec = {
        "kind": "file",
        "schema": "area_panel",
        "path": "panel.csv",
        "columns": {
            "Alue": "area",
            "Kuukausi": "month",
            "Työttömät": "unemployed",
            "Työvoima": "labour_force",
        },
        "areas": ["Turku"],
    }
    out = load_source(spec, base_dir=tmp_path)
    assert out["area"].tolist() == ["Turku", "Turku"]
    assert out["month"].tolist() == [pd.Timestamp("2011-12-01"), pd.Timestamp("2012-01-01")]
    assert round(float(out["unemployment_rate"].iloc[0]), 1) == 12.9
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert out.attrs["sources"] == [{"path": str(path), "sha256": digest}]
    assert file_digest(path) == digest
    assert out.attrs["synthetic"] is False

    # an object with attributes works like a mapping
    obj = types.SimpleNamespace(**{**spec, "areas": ["Turkku"]})
    with pytest.raises(InputError, match=r"area 'Turkku' is not in the data; closest: 'Turku'"):
        load_source(obj, base_dir=tmp_path)


def test_load_source_rejects_unknown_kind_and_schema(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="kind='ftp'"):
        load_source({"kind": "ftp", "schema": "area_panel"}, base_dir=tmp_path)
    with pytest.raises(InputError, match="schema='panel'"):
        load_source({"kind": "file", "schema": "panel", "path": "x.csv"}, base_dir=tmp_path)


def test_load_source_delegates_synthetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[Any] = []

    def load_synthetic(spec: Any) -> pd.DataFrame:
        seen.append(spec)
        return pd.DataFrame({"area": ["A"]})

    fake = types.ModuleType("arviointi.data.synthetic")
    fake.load_synthetic = load_synthetic  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "arviointi.data.synthetic", fake)
    spec = {"kind": "synthetic", "schema": "area_panel", "seed": 1}
    out = load_source(spec, base_dir=tmp_path)
    assert seen == [spec]
    assert out.attrs["synthetic"] is True


# --------------------------------------------------------------------------- properties

_NAME = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöåÄÖÅ-", min_size=1, max_size=12)
    .map(str.capitalize)
    .filter(lambda s: s not in MISSING_TOKENS)  # 'None' is a missing value, not a name
)


@st.composite
def _area_panels(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 12))
    areas = draw(st.lists(_NAME, min_size=n, max_size=n, unique=True))
    months = draw(
        st.lists(st.tuples(st.integers(1990, 2035), st.integers(1, 12)), min_size=n, max_size=n)
    )
    unemployed = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n))
    extra = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n))
    rates = draw(
        st.lists(st.floats(0, 100, allow_nan=False, allow_subnormal=False), min_size=n, max_size=n)
    )
    return pd.DataFrame(
        {
            "area": pd.Series(areas, dtype="str"),
            "month": pd.to_datetime([f"{y}-{m:02d}-01" for y, m in months]).astype(
                "datetime64[ns]"
            ),
            "unemployed": pd.Series(unemployed, dtype="int64"),
            "labour_force": pd.Series([u + e for u, e in zip(unemployed, extra, strict=True)]),
            "unemployment_rate": pd.Series(rates, dtype="float64"),
        }
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frame=_area_panels(),
    sep=st.sampled_from([",", ";", "\t"]),
    decimal=st.sampled_from([".", ","]),
    encoding=st.sampled_from(["utf-8", "iso-8859-15", "utf-8-sig"]),
    eol=st.sampled_from(["\n", "\r\n"]),
)
def test_csv_round_trip(
    frame: pd.DataFrame, sep: str, decimal: str, encoding: str, eol: str
) -> None:
    """Any valid area panel written as CSV in any dialect reads back equal (sniffed)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "panel.csv"
        frame.to_csv(
            path, sep=sep, decimal=decimal, encoding=encoding, index=False, lineterminator=eol
        )
        out = validate(read_table(path), "area_panel", source=str(path))
    pd.testing.assert_frame_equal(out, frame, check_dtype=True)


_SUFFIXES = [".csv", ".parquet", ".px", ".json", ".xlsx", ".tsv"]


@settings(max_examples=80, deadline=None)
@given(data=st.binary(max_size=400), suffix=st.sampled_from(_SUFFIXES))
@example(data=b"\x1c", suffix=".csv")  # a Unicode line separator that csv does not split on
def test_random_bytes_raise_only_input_error(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"x{suffix}"
        path.write_bytes(data)
        try:
            frame = read_table(path)
        except InputError:
            return
        with contextlib.suppress(InputError):
            validate(frame, "area_panel", source=str(path))


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list('ab1,;."\n\t -äM2')), max_size=200),
)
def test_random_csv_text_raises_only_input_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        path.write_text(text, encoding="utf-8")
        with contextlib.suppress(InputError):
            validate(read_table(path), "area_panel", source=str(path))
