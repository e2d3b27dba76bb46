"""The shipped StatFin 12r5 extract and its loader."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import random
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from arviointi.data import load_source, load_statfin_12r5
from arviointi.data.statfin import ATTRIBUTION, STATFIN_12R5_PATH
from arviointi.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
PROVENANCE = ROOT / "data" / "statfin" / "PROVENANCE.md"
SHARED_CSV = ROOT.parent / "shared/data/statfin_12r5/tyonv_12r5_monthly_2006-01_2023-10.csv"
needs_shared = pytest.mark.skipif(
    not SHARED_CSV.is_file(),
    reason=f"the shared source CSV {SHARED_CSV} is not on this machine (cross-check skipped)",
)


def test_turku_december_2011_matches_the_published_figure() -> None:
    # Turku's pilot plan (seed 001): December 2011, 11 356 unemployed, 12.9 %.
    for areas in (["Turku"], ["KU853"], ["turku"]):
        frame = load_statfin_12r5(areas=areas, start="2011-12", end="2011-12")
        assert len(frame) == 1
        row = frame.iloc[0]
        assert row["area"] == "Turku" and row["area_code"] == "KU853"
        assert row["area_level"] == "kunta"
        assert row["month"] == pd.Timestamp("2011-12-01")
        assert row["unemployed"] == 11356
        assert round(float(row["unemployment_rate"]), 1) == 12.9


def test_shipped_file_digest_matches_provenance() -> None:
    text = PROVENANCE.read_text(encoding="utf-8")
    m = re.search(r"shipped: `data/statfin/tyonv_12r5_monthly\.csv\.gz` \| `([0-9a-f]{64})`", text)
    assert m is not None, "PROVENANCE.md must list the shipped file's SHA-256"
    assert hashlib.sha256(STATFIN_12R5_PATH.read_bytes()).hexdigest() == m.group(1)
    assert ATTRIBUTION in " ".join(text.split())  # the attribution, wherever lines wrap
    assert STATFIN_12R5_PATH.stat().st_size < 3_000_000


@needs_shared
def test_build_script_is_byte_reproducible(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build", ROOT / "scripts/build_statfin_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "x.csv.gz"
    digest = module.build(SHARED_CSV, out)
    assert digest == hashlib.sha256(STATFIN_12R5_PATH.read_bytes()).hexdigest()
    src = re.search(
        r"source: `tyonv_12r5_monthly_2006-01_2023-10\.csv` \| `([0-9a-f]{64})`",
        PROVENANCE.read_text(encoding="utf-8"),
    )
    assert src is not None
    assert hashlib.sha256(SHARED_CSV.read_bytes()).hexdigest() == src.group(1)


@needs_shared
def test_loader_equals_the_source_csv_on_a_random_sample() -> None:
    with SHARED_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    panel = load_statfin_12r5()
    assert len(panel) == len(rows) == 88596
    sample = random.Random(20111231).sample(rows, 300)
    keys = panel["area_code"] + "|" + panel["month"].dt.strftime("%Y-%m")
    wanted = keys.isin({f"{r['area_code']}|{r['month']}" for r in sample})
    lookup = dict(zip(keys[wanted], panel[wanted].to_dict("records"), strict=True))
    for r in sample:
        got = lookup[f"{r['area_code']}|{r['month']}"]
        assert got["area"] == r["area_name"]
        assert got["area_level"] == r["area_level"]
        for ours, theirs in (
            ("unemployed", "unemployed_jobseekers"),
            ("labour_force", "labour_force"),
            ("open_vacancies", "open_vacancies"),
        ):
            if r[theirs] == "":
                assert np.isnan(got[ours]), (r["area_code"], r["month"], ours)
            else:
                assert got[ours] == int(r[theirs]), (r["area_code"], r["month"], ours)
        if r["unemployed_share_pct_derived"]:
            # the source rounds the derived share to 2 decimals
            assert round(float(got["unemployment_rate"]), 2) == pytest.approx(
                float(r["unemployed_share_pct_derived"]), abs=1e-9
            )


def test_levels_periods_and_attrs() -> None:
    regions = load_statfin_12r5(level="region", start="2023-10")
    assert set(regions["area_level"]) == {"maakunta"}
    assert regions["month"].unique().tolist() == [pd.Timestamp("2023-10-01")]
    assert "Varsinais-Suomi" in set(regions["area"])
    # Turku as a sub-region (SK023) when the level says so
    sub = load_statfin_12r5(areas=["Turku"], level="sub_region", start="2011-12", end="2011-12")
    assert sub["area_code"].tolist() == ["SK023"]
    assert sub["unemployed"].iloc[0] > 11356  # the sub-region contains the city
    whole = load_statfin_12r5(areas=["SSS"], start="2006-01", end="2006-12")
    assert len(whole) == 12 and whole["unemployed"].dtype == "int64"
    assert whole.attrs["licence"] == "CC BY 4.0"
    assert whole.attrs["synthetic"] is False
    assert whole.attrs["source"] == ATTRIBUTION
    assert list(whole.columns) == [
        "area",
        "area_code",
        "area_level",
        "month",
        "unemployed",
        "labour_force",
        "open_vacancies",
        "unemployment_rate",
    ]


def test_unknown_area_lists_closest_matches() -> None:
    with pytest.raises(InputError, match=r"area 'Turkku' is not in StatFin 12r5; closest: 'Turku'"):
        load_statfin_12r5(areas=["Turkku"])
    with pytest.raises(InputError, match="level='town'"):
        load_statfin_12r5(level="town")


def test_load_source_statfin() -> None:
    spec = {"kind": "statfin_12r5", "schema": "area_panel", "areas": ["Turku", "Tampere"]}
    frame = load_source(spec, base_dir=ROOT)
    assert set(frame["area"]) == {"Turku", "Tampere"}
    assert frame.attrs["synthetic"] is False
    assert (
        frame.attrs["sources"][0]["sha256"]
        == hashlib.sha256(STATFIN_12R5_PATH.read_bytes()).hexdigest()
    )
    dec = frame[(frame["area"] == "Turku") & (frame["month"] == pd.Timestamp("2011-12-01"))]
    assert dec["unemployed"].tolist() == [11356]


@needs_shared
def test_real_csv_through_load_source_with_a_column_map() -> None:
    """The shared large-cities CSV read as a user file: mapping, areas, digest, duplicates."""
    spec = {
        "kind": "file",
        "schema": "area_panel",
        "path": "tyonv_12r5_large_cities_2006-01_2023-10.csv",
        "columns": {"area_code": "area", "unemployed_jobseekers": "unemployed"},
        "areas": ["KU853"],
    }
    frame = load_source(spec, base_dir=SHARED_CSV.parent)
    assert len(frame) == 214
    dec = frame[frame["month"] == pd.Timestamp("2011-12-01")]
    assert dec["unemployed"].tolist() == [11356]
    assert round(float(dec["unemployment_rate"].iloc[0]), 1) == 12.9
    assert "unemployed_share_pct_derived" in frame.attrs["extra_columns"]
    # by name, Turku is both the municipality and the sub-region: one row per (area, month)
    # is violated and the error points at both lines
    spec["columns"] = {"area_name": "area", "unemployed_jobseekers": "unemployed"}
    with pytest.raises(InputError, match=r"duplicate \(area, month\) = \('Turku', '2006-01'\)"):
        load_source(spec, base_dir=SHARED_CSV.parent)


def test_region_key_covers_every_municipality_of_the_panel() -> None:
    """Every 12r5 municipality has its sub-region and region; spot checks from the source."""
    from arviointi.data.statfin import load_statfin_region_key

    key = load_statfin_region_key()
    munis = load_statfin_12r5(level="kunta", start="2023-10", end="2023-10")
    assert set(key["area_code"]) == set(munis["area_code"])
    row = key.set_index("area")
    assert row.loc["Kangasala", "seutukunta_name"] == "Tampere"
    assert row.loc["Punkalaidun", "maakunta_name"] == "Pirkanmaa"
    assert row.loc["Siilinjärvi", "seutukunta_name"] == "Kuopio"
    assert row.loc["Turku", "maakunta_name"] == "Varsinais-Suomi"
    # the sub-region rows of the panel carry the same codes as the key
    subs = load_statfin_12r5(level="seutukunta", start="2023-10", end="2023-10")
    assert set(key["seutukunta_code"]) <= set(subs["area_code"])


def test_region_key_errors_name_file_and_line(tmp_path: Path) -> None:
    from arviointi.data.statfin import load_statfin_region_key

    bad = tmp_path / "key.csv"
    bad.write_text(
        "area_code,area,seutukunta_code,seutukunta_name,maakunta_code,maakunta_name\n"
        "KU020,Akaa,SK063,,MK06,Pirkanmaa\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"line 2, column 'seutukunta_name'"):
        load_statfin_region_key(bad)
