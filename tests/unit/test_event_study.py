"""Event study against pyfixest, permutation with one treated unit, sensitivity bounds."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

from arviointi.errors import DesignError, InputError
from arviointi.event_study import (
    event_study,
    relative_magnitude_bounds,
    smoothness_bounds,
)

# pyfixest 0.60 uses inplace=True (reset_index, drop), deprecated in pandas 3.1 (third-party)
PYFIXEST_PANDAS_WARNING = pytest.mark.filterwarnings(
    "ignore:The inplace keyword in:pandas.errors.Pandas4Warning"
)


def panel(
    n_units: int = 60,
    n_t: int = 12,
    cohorts: tuple[int | None, ...] = (5, 8, None),
    *,
    effect: float = 1.0,
    growth: float = 0.3,
    pretrend: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_units):
        g = cohorts[u % len(cohorts)]
        a = rng.normal()
        for t in range(n_t):
            d = int(g is not None and t >= g)
            eff = effect + growth * (t - g) if d and g is not None else 0.0
            trend = pretrend * t if g is not None else 0.0
            rel = t - g if g is not None else -1  # never treated: in the reference cell
            y = a + 0.1 * t + trend + eff + rng.normal()
            rows.append((f"u{u:03d}", 2000 + t, y, d, rel))
    return pd.DataFrame(rows, columns=["unit", "year", "y", "d", "rel"])


@PYFIXEST_PANDAS_WARNING
def test_matches_pyfixest_cluster() -> None:
    df = panel()
    res = event_study(df, "y", unit="unit", time="year", treatment="d")
    assert res.inference.method == "cluster"
    fit = pf.feols("y ~ i(rel, ref=-1) | unit + year", data=df, vcov={"CRV1": "unit"})
    tidy = fit.tidy()
    ours = res.coefficients.drop(index=-1)
    ref_coef = tidy["Estimate"].to_numpy()
    ref_se = tidy["Std. Error"].to_numpy()
    names = [f"rel::{k}" for k in ours.index]
    assert list(tidy.index) == names
    assert np.allclose(ours["coef"].to_numpy(), ref_coef, rtol=0, atol=1e-8)
    assert np.allclose(ours["se"].to_numpy(), ref_se, rtol=1e-8)
    # joint pre-trend Wald F from pyfixest's own coefficients and covariance
    pre = [i for i, k in enumerate(ours.index) if k < 0]
    b = ref_coef[pre]
    v = np.asarray(fit._vcov)[np.ix_(pre, pre)]
    f_ref = b @ np.linalg.solve(v, b) / len(pre)
    assert res.pretrend["statistic"] == pytest.approx(f_ref, rel=1e-8)
    assert res.pretrend["pvalue"] == pytest.approx(stats.f.sf(f_ref, len(pre), 59), rel=1e-8)
    # the estimate is the mean of the post coefficients, with its linear-combination SE
    post = [i for i, k in enumerate(ours.index) if k >= 0]
    c = np.zeros(len(ref_coef))
    c[post] = 1 / len(post)
    assert res.estimate == pytest.approx(c @ ref_coef, abs=1e-8)
    assert res.se == pytest.approx(np.sqrt(c @ np.asarray(fit._vcov) @ c), rel=1e-8)


@PYFIXEST_PANDAS_WARNING
@pytest.mark.parametrize(("ours", "theirs"), [("classical", "iid"), ("robust", "hetero")])
def test_matches_pyfixest_iid_and_hetero(ours: str, theirs: str) -> None:
    df = panel(n_units=30, seed=4)
    res = event_study(df, "y", unit="unit", time="year", treatment="d", inference=ours)
    fit = pf.feols("y ~ i(rel, ref=-1) | unit + year", data=df, vcov=theirs)
    ours_tab = res.coefficients.drop(index=-1)
    assert np.allclose(ours_tab["coef"], fit.tidy()["Estimate"], atol=1e-8)
    assert np.allclose(ours_tab["se"], fit.tidy()["Std. Error"], rtol=1e-6)


def test_planted_effects_recovered_and_uniform_bands_wider() -> None:
    df = panel(n_units=90, cohorts=(6, None), effect=2.0, growth=0.0, seed=2)
    res = event_study(df, "y", unit="unit", time="year", treatment="d", bands="uniform")
    post = res.coefficients.loc[res.coefficients.index >= 0]
    assert ((post["ci_low"] < 2.0) & (post["ci_high"] > 2.0)).mean() >= 0.8
    assert res.estimate == pytest.approx(2.0, abs=0.3)
    point = event_study(df, "y", unit="unit", time="year", treatment="d")
    width_u = (res.coefficients["ci_high"] - res.coefficients["ci_low"]).dropna()
    width_p = (point.coefficients["ci_high"] - point.coefficients["ci_low"]).dropna()
    assert (width_u > width_p).all()
    # sup-t critical value lies between the pointwise t and Bonferroni
    k = len(width_u)
    ratio = float((width_u / width_p).iloc[0]) * stats.t.ppf(0.975, point.inference.df)
    assert stats.norm.ppf(0.975) < ratio < stats.norm.ppf(1 - 0.025 / k) + 0.05


def test_window_bins_endpoints() -> None:
    df = panel(cohorts=(5, None))
    res = event_study(df, "y", unit="unit", time="year", treatment="d", window=(-3, 2))
    assert list(res.coefficients.index) == [-3, -2, -1, 0, 1, 2]
    # the binned end point holds all relative times >= 2
    assert res.coefficients.loc[2, "n_treated_obs"] == 30 * 5


def test_one_treated_unit_permutation_on_request() -> None:
    df = panel(n_units=13, cohorts=(6, *([None] * 12)), effect=5.0, growth=0.0, seed=5)
    # "auto" uses (unit-scaled) Donald-Lang here (tests/unit/test_event_study_donald_lang.py);
    # permutation is still available on request
    auto = event_study(df, "y", unit="unit", time="year", treatment="d")
    assert auto.inference.method in ("donald_lang", "scaled_dl") and auto.se is not None
    res = event_study(df, "y", unit="unit", time="year", treatment="d", inference="permutation")
    assert res.inference.method == "permutation"
    assert res.se is None and np.isnan(res.conf_int()[0])
    # the 13 assignments of the start to one unit are enumerated (observed included):
    # floor 1/13, reached by a huge planted effect
    assert res.inference.details["n_draws"] == 13
    assert res.pvalue == pytest.approx(1 / 13)
    assert res.coefficients.loc[0, "pvalue"] == pytest.approx(1 / 13)
    assert res.pretrend["pvalue"] > 1 / 13
    assert any("permutation" in w for w in res.warnings)


def test_permutation_p_value_by_hand_for_three_treated_units() -> None:
    df = panel(n_units=12, cohorts=(6, 6, 6, *([None] * 9)), effect=0.3, growth=0.0, seed=6)
    res = event_study(df, "y", unit="unit", time="year", treatment="d", inference="permutation")
    assert res.inference.details["n_draws"] == 220  # C(12, 3), enumerated
    # independent path: difference-in-differences of means for every assignment (on a
    # balanced panel with one adoption date the average post coefficient equals it)
    wide = df.pivot(index="unit", columns="year", values="y")
    pre_cols = [c for c in wide.columns if c == 2005]
    post_cols = [c for c in wide.columns if int(c) >= 2006]
    contrast = wide[post_cols].mean(axis=1) - wide[pre_cols].mean(axis=1)
    units = list(wide.index)
    stats_all = []
    for combo in itertools.combinations(range(12), 3):
        mask = np.zeros(12, dtype=bool)
        mask[list(combo)] = True
        stats_all.append(abs(contrast[mask].mean() - contrast[~mask].mean()))
    treated = df.loc[df.d == 1, "unit"].unique()
    mask = np.isin(units, treated)
    observed = abs(contrast[mask].mean() - contrast[~mask].mean())
    assert res.estimate == pytest.approx(contrast[mask].mean() - contrast[~mask].mean(), abs=1e-10)
    expected = np.mean(np.array(stats_all) >= observed - 1e-12)
    assert res.pvalue == pytest.approx(expected, abs=1e-12)


def test_sensitivity_smoothness_removes_linear_pretrend() -> None:
    # treated units follow an extra linear trend of 0.2 per period: a violation that
    # linear extrapolation (M = 0) removes
    df = panel(n_units=120, cohorts=(6, None), effect=1.0, growth=0.0, pretrend=0.2, seed=8)
    res = event_study(df, "y", unit="unit", time="year", treatment="d")
    naive_lo, _ = res.conf_int()
    assert naive_lo > 1.0  # biased upwards by the trend
    tab = smoothness_bounds(res, [0.0, 0.05, 0.1])
    assert tab.loc[0, "ci_low"] < 1.0 < tab.loc[0, "ci_high"]
    # exact algebra: adjustment uses beta_{-2}; the width grows by 2*M*sum l_k (k+1)(k+2)/2
    coefs = res.coefficients["coef"]
    post = [k for k in coefs.index if k >= 0]
    adj = coefs[post].mean() + np.mean([k + 1 for k in post]) * coefs[-2]
    assert tab.attrs["theta_adjusted"] == pytest.approx(adj, rel=1e-12)
    w = np.mean([(k + 1) * (k + 2) / 2 for k in post])
    widths = (tab["ci_high"] - tab["ci_low"]).to_numpy()
    assert widths[1] - widths[0] == pytest.approx(2 * 0.05 * w, rel=1e-10)
    assert tab.attrs["breakdown"] >= 0


def test_sensitivity_relative_magnitudes() -> None:
    df = panel(n_units=90, cohorts=(6, None), effect=1.5, growth=0.0, seed=9)
    res = event_study(df, "y", unit="unit", time="year", treatment="d")
    tab = relative_magnitude_bounds(res, [0.0, 1.0, 2.0])
    z = stats.t.ppf(1 - 0.05 / 4, res.inference.df)  # t(G-1) as the coefficients
    assert tab.loc[0, "ci_low"] == pytest.approx(res.estimate - z * res.se, rel=1e-10)
    assert (tab["ci_high"].diff().dropna() > 0).all()
    # identified set width = 2 * Mbar * m_hat * mean(k + 1)
    coefs = res.coefficients["coef"]
    leads = coefs[coefs.index < 0].sort_index().to_numpy()
    m_hat = np.max(np.abs(np.diff(leads)))
    post = [k for k in coefs.index if k >= 0]
    width = tab.loc[1, "id_high"] - tab.loc[1, "id_low"]
    assert width == pytest.approx(2 * m_hat * np.mean([k + 1 for k in post]), rel=1e-10)
    lo = tab.loc[0, "ci_low"]
    assert lo > 0 and tab.attrs["breakdown"] > 0


def test_plot_summary_and_frame() -> None:
    res = event_study(panel(n_units=30), "y", unit="unit", time="year", treatment="d")
    ax = res.plot()
    assert ax.get_xlabel().startswith("periods relative")
    assert "event_study" in res.summary()
    assert res.to_frame().loc[0, "n_treated"] == 20


def test_bad_inputs() -> None:
    df = panel(n_units=12)
    with pytest.raises(InputError, match="'zz'"):
        event_study(df, "zz", unit="unit", time="year", treatment="d")
    bad = df.copy()
    bad.loc[3, "d"] = 2
    with pytest.raises(InputError, match="row 3, column 'd'"):
        event_study(bad, "y", unit="unit", time="year", treatment="d")
    off = df.copy()
    off.loc[(off.unit == "u000") & (off.year == 2010), "d"] = 0
    with pytest.raises(DesignError, match="switches treatment off"):
        event_study(off, "y", unit="unit", time="year", treatment="d")
    early = df.copy()
    early.loc[early.unit == "u000", "d"] = 1
    with pytest.raises(DesignError, match="first observed period"):
        event_study(early, "y", unit="unit", time="year", treatment="d")
    miss = df.copy()
    miss.loc[[0, 1], "y"] = np.nan
    res = event_study(miss, "y", unit="unit", time="year", treatment="d", inference="cluster")
    assert any("dropped 2 of 144 rows" in w for w in res.warnings)
    nan_all = df.assign(y=np.nan)
    with pytest.raises(InputError, match="missing on every row"):
        event_study(nan_all, "y", unit="unit", time="year", treatment="d")
