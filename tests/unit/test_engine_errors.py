"""Bad inputs to the engine: each error names the file and the column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from arviointi.engine import did as engine_did
from arviointi.engine import start_session
from arviointi.errors import DesignError, InputError, PipelineError


def small_panel() -> pd.DataFrame:
    rows = []
    for u in range(40):
        for t in range(6):
            d = int(u % 2 == 0 and t >= 3)
            rows.append((u, t, float(u + t + d), d))
    return pd.DataFrame(rows, columns=["person", "month", "y", "d"])


def fit(data: object, **kw: object) -> object:
    args = {"unit": "person", "time": "month", "treatment": "d"} | kw
    return engine_did(data, "y", **args)  # type: ignore[arg-type]


def test_missing_path_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "*.parquet"
    with pytest.raises(InputError, match="matches no Parquet"):
        fit(str(missing))
    with pytest.raises(InputError, match="no such file") as err:
        fit(tmp_path / "absent.parquet")
    assert "absent.parquet" in str(err.value)


def test_parquet_files_whose_schemas_disagree(tmp_path: Path) -> None:
    df = small_panel()
    df.iloc[:100].to_parquet(tmp_path / "a.parquet")
    other = df.iloc[100:].assign(y=df["y"].iloc[100:].astype(str))
    other.to_parquet(tmp_path / "b.parquet")
    with pytest.raises(InputError) as err:
        fit(str(tmp_path / "*.parquet"))
    text = str(err.value)
    assert "b.parquet" in text and "column 'y'" in text and "a.parquet" in text


def test_missing_columns_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    small_panel().drop(columns="d").to_parquet(path)
    with pytest.raises(InputError) as err:
        fit(path)
    assert str(path) in str(err.value) and "column 'd': missing" in str(err.value)


def test_nulls_in_panel_keys(tmp_path: Path) -> None:
    df = small_panel().astype({"person": "float64"})
    df.loc[[5, 9], "person"] = np.nan
    path = tmp_path / "p.parquet"
    df.to_parquet(path)
    with pytest.raises(InputError) as err:
        fit(path)
    assert "column 'person': 2 missing values" in str(err.value) and str(path) in str(err.value)


def test_duplicated_person_months() -> None:
    df = small_panel()
    with pytest.raises(InputError, match="one row per unit and period; 1 duplicated"):
        fit(pd.concat([df, df.iloc[[7]]]))


def test_design_errors() -> None:
    df = small_panel()
    staggered = df.assign(d=((df["person"] % 2 == 0) & (df["month"] >= 3 + df["person"] % 4 // 2)))
    with pytest.raises(DesignError, match="different times"):
        fit(staggered.astype({"d": int}))
    off = df.copy()
    off.loc[(off["person"] == 0) & (off["month"] == 5), "d"] = 0
    with pytest.raises(DesignError, match="switch treatment off"):
        fit(off)
    with pytest.raises(DesignError, match="never-treated"):
        fit(df.assign(d=(df["month"] >= 3).astype(int)))
    with pytest.raises(DesignError, match="both treated and control"):
        fit(df.assign(region=df["person"] // 3), cluster="region")
    with pytest.raises(InputError, match="expected 0 or 1; 1 other"):
        fit(df.assign(d=df["d"].replace({1: 1}).where(df.index != 4, 2)))
    with pytest.raises(DesignError, match="needs the person-level rows"):
        fit(df.assign(d=((df["person"] < 4) & (df["month"] >= 3)).astype(int)))


def test_text_outcome_is_translated(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    small_panel().assign(y="many").to_parquet(path)
    with pytest.raises(InputError) as err:
        fit(path)
    assert str(path) in str(err.value) and "duckdb engine" in str(err.value)


def test_spark_without_java_says_what_is_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", "/nonexistent-java")
    monkeypatch.setenv("PATH", "/nonexistent-bin")
    with pytest.raises(PipelineError, match="Java 17"):
        start_session()
