"""results.json bytes do not depend on the engine: DuckDB, Spark and pandas write the same
records (issue 16, item 4), reruns too. The settled digits are in engine/determinism.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from test_engine import unbalanced
from test_engine_matched import matched_register
from test_engine_staggered import balanced_register

from arviointi.did import did
from arviointi.engine import local_conf, start_session
from arviointi.engine import person_fe_did as engine_fe_did
from arviointi.engine import staggered_did as engine_staggered
from arviointi.engine.determinism import SIGNIFICANT, settle, settle_result
from arviointi.matching import coarsened_exact_match, person_fe_did
from arviointi.pipeline.records import dump_json
from arviointi.staggered import staggered_did

KW = {"unit": "person", "time": "month", "treatment": "d", "covariates": ["x"]}


def _bytes(*results: Any) -> bytes:
    return dump_json([r.to_record(section="clients") for r in results])


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("determinism")
    panel = unbalanced(n_units=3000, seed=11)
    stag = balanced_register(3000, 24, seed=12)
    clients, matched = matched_register(3000, seed=13)
    for name, frame in (("did", panel), ("stag", stag), ("matched", matched)):
        frame.to_parquet(out / f"{name}.parquet", coerce_timestamps="us")
    match = coarsened_exact_match(
        clients, coarsening={"age": [18, 30, 50, 66], "language": "exact"}
    )
    return {"dir": out, "did": panel, "stag": stag, "matched": matched, "match": match}


def test_settle_keeps_ten_significant_digits() -> None:
    assert SIGNIFICANT == 10
    assert settle(0.123456789012345) == 0.1234567890
    assert settle(-98765.43210987) == -98765.43211
    assert settle(None) is None and settle(0.0) == 0.0


def test_duckdb_and_pandas_records_are_byte_identical(files: dict[str, Any]) -> None:
    path = files["dir"] / "did.parquet"
    on_duckdb = did(path, "y", engine="duckdb", inference="cluster", **KW)
    rerun = did(path, "y", engine="duckdb", inference="cluster", **KW)
    in_memory = did(path, "y", engine="pandas", inference="cluster", **KW)
    assert on_duckdb.inference.details["engine"] == "duckdb"
    assert in_memory.inference.details["engine"] == "pandas"
    assert _bytes(on_duckdb) == _bytes(rerun) == _bytes(in_memory)
    # the in-memory fit of the same rows, settled, writes the same bytes
    full = did(files["did"], "y", inference="cluster", **KW)
    assert _bytes(settle_result(full)) == _bytes(on_duckdb)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = start_session(local_conf(cores=2, shuffle_partitions=4))
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_duckdb_pandas_records_are_byte_identical(spark: Any, files: dict[str, Any]) -> None:
    d = files["dir"]
    did_runs = [
        did(d / "did.parquet", "y", engine=e, inference="cluster", **KW)
        for e in ("duckdb", "pandas")
    ]
    did_runs.append(did(spark.read.parquet(str(d / "did.parquet")), "y", inference="cluster", **KW))
    assert did_runs[2].inference.details["engine"] == "spark"
    skw = {"unit": "person", "time": "month", "first_treated": "first"}
    skw |= {"control": "not_yet_treated"}
    stag = [
        engine_staggered(d / "stag.parquet", "income", engine="duckdb", **skw),
        engine_staggered(d / "stag.parquet", "income", engine="spark", spark=spark, **skw),
        settle_result(staggered_did(pd.read_parquet(d / "stag.parquet"), "income", **skw)),
    ]
    mkw = {"outcome": "income", "weights": files["match"]}
    matched = [
        engine_fe_did(d / "matched.parquet", engine="duckdb", **mkw),
        engine_fe_did(d / "matched.parquet", engine="spark", spark=spark, **mkw),
        settle_result(person_fe_did(files["matched"], **mkw)),
    ]
    for runs in (did_runs, stag, matched):
        assert _bytes(runs[0]) == _bytes(runs[1]) == _bytes(runs[2])
