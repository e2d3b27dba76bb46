"""The engine's event study (DuckDB) equals the in-memory event_study() to 1e-9."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_event_study import panel

from arviointi.engine.event_study import event_study as engine_event_study
from arviointi.errors import DesignError
from arviointi.event_study import event_study

REL = 1e-9


def unbalanced_months(seed: int = 4) -> pd.DataFrame:
    """Monthly dates, staggered starts, entry and exit (treated units keep a pre-period)."""
    df = panel(n_units=120, n_t=20, cohorts=(6, 9, None, None), seed=seed)
    rng = np.random.default_rng(seed)
    t = df["year"] - 2000
    drop = (rng.random(len(df)) < 0.15) & (t > 1) & (t < 18)
    df = df[~drop].reset_index(drop=True)
    df["month"] = pd.to_datetime("2020-01-01") + pd.to_timedelta(df["year"] - 2000, "D") * 31
    df["month"] = df["month"].dt.to_period("M").dt.to_timestamp()
    return df.drop(columns=["year", "rel"])


def _same(a: object, b: object) -> None:
    assert a.estimate == pytest.approx(b.estimate, rel=REL)  # type: ignore[attr-defined]
    assert a.se == pytest.approx(b.se, rel=REL)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(
        a.coefficients,  # type: ignore[attr-defined]
        b.coefficients,  # type: ignore[attr-defined]
        check_exact=False,
        rtol=REL,
        check_dtype=False,
    )
    assert a.pretrend["statistic"] == pytest.approx(b.pretrend["statistic"], rel=1e-8)  # type: ignore[attr-defined]
    assert a.inference.df == b.inference.df  # type: ignore[attr-defined]
    assert a.warnings == b.warnings  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "kw", [{}, {"window": (-3, 4)}, {"inference": "classical"}, {"reference": -2}]
)
def test_equals_in_memory_on_unbalanced_monthly_panel(kw: dict) -> None:
    df = unbalanced_months()
    ref = event_study(df, "y", unit="unit", time="month", treatment="d", **kw)
    ours = engine_event_study(df, "y", unit="unit", time="month", treatment="d", **kw)
    assert ref.inference.method == ours.inference.method
    _same(ours, ref)


def test_large_parquet_goes_to_the_engine(tmp_path: Path, monkeypatch) -> None:
    import arviointi.engine.choice as choice

    df = unbalanced_months()
    df.to_parquet(tmp_path / "p.parquet")
    monkeypatch.setattr(choice, "PANDAS_MAX_ROWS", 100)
    ours = event_study(tmp_path / "p.parquet", "y", unit="unit", time="month", treatment="d")
    assert ours.inference.details["engine"] == "duckdb"
    _same(ours, event_study(df, "y", unit="unit", time="month", treatment="d"))
    with pytest.raises(DesignError, match="bands='uniform'"):
        event_study(
            tmp_path / "p.parquet", "y", unit="unit", time="month", treatment="d", bands="uniform"
        )


def test_design_errors() -> None:
    df = unbalanced_months()
    kw = {"unit": "unit", "time": "month", "treatment": "d"}
    first = df["unit"] == "u000"  # a treated unit (cohort 6)
    assert df.loc[first, "d"].max() == 1
    with pytest.raises(DesignError, match="1 unit\\(s\\) are treated from their first observed"):
        engine_event_study(df.assign(d=df["d"].where(~first, 1)), "y", **kw)
    off = df.copy()
    off.loc[off.index[first][-1], "d"] = 0
    with pytest.raises(DesignError, match="1 unit\\(s\\) switch treatment off"):
        engine_event_study(off, "y", **kw)
    with pytest.raises(DesignError, match="no treated observation at relative time -15"):
        engine_event_study(df, "y", reference=-15, **kw)
