"""The engine's matched person-FE DiD against arviointi.matching.person_fe_did (1e-9)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_matching import simulated_did_data

from arviointi.engine import person_fe_did as engine_fe_did
from arviointi.errors import DesignError
from arviointi.matching import coarsened_exact_match, did_panel, person_fe_did

REL = 1e-9


def matched_register(n_persons: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clients (age, language, group) and a did_panel-shaped person-month panel:
    12 months before and 12 after each person's entry, entries over 24 months."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 65, n_persons)
    lang = rng.choice(np.array(["fi", "sv", "other"]), n_persons, p=[0.8, 0.05, 0.15])
    treated = rng.random(n_persons) < np.where(age < 30, 0.5, 0.3)
    ids = np.array([f"p{i:07d}" for i in range(n_persons)])
    clients = pd.DataFrame(
        {"person_id": ids, "group": np.where(treated, "pilot", "comparison"), "age": age}
    ).assign(language=lang)
    entry = rng.integers(0, 24, n_persons)
    rel = np.tile(np.arange(-12, 12), n_persons)
    p = np.repeat(np.arange(n_persons), 24)
    month = (np.datetime64("2021-01", "M") + (entry[p] + rel)).astype("datetime64[ns]")
    post = (rel >= 0).astype(int)
    level = rng.normal(0, 0.1, n_persons)[p] + 0.004 * age[p]
    prob = np.clip(level + 0.002 * (entry[p] + rel) + 0.05 * post + 0.1 * treated[p] * post, 0, 1)
    panel = pd.DataFrame(
        {
            "person_id": ids[p],
            "month": month,
            "post": post,
            "treated": treated[p].astype(int),
            "treated_post": (treated[p] & (post == 1)).astype(int),
            "employed": (rng.random(len(p)) < prob).astype(int),
            "income": 1500 + 300 * level + 200 * treated[p] * post + rng.normal(0, 400, len(p)),
        }
    )
    return clients, panel


def assert_same(ours, ref) -> None:  # type: ignore[no-untyped-def]
    assert ours.estimate == pytest.approx(ref.estimate, rel=REL, abs=0)
    assert ours.se == pytest.approx(ref.se, rel=REL, abs=0)
    assert ours.inference.df == ref.inference.df
    assert (ours.n_obs, ours.n_treated, ours.n_control) == (ref.n_obs, ref.n_treated, ref.n_control)
    assert ours.inference.details["notes"] == ref.inference.details["notes"]
    if np.isfinite(ref.extra["post"]):
        assert ours.extra["post"] == pytest.approx(ref.extra["post"], rel=REL)


@pytest.mark.parametrize("month_effects", [True, False])
def test_weighted_and_unweighted_equal_in_memory(month_effects: bool, tmp_path: Path) -> None:
    clients, panel = simulated_did_data()
    dp = did_panel(clients, panel, pre_months=6, post_months=8)
    w = pd.Series(1.0 + (np.arange(len(clients)) % 3), index=clients["person_id"].to_numpy())
    w.iloc[-10:] = 0.0  # ten persons left out, counted in the notes
    dp.to_parquet(tmp_path / "dp.parquet")
    for weights in (None, w):
        kw = dict(outcome="employed", weights=weights, month_effects=month_effects)
        ref = person_fe_did(dp, **kw)
        assert_same(engine_fe_did(tmp_path / "dp.parquet", **kw), ref)


def test_cem_weights_on_a_parquet_panel(tmp_path: Path) -> None:
    clients, panel = matched_register(3_000, seed=2)
    m = coarsened_exact_match(
        clients, coarsening={"age": [18, 25, 35, 50, 66], "language": "exact"}
    )
    panel.to_parquet(tmp_path / "panel.parquet")
    ref = person_fe_did(panel, outcome="income", weights=m)
    ours = engine_fe_did(tmp_path / "panel.parquet", outcome="income", weights=m)
    assert_same(ours, ref)
    assert ours.inference.details["engine"] == "duckdb"


def test_design_errors_as_in_memory() -> None:
    clients, panel = simulated_did_data(seed=9)
    dp = did_panel(clients, panel, pre_months=6, post_months=8)
    with pytest.raises(DesignError, match="treated and comparison"):
        engine_fe_did(dp[dp["treated"] == 1])
    with pytest.raises(DesignError, match="within-person"):
        engine_fe_did(dp[dp["post"] == 1])


@pytest.mark.slow
def test_million_person_months_cem_duckdb_equals_in_memory(tmp_path: Path) -> None:
    clients, panel = matched_register(42_000, seed=4)
    assert len(panel) > 1_000_000
    m = coarsened_exact_match(
        clients, coarsening={"age": [18, 25, 35, 50, 66], "language": "exact"}
    )
    panel.to_parquet(tmp_path / "panel.parquet")
    for outcome in ("employed", "income"):
        ref = person_fe_did(panel, outcome=outcome, weights=m)
        assert_same(engine_fe_did(tmp_path / "panel.parquet", outcome=outcome, weights=m), ref)
