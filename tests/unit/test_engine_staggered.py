"""The engine's Callaway-Sant'Anna estimator against the in-memory staggered_did (1e-9)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from test_staggered import random_cohorts

from arviointi.engine import staggered_did as engine_staggered
from arviointi.errors import DesignError, InputError
from arviointi.staggered import staggered_did

REL = 1e-9
KINDS = ("simple", "dynamic", "group", "calendar")


def balanced_register(n_units: int, n_t: int, seed: int) -> pd.DataFrame:
    """Months 0..n_t-1, four cohorts and never-treated persons, effects growing with time."""
    rng = np.random.default_rng(seed)
    starts = np.array([6, 12, 18, 30, -1])
    g = rng.choice(starts, size=n_units, p=[0.1, 0.15, 0.1, 0.15, 0.5])
    u = np.repeat(np.arange(n_units), n_t)
    t = np.tile(np.arange(n_t), n_units)
    gu = g[u]
    treated = (gu >= 0) & (t >= gu)
    y = (
        rng.normal(1500, 400, n_units)[u]
        + 20 * np.sin(t / 2)
        + 3 * t
        + np.where(treated, 100 + 5 * (t - gu), 0)
        + rng.normal(0, 300, len(u))
    )
    first = np.where(g >= 0, 202000 + g, np.nan)[u]  # first-treated in the 'month' code
    return pd.DataFrame({"person": u, "month": 202000 + t, "income": y, "first": first})


def assert_same(ours, ref) -> None:  # type: ignore[no-untyped-def]
    assert ours.estimate == pytest.approx(ref.estimate, rel=REL, abs=0)
    assert ours.se == pytest.approx(ref.se, rel=REL, abs=0)
    a, b = ours.att_gt, ref.att_gt
    assert a[["group", "time", "event_time", "n_group", "n_control", "post"]].equals(
        b[["group", "time", "event_time", "n_group", "n_control", "post"]]
    )
    np.testing.assert_allclose(a["att"], b["att"], rtol=REL, atol=1e-12)
    np.testing.assert_allclose(a["se"], b["se"], rtol=REL)
    for kind in KINDS:
        x, y = ours.aggregate(kind), ref.aggregate(kind)
        assert x.estimate == pytest.approx(y.estimate, rel=REL)
        assert x.se == pytest.approx(y.se, rel=REL)
        np.testing.assert_allclose(x.table["estimate"], y.table["estimate"], rtol=REL, atol=1e-12)
        np.testing.assert_allclose(x.table["se"], y.table["se"], rtol=REL)
    assert ours.warnings == ref.warnings
    assert (ours.n_obs, ours.n_treated, ours.n_control) == (ref.n_obs, ref.n_treated, ref.n_control)
    assert ours.cohort_share == pytest.approx(ref.cohort_share, rel=1e-15)


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base", ["varying", "universal"])
def test_duckdb_equals_in_memory(control: str, base: str, tmp_path: Path) -> None:
    df = random_cohorts(400, 1)
    df.loc[5, "y"] = np.nan  # an incomplete unit, dropped with the in-memory warning
    df.loc[df["unit"] == 7, "first"] = 2030.0  # treated after the data end: never treated
    df.loc[df["unit"] == 9, "first"] = 0.0  # the 0 code of never treated
    kw = dict(unit="unit", time="year", first_treated="first", control=control, base_period=base)
    ref = staggered_did(df, "y", **kw)
    df.to_parquet(tmp_path / "p.parquet")
    assert_same(engine_staggered(tmp_path / "p.parquet", "y", **kw), ref)
    assert_same(engine_staggered(pl.from_pandas(df), "y", **kw), ref)


def test_result_holds_no_person_level_rows() -> None:
    df = random_cohorts(300, 2)
    res = engine_staggered(df, "y", unit="unit", time="year", first_treated="first")
    n_t = df["year"].nunique()
    assert res.influence.shape[0] == 4 * (n_t + 1)  # three cohorts and never treated
    assert "units" not in res.extra and res.extra["engine"] == "duckdb"


def test_bad_inputs() -> None:
    df = random_cohorts(60, 3)
    kw = dict(unit="unit", time="year", first_treated="first")
    dup = pd.concat([df, df.iloc[[0]]])
    with pytest.raises(InputError, match="expected one row per unit x year"):
        engine_staggered(dup, "y", **kw)
    two = df.copy()
    two.loc[two.index[two["unit"] == 0][0], "first"] = 2005.0
    with pytest.raises(InputError, match="several first-treated values"):
        engine_staggered(two, "y", **kw)
    odd = df.copy()
    odd.loc[odd["unit"] == 1, "first"] = 3.5
    with pytest.raises(InputError, match=r"first-treated value 3.5 is not one of the year values"):
        engine_staggered(odd, "y", **kw)
    none = df.assign(first=np.nan)
    with pytest.raises(DesignError, match="no unit with a first-treated period"):
        engine_staggered(none, "y", **kw)
    with pytest.raises(InputError, match="'nope'"):
        engine_staggered(df, "nope", **kw)


@pytest.mark.slow
def test_million_person_months_duckdb_equals_in_memory(tmp_path: Path) -> None:
    df = balanced_register(20_000, 50, seed=5)
    assert len(df) == 1_000_000
    df.to_parquet(tmp_path / "reg.parquet")
    for control in ("never_treated", "not_yet_treated"):
        kw = dict(unit="person", time="month", first_treated="first", control=control)
        ours = engine_staggered(tmp_path / "reg.parquet", "income", **kw)
        assert_same(ours, staggered_did(df, "income", **kw))
