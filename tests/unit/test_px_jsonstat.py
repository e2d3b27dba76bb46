"""PC-Axis .px and JSON-stat2 readers on real StatFin samples (tests/fixtures/formats/)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arviointi.data import read_jsonstat2, read_px, read_table
from arviointi.errors import InputError

FORMATS = Path(__file__).parents[1] / "fixtures" / "formats"
PX = FORMATS / "statfin_atp_pxt_11n3.px"
JSON = FORMATS / "statfin_vaerak_pxt_11rc_jsonstat2_response_sv.json"
QUERY = FORMATS / "statfin_vaerak_pxt_11rc_query.json"


# --------------------------------------------------------------------------- .px


def test_px_real_file_shape_and_cells_read_by_eye() -> None:
    frame = read_px(PX)
    # STUB "Tiedot" (5 values) x HEADING "Vuosi" (11 values, 2013..2023)
    assert list(frame.columns) == ["Tiedot", "Vuosi", "value"]
    assert frame.shape == (55, 3)
    cell = frame.set_index(["Tiedot", "Vuosi"])["value"]
    # DATA line 1 (the line after "DATA="): first and last numbers, row "Avoimet työpaikat"
    assert cell[("Avoimet työpaikat", "2013")] == 29500
    assert cell[("Avoimet työpaikat", "2023")] == 54500
    # DATA line 3, 7th number: "Osa-aikaiset avoimet työpaikat", 2019
    assert cell[("Osa-aikaiset avoimet työpaikat", "2019")] == 8300
    # DATA line 5 (ends with "30300;"): "Vaikeasti täytettävät avoimet työpaikat", 2023
    assert cell[("Vaikeasti täytettävät avoimet työpaikat", "2023")] == 30300
    # VALUES("Tiedot") continues over two lines: the second label is complete
    assert "Avoimet työpaikat, joilla ei ole hoitajaa" in set(frame["Tiedot"])
    assert frame.attrs["table_id"] == "statfin_atp_pxt_11n3"
    assert frame.attrs["units"] == "Lukumäärä"  # ISO-8859-15 'ä' decoded by CODEPAGE
    assert frame.attrs["n_missing"] == 0


def test_px_other_language_and_codes() -> None:
    en = read_px(PX, language="en", codes=True)
    assert list(en.columns) == ["Information", "Year", "value"]
    assert en["Information"].unique().tolist() == [
        "atp_lkm",
        "atp_eihoit",
        "atp_osa",
        "atp_maar",
        "atp_vaik",
    ]
    fi = read_px(PX)
    np.testing.assert_array_equal(en["value"].to_numpy(), fi["value"].to_numpy())
    # DATA line 2, 1st number: unoccupied vacancies 2013
    assert en.set_index(["Information", "Year"]).loc[("atp_eihoit", "2013"), "value"] == 13700


def test_px_and_jsonstat_through_read_table() -> None:
    pd.testing.assert_frame_equal(read_table(PX), read_px(PX))
    # "jsonstat" is the params spelling of the format
    pd.testing.assert_frame_equal(read_table(JSON, format="jsonstat"), read_jsonstat2(JSON))


_PX_TEXT = """CHARSET="ANSI";
CODEPAGE="iso-8859-15";
LANGUAGE="fi";
TABLEID="demo";
TITLE="Työttömät alueittain
 ja kuukausittain";
NOTE="first part "
"second part";
STUB="Alue","Sukupuoli";
HEADING="Kuukausi";
VALUES("Alue")="Turku","Salo";
VALUES("Sukupuoli")="Miehet","Naiset";
VALUES("Kuukausi")="2012M01","2012M02","2012M03";
CODES("Alue")="KU853","KU734";
CODES("Sukupuoli")="1","2";
CODES("Kuukausi")="2012M01","2012M02","2012M03";
DATA=
1 2 3
4 ".." 6
7 8 "..."
10 "-" 12;
"""


def _px(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo.px"
    path.write_bytes(text.encode("iso-8859-15"))
    return path


def test_px_two_stub_variables_markers_and_multiline_strings(tmp_path: Path) -> None:
    frame = read_px(_px(tmp_path, _PX_TEXT))
    assert list(frame.columns) == ["Alue", "Sukupuoli", "Kuukausi", "value"]
    # row-major: Alue slowest, then Sukupuoli, then the heading Kuukausi fastest
    expected = [
        ("Turku", "Miehet", "2012M01", 1.0),
        ("Turku", "Miehet", "2012M03", 3.0),
        ("Turku", "Naiset", "2012M01", 4.0),
        ("Salo", "Miehet", "2012M02", 8.0),
        ("Salo", "Naiset", "2012M03", 12.0),
    ]
    cell = frame.set_index(["Alue", "Sukupuoli", "Kuukausi"])["value"]
    for a, s, k, v in expected:
        assert cell[(a, s, k)] == v
    assert np.isnan(cell[("Turku", "Naiset", "2012M02")])
    assert np.isnan(cell[("Salo", "Miehet", "2012M03")])
    assert np.isnan(cell[("Salo", "Naiset", "2012M02")])
    assert frame.attrs["n_missing"] == 3
    assert frame.attrs["title"] == "Työttömät alueittain ja kuukausittain"


def test_px_wrong_data_count(tmp_path: Path) -> None:
    path = _px(tmp_path, _PX_TEXT.replace('10 "-" 12;', '10 "-";'))
    with pytest.raises(InputError, match=r"DATA has 11 values; STUB x HEADING sizes 2 x 2 x 3"):
        read_px(path)


def test_px_truncated(tmp_path: Path) -> None:
    path = _px(tmp_path, _PX_TEXT[: _PX_TEXT.index("7 8")])
    with pytest.raises(InputError, match=r"line 17: statement not terminated"):
        read_px(path)


def test_px_bad_number(tmp_path: Path) -> None:
    path = _px(tmp_path, _PX_TEXT.replace("7 8", "7 x8"))
    with pytest.raises(InputError, match=r"DATA value number 8 .* is 'x8'"):
        read_px(path)


# --------------------------------------------------------------------------- JSON-stat2


def test_jsonstat_matches_query_and_sizes() -> None:
    frame = read_jsonstat2(JSON, codes=True)
    query = json.loads(QUERY.read_text(encoding="utf-8"))
    doc = json.loads(JSON.read_text(encoding="utf-8"))
    assert frame.attrs["sizes"] == doc["size"] == [3, 3, 10, 1]
    assert len(frame) == 90
    for q in query["query"]:
        # every queried variable comes back with exactly the selected codes, in order
        assert frame[q["code"]].drop_duplicates().tolist() == q["selection"]["values"]
    assert frame["Tiedot"].unique().tolist() == ["vaesto"]


def test_jsonstat_cells_by_eye_and_totals_add_up() -> None:
    frame = read_jsonstat2(JSON)
    cell = frame.set_index(["Vuosi", "Sukupuoli", "Ikä"])["value"]
    # value[0]: 2020, Totalt, 20 - 24
    assert cell[("2020", "Totalt", "20 - 24")] == 308410
    # value[41] = 2021 (1*30) + Män (1*10) + 25 - 29 (1): 180133
    assert cell[("2021", "Män", "25 - 29")] == 180133
    # last value (value[89]): 2022, Kvinnor, 65 - 69
    assert cell[("2022", "Kvinnor", "65 - 69")] == 181956
    # exact algebra: total = men + women in every year and age group
    wide = frame.pivot_table(index=["Vuosi", "Ikä"], columns="Sukupuoli", values="value")
    np.testing.assert_array_equal(wide["Totalt"], wide["Män"] + wide["Kvinnor"])


def test_jsonstat_sparse_value_status_and_list_index() -> None:
    doc = {
        "class": "dataset",
        "version": "2.0",
        "id": ["area", "year"],
        "size": [2, 2],
        "dimension": {
            "area": {"category": {"index": ["091", "853"], "label": {"091": "Helsinki"}}},
            "year": {"category": {"index": {"2021": 1, "2020": 0}}},
        },
        "value": {"0": 1.5, "3": 4},
        "status": {"1": "..", "2": ".."},
    }
    bad = json.loads(json.dumps(doc))
    del bad["dimension"]["year"]["category"]["index"]  # two categories need an index
    with pytest.raises(InputError, match=r"dimension\.year\.category\.index is missing"):
        read_jsonstat2(bad)
    frame = read_jsonstat2(doc)
    assert frame["area"].tolist() == ["Helsinki", "Helsinki", "853", "853"]
    assert frame["year"].tolist() == ["2020", "2021", "2020", "2021"]
    np.testing.assert_array_equal(frame["value"], [1.5, np.nan, np.nan, 4.0])
    assert frame["status"].tolist() == [None, "..", "..", None]


def test_jsonstat_inconsistent_size(tmp_path: Path) -> None:
    doc = json.loads(JSON.read_text(encoding="utf-8"))
    doc["value"] = doc["value"][:-1]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError, match="value has 89 entries; the sizes imply 90"):
        read_table(path)
    doc = json.loads(JSON.read_text(encoding="utf-8"))
    doc["size"][2] = 9
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError, match=r"dimension\.Ikä has 10 categories but size says 9"):
        read_jsonstat2(path)
    path.write_text(JSON.read_text(encoding="utf-8")[:500], encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        read_jsonstat2(path)


# --------------------------------------------------------------------------- properties

_LABEL = st.text(alphabet="abcdefgäöå ,-=()", min_size=1, max_size=8).filter(
    lambda s: s.strip() == s
)


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    n_stub=st.integers(0, 3),
    data=st.data(),
)
def test_px_cell_order_property(sizes: list[int], n_stub: int, data: st.DataObject) -> None:
    """A written cube reads back cell for cell (STUB then HEADING, last varies fastest)."""
    n_stub = min(n_stub, len(sizes))
    names = [f"V{i}" for i in range(len(sizes))]
    labels = [data.draw(st.lists(_LABEL, min_size=k, max_size=k, unique=True)) for k in sizes]
    cube = np.arange(int(np.prod(sizes)), dtype=float).reshape(sizes) * 1.5
    missing = data.draw(st.sets(st.integers(0, cube.size - 1), max_size=2))
    tokens = ['".."' if i in missing else repr(float(v)) for i, v in enumerate(cube.ravel())]
    quoted = lambda xs: ",".join(f'"{x}"' for x in xs)  # noqa: E731
    stub, heading = names[:n_stub], names[n_stub:]
    lines = ['CODEPAGE="utf-8";', 'LANGUAGE="fi";']
    if stub:
        lines.append(f"STUB={quoted(stub)};")
    if heading:
        lines.append(f"HEADING={quoted(heading)};")
    for name, labs in zip(names, labels, strict=True):
        lines.append(f'VALUES("{name}")=' + ",\n".join(f'"{x}"' for x in labs) + ";")
    lines.append(
        "DATA=\n" + "\n".join(" ".join(tokens[i : i + 4]) for i in range(0, len(tokens), 4)) + ";"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cube.px"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        frame = read_px(path)
    assert list(frame.columns) == [*names, "value"]
    assert frame.attrs["n_missing"] == len(missing)
    for flat, idx in enumerate(np.ndindex(*sizes)):
        row = frame.iloc[flat]
        assert [row[n] for n in names] == [labels[d][i] for d, i in enumerate(idx)]
        if flat in missing:
            assert np.isnan(row["value"])
        else:
            assert row["value"] == cube[idx]


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3), data=st.data())
def test_jsonstat_sparse_and_dense_values_agree(sizes: list[int], data: st.DataObject) -> None:
    n = int(np.prod(sizes))
    values = data.draw(st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=n, max_size=n))
    ids = [f"d{i}" for i in range(len(sizes))]
    dims = {
        d: {"category": {"index": {f"c{j}": j for j in range(k)}}}
        for d, k in zip(ids, sizes, strict=True)
    }
    dense = {"class": "dataset", "id": ids, "size": sizes, "dimension": dims, "value": values}
    sparse = {**dense, "value": {str(i): v for i, v in enumerate(values) if v is not None}}
    a, b = read_jsonstat2(dense, codes=True), read_jsonstat2(sparse, codes=True)
    pd.testing.assert_frame_equal(a, b)
    for flat, idx in enumerate(np.ndindex(*sizes)):
        assert [a.iloc[flat][d] for d in ids] == [f"c{i}" for i in idx]
