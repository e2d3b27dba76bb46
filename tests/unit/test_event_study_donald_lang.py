"""Donald-Lang event-study inference with one or few treated units.

Checked against: the exact algebra of the TWFE coefficients on a balanced panel with one
adoption date (hand computation from the wide table), statsmodels OLS of each unit
contrast on a treated dummy with classical errors (same coefficient, se, t, df), the
statsmodels MANOVA (two groups: Hotelling-Lawley F = Hotelling T^2 F), the permutation
route of ``inference="permutation"``, and coverage / size over simulated panels with
AR(1) errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.multivariate.manova import MANOVA

from arviointi.errors import DesignError
from arviointi.event_study import event_study, smoothness_bounds

START = 10


def ar1_panel(
    n_control: int,
    *,
    n_treated: int = 1,
    n_t: int = 16,
    rho: float = 0.7,
    effects: dict[int, float] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Balanced panel: unit and period effects, AR(1) errors, one adoption date START.

    ``effects`` maps relative time (t - START, >= 0) to the planted effect.
    """
    rng = np.random.default_rng(seed)
    eff = effects or {}
    n_u = n_treated + n_control
    period = rng.normal(0, 1, n_t)
    rows = []
    for u in range(n_u):
        treated = u < n_treated
        level = rng.normal(5, 2)
        e = rng.normal() / np.sqrt(1 - rho**2)
        for t in range(n_t):
            if t > 0:
                e = rho * e + rng.normal()
            d = int(treated and t >= START)
            y = level + period[t] + e + (eff.get(t - START, 0.0) if d else 0.0)
            rows.append((f"a{u:02d}", 2000 + t, y, d))
    return pd.DataFrame(rows, columns=["unit", "year", "y", "d"])


def contrasts_by_hand(df: pd.DataFrame, bins: dict[int, list[int]], ref: int) -> pd.DataFrame:
    """Unit contrasts mean(y over the bin's years) - y(reference years), by pandas."""
    wide = df.pivot(index="unit", columns="year", values="y")
    base = wide[[2000 + START + r for r in bins[ref]]].mean(axis=1)
    return pd.DataFrame(
        {k: wide[[2000 + START + r for r in rs]].mean(axis=1) - base for k, rs in bins.items()}
    )


def treated_mask(df: pd.DataFrame, index: pd.Index) -> np.ndarray:
    treated = set(df.loc[df["d"] == 1, "unit"])
    return np.array([u in treated for u in index])


@pytest.mark.parametrize("n_treated", [1, 3])
def test_coefficients_are_unit_contrast_differences_and_match_twfe(n_treated: int) -> None:
    df = ar1_panel(9, n_treated=n_treated, effects={0: 1.0, 3: 2.0}, seed=1)
    res = event_study(df, "y", unit="unit", time="year", treatment="d", inference="donald_lang")
    assert res.inference.method == "donald_lang"
    twfe = event_study(df, "y", unit="unit", time="year", treatment="d", inference="classical")
    bins = {k: [k] for k in range(-START, 16 - START)}
    z = contrasts_by_hand(df, bins, -1)
    mask = treated_mask(df, z.index)
    by_hand = z[mask].mean() - z[~mask].mean()
    ours = res.coefficients["coef"]
    assert np.allclose(ours.to_numpy(), by_hand[ours.index].to_numpy(), atol=1e-10)
    assert np.allclose(ours.to_numpy(), twfe.coefficients["coef"].to_numpy(), atol=1e-10)
    # binned window: end bins average the relative times beyond them
    res_w = event_study(
        df, "y", unit="unit", time="year", treatment="d", inference="donald_lang", window=(-4, 2)
    )
    bins_w = {-4: list(range(-START, -3)), -3: [-3], -2: [-2], -1: [-1], 0: [0], 1: [1]}
    bins_w[2] = list(range(2, 16 - START))
    zw = contrasts_by_hand(df, bins_w, -1)
    hand_w = zw[mask].mean() - zw[~mask].mean()
    assert np.allclose(res_w.coefficients["coef"], hand_w[res_w.coefficients.index], atol=1e-10)
    twfe_w = event_study(
        df, "y", unit="unit", time="year", treatment="d", window=(-4, 2), inference="classical"
    )
    assert np.allclose(res_w.coefficients["coef"], twfe_w.coefficients["coef"], atol=1e-10)


@pytest.mark.parametrize("n_treated", [1, 2])
def test_se_t_and_df_match_statsmodels_ols_on_treated_dummy(n_treated: int) -> None:
    df = ar1_panel(12, n_treated=n_treated, effects={0: 1.5, 1: 1.0}, seed=2)
    res = event_study(
        df, "y", unit="unit", time="year", treatment="d", inference="donald_lang", window=(-5, 3)
    )
    bins = {-5: list(range(-START, -4)), **{k: [k] for k in range(-4, 3)}}
    bins[3] = list(range(3, 16 - START))
    z = contrasts_by_hand(df, bins, -1).drop(columns=-1)
    x = sm.add_constant(treated_mask(df, z.index).astype(float))
    assert res.inference.df == 12 + n_treated - 2
    for k in z.columns:
        fit = sm.OLS(z[k].to_numpy(), x).fit()
        row = res.coefficients.loc[k]
        assert row["coef"] == pytest.approx(fit.params[1], abs=1e-10)
        assert row["se"] == pytest.approx(fit.bse[1], rel=1e-9)
        assert row["pvalue"] == pytest.approx(fit.pvalues[1], rel=1e-8)
        assert fit.df_resid == res.inference.df
        lo, hi = fit.conf_int(0.05)[1]
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-9)
    # the average post effect: OLS of the unit's mean post contrast on the dummy
    post = z[[k for k in z.columns if int(k) >= 0]].mean(axis=1)
    fit = sm.OLS(post.to_numpy(), x).fit()
    assert res.estimate == pytest.approx(fit.params[1], abs=1e-10)
    assert res.se == pytest.approx(fit.bse[1], rel=1e-9)
    assert res.pvalue == pytest.approx(fit.pvalues[1], rel=1e-8)
    assert res.conf_int() == pytest.approx(tuple(fit.conf_int(0.05)[1]), rel=1e-9)
    # the joint covariance: each entry is the covariance of two OLS slopes on one design,
    # the residual cross-product over G - 2 times (X'X)^{-1}[1, 1]
    levels = list(z.columns)
    resid = np.column_stack([sm.OLS(z[k].to_numpy(), x).fit().resid for k in levels])
    xtx_inv = np.linalg.inv(x.T @ x)[1, 1]
    expected = resid.T @ resid / (len(z) - 2) * xtx_inv
    assert res.vcov is not None
    assert np.allclose(res.vcov, expected, rtol=1e-9, atol=1e-12)


def test_hotelling_pretrend_matches_statsmodels_manova() -> None:
    df = ar1_panel(10, n_treated=2, seed=3)
    res = event_study(
        df, "y", unit="unit", time="year", treatment="d", inference="donald_lang", window=(-4, 2)
    )
    bins = {-4: list(range(-START, -3)), -3: [-3], -2: [-2], -1: [-1]}
    z = contrasts_by_hand(df, bins, -1).drop(columns=-1)
    data = pd.DataFrame(z.to_numpy(), columns=["m4", "m3", "m2"])
    data["g"] = np.where(treated_mask(df, z.index), "t", "c")
    mv = MANOVA.from_formula("m4 + m3 + m2 ~ g", data=data).mv_test()
    table = mv.results["g"]["stat"]
    f_ref = float(table.loc["Hotelling-Lawley trace", "F Value"])
    p_ref = float(table.loc["Hotelling-Lawley trace", "Pr > F"])
    assert res.pretrend["statistic"] == pytest.approx(f_ref, rel=1e-8)
    assert res.pretrend["pvalue"] == pytest.approx(p_ref, rel=1e-8)
    assert res.pretrend["df"] == (3, 12 - 1 - 3)
    assert "Hotelling" in res.pretrend["method"]


def test_permutation_cross_check_equals_permutation_route() -> None:
    df = ar1_panel(11, seed=4, effects={0: 0.5})
    auto = event_study(
        df, "y", unit="unit", time="year", treatment="d", inference="donald_lang", window=(-4, 3)
    )
    perm = event_study(
        df, "y", unit="unit", time="year", treatment="d", window=(-4, 3), inference="permutation"
    )
    assert perm.inference.method == "permutation" and perm.vcov is None
    assert perm.coefficients["se"].isna().all()
    assert auto.inference.details["permutation_pretrend_pvalue"] == pytest.approx(
        perm.pretrend["pvalue"], abs=1e-12
    )
    assert auto.inference.details["permutation_draws"] == 12
    assert auto.inference.method == "donald_lang" and auto.pretrend["method"].startswith(
        "Hotelling"
    )


def test_three_treated_random_draws_cross_check_equals_permutation_route() -> None:
    df = ar1_panel(15, n_treated=3, seed=5)
    kw: dict[str, Any] = {"unit": "unit", "time": "year", "treatment": "d", "window": (-3, 2)}
    auto = event_study(df, "y", n_permutations=199, inference="donald_lang", **kw)  # C(18, 3) > 199
    perm = event_study(df, "y", n_permutations=199, inference="permutation", **kw)
    assert auto.inference.details["permutation_draws"] == 200
    assert auto.inference.details["permutation_pretrend_pvalue"] == pytest.approx(
        perm.pretrend["pvalue"], abs=1e-12
    )


def test_too_many_leads_for_hotelling_falls_back_to_permutation_p() -> None:
    df = ar1_panel(8, seed=6)  # 9 units, 9 leads (-10..-2): not fewer than G - 2 = 7
    res = event_study(df, "y", unit="unit", time="year", treatment="d", inference="donald_lang")
    assert res.inference.method == "donald_lang"
    assert res.pretrend["method"].startswith("permutation")
    assert res.pretrend["pvalue"] == res.inference.details["permutation_pretrend_pvalue"]
    assert any("Hotelling T^2 not computable" in w for w in res.warnings)
    assert not res.coefficients["se"].drop(index=-1).isna().any()


def test_collinear_leads_fall_back_to_permutation_p() -> None:
    df = ar1_panel(10, seed=11)
    pre = df["year"] < 2000 + START
    df.loc[pre, "y"] = df.loc[pre, "unit"].str[1:].astype(float)  # leads: no variation
    res = event_study(
        df, "y", unit="unit", time="year", treatment="d", inference="donald_lang", window=(-3, 2)
    )
    assert (
        res.pretrend["method"].startswith("permutation") and "collinear" in res.pretrend["method"]
    )
    assert res.pretrend["pvalue"] == res.inference.details["permutation_pretrend_pvalue"]
    assert any("collinear" in w for w in res.warnings)


def test_unbalanced_or_staggered_keep_permutation_with_warning() -> None:
    df = ar1_panel(10, seed=7)
    unbalanced = df.drop(index=[5])
    res = event_study(unbalanced, "y", unit="unit", time="year", treatment="d")
    assert res.inference.method == "permutation" and res.vcov is None
    assert any("unbalanced panel" in w for w in res.warnings)
    with pytest.raises(DesignError, match="unbalanced panel"):
        event_study(
            unbalanced, "y", unit="unit", time="year", treatment="d", inference="donald_lang"
        )
    staggered = ar1_panel(10, n_treated=2, seed=8)
    staggered.loc[(staggered.unit == "a01") & (staggered.year == 2000 + START), "d"] = 0
    res = event_study(staggered, "y", unit="unit", time="year", treatment="d")
    assert res.inference.method == "permutation"
    assert any("several cohorts" in w for w in res.warnings)


def test_sensitivity_bounds_run_on_donald_lang_covariance() -> None:
    df = ar1_panel(12, seed=9, effects={0: 1.0, 1: 1.0, 2: 1.0})
    res = event_study(
        df, "y", unit="unit", time="year", treatment="d", inference="donald_lang", window=(-4, 2)
    )
    tab = smoothness_bounds(res, [0.0, 0.1])
    # se of the bias-adjusted target from OLS of the unit's adjusted contrast on the dummy
    bins = {-2: [-2], -1: [-1], 0: [0], 1: [1], 2: list(range(2, 16 - START))}
    z = contrasts_by_hand(df, bins, -1)
    adjusted = z[[0, 1, 2]].mean(axis=1) + 2.0 * z[-2]  # mean(k + 1) over k = 0, 1, 2 is 2
    fit = sm.OLS(adjusted.to_numpy(), sm.add_constant(treated_mask(df, z.index) * 1.0)).fit()
    assert tab.attrs["theta_adjusted"] == pytest.approx(fit.params[1], abs=1e-10)
    assert tab.attrs["se_adjusted"] == pytest.approx(fit.bse[1], rel=1e-9)
    q = stats.t.ppf(0.975, 11)
    assert tab.loc[0, "ci_low"] == pytest.approx(fit.params[1] - q * fit.bse[1], rel=1e-9)


def test_uniform_bands_between_pointwise_and_bonferroni() -> None:
    df = ar1_panel(12, seed=10)
    kw: dict[str, Any] = {"unit": "unit", "time": "year", "treatment": "d", "window": (-3, 3)}
    point = event_study(df, "y", **kw)
    unif = event_study(df, "y", bands="uniform", **kw)
    q = unif.inference.details["critical_value"]
    k = len(unif.coefficients) - 1
    assert stats.t.ppf(0.975, 11) < q < stats.t.ppf(1 - 0.025 / k, 11)
    width = (unif.coefficients["ci_high"] - unif.coefficients["ci_low"]).dropna()
    width_p = (point.coefficients["ci_high"] - point.coefficients["ci_low"]).dropna()
    assert np.allclose(width / width_p, q / stats.t.ppf(0.975, 11))


def _within_binomial(hits: int, n: int, p: float = 0.95) -> bool:
    lo, hi = stats.binom.ppf([0.0005, 0.9995], n, p)
    return bool(lo <= hits <= hi)


@pytest.mark.parametrize("n_treated", [1, 3])
def test_pointwise_coverage_and_pretrend_size_with_ar1_errors(n_treated: int) -> None:
    """300 panels, 1 or 3 treated units, 8..30 controls, rho 0.5..0.8, a planted path."""
    path = {0: 0.5, 1: 1.0, 2: 1.5, 3: 2.0}
    rng = np.random.default_rng(2026 + n_treated)
    n_rep = 300
    cover = np.zeros((n_rep, 7), dtype=bool)  # leads -3, -2 and lags 0..3 (+ the binned -4)
    reject = 0
    for r in range(n_rep):
        n_control = int(rng.integers(8, 31))
        rho = float(rng.uniform(0.5, 0.8))
        seed = int(rng.integers(2**31))
        df = ar1_panel(n_control, n_treated=n_treated, rho=rho, effects=path, n_t=14, seed=seed)
        res = event_study(df, "y", unit="unit", time="year", treatment="d", window=(-4, 3))
        c = res.coefficients.drop(index=-1)
        truth = np.array([path.get(int(k), 0.0) for k in c.index])
        cover[r] = (c["ci_low"].to_numpy() <= truth) & (truth <= c["ci_high"].to_numpy())
        reject += res.pretrend["pvalue"] < 0.05
    # each event time separately, and the pre-trend test's size
    for j in range(cover.shape[1]):
        assert _within_binomial(int(cover[:, j].sum()), n_rep), (j, cover[:, j].mean())
    assert _within_binomial(reject, n_rep, 0.05), reject / n_rep


def test_invariant_to_shift_scale_and_row_order() -> None:
    df = ar1_panel(9, n_treated=2, seed=12, effects={0: 1.0})
    kw: dict[str, Any] = {"unit": "unit", "time": "year", "treatment": "d", "window": (-3, 2)}
    base = event_study(df, "y", **kw)
    cols = ["coef", "se", "ci_low", "ci_high", "pvalue"]
    shuffled = df.sample(frac=1.0, random_state=np.random.RandomState(3))
    again = event_study(shuffled, "y", **kw)
    pd.testing.assert_frame_equal(again.coefficients[cols], base.coefficients[cols], atol=1e-10)
    assert again.pretrend["pvalue"] == pytest.approx(base.pretrend["pvalue"], rel=1e-9)
    scaled = event_study(df.assign(y=-3.0 * df["y"] + 7.0), "y", **kw)
    c, b = scaled.coefficients, base.coefficients
    assert np.allclose(c["coef"], -3.0 * b["coef"], atol=1e-10)
    assert np.allclose(c["se"].dropna(), 3.0 * b["se"].dropna(), rtol=1e-10)
    assert np.allclose(c["pvalue"].dropna(), b["pvalue"].dropna(), rtol=1e-9)
    assert scaled.pretrend["pvalue"] == pytest.approx(base.pretrend["pvalue"], rel=1e-9)


@pytest.mark.slow
def test_uniform_band_simultaneous_coverage() -> None:
    """200 panels, one treated unit: the sup-t band covers the whole path about 95 %."""
    path = {0: 0.5, 1: 1.0, 2: 1.5, 3: 2.0}
    rng = np.random.default_rng(77)
    n_rep, hits = 200, 0
    for _ in range(n_rep):
        n_control, rho = int(rng.integers(8, 31)), float(rng.uniform(0.5, 0.8))
        df = ar1_panel(n_control, rho=rho, effects=path, n_t=14, seed=int(rng.integers(2**31)))
        res = event_study(
            df, "y", unit="unit", time="year", treatment="d", window=(-4, 3), bands="uniform"
        )
        c = res.coefficients.drop(index=-1)
        truth = np.array([path.get(int(k), 0.0) for k in c.index])
        hits += bool(((c["ci_low"] <= truth) & (truth <= c["ci_high"])).all())
    assert _within_binomial(hits, n_rep), hits / n_rep
