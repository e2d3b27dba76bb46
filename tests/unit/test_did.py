"""did(): TWFE vs pyfixest, exact algebra, Card-Krueger published figures, auto inference."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from arviointi.did import did
from arviointi.did.simulation import simulate_panel

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "validation"))

import card_krueger as ck  # noqa: E402
from check_did import simulated_panel  # noqa: E402

pf = pytest.importorskip("pyfixest")

# pyfixest 0.60 calls DataFrame methods with inplace=True, deprecated in pandas 3.1
PYFIXEST_PANDAS_WARNING = pytest.mark.filterwarnings(
    "ignore:The inplace keyword in DataFrame:pandas.errors.Pandas4Warning"
)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulated_panel()


@PYFIXEST_PANDAS_WARNING
@pytest.mark.parametrize(("ours", "vcov"), [("classical", "iid"), ("robust", "hetero")])
def test_twfe_matches_pyfixest(panel: pd.DataFrame, ours: str, vcov: str) -> None:
    m = pf.feols(
        "y ~ d + x | u + t", data=panel, demeaner=pf.MapDemeaner(fixef_tol=1e-12), vcov=vcov
    )
    r = did(panel, "y", unit="u", time="t", treatment="d", covariates=["x"], inference=ours)
    assert r.estimate == pytest.approx(m.coef()["d"], abs=1e-8)
    assert r.se == pytest.approx(m.se()["d"], abs=1e-8)
    assert r.coef_table.loc["x", "estimate"] == pytest.approx(m.coef()["x"], abs=1e-8)
    assert r.coef_table.loc["x", "se"] == pytest.approx(m.se()["x"], abs=1e-8)


@PYFIXEST_PANDAS_WARNING
def test_cluster_se_matches_pyfixest_crv1(panel: pd.DataFrame) -> None:
    # pyfixest 0.60's detection of FE nested in clusters runs in a numba prange and gives
    # different answers from run to run, so compare with its explicit K settings instead:
    # k_fixef="full" counts every FE in K, "none" none; ours leaves out the unit FE nested in
    # the unit clusters except one (fixest/reghdfe), K = k + T.
    n, k, T, U = len(panel), 2, panel["t"].nunique(), panel["u"].nunique()
    r = did(panel, "y", unit="u", time="t", treatment="d", covariates=["x"], inference="cluster")
    assert r.se is not None
    for k_fixef, K_ref in (("none", k), ("full", k + U + T - 1)):
        m = pf.feols(
            "y ~ d + x | u + t",
            data=panel,
            vcov={"CRV1": "u"},
            ssc=pf.ssc(k_fixef=k_fixef),
            demeaner=pf.MapDemeaner(fixef_tol=1e-12),
        )
        ours_rescaled = r.se * math.sqrt((n - k - T) / (n - K_ref))
        assert ours_rescaled == pytest.approx(m.se()["d"], abs=1e-8)
    assert r.inference.df == U - 1


@PYFIXEST_PANDAS_WARNING
def test_weighted_twfe_matches_pyfixest(panel: pd.DataFrame) -> None:
    m = pf.feols(
        "y ~ d + x | u + t",
        data=panel,
        demeaner=pf.MapDemeaner(fixef_tol=1e-12),
        vcov="iid",
        weights="w",
    )
    r = did(
        panel,
        "y",
        unit="u",
        time="t",
        treatment="d",
        covariates=["x"],
        weights="w",
        inference="classical",
    )
    assert r.estimate == pytest.approx(m.coef()["d"], abs=1e-8)
    assert r.se == pytest.approx(m.se()["d"], abs=1e-8)


def test_2x2_equals_difference_of_four_means() -> None:
    rng = np.random.default_rng(4)
    n = 250
    df = pd.DataFrame({"g": rng.integers(0, 2, n), "p": rng.integers(0, 2, n)})
    df["y"] = rng.normal(size=n) + 2 * df.g * df.p
    m = df.groupby(["g", "p"])["y"].mean()
    r = did(df, "y", group="g", post="p")
    assert r.estimate == pytest.approx((m[1, 1] - m[1, 0]) - (m[0, 1] - m[0, 0]), abs=1e-12)
    assert r.inference.method == "robust"


def test_one_treated_balanced_twfe_is_contrast_difference() -> None:
    df = simulate_panel(np.random.default_rng(1), n_control=6, n_pre=10, n_post=5, rho=0.5)
    r = did(df, "y", unit="unit", time="period", treatment="treated")
    post = df.period >= 10
    c = df[post].groupby("unit").y.mean() - df[~post].groupby("unit").y.mean()
    assert r.estimate == pytest.approx(c[0] - c[1:].mean(), abs=1e-10)
    assert r.contrasts.to_numpy() == pytest.approx(c.to_numpy())


# -- Card and Krueger (1994) -----------------------------------------------------------
@pytest.fixture(scope="module")
def stores() -> pd.DataFrame:
    if not ck.DATA.exists():
        pytest.skip(f"reference data not found: {ck.DATA}")
    return ck.stores()


def test_card_krueger_table3_balanced(stores: pd.DataFrame) -> None:
    bal = ck.balanced(stores)
    assert len(bal) == 384
    r = did(ck.long(bal), "fte", group="STATE", post="post", unit="store")
    assert r.inference.method == "cluster"  # 309 NJ and 75 PA stores: many clusters
    assert round(r.estimate, 2) == 2.75
    assert r.se is not None and round(r.se, 2) == 1.34


def test_card_krueger_table3_all_available(stores: pd.DataFrame) -> None:
    r = did(ck.long(stores), "fte", group="STATE", post="post", cluster="store")
    assert r.n_obs == 794
    assert any("dropped 26 of 820 rows" in w for w in r.warnings)
    assert abs(r.estimate - 2.76) <= 0.01


@pytest.mark.parametrize(
    ("controls", "est", "se"),
    [
        ([], 2.33, 1.19),
        (["chain2_post", "chain3_post", "chain4_post", "CO_OWNED_post"], 2.30, 1.20),
    ],
)
def test_card_krueger_table4(
    stores: pd.DataFrame, controls: list[str], est: float, se: float
) -> None:
    sample = ck.table4_sample(stores)
    assert len(sample) == 357
    r = did(
        ck.long(sample),
        "fte",
        group="STATE",
        post="post",
        unit="store",
        covariates=controls,
        inference="classical",
    )
    assert round(r.estimate, 2) == est
    assert r.se is not None and round(r.se, 2) == se


# -- one treated unit: auto inference and explicit invalid choices ------------------------
@pytest.fixture(scope="module")
def one_treated() -> pd.DataFrame:
    return simulate_panel(np.random.default_rng(9), n_control=4, n_pre=60, n_post=24, rho=0.8)


def test_auto_with_one_treated_unit(one_treated: pd.DataFrame) -> None:
    auto = did(one_treated, "y", unit="unit", time="period", treatment="treated")
    # equal noise but 4 controls: the variance check cannot show the treated unit is no
    # noisier, so auto uses the unit-scaled test and says why
    assert auto.inference.method == "scaled_dl" and auto.inference.df == 3
    assert "times the comparisons'" in auto.inference.reason
    check = auto.inference.details["variance_check"]
    assert check["low"] < 1 < check["high"]
    r = did(
        one_treated, "y", unit="unit", time="period", treatment="treated", inference="donald_lang"
    )
    assert r.inference.method == "donald_lang"
    assert r.inference.df == 3
    assert r.inference.details["permutation_pvalue_floor"] == pytest.approx(0.2)
    assert r.inference.details["permutation_pvalue"] in (0.2, 0.4, 0.6, 0.8, 1.0)
    assert r.inference.details["design"] == {
        "n_treated": 1,
        "n_control": 4,
        "n_pre": 60,
        "n_post": 24,
        "clustered": True,
    }
    lo, hi = r.conf_int()
    assert lo < r.estimate < hi
    assert (n := r.to_frame()).shape[0] == 1 and n.inference[0] == "donald_lang"
    assert "<div" in r._repr_html_() and "donald_lang" in r.summary()


def test_permutation_with_four_controls_reports_no_interval(one_treated: pd.DataFrame) -> None:
    r = did(
        one_treated, "y", unit="unit", time="period", treatment="treated", inference="permutation"
    )
    assert r.inference.details["pvalue_floor"] == pytest.approx(0.2)
    assert all(math.isnan(v) for v in r.conf_int(0.05))
    assert any("floor" in w for w in r.warnings)
    assert r.pvalue is not None and r.pvalue >= 0.2


def test_cluster_with_one_treated_is_honoured_but_warned(one_treated: pd.DataFrame) -> None:
    r = did(one_treated, "y", unit="unit", time="period", treatment="treated", inference="cluster")
    assert r.inference.method == "cluster" and r.inference.requested == "cluster"
    assert any("not valid" in w for w in r.warnings)


# -- diagnostics -------------------------------------------------------------------------
def test_leave_one_out_equals_refits(one_treated: pd.DataFrame) -> None:
    r = did(one_treated, "y", unit="unit", time="period", treatment="treated")
    loo = r.leave_one_out()
    assert list(loo.dropped) == [1, 2, 3, 4]
    sub = one_treated[one_treated.unit != 2]
    ref = did(sub, "y", unit="unit", time="period", treatment="treated")
    row = loo.set_index("dropped").loc[2]
    assert row.estimate == pytest.approx(ref.estimate)
    assert row.se == pytest.approx(ref.se)


def test_placebo_in_time_equals_manual_fake_start(one_treated: pd.DataFrame) -> None:
    r = did(one_treated, "y", unit="unit", time="period", treatment="treated")
    pl = r.placebo_in_time(12)
    pre = one_treated[one_treated.period < 60].copy()
    pre["treated"] = ((pre.unit == 0) & (pre.period >= 48)).astype(int)
    ref = did(pre, "y", unit="unit", time="period", treatment="treated")
    assert pl.estimate == pytest.approx(ref.estimate)
    assert pl.n_obs == 5 * 60


def test_pretrend_test_finds_planted_trend() -> None:
    rng = np.random.default_rng(3)
    df = simulate_panel(rng, n_control=8, n_pre=30, n_post=10, rho=0.3)
    r0 = did(df, "y", unit="unit", time="period", treatment="treated").pretrend_test()
    df2 = df.copy()
    df2["y"] += 0.2 * df2.period * (df2.unit == 0)  # treated unit drifts 0.2 per period
    r1 = did(df2, "y", unit="unit", time="period", treatment="treated").pretrend_test()
    assert r1["slope_difference"] - r0["slope_difference"] == pytest.approx(0.2, abs=1e-10)
    assert r1["pvalue"] < 0.01
    assert r1["df"] == 7


def test_noisier_treated_unit_gets_the_scaled_test_and_explicit_dl_is_warned() -> None:
    rng = np.random.default_rng(12)
    df = simulate_panel(rng, n_control=8, n_pre=48, n_post=12, rho=0.5, treated_sd_factor=4.0)
    kw = {"unit": "unit", "time": "period", "treatment": "treated"}
    r = did(df, "y", **kw)
    assert r.inference.details["treated_variance_ratio"] > 2
    assert r.inference.details["variance_check"]["low"] > 1
    assert r.inference.method == "scaled_dl" and "cannot be trusted" in r.inference.reason
    dl = did(df, "y", inference="donald_lang", **kw)
    assert any("Ferman and Pinto" in w for w in dl.warnings)
    assert r.se > 2 * dl.se  # the scaled test sees the treated unit's own noise
    same = simulate_panel(rng, n_control=8, n_pre=48, n_post=12, rho=0.5)
    r0 = did(same, "y", inference="donald_lang", **kw)
    assert 0.5 <= r0.inference.details["treated_variance_ratio"] <= 2
    assert not any("Ferman and Pinto" in w for w in r0.warnings)


def test_2x2_repeated_cross_sections_with_few_district_clusters() -> None:
    rng = np.random.default_rng(21)
    rows = []
    for district in range(6):  # district 0 is the pilot
        shock = rng.normal(size=2)
        for post in (0, 1):
            for _ in range(40):
                rows.append(
                    {
                        "district": district,
                        "g": int(district == 0),
                        "p": post,
                        "y": shock[post] + rng.normal(),
                    }
                )
    df = pd.DataFrame(rows)
    auto = did(df, "y", group="g", post="p", cluster="district")
    # one period before and after: each district's own noise cannot be measured, and no
    # sizes were given, so auto refuses instead of borrowing the pilot's variance
    assert auto.inference.method == "none" and auto.pvalue is None
    assert "too few periods" in auto.inference.reason
    assert all(math.isnan(v) for v in auto.conf_int())
    sized = did(df.assign(n=100), "y", group="g", post="p", cluster="district", size="n")
    assert sized.inference.method == "donald_lang"  # equal sizes: the assumption holds
    r = did(df, "y", group="g", post="p", cluster="district", inference="donald_lang")
    assert r.inference.method == "donald_lang" and r.inference.df == 4
    m = df.groupby(["district", "p"])["y"].mean().unstack()
    c = m[1] - m[0]
    assert r.estimate == pytest.approx(c[0] - c[1:].mean(), abs=1e-10)
    se = c[1:].std(ddof=1) * math.sqrt(1 + 1 / 5)
    assert r.se == pytest.approx(se)
    record = r.to_record(section="test")
    import json

    assert json.loads(json.dumps(record))["inference"] == "donald_lang"


def test_demeaning_that_stops_at_max_iter_warns_and_says_so() -> None:
    import warnings

    from arviointi.did.data import DemeanNotConverged, demean, demean_converged

    rng = np.random.default_rng(3)
    n = 400
    units = rng.integers(0, 40, n)
    times = (units + rng.integers(0, 3, n)) % 30  # unbalanced, strongly linked: slow
    y = rng.normal(size=n) + units * 0.3 + times * 0.2
    result = demean_converged(y, [units, times], max_iter=2)
    assert not result.converged and result.sweeps == 2
    assert result.warning is not None and "did not converge in 2 sweeps" in result.warning
    with pytest.warns(DemeanNotConverged, match="did not converge in 2 sweeps"):
        demean(y, [units, times], max_iter=2)
    full = demean_converged(y, [units, times])
    assert full.converged and full.warning is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = demean(y, [units, times])
    # converged: the group means of each dimension are zero
    for codes in (units, times):
        means = np.bincount(codes, weights=values[:, 0]) / np.bincount(codes)
        assert np.abs(means).max() < 1e-9
