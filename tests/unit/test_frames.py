"""Every public estimator accepts polars, Arrow, Parquet/CSV paths and DuckDB relations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from arviointi.before_after import before_after
from arviointi.data.frames import kind_of, row_count, to_pandas
from arviointi.errors import InputError
from arviointi.event_study import event_study
from arviointi.staggered import staggered_did
from arviointi.synth import synthetic_control, synthetic_did


def area_panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(12):
        g = 2006 if u < 4 else None
        for t in range(2000, 2012):
            d = int(g is not None and t >= g)
            y = u + 0.3 * (t - 2000) + 2.0 * d + rng.normal()
            rows.append((f"a{u:02d}", t, y, d, float(g) if g else np.nan))
    return pd.DataFrame(rows, columns=["area", "year", "y", "d", "first"])


def kinds(df: pd.DataFrame, tmp: Path) -> dict[str, Any]:
    df.to_parquet(tmp / "p.parquet")
    df.to_csv(tmp / "p.csv", index=False)
    return {
        "polars": pl.from_pandas(df),
        "polars_lazy": pl.from_pandas(df).lazy(),
        "arrow": pa.Table.from_pandas(df, preserve_index=False),
        "parquet": tmp / "p.parquet",
        "csv": str(tmp / "p.csv"),
        "duckdb": duckdb.connect().from_df(df),
    }


ESTIMATORS = {
    "event_study": lambda d: (
        event_study(d, "y", unit="area", time="year", treatment="d").coefficients
    ),
    "staggered_did": lambda d: (
        staggered_did(d, "y", unit="area", time="year", first_treated="first").estimate
    ),
    "before_after": lambda d: (
        before_after(d, "y", time="year", start=2006, unit="area", method="prepost").estimate
    ),
    "synthetic_did": lambda d: (
        synthetic_did(d, "y", unit="area", time="year", treatment="d", inference="none").estimate
    ),
}


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_same_result_from_every_kind(name: str, tmp_path: Path) -> None:
    df = area_panel()
    ref = ESTIMATORS[name](df)
    for kind, data in kinds(df, tmp_path).items():
        got = ESTIMATORS[name](data)
        if isinstance(ref, pd.DataFrame):
            pd.testing.assert_frame_equal(got, ref, check_exact=False, rtol=1e-12)
        else:
            assert got == pytest.approx(ref, rel=1e-12), kind


def test_synthetic_control_from_arrow_and_parquet(tmp_path: Path) -> None:
    df = area_panel()
    one = df[(df["area"] == "a00") | (df["d"].groupby(df["area"]).transform("max") == 0)]
    ref = synthetic_control(one, "y", unit="area", time="year", treatment="d", placebos=False)
    for kind, data in kinds(one.reset_index(drop=True), tmp_path).items():
        got = synthetic_control(data, "y", unit="area", time="year", treatment="d", placebos=False)
        assert got.estimate == pytest.approx(ref.estimate, rel=1e-9), kind


def test_kinds_counts_and_columns(tmp_path: Path) -> None:
    df = area_panel()
    found = {k: kind_of(v) for k, v in kinds(df, tmp_path).items()}
    assert found["parquet"] == found["csv"] == "files"
    assert found["polars_lazy"] == "polars_lazy" and found["duckdb"] == "duckdb"
    assert row_count(tmp_path / "p.parquet") == len(df)
    assert row_count(pl.from_pandas(df).lazy()) == row_count(str(tmp_path / "p.csv")) == len(df)
    out = to_pandas(pl.from_pandas(df), ["area", "y"])
    assert list(out.columns) == ["area", "y"] and len(out) == len(df)


def test_unknown_kind_and_missing_column_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="must be a pandas or polars"):
        kind_of([1, 2, 3])
    with pytest.raises(InputError) as err:
        event_study(pl.from_pandas(area_panel()), "income", unit="area", time="year", treatment="d")
    assert "column 'income'" in str(err.value) and "<polars>" in str(err.value)
