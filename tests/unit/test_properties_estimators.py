"""Invariances of the estimators, checked with hypothesis on small random panels.

Exact algebra says, for a linear estimator of an effect on an outcome ``y``:
- ``y + k`` leaves the estimate, SE and p-value unchanged (the constant is absorbed);
- ``c * y`` multiplies the estimate by ``c`` and the SE by ``|c|``; the p-value is unchanged;
- swapping treated and control flips the sign of a DiD;
- the order of the rows does not matter.
The panels are drawn from a seeded generator whose seed and sizes hypothesis chooses; the
profile is derandomized and keeps no example database, so a run is reproducible.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from arviointi.before_after import before_after
from arviointi.did import did
from arviointi.event_study import event_study
from arviointi.results import EffectResults
from arviointi.staggered import staggered_did
from arviointi.synth import synthetic_control

# no shrinking: a failure is reported with the (reproducible, derandomized) example found
PROFILE = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)
REL = 1e-7
ABS = 1e-9

seeds = st.integers(min_value=0, max_value=2**32 - 1)
shifts = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False).filter(lambda k: abs(k) > 1e-3)
scales = st.floats(min_value=-50, max_value=50, allow_nan=False).filter(lambda c: abs(c) > 1e-2)


def close(a: float | None, b: float | None, *, rel: float = REL, abs_: float = ABS) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def assert_same(
    a: EffectResults, b: EffectResults, *, sign: float = 1.0, scale: float = 1.0
) -> None:
    """b is a's estimate times sign*scale, SE times scale, same p-value."""
    assert close(b.estimate, sign * scale * a.estimate, abs_=ABS * max(1.0, scale)), (
        a.estimate,
        b.estimate,
    )
    sa = None if a.se is None else scale * a.se
    assert close(b.se, sa, abs_=ABS * max(1.0, scale)), (a.se, b.se)
    assert close(b.pvalue, a.pvalue, rel=1e-6, abs_=1e-9), (a.pvalue, b.pvalue)


# -- panels ----------------------------------------------------------------------------------
def did_panel(seed: int, n_units: int, n_treated: int, n_t: int) -> pd.DataFrame:
    """Units x periods, the first n_treated units treated from the middle period on."""
    rng = np.random.default_rng(seed)
    unit_fe = rng.normal(0, 3, n_units)
    time_fe = rng.normal(0, 1, n_t)
    start = n_t // 2
    rows = []
    for i in range(n_units):
        for t in range(n_t):
            treated = int(i < n_treated)
            post = int(t >= start)
            y = unit_fe[i] + time_fe[t] + 1.5 * treated * post + rng.normal(0, 1)
            rows.append((f"u{i}", t, treated, post, treated * post, y))
    return pd.DataFrame(rows, columns=["unit", "t", "group", "post", "d", "y"])


panels = st.builds(
    did_panel,
    seeds,
    st.integers(min_value=5, max_value=9),
    st.integers(min_value=1, max_value=2),
    st.integers(min_value=4, max_value=7),
)

PANEL_INFERENCE = ["classical", "robust", "cluster", "permutation", "wild", "conley_taber"]
TWO_BY_TWO_INFERENCE = ["classical", "robust", "cluster"]


def fit_panel(df: pd.DataFrame, inference: str, treatment: str = "d") -> EffectResults:
    return did(df, "y", unit="unit", time="t", treatment=treatment, inference=inference, seed=11)


def fit_2x2(df: pd.DataFrame, inference: str) -> EffectResults:
    # a 2x2 on repeated cross-sections, clustered by unit when asked for clusters
    cluster = "unit" if inference == "cluster" else None
    return did(df, "y", group="group", post="post", inference=inference, cluster=cluster)


# -- did: panel form -------------------------------------------------------------------------
@pytest.mark.parametrize("inference", PANEL_INFERENCE)
@PROFILE
@given(df=panels, k=shifts)
def test_did_panel_shift_invariant(inference: str, df: pd.DataFrame, k: float) -> None:
    base = fit_panel(df, inference)
    shifted = fit_panel(df.assign(y=df["y"] + k), inference)
    assert_same(base, shifted)


@pytest.mark.parametrize("inference", PANEL_INFERENCE)
@PROFILE
@given(df=panels, c=scales)
def test_did_panel_scale_equivariant(inference: str, df: pd.DataFrame, c: float) -> None:
    base = fit_panel(df, inference)
    scaled = fit_panel(df.assign(y=df["y"] * c), inference)
    assert_same(base, scaled, sign=float(np.sign(c)), scale=abs(c))


@pytest.mark.parametrize("inference", ["classical", "robust", "cluster"])
@PROFILE
@given(df=panels)
def test_did_panel_swapping_groups_flips_the_sign(inference: str, df: pd.DataFrame) -> None:
    base = fit_panel(df, inference)
    # the former controls become treated: d' = (1 - group) * post = post - d
    swapped = df.assign(d2=(1 - df["group"]) * df["post"])
    flipped = fit_panel(swapped, inference, treatment="d2")
    assert close(flipped.estimate, -base.estimate)
    assert close(flipped.se, base.se, rel=1e-6)


@pytest.mark.parametrize("inference", PANEL_INFERENCE)
@PROFILE
@given(df=panels, order_seed=seeds)
def test_did_panel_row_order_is_irrelevant(
    inference: str, df: pd.DataFrame, order_seed: int
) -> None:
    base = fit_panel(df, inference)
    shuffled = df.sample(frac=1.0, random_state=np.random.RandomState(order_seed % 2**32))
    assert_same(base, fit_panel(shuffled, inference))
    assert_same(base, fit_panel(shuffled.reset_index(drop=True), inference))


# -- did: 2x2 form ---------------------------------------------------------------------------
@pytest.mark.parametrize("inference", TWO_BY_TWO_INFERENCE)
@PROFILE
@given(df=panels, k=shifts, c=scales)
def test_did_2x2_shift_and_scale(inference: str, df: pd.DataFrame, k: float, c: float) -> None:
    base = fit_2x2(df, inference)
    assert_same(base, fit_2x2(df.assign(y=df["y"] + k), inference))
    scaled = fit_2x2(df.assign(y=df["y"] * c), inference)
    assert_same(base, scaled, sign=float(np.sign(c)), scale=abs(c))


@pytest.mark.parametrize("inference", TWO_BY_TWO_INFERENCE)
@PROFILE
@given(df=panels, order_seed=seeds)
def test_did_2x2_swap_flips_sign_and_order_is_irrelevant(
    inference: str, df: pd.DataFrame, order_seed: int
) -> None:
    base = fit_2x2(df, inference)
    swapped = fit_2x2(df.assign(group=1 - df["group"]), inference)
    assert close(swapped.estimate, -base.estimate)
    assert close(swapped.se, base.se, rel=1e-6)
    assert close(swapped.pvalue, base.pvalue, rel=1e-6)
    shuffled = df.sample(frac=1.0, random_state=np.random.RandomState(order_seed % 2**32))
    assert_same(base, fit_2x2(shuffled, inference))


def test_2x2_equals_the_difference_of_four_means() -> None:
    # anchors the properties above on exact algebra: the 2x2 estimate is a DiD of cell means
    df = did_panel(5, 8, 3, 6)
    m = df.groupby(["group", "post"])["y"].mean()
    expected = (m[1, 1] - m[1, 0]) - (m[0, 1] - m[0, 0])
    assert fit_2x2(df, "classical").estimate == pytest.approx(expected, abs=1e-10)


# -- before-after (ITS) ----------------------------------------------------------------------
def monthly_series(seed: int, n_pre: int, n_post: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2010-01-01", periods=n_pre + n_post, freq="MS")
    t = np.arange(n_pre + n_post)
    y = 50 + 0.2 * t + 3.0 * (t >= n_pre) + rng.normal(0, 1, t.size)
    return pd.DataFrame({"month": months, "y": y})


series = st.builds(
    monthly_series,
    seeds,
    st.integers(min_value=24, max_value=40),
    st.integers(min_value=12, max_value=24),
)


def its(df: pd.DataFrame, method: str) -> Any:
    months = df["month"].sort_values()
    start = months.iloc[len(months) // 2 + len(months) // 6]
    return before_after(df, "y", time="month", start=start, method=method, seasonality="month")


@pytest.mark.parametrize("method", ["its", "prepost"])
@PROFILE
@given(df=series, k=shifts, c=scales, order_seed=seeds)
def test_before_after_shift_scale_and_order(
    method: str, df: pd.DataFrame, k: float, c: float, order_seed: int
) -> None:
    base = its(df, method)
    assert_same(base, its(df.assign(y=df["y"] + k), method))
    scaled = its(df.assign(y=df["y"] * c), method)
    assert_same(base, scaled, sign=float(np.sign(c)), scale=abs(c))
    if method == "its":
        assert close(scaled.slope_change, c * base.slope_change, abs_=1e-8 * max(1.0, abs(c)))
    shuffled = df.sample(frac=1.0, random_state=np.random.RandomState(order_seed % 2**32))
    assert_same(base, its(shuffled, method))


# -- event study -----------------------------------------------------------------------------
def es_fit(df: pd.DataFrame, inference: str) -> Any:
    return event_study(df, "y", unit="unit", time="t", treatment="d", inference=inference)


def coefficient_columns(res: Any) -> pd.DataFrame:
    return res.coefficients[["coef", "se", "pvalue"]].astype(float)


@pytest.mark.parametrize("inference", ["cluster", "robust"])
@PROFILE
@given(df=panels, k=shifts, c=scales, order_seed=seeds)
def test_event_study_shift_scale_and_order(
    inference: str, df: pd.DataFrame, k: float, c: float, order_seed: int
) -> None:
    base = es_fit(df, inference)
    ref = coefficient_columns(base)
    shifted = es_fit(df.assign(y=df["y"] + k), inference)
    pd.testing.assert_frame_equal(coefficient_columns(shifted), ref, rtol=1e-6, atol=1e-8)
    scaled = es_fit(df.assign(y=df["y"] * c), inference)
    got = coefficient_columns(scaled)
    expect = ref.assign(coef=ref["coef"] * c, se=ref["se"] * abs(c))
    pd.testing.assert_frame_equal(got, expect, rtol=1e-6, atol=1e-8 * max(1.0, abs(c)))
    assert close(scaled.pretrend["pvalue"], base.pretrend["pvalue"], rel=1e-6, abs_=1e-9)
    assert_same(base, scaled, sign=float(np.sign(c)), scale=abs(c))
    shuffled = df.sample(frac=1.0, random_state=np.random.RandomState(order_seed % 2**32))
    again = es_fit(shuffled, inference)
    pd.testing.assert_frame_equal(coefficient_columns(again), ref, rtol=1e-9, atol=1e-9)
    assert_same(base, again)


# -- synthetic control -----------------------------------------------------------------------
def synth_panel(seed: int, n_donors: int, n_t: int) -> pd.DataFrame:
    """One treated unit that is a convex mix of two donors in the pre-period."""
    rng = np.random.default_rng(seed)
    donors = rng.normal(0, 1, (n_donors, n_t)).cumsum(axis=1) + rng.normal(10, 3, (n_donors, 1))
    w = rng.dirichlet(np.ones(2))
    treated = w[0] * donors[0] + w[1] * donors[1] + rng.normal(0, 0.1, n_t)
    start = n_t - 4
    treated[start:] += 2.0
    rows = [("treated", t, int(t >= start), treated[t]) for t in range(n_t)]
    rows += [(f"d{j}", t, 0, donors[j, t]) for j in range(n_donors) for t in range(n_t)]
    return pd.DataFrame(rows, columns=["unit", "t", "d", "y"])


synth_panels = st.builds(
    synth_panel,
    seeds,
    st.integers(min_value=3, max_value=6),
    st.integers(min_value=10, max_value=14),
)


def sc(df: pd.DataFrame) -> Any:
    return synthetic_control(df, "y", unit="unit", time="t", treatment="d")


@PROFILE
@given(df=synth_panels, k=shifts, order_seed=seeds)
def test_synthetic_control_gap_shift_invariant_and_order_free(
    df: pd.DataFrame, k: float, order_seed: int
) -> None:
    base = sc(df)
    weights = base.weights.sort_index()
    assert weights.min() >= -1e-9 and weights.sum() == pytest.approx(1.0, abs=1e-8)
    # the weights are on the simplex: shifting every unit by k shifts the synthetic by k
    shifted = sc(df.assign(y=df["y"] + k))
    np.testing.assert_allclose(
        shifted.gaps["gap"].to_numpy(), base.gaps["gap"].to_numpy(), atol=1e-5
    )
    assert shifted.estimate == pytest.approx(base.estimate, abs=1e-5)
    shuffled = sc(df.sample(frac=1.0, random_state=np.random.RandomState(order_seed % 2**32)))
    pd.testing.assert_series_equal(shuffled.weights.sort_index(), weights, atol=1e-9, rtol=0)
    assert shuffled.estimate == pytest.approx(base.estimate, abs=1e-9)
    assert close(shuffled.pvalue, base.pvalue)


@PROFILE
@given(df=synth_panels, c=st.floats(min_value=0.05, max_value=50, allow_nan=False))
def test_synthetic_control_positive_scaling_keeps_weights_and_scales_gaps(
    df: pd.DataFrame, c: float
) -> None:
    base = sc(df)
    scaled = sc(df.assign(y=df["y"] * c))
    # the pre-period MSPE is scaled by c^2: the same weights minimise it
    pd.testing.assert_series_equal(
        scaled.weights.sort_index(), base.weights.sort_index(), atol=1e-5, rtol=0
    )
    np.testing.assert_allclose(
        scaled.gaps["gap"].to_numpy(), c * base.gaps["gap"].to_numpy(), atol=1e-4 * max(1.0, c)
    )
    assert close(scaled.pvalue, base.pvalue)


# -- staggered adoption ----------------------------------------------------------------------
def staggered_panel(seed: int, n_units: int, n_t: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cohorts = [3, 5, 0]  # 0 = never treated
    rows = []
    for i in range(n_units):
        g = cohorts[i % 3]
        fe = rng.normal(0, 2)
        for t in range(1, n_t + 1):
            y = fe + 0.3 * t + (1.0 if g and t >= g else 0.0) + rng.normal(0, 1)
            rows.append((f"u{i}", t, g, y))
    return pd.DataFrame(rows, columns=["unit", "t", "g", "y"])


staggered_panels = st.builds(
    staggered_panel,
    seeds,
    st.integers(min_value=9, max_value=15),
    st.integers(min_value=6, max_value=7),
)


def cs_simple(df: pd.DataFrame, control: str) -> Any:
    res = staggered_did(df, "y", unit="unit", time="t", first_treated="g", control=control)
    return res, res.aggregate("simple")


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
@PROFILE
@given(df=staggered_panels, k=shifts, c=scales, order_seed=seeds)
def test_staggered_shift_scale_and_order(
    control: str, df: pd.DataFrame, k: float, c: float, order_seed: int
) -> None:
    base, agg = cs_simple(df, control)
    att = base.att_gt["att"].to_numpy(dtype=float)
    shifted, agg_k = cs_simple(df.assign(y=df["y"] + k), control)
    np.testing.assert_allclose(shifted.att_gt["att"].to_numpy(dtype=float), att, atol=1e-8)
    assert_same(agg, agg_k)
    scaled, agg_c = cs_simple(df.assign(y=df["y"] * c), control)
    np.testing.assert_allclose(
        scaled.att_gt["att"].to_numpy(dtype=float), c * att, atol=1e-8 * max(1.0, abs(c))
    )
    assert_same(agg, agg_c, sign=float(np.sign(c)), scale=abs(c))
    shuffled, agg_o = cs_simple(
        df.sample(frac=1.0, random_state=np.random.RandomState(order_seed % 2**32)), control
    )
    np.testing.assert_allclose(shuffled.att_gt["att"].to_numpy(dtype=float), att, atol=1e-9)
    assert_same(agg, agg_o)
