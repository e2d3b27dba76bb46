"""Two-way clustered CR1 in the engine against pyfixest (exact demeaning, no singleton drop)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyfixest as pf
import pytest
from test_engine import PYFIXEST_PANDAS_WARNING, unbalanced

from arviointi.did import did
from arviointi.engine import did as engine_did
from arviointi.errors import InputError, ParamsError

REL = 1e-9
PAIRS = [["person", "month"], ["person", "area"], ["region", "month"]]


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    df = unbalanced()
    df["area"] = (df["person"] * 7) % 23  # persons do not move; areas mix treated and controls
    return df


def _pyfixest(panel: pd.DataFrame, cluster: list[str]) -> pf.Feols:
    ssc = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="conventional")
    return pf.feols(
        "y ~ d + x | person + month",
        data=panel.dropna(subset=["y"]),
        vcov={"CRV1": "+".join(cluster)},
        ssc=ssc,
        demeaner=pf.MapDemeaner(fixef_tol=1e-14),
        fixef_rm="none",
    )


def _agree(ours, ref: pf.Feols) -> None:  # type: ignore[no-untyped-def]
    for term, name in (("treatment", "d"), ("x", "x")):
        assert ours.coef_table.loc[term, "estimate"] == pytest.approx(
            ref.coef()[name], rel=REL, abs=0
        )
        assert ours.coef_table.loc[term, "se"] == pytest.approx(ref.se()[name], rel=REL, abs=0)
    assert ours.inference.df == ref._df_t
    assert ours.n_obs == ref._N


@PYFIXEST_PANDAS_WARNING
@pytest.mark.parametrize("cluster", PAIRS)
def test_two_way_duckdb_on_pandas_equals_pyfixest(panel: pd.DataFrame, cluster) -> None:
    kw = dict(unit="person", time="month", treatment="d", covariates=["x"])
    ours = engine_did(panel, "y", cluster=cluster, inference="cluster", **kw)
    _agree(ours, _pyfixest(panel, cluster))
    assert ours.inference.method == "cluster" and "two-way" in ours.inference.reason
    counts = ours.inference.details["n_clusters"]
    assert counts[cluster[0]] == panel[cluster[0]].nunique()
    assert counts[cluster[1]] == panel[cluster[1]].nunique()


@PYFIXEST_PANDAS_WARNING
def test_two_way_from_parquet_polars_and_did_route(panel: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "panel.parquet"
    panel.to_parquet(path)
    ref = _pyfixest(panel, ["person", "month"])
    kw = dict(unit="person", time="month", treatment="d", covariates=["x"])
    _agree(engine_did(path, "y", cluster=["person", "month"], **kw), ref)
    _agree(engine_did(pl.from_pandas(panel), "y", cluster=["person", "month"], **kw), ref)
    routed = did(path, "y", cluster=["person", "month"], engine="duckdb", **kw)  # type: ignore[arg-type]
    _agree(routed, ref)


def test_two_way_nested_in_unit_equals_one_way(panel: pd.DataFrame) -> None:
    """Person and region (region nested in person's clusters): V_12 = V_person."""
    kw = dict(unit="person", time="month", treatment="d")
    two = engine_did(panel, "y", cluster=["region", "person"], **kw)
    one = engine_did(panel, "y", cluster="region", inference="cluster", **kw)
    # V = V_region + V_person - V_person = V_region, with the same small-sample factor
    assert two.se == pytest.approx(one.se, rel=REL, abs=0)


def test_two_way_errors(panel: pd.DataFrame) -> None:
    kw = dict(unit="person", time="month", treatment="d")
    with pytest.raises(ParamsError, match="two different columns"):
        engine_did(panel, "y", cluster=["person", "area", "month"], **kw)
    with pytest.raises(ParamsError, match="two-way clustering"):
        engine_did(panel, "y", cluster=["person", "area"], inference="classical", **kw)
    bad = panel.copy()
    bad.loc[5, "area"] = np.nan
    with pytest.raises(InputError, match=r"'area'.*missing values"):
        engine_did(bad, "y", cluster=["person", "area"], **kw)
