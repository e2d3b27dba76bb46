"""Apache Spark (local mode, a real JVM) gives the DuckDB and pandas numbers to 1e-9."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from test_engine import unbalanced

from arviointi.data.synthetic.register import write_register
from arviointi.did import did
from arviointi.engine import did as engine_did
from arviointi.engine import local_conf, start_session

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]
REL = 1e-9


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = start_session(local_conf(cores=2, shuffle_partitions=4))
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("register")
    write_register(out, 1_000_000, seed=7)
    return out


def _agree(a: Any, b: Any) -> None:
    assert a.estimate == pytest.approx(b.estimate, rel=REL, abs=0)
    assert a.se == pytest.approx(b.se, rel=REL, abs=0)
    assert a.n_obs == b.n_obs and a.inference.df == b.inference.df


def test_million_person_months_spark_duckdb_pandas(spark: Any, register: Path) -> None:
    kw = {"unit": "person_id", "time": "month", "treatment": "pilot", "inference": "cluster"}
    on_spark = engine_did(register, "income", engine="spark", spark=spark, **kw)
    on_duckdb = engine_did(register, "income", engine="duckdb", **kw)
    in_memory = did(pd.read_parquet(register), "income", **kw)
    assert on_spark.n_obs > 900_000 and on_spark.engine == "spark"
    _agree(on_spark, on_duckdb)
    _agree(on_spark, in_memory)
    lo, hi = on_spark.conf_int()
    assert lo < 150.0 < hi  # the planted effect (seed 7)


def test_spark_dataframe_with_covariates_and_clusters(spark: Any, tmp_path: Path) -> None:
    panel = unbalanced()
    panel.to_parquet(tmp_path / "p.parquet")
    frame = spark.read.parquet(str(tmp_path / "p.parquet"))
    kw = {"unit": "person", "time": "month", "treatment": "d", "covariates": ["x"]}
    kw |= {"cluster": "region", "inference": "cluster"}
    ours = did(frame, "y", **kw)  # a PySpark DataFrame stays on its session
    ref = did(panel, "y", **kw)
    _agree(ours, ref)
    assert ours.inference.details["engine"] == "spark"
    assert ours.coef_table.loc["x", "se"] == pytest.approx(ref.coef_table.loc["x", "se"], rel=REL)


def test_event_study_on_spark(spark: Any, tmp_path: Path) -> None:
    from test_engine_event_study import unbalanced_months

    from arviointi.engine.event_study import event_study as engine_event_study
    from arviointi.event_study import event_study

    panel = unbalanced_months()
    panel.to_parquet(tmp_path / "es.parquet")
    kw = {"unit": "unit", "time": "month", "treatment": "d", "window": (-4, 4)}
    ours = engine_event_study(tmp_path / "es.parquet", "y", engine="spark", spark=spark, **kw)
    ref = event_study(panel, "y", **kw)
    assert ours.inference.details["engine"] == "spark"
    assert ours.estimate == pytest.approx(ref.estimate, rel=REL)
    assert ours.se == pytest.approx(ref.se, rel=REL)
    np.testing.assert_allclose(ours.coefficients["se"], ref.coefficients["se"], rtol=REL)


@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame:pandas.errors.Pandas4Warning")
def test_two_way_clustering_on_spark(spark: Any, tmp_path: Path) -> None:
    """Person x month CR1 on Spark = DuckDB = pyfixest (1e-9)."""
    from test_engine_twoway import _agree as _agree_pyfixest
    from test_engine_twoway import _pyfixest

    panel = unbalanced()
    panel.to_parquet(tmp_path / "p.parquet")
    kw = {"unit": "person", "time": "month", "treatment": "d", "covariates": ["x"]}
    kw |= {"cluster": ["person", "month"]}
    on_spark = engine_did(tmp_path / "p.parquet", "y", engine="spark", spark=spark, **kw)
    on_duckdb = engine_did(tmp_path / "p.parquet", "y", engine="duckdb", **kw)
    assert on_spark.engine == "spark"
    _agree(on_spark, on_duckdb)
    _agree_pyfixest(on_spark, _pyfixest(panel, ["person", "month"]))


def test_staggered_million_person_months_on_spark(spark: Any, tmp_path: Path) -> None:
    """Callaway-Sant'Anna on Spark = DuckDB = in memory (1e-9), 1M balanced person-months."""
    from test_engine_staggered import assert_same, balanced_register

    from arviointi.engine import staggered_did as engine_staggered
    from arviointi.staggered import staggered_did

    df = balanced_register(20_000, 50, seed=5)
    df.to_parquet(tmp_path / "reg.parquet")
    kw = dict(unit="person", time="month", first_treated="first", control="not_yet_treated")
    on_spark = engine_staggered(
        tmp_path / "reg.parquet", "income", engine="spark", spark=spark, **kw
    )
    on_duckdb = engine_staggered(tmp_path / "reg.parquet", "income", **kw)
    assert on_spark.extra["engine"] == "spark"
    assert_same(on_spark, on_duckdb)
    assert_same(on_spark, staggered_did(df, "income", **kw))


def test_matched_person_fe_did_on_spark(spark: Any, tmp_path: Path) -> None:
    """CEM-weighted person-FE DiD on Spark = DuckDB = in memory (1e-9)."""
    from test_engine_matched import assert_same, matched_register

    from arviointi.engine import person_fe_did as engine_fe_did
    from arviointi.matching import coarsened_exact_match, person_fe_did

    clients, panel = matched_register(42_000, seed=4)
    m = coarsened_exact_match(
        clients, coarsening={"age": [18, 25, 35, 50, 66], "language": "exact"}
    )
    # Spark reads microsecond timestamps (pandas writes nanoseconds by default)
    panel.to_parquet(tmp_path / "panel.parquet", coerce_timestamps="us")
    kw = {"outcome": "income", "weights": m}
    on_spark = engine_fe_did(tmp_path / "panel.parquet", engine="spark", spark=spark, **kw)
    assert on_spark.inference.details["engine"] == "spark" and on_spark.n_obs > 1_000_000
    assert_same(on_spark, engine_fe_did(tmp_path / "panel.parquet", **kw))
    assert_same(on_spark, person_fe_did(panel, **kw))


def test_client_panel_did_and_outcomes_on_spark(spark: Any, tmp_path: Path) -> None:
    """The clients section's engine path on Spark (months from dates in Spark SQL)."""
    from arviointi.data.synthetic import generate_turku
    from arviointi.engine import client_outcomes as engine_outcomes
    from arviointi.engine.backend import SparkBackend
    from arviointi.matching import client_outcomes
    from arviointi.sections.client_effects import (
        DEFAULT_COVARIATES,
        cem_match,
        cut_at_window_end,
        fe_did,
    )

    s = generate_turku(1)
    end = pd.Timestamp("2025-06-01")
    s.client_panel.to_parquet(tmp_path / "cp.parquet", coerce_timestamps="us")
    clients, panel = cut_at_window_end(s.clients, s.client_panel, end)
    match = cem_match(clients, list(DEFAULT_COVARIATES))
    frame = spark.read.parquet(str(tmp_path / "cp.parquet"))
    ours = fe_did(clients, frame, match, 0.05, 18, end=end)
    ref = fe_did(clients, panel, match, 0.05, 18)
    assert ours.inference.details["engine"] == "spark"
    _agree(ours, ref)
    backend = SparkBackend(frame, spark)
    try:
        got = engine_outcomes.client_outcomes(
            backend, clients, end=end, window_months=12, columns=list(panel.columns)
        )
    finally:
        backend.close()
    pd.testing.assert_frame_equal(got, client_outcomes(clients, panel, window_months=12))
