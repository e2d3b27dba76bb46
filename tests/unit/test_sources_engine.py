"""Params data sources as Parquet datasets or globs, with ``engine: auto | ... | pandas``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from arviointi.data import load_source
from arviointi.errors import InputError
from arviointi.params.schema import DataSource


def area_months() -> pd.DataFrame:
    months = pd.date_range("2021-01-01", periods=12, freq="MS")
    rows = [(a, m, 100 + i) for a in ("Turku", "Pori") for i, m in enumerate(months)]
    return pd.DataFrame(rows, columns=["area", "month", "unemployed"])


def _write_parts(tmp: Path) -> Path:
    parts = tmp / "extract"
    parts.mkdir()
    df = area_months()
    df.iloc[:10].to_parquet(parts / "part-0.parquet")
    df.iloc[10:].to_parquet(parts / "part-1.parquet")
    return parts


@pytest.mark.parametrize("path", ["extract/*.parquet", "extract"])
def test_glob_or_directory_source_is_read_and_the_engine_recorded(tmp_path: Path, path: str):
    _write_parts(tmp_path)
    spec = {"kind": "file", "schema": "area_panel", "path": path}
    out = load_source(spec, base_dir=tmp_path)
    assert len(out) == 24 and set(out["area"]) == {"Turku", "Pori"}
    assert out.attrs["engine"]["engine"] == "pandas"
    assert "24 rows" in out.attrs["engine"]["reason"]
    assert [Path(s["path"]).name for s in out.attrs["sources"]] == [
        "part-0.parquet",
        "part-1.parquet",
    ]


def test_engine_sources_are_not_loaded_by_the_pipeline(tmp_path: Path) -> None:
    _write_parts(tmp_path)
    spec = {"kind": "file", "schema": "area_panel", "path": "extract", "engine": "duckdb"}
    with pytest.raises(InputError, match="reads its sources into memory"):
        load_source(spec, base_dir=tmp_path)


def test_engine_field_is_validated() -> None:
    ok = DataSource.model_validate({"kind": "file", "schema": "area_panel", "engine": "spark"})
    assert ok.engine == "spark"
    assert DataSource.model_validate({"kind": "file", "schema": "area_panel"}).engine == "auto"
    with pytest.raises(ValueError, match="engine"):
        DataSource.model_validate({"kind": "file", "schema": "area_panel", "engine": "polars"})
