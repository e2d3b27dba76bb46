"""did(): one fit, inference applied to it, and the leave-one-out shortcuts.

The leave-one-out table must be the same numbers as calling ``did()`` on each subset by
hand (the independent reference here), whether or not inference is computed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from arviointi.did.inference_step import APPLY
from arviointi.did.model import did, fit_prepared
from arviointi.did.simulation import simulate_panel
from arviointi.inference.registry import names_for

ARGS = {"unit": "unit", "time": "period", "treatment": "treated"}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate_panel(np.random.default_rng(21), n_control=6, n_pre=30, n_post=10, rho=0.5)


def test_every_registered_did_method_is_applied_to_the_fit() -> None:
    assert set(names_for("did")) <= set(APPLY)


@pytest.mark.parametrize("inference", ["auto", "donald_lang", "permutation", "cluster"])
def test_leave_one_out_rows_equal_refits_by_hand(panel: pd.DataFrame, inference: str) -> None:
    main = did(panel, "y", **ARGS, inference=inference, seed=4)
    loo = main.leave_one_out().set_index("dropped")
    fast = main.leave_one_out(estimates_only=True).set_index("dropped")
    assert list(fast.columns) == ["estimate"]
    for dropped in range(1, 7):
        ref = did(panel[panel.unit != dropped], "y", **ARGS, inference=inference, seed=4)
        row = loo.loc[dropped]
        assert row.estimate == pytest.approx(ref.estimate, abs=1e-12)
        assert fast.loc[dropped].estimate == pytest.approx(ref.estimate, abs=1e-12)
        assert row.se == pytest.approx(ref.se, abs=1e-12) if ref.se is not None else True
        assert row.pvalue == pytest.approx(ref.pvalue, abs=1e-12)
        lo, hi = ref.conf_int()
        got = (row.ci_low, row.ci_high)
        assert got == pytest.approx((lo, hi), abs=1e-12, nan_ok=True)
        assert row.inference == ref.inference.method


def test_the_cross_check_is_the_only_thing_skipped(panel: pd.DataFrame) -> None:
    full = did(panel, "y", **ARGS, inference="donald_lang")
    quick = fit_prepared(full._prepared, full._spec, cross_check=False)
    details = dict(full.inference.details)
    assert "permutation_pvalue" in details
    del details["permutation_pvalue"], details["permutation_pvalue_floor"]
    assert quick.inference.details.keys() == details.keys()
    assert (quick.estimate, quick.se, quick.pvalue) == (full.estimate, full.se, full.pvalue)
    assert quick.conf_int() == full.conf_int()
    pd.testing.assert_frame_equal(quick.coef_table, full.coef_table)
