"""DiD leave-one-out on an area panel: full refits vs estimates only.

``DiDResults.leave_one_out()`` refits ``did()`` with the same inference for every dropped
comparison area (skipping only the Donald-Lang permutation cross-check, which the table
does not show); ``leave_one_out(estimates_only=True)`` refits only the coefficient, for
callers that show estimates alone. Both give the same estimates (tests/test_did_layers.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from arviointi.did.model import did
from arviointi.did.simulation import simulate_panel

ARGS = {"unit": "unit", "time": "period", "treatment": "treated"}


@pytest.fixture(scope="module")
def area_panel() -> pd.DataFrame:
    # one pilot area, 20 comparison areas, 8 years of months
    return simulate_panel(np.random.default_rng(1), n_control=20, n_pre=72, n_post=24, rho=0.6)


@pytest.mark.parametrize("estimates_only", [False, True], ids=["with-inference", "estimates-only"])
def test_leave_one_out(benchmark, area_panel: pd.DataFrame, estimates_only: bool) -> None:  # type: ignore[no-untyped-def]
    main = did(area_panel, "y", **ARGS)
    loo = benchmark.pedantic(
        main.leave_one_out, kwargs={"estimates_only": estimates_only}, rounds=3, iterations=1
    )
    assert len(loo) == 20
