"""The out-of-core engine (DuckDB) against the in-memory did() and pyfixest; input kinds."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arviointi.did import did
from arviointi.engine import choose_engine
from arviointi.engine import did as engine_did
from arviointi.engine.results import EngineDiDResults
from arviointi.errors import DesignError

PYFIXEST_PANDAS_WARNING = pytest.mark.filterwarnings(
    "ignore:The inplace keyword in DataFrame:pandas.errors.Pandas4Warning"
)
REL = 1e-9


def unbalanced(n_units: int = 600, n_t: int = 18, seed: int = 3) -> pd.DataFrame:
    """Entry, exit and gaps; a common start at t=8 (every treated unit observed then)."""
    rng = np.random.default_rng(seed)
    u = np.repeat(np.arange(n_units), n_t)
    t = np.tile(np.arange(n_t), n_units)
    entry = rng.integers(0, 8, n_units)[u]
    exit_ = rng.integers(9, n_t + 1, n_units)[u]
    treated = ((np.arange(n_units) // 6) % 3 == 0)[u]
    keep = (t >= entry) & (t < exit_) & ((rng.random(len(t)) > 0.15) | (treated & (t == 8)))
    df = pd.DataFrame({"person": u, "month": t, "treated": treated})[keep].reset_index(drop=True)
    df["d"] = ((df["treated"]) & (df["month"] >= 8)).astype(int)
    df["x"] = rng.normal(size=len(df))
    a = rng.normal(size=n_units)[df["person"]]
    df["y"] = a + 0.2 * df["month"] + 0.7 * df["d"] + 0.4 * df["x"] + rng.normal(size=len(df))
    df["region"] = df["person"] // 6  # coarser clusters, nested in the treatment groups
    df.loc[[3, 40], "y"] = np.nan
    df["month"] = pd.to_datetime("2021-01-01") + pd.to_timedelta(df["month"] * 31, "D")
    df["month"] = df["month"].dt.to_period("M").dt.to_timestamp()
    return df.drop(columns="treated")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return unbalanced()


def _same(a: float, b: float) -> None:
    assert a == pytest.approx(b, rel=REL, abs=0)


def _compare(ours: EngineDiDResults, ref: object) -> None:
    assert isinstance(ours, EngineDiDResults)
    _same(ours.estimate, ref.estimate)  # type: ignore[attr-defined]
    assert ours.se is not None
    _same(ours.se, ref.se)  # type: ignore[attr-defined]
    for term in ref.coef_table.index:  # type: ignore[attr-defined]
        for col in ("estimate", "se"):
            _same(ours.coef_table.loc[term, col], ref.coef_table.loc[term, col])  # type: ignore[attr-defined]
    assert ours.inference.df == ref.inference.df  # type: ignore[attr-defined]
    assert ours.n_obs == ref.n_obs  # type: ignore[attr-defined]
    assert ours.warnings == ref.warnings  # type: ignore[attr-defined]


@pytest.mark.parametrize("covariates", [None, ["x"]])
@pytest.mark.parametrize("cluster", [None, "region"])
def test_duckdb_equals_in_memory_did(panel: pd.DataFrame, covariates, cluster) -> None:
    kw = dict(unit="person", time="month", treatment="d", covariates=covariates, cluster=cluster)
    ref = did(panel, "y", inference="cluster", **kw)
    ours = did(panel, "y", inference="cluster", engine="duckdb", **kw)
    _compare(ours, ref)
    assert ours.inference.details["engine"] == "duckdb"
    assert ours.inference.details["n_absorbed_nested"] == ref.inference.details["n_absorbed_nested"]


def test_classical_errors_equal(panel: pd.DataFrame) -> None:
    kw = dict(unit="person", time="month", treatment="d", covariates=["x"], inference="classical")
    _compare(engine_did(panel, "y", **kw), did(panel, "y", **kw))


@PYFIXEST_PANDAS_WARNING
def test_matches_pyfixest_on_unbalanced_panel(panel: pd.DataFrame) -> None:
    pf = pytest.importorskip("pyfixest")
    clean = panel.dropna(subset=["y"])
    m = pf.feols(
        "y ~ d + x | person + month",
        data=clean,
        vcov={"CRV1": "person"},
        ssc=pf.ssc(k_fixef="none"),
        fixef_rm="none",  # keep the singleton units, as did() does
        demeaner=pf.MapDemeaner(fixef_tol=1e-13),
    )
    r = engine_did(panel, "y", unit="person", time="month", treatment="d", covariates=["x"])
    n, k, T = len(clean), 2, clean["month"].nunique()
    assert r.estimate == pytest.approx(m.coef()["d"], rel=1e-8)
    assert r.se is not None
    # ours counts the T time effects in K (fixest's "nonnested"); rescale to k_fixef="none"
    assert r.se * math.sqrt((n - k - T) / (n - k)) == pytest.approx(m.se()["d"], rel=1e-7)


def _inputs(panel: pd.DataFrame, tmp: Path) -> dict[str, object]:
    parts = tmp / "parts"
    parts.mkdir()
    table = pa.Table.from_pandas(panel, preserve_index=False)
    half = len(panel) // 2
    pq.write_table(table.slice(0, half), parts / "a.parquet")
    pq.write_table(table.slice(half), parts / "b.parquet")
    panel.to_csv(tmp / "panel.csv", index=False)
    con = duckdb.connect()
    return {
        "polars": pl.from_pandas(panel),
        "polars_lazy": pl.from_pandas(panel).lazy(),
        "arrow": table,
        "directory": parts,
        "glob": str(parts / "*.parquet"),
        "one_file": str(parts / "a.parquet"),
        "csv": tmp / "panel.csv",
        "duckdb": con.sql(f"SELECT * FROM read_parquet('{parts}/*.parquet')"),
    }


@pytest.mark.parametrize("engine", ["duckdb", "pandas", "auto"])
def test_every_input_kind_gives_the_same_numbers(
    panel: pd.DataFrame, tmp_path: Path, engine: str
) -> None:
    ref = did(panel, "y", unit="person", time="month", treatment="d", inference="cluster")
    half = did(
        panel.iloc[: len(panel) // 2],
        "y",
        unit="person",
        time="month",
        treatment="d",
        inference="cluster",
    )
    for name, data in _inputs(panel, tmp_path).items():
        res = did(
            data,
            "y",
            unit="person",
            time="month",
            treatment="d",
            inference="cluster",
            engine=engine,
        )
        expect = half if name == "one_file" else ref
        _same(res.estimate, expect.estimate)
        assert res.se is not None and expect.se is not None
        _same(res.se, expect.se)
        assert res.n_obs == expect.n_obs, name


def test_auto_engine_says_why(panel: pd.DataFrame, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "p.parquet"
    panel.to_parquet(path)
    engine, reason = choose_engine(path)
    assert engine == "pandas" and str(len(panel)) in reason
    import arviointi.engine.choice as choice

    monkeypatch.setattr(choice, "PANDAS_MAX_ROWS", 100)
    engine, reason = choose_engine(path)
    assert engine == "duckdb" and "without loading" in reason
    res = did(path, "y", unit="person", time="month", treatment="d")
    assert isinstance(res, EngineDiDResults)
    assert res.inference.details["engine_reason"] == reason
    assert res.inference.method == "cluster"  # auto: many treated and control clusters
    with pytest.raises(DesignError, match="needs the person-level rows"):
        res.pretrend_test()
    with pytest.raises(DesignError, match="not weights="):
        did(path, "y", unit="person", time="month", treatment="d", weights="x")


def test_engine_returns_aggregates_not_rows(panel: pd.DataFrame) -> None:
    res = engine_did(panel, "y", unit="person", time="month", treatment="d")
    assert res.aggregates["periods"] == panel["month"].nunique()
    assert res.aggregates["units"] == panel.dropna(subset=["y"])["person"].nunique()
    assert res.aggregates["patterns"] < res.aggregates["units"]
