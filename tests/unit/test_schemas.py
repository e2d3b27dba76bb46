"""Schemas vs the documented contract (docs/data-schemas.md, data/README.md) and validate()."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from arviointi.data import schemas, validate
from arviointi.data.schemas import SCHEMAS, render_data_dictionary
from arviointi.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def test_data_readme_holds_the_generated_dictionary() -> None:
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    start = readme.index(schemas.DICTIONARY_BEGIN)
    end = readme.index(schemas.DICTIONARY_END) + len(schemas.DICTIONARY_END)
    assert readme[start:end] == render_data_dictionary(), (
        "data/README.md is out of date: replace the block between the markers with the "
        "output of render_data_dictionary() from arviointi.data.schemas"
    )
    for s in SCHEMAS.values():
        for c in s.columns:
            assert f"| `{c.name}` |" in readme


def _architecture_section() -> str:
    text = (ROOT / "docs" / "data-schemas.md").read_text(encoding="utf-8")
    start = text.index("## Data schemas")
    return text[start : text.index("\n## ", start + 1)]


def test_schema_columns_are_the_documented_contract() -> None:
    section = _architecture_section()
    documented = set(re.findall(r"`([a-z_0-9]+)`", section))
    for s in SCHEMAS.values():
        if s.name == "measures":  # specified in the issue, not in docs/data-schemas.md
            continue
        missing = [c for c in s.names if c not in documented]
        assert not missing, f"{s.name}: {missing} are not in docs/data-schemas.md"


def test_category_values_are_the_documented_ones() -> None:
    section = " ".join(_architecture_section().split())
    for name, values in re.findall(r"`([a-z_]+)` in \{([^}]*)\}", section):
        allowed = tuple(v.strip() for v in values.split(","))
        found = [s.column(name) for s in SCHEMAS.values() if name in s.names]
        assert found, name
        # a column name may be documented for several schemas (client `status` and measures
        # `status`): each documented set must be the allowed values of one of them
        assert any(c.kind == "category" and c.allowed == allowed for c in found), (name, allowed)


def test_measures_schema() -> None:
    m = SCHEMAS["measures"]
    assert m.names == [
        "measure_id",
        "theme",
        "title_fi",
        "title_en",
        "responsible",
        "status",
        "schedule",
    ]
    assert m.column("status").allowed == ("done", "under_way", "not_done", "postponed")
    assert m.required == m.names[:-1]
    frame = pd.DataFrame(
        {
            "measure_id": ["48", "49"],
            "theme": ["raportointi", "raportointi"],
            "title_fi": ["Raportointi keskitetään", "Vaikuttavuus arvioidaan"],
            "title_en": ["Reporting is centralised", "Effectiveness is evaluated"],
            "responsible": ["Konsernihallinto", "Konsernihallinto"],
            "status": ["done", "Under way"],
            "schedule": ["2016", ""],
        }
    )
    with pytest.raises(InputError, match=r"line 3, column 'status'.*did you mean 'under_way'"):
        validate(frame, "measures", source="m.csv")
    frame.loc[1, "status"] = "under_way"
    out = validate(frame, "measures", source="m.csv")
    assert out["measure_id"].tolist() == [48, 49]
    assert out["measure_id"].dtype == "int64"
    assert pd.isna(out["schedule"].iloc[1])


def test_month_formats_give_the_same_month_start() -> None:
    for texts in (["2012-03"], ["2012M03"], ["1.3.2012"], ["15.3.2012"], ["2012-03-01"]):
        frame = pd.DataFrame({"area": ["A"], "month": texts, "unemployed": ["1"]})
        out = validate(frame, "area_panel", source="x.csv")
        assert out["month"].tolist() == [pd.Timestamp("2012-03-01")], texts
        assert out["month"].dtype == "datetime64[ns]"


def test_rate_is_derived_exactly_when_absent_and_kept_when_given() -> None:
    frame = pd.DataFrame(
        {
            "area": ["Turku", "Salo", "Tyhjä"],
            "month": ["2011-12"] * 3,
            "unemployed": ["11356", "0", "0"],
            "labour_force": ["87717", "25000", "0"],
        }
    )
    out = validate(frame, "area_panel", source="x.csv")
    assert out.attrs["derived"] == ["unemployment_rate"]
    rate = out["unemployment_rate"].to_numpy()
    assert rate[0] == 100 * 11356 / 87717 and rate[1] == 0.0
    assert np.isnan(rate[2])  # labour force 0: undefined, not infinite
    given = frame.assign(unemployment_rate=["12.9", "0", ""])
    out = validate(given, "area_panel", source="x.csv")
    assert out.attrs["derived"] == []
    assert out["unemployment_rate"].iloc[0] == 12.9


def test_extra_columns_pass_through_and_order() -> None:
    frame = pd.DataFrame({"note": ["x"], "unemployed": ["3"], "month": ["2012-01"], "area": ["A"]})
    out = validate(frame, "area_panel", source="x.csv")
    assert list(out.columns) == ["area", "month", "unemployed", "note"]
    assert out.attrs["extra_columns"] == ["note"]


def test_every_schema_accepts_a_minimal_valid_table() -> None:
    tables = {
        "clients": {
            "person_id": ["p1", "p2"],
            "group": ["pilot", "comparison"],
            "age": ["34", "51"],
            "language": ["fi", "other"],
            "education": ["basic", "tertiary"],
            "unemployment_days_at_entry": ["620", "0"],
            "entry_month": ["2013-01", "2013-02"],
        },
        "client_panel": {
            "person_id": ["p1", "p1"],
            "month": ["2013-01", "2013-02"],
            "status": ["unemployed", "services"],
            "benefit_days": ["21", "31"],
            "municipal_share_eur": ["375.5", "0"],
        },
        "survey": {
            "person_id": ["p1", "p1"],
            "wave": ["0", "1"],
            "life_management": ["4", "6.5"],
            "work_ability": ["3", ""],
            "wellbeing": ["40", "48"],
        },
        "cost_ledger": {
            "year": ["2012", "2013"],
            "category": ["staff", "staff"],
            "budget": ["90000", "270000"],
            "grant": ["67500", "202500"],
        },
        "invoices": {
            "month": ["2012-01", "2012-02"],
            "area": ["Turku", "Turku"],
            "municipal_share_eur": ["683000", "690000.5"],
        },
    }
    for name, cols in tables.items():
        out = validate(pd.DataFrame(cols), name, source=f"{name}.csv")
        assert len(out) == 2, name
    survey = validate(pd.DataFrame(tables["survey"]), "survey", source="s.csv")
    assert survey["work_ability"].isna().tolist() == [False, True]
    assert survey["wave"].dtype == "int64"


@pytest.mark.parametrize(
    ("schema", "column", "value", "expected"),
    [
        ("client_panel", "benefit_days", "32", "a whole number in 0..31"),
        ("survey", "wellbeing", "71", "a number in 14..70"),
        ("survey", "life_management", "0", "a number in 1..10"),
        ("clients", "group", "Pilot", "one of 'pilot', 'comparison'"),
        ("cost_ledger", "year", "1989", "a whole number in 1990..2035"),
        ("invoices", "municipal_share_eur", "-1", "a number >= 0"),
    ],
)
def test_bounds_and_categories(schema: str, column: str, value: str, expected: str) -> None:
    base = {
        "client_panel": {"person_id": "p", "month": "2013-01", "status": "employed"},
        "survey": {"person_id": "p", "wave": "0"},
        "clients": {"person_id": "p", "group": "pilot"},
        "cost_ledger": {"year": "2013", "category": "staff", "budget": "1"},
        "invoices": {"month": "2013-01", "area": "Turku", "municipal_share_eur": "1"},
    }[schema]
    frame = pd.DataFrame([{**base, column: value}])
    with pytest.raises(InputError) as info:
        validate(frame, schema, source="t.csv")
    assert f"line 2, column {column!r}: expected {expected}" in str(info.value)


def test_missing_key_value_is_an_error_but_optional_missing_is_fine() -> None:
    frame = pd.DataFrame(
        {
            "person_id": ["p1", ""],
            "month": ["2013-01", "2013-01"],
            "status": ["employed", "employed"],
            "benefit_days": ["", "3"],
        }
    )
    with pytest.raises(InputError, match=r"line 3, column 'person_id': missing value"):
        validate(frame, "client_panel", source="c.csv")
    frame.loc[1, "person_id"] = "p2"
    out = validate(frame, "client_panel", source="c.csv")
    assert pd.api.types.is_string_dtype(out["person_id"].dtype)
    assert pd.api.types.is_string_dtype(out["status"].dtype)
    assert out["benefit_days"].dtype == "float64"  # whole numbers with a gap -> float
    assert np.isnan(out["benefit_days"].iloc[0])


def test_dataframe_sources_are_located_by_row() -> None:
    frame = pd.DataFrame({"area": ["A", "B"], "month": ["2012-01", "x"], "unemployed": [1, 2]})
    with pytest.raises(InputError, match=r"row 3, column 'month'"):
        validate(frame, "area_panel", source="<DataFrame>")


def test_empty_table_and_duplicate_names_are_errors() -> None:
    empty = pd.DataFrame({"area": [], "month": [], "unemployed": []})
    with pytest.raises(InputError, match="the table has no rows"):
        validate(empty, "area_panel", source="<DataFrame>")
    twice = pd.DataFrame(
        [["A", "2012-01", "1", "2"]], columns=["area", "month", "unemployed", "area"]
    )
    with pytest.raises(InputError, match=r"column name\(s\) \['area'\] appear more than once"):
        validate(twice, "area_panel", source="<DataFrame>")
