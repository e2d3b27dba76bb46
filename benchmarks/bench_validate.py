"""validate() on a 300 000-row client panel read as text (as read_table returns it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from arviointi.data import validate


@pytest.fixture(scope="module")
def client_panel_text() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    n = 300_000
    months = pd.period_range("2010-01", periods=100, freq="M").astype(str)
    return pd.DataFrame(
        {
            "person_id": [f"P{i // 100:06d}" for i in range(n)],
            "month": np.tile(months, n // 100),
            "status": rng.choice(["unemployed", "employed", "services", "outside"], n),
            "benefit_days": rng.integers(0, 22, n).astype(str),
            "municipal_share_eur": np.round(rng.uniform(0, 400, n), 2).astype(str),
        }
    )


def test_validate_client_panel(benchmark, client_panel_text: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    out = benchmark.pedantic(
        validate,
        args=(client_panel_text, "client_panel"),
        kwargs={"source": "bench.csv"},
        rounds=3,
        iterations=1,
    )
    assert len(out) == len(client_panel_text)
