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
        assert fast.loc[dropped].estimate == ref.estimate  # the same arithmetic
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


def test_estimates_only_with_weights_covariates_and_a_gap(panel: pd.DataFrame) -> None:
    rng = np.random.default_rng(8)
    df = panel.assign(x=rng.normal(size=len(panel)), w=rng.uniform(1, 3, size=len(panel)))
    df = df.drop(index=df.index[(df.unit == 3) & (df.period == 5)])  # unbalanced
    kw = {**ARGS, "covariates": ["x"], "weights": "w"}
    main = did(df, "y", **kw)
    fast = main.leave_one_out(estimates_only=True).set_index("dropped")
    for dropped in range(1, 7):
        ref = did(df[df.unit != dropped], "y", **kw)
        assert fast.loc[dropped].estimate == pytest.approx(ref.estimate, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("inference", ["auto", "wild", "conley_taber", "conformal"])
def test_leave_one_out_with_sizes_equals_refits(panel: pd.DataFrame, inference: str) -> None:
    rng = np.random.default_rng(4)
    pop = pd.Series(rng.uniform(1e3, 1e5, size=7), index=range(7))
    df = panel.assign(pop=panel.unit.map(pop) * rng.uniform(0.99, 1.01, size=len(panel)))
    kw = {**ARGS, "size": "pop", "inference": inference, "seed": 2}
    loo = did(df, "y", **kw).leave_one_out().set_index("dropped")
    for dropped in (1, 4):
        ref = did(df[df.unit != dropped], "y", **kw)
        row = loo.loc[dropped]
        assert row.inference == ref.inference.method
        got = [np.nan if v is None else v for v in row[["estimate", "se", "pvalue"]]]
        got += [row.ci_low, row.ci_high]
        want = [np.nan if v is None else v for v in (ref.estimate, ref.se, ref.pvalue)]
        assert got == pytest.approx([*want, *ref.conf_int()], rel=1e-12, abs=1e-14, nan_ok=True)
