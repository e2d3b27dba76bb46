"""Unit-scaled Donald-Lang test, variance check and conformal time permutation, each checked
against a brute-force computation written here from the definitions (loops over units and
periods with pandas), plus the invariances an econometrician expects."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from arviointi.did import did
from arviointi.did.simulation import simulate_panel

KW = {"unit": "unit", "time": "period", "treatment": "treated"}


def _brute_force_scaled(df: pd.DataFrame, n_pre: int) -> tuple[float, float]:
    """se and df of the unit-scaled test from its definition, unit by unit."""
    wide = df.pivot(index="unit", columns="period", values="y")
    treated = df.groupby("unit")["treated"].max() == 1
    controls = list(wide.index[~treated])
    rows = {}
    for u in wide.index:
        others = [c for c in controls if c != u]
        rel = wide.loc[u] - wide.loc[others].mean()
        pre, post = rel.iloc[:n_pre], rel.iloc[n_pre:]
        ss = ((pre - pre.mean()) ** 2).sum() + ((post - post.mean()) ** 2).sum()
        s = math.sqrt(ss / (len(rel) - 2))
        h = math.sqrt(1 / len(pre) + 1 / len(post))
        rows[u] = (post.mean() - pre.mean(), s, h)
    z2 = [(rows[c][0] / (rows[c][1] * rows[c][2])) ** 2 for c in controls]
    kappa2 = sum(z2) / len(z2)
    tr = [u for u in wide.index if treated[u]]
    nt, nc = len(tr), len(controls)
    a_t = sum((rows[u][1] * rows[u][2]) ** 2 for u in tr)
    a_c = sum((rows[c][1] * rows[c][2]) ** 2 for c in controls)
    return math.sqrt(kappa2 * (a_t / nt**2 + (1 - 1 / nt) * a_c / nc**2)), nc - 1


@pytest.mark.parametrize("n_treated", [1, 3])
def test_scaled_dl_matches_brute_force(n_treated: int) -> None:
    df = simulate_panel(
        np.random.default_rng(4),
        n_control=9,
        n_pre=10,
        n_post=8,
        rho=0.4,
        n_treated=n_treated,
        treated_sd_factor=3.0,
        control_sd=(0.5, 2.0),
    )
    r = did(df, "y", inference="scaled_dl", **KW)
    se, dof = _brute_force_scaled(df, 10)
    assert r.se == pytest.approx(se, rel=1e-10)
    assert r.inference.df == dof
    assert r.pvalue == pytest.approx(2 * stats.t.sf(abs(r.estimate) / se, dof), rel=1e-10)
    lo, hi = r.conf_int(0.1)
    q = stats.t.ppf(0.95, dof)
    assert (lo, hi) == pytest.approx((r.estimate - q * se, r.estimate + q * se), rel=1e-10)


def test_scaled_dl_is_invariant_to_the_treated_units_scale_ratio_when_it_is_pure_noise() -> None:
    """Multiplying the treated unit's deviations by 4 multiplies its own scale, and so its se,
    by about 4 (the control mean term is small): the test sees the treated unit's noise."""
    df = simulate_panel(np.random.default_rng(8), n_control=20, n_pre=12, n_post=12, rho=0.0)
    base = did(df, "y", inference="scaled_dl", **KW)
    noisy = df.copy()
    t = noisy.unit == 0
    noisy.loc[t, "y"] = noisy.loc[t, "y"].mean() + 4 * (
        noisy.loc[t, "y"] - noisy.loc[t, "y"].mean()
    )
    louder = did(noisy, "y", inference="scaled_dl", **KW)
    assert 3.0 < louder.se / base.se < 4.5
    dl = did(noisy, "y", inference="donald_lang", **KW)
    assert dl.se < 0.5 * louder.se  # Donald-Lang keeps the controls' spread


def test_invariant_to_shift_scale_and_row_order() -> None:
    df = simulate_panel(
        np.random.default_rng(2), n_control=7, n_pre=12, n_post=6, rho=0.5, treated_sd_factor=2.0
    )
    base = did(df, "y", inference="scaled_dl", **KW)
    moved = did(
        df.assign(y=-2.5 * df.y + 10).sample(frac=1, random_state=1),
        "y",
        inference="scaled_dl",
        **KW,
    )
    assert moved.estimate == pytest.approx(-2.5 * base.estimate, rel=1e-9)
    assert moved.se == pytest.approx(2.5 * base.se, rel=1e-9)
    assert moved.pvalue == pytest.approx(base.pvalue, rel=1e-9)


def test_variance_check_against_definition() -> None:
    df = simulate_panel(
        np.random.default_rng(5), n_control=12, n_pre=24, n_post=24, rho=0.0, treated_sd_factor=3.0
    )
    r = did(df, "y", **KW)
    check = r.inference.details["variance_check"]
    assert check["low"] > 1 and r.inference.method == "scaled_dl"
    wide = df.pivot(index="unit", columns="period", values="y")
    controls = list(range(1, 13))
    scales = {}
    for u in wide.index:
        others = [c for c in controls if c != u]
        rel = wide.loc[u] - wide.loc[others].mean()
        pre, post = rel.iloc[:24], rel.iloc[24:]
        ss = ((pre - pre.mean()) ** 2).sum() + ((post - post.mean()) ** 2).sum()
        scales[u] = ss / 46
    ratio = math.sqrt(scales[0] / np.mean([scales[c] for c in controls]))
    assert check["ratio"] == pytest.approx(ratio, rel=1e-10)
    assert check["low"] < ratio < check["high"]


def test_conformal_matches_enumerated_moving_blocks() -> None:
    df = simulate_panel(np.random.default_rng(6), n_control=5, n_pre=30, n_post=10, rho=0.0)
    df.loc[(df.unit == 0) & (df.period >= 30), "y"] += 3.0
    r = did(df, "y", inference="conformal", **KW)
    wide = df.pivot(index="unit", columns="period", values="y")
    d = (wide.loc[0] - wide.loc[1:].mean()).to_numpy()
    T = len(d)
    u = d - d.mean()
    post = np.arange(30, 40)
    stats_ = [abs(u[(post + j) % T].mean()) for j in range(T)]
    p = np.mean([s >= stats_[0] - 1e-12 for s in stats_])
    assert r.pvalue == pytest.approx(p)
    assert r.pvalue == pytest.approx(1 / 40)  # a large effect reaches the floor 1/T
    lo, hi = r.conf_int(0.1)
    assert lo < r.estimate < hi


def test_two_periods_without_sizes_refuse_and_sizes_decide() -> None:
    rng = np.random.default_rng(3)
    df = simulate_panel(rng, n_control=6, n_pre=1, n_post=1, rho=0.0)
    r = did(df, "y", **KW)
    assert r.inference.method == "none" and r.pvalue is None and r.se is None
    assert all(math.isnan(v) for v in r.conf_int())
    small = df.assign(n=np.where(df.unit == 0, 500, 20_000))
    r2 = did(small, "y", size="n", **KW)
    assert r2.inference.method == "none" and "smaller, so noisier" in r2.inference.reason
    big = df.assign(n=np.where(df.unit == 0, 50_000, 20_000))
    assert did(big, "y", size="n", **KW).inference.method == "donald_lang"


def test_event_study_scaled_matches_did_with_one_post_bin() -> None:
    """With one lead bin and one lag bin, the scaled event-study average equals the DiD's
    estimate; its intervals widen with the treated unit's noise like the DiD's."""
    from arviointi.event_study import event_study

    df = simulate_panel(
        np.random.default_rng(10),
        n_control=10,
        n_pre=12,
        n_post=6,
        rho=0.3,
        treated_sd_factor=3.0,
        control_sd=(0.5, 2.0),
    )
    es = event_study(df, "y", unit="unit", time="period", treatment="treated")
    assert es.inference.method == "scaled_dl"
    dl = event_study(
        df, "y", unit="unit", time="period", treatment="treated", inference="donald_lang"
    )
    assert np.allclose(es.coefficients["coef"], dl.coefficients["coef"], atol=1e-9)
    assert (es.coefficients["se"] > dl.coefficients["se"]).mean() > 0.8


def test_event_study_with_more_leads_than_controls_uses_a_bonferroni_pretrend() -> None:
    from arviointi.event_study import event_study

    df = simulate_panel(
        np.random.default_rng(11), n_control=3, n_pre=10, n_post=4, rho=0.3, treated_sd_factor=3.0
    )
    es = event_study(
        df, "y", unit="unit", time="period", treatment="treated", inference="scaled_dl"
    )
    assert es.pretrend["method"].startswith("largest |t|")
    tab = es.coefficients
    leads = tab[(tab.index < 0) & tab["se"].notna()]  # the reference period has no se
    t = (leads["coef"] / leads["se"]).abs()
    p_min = 2 * stats.t.sf(t.max(), es.inference.df)
    assert es.pretrend["pvalue"] == pytest.approx(min(1.0, len(leads) * p_min))
