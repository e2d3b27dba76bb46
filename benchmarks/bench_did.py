"""did() on a register-sized panel: within-transformation, not dummies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import arviointi as av


@pytest.fixture(scope="module")
def person_months() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n_persons, n_months = 10_000, 100
    person = np.repeat(np.arange(n_persons), n_months)
    month = np.tile(np.arange(n_months), n_persons)
    treated_person = person < 2_000
    treated = (treated_person & (month >= 60)).astype(int)
    y = rng.normal(size=person.size) + 0.1 * treated
    return pd.DataFrame({"person": person, "month": month, "treated": treated, "y": y})


def test_did_person_months(benchmark, person_months: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    result = benchmark.pedantic(
        av.did,
        args=(person_months, "y"),
        kwargs={"unit": "person", "time": "month", "treatment": "treated", "inference": "cluster"},
        rounds=3,
        iterations=1,
    )
    assert abs(result.estimate - 0.1) < 0.05
