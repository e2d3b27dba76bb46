"""Synthetic DiD: reduces to DiD, equals the weighted TWFE regression, recovers effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.optimize import minimize

from arviointi.errors import DesignError, ParamsError
from arviointi.synth import synthetic_did


def factor_panel(
    n0: int = 30,
    n1: int = 3,
    t0: int = 12,
    t1: int = 4,
    *,
    tau: float = 2.0,
    noise: float = 0.3,
    seed: int = 0,
) -> pd.DataFrame:
    """Interactive fixed effects: treated units load more on a trending factor (but
    within the controls' range, so a weighted combination of controls can match them)."""
    rng = np.random.default_rng(seed)
    t = np.arange(t0 + t1)
    factor = 0.15 * t + np.sin(t / 2)
    rows = []
    for i in range(n0 + n1):
        treated = i >= n0
        load = rng.uniform(1.3, 1.8) if treated else rng.uniform(0.3, 2.0)
        a = rng.normal()
        for s in t:
            d = int(treated and s >= t0)
            y = a + load * factor[s] + tau * d + noise * rng.normal()
            rows.append((f"u{i:02d}", 2000 + int(s), y, d))
    return pd.DataFrame(rows, columns=["unit", "year", "y", "d"])


def did_of_means(df: pd.DataFrame, t0_year: int) -> float:
    tr = df.groupby("unit")["d"].transform("max") == 1
    post = df["year"] >= t0_year
    m = df.groupby([tr, post])["y"].mean()
    return float((m[True, True] - m[True, False]) - (m[False, True] - m[False, False]))


def test_uniform_weights_reduce_to_did_exactly() -> None:
    df = factor_panel()
    res = synthetic_did(
        df,
        "y",
        unit="unit",
        time="year",
        treatment="d",
        unit_weights="uniform",
        time_weights="uniform",
        inference="none",
    )
    assert res.estimate == pytest.approx(did_of_means(df, 2012), abs=1e-12)


def test_equals_weighted_twfe_regression() -> None:
    df = factor_panel(seed=3)
    res = synthetic_did(df, "y", unit="unit", time="year", treatment="d", inference="none")
    assert res.unit_weights.sum() == pytest.approx(1.0)
    assert res.time_weights.sum() == pytest.approx(1.0)
    assert (res.unit_weights >= 0).all() and (res.time_weights >= 0).all()
    # paper eq. (1): weighted TWFE with omega_i (1/N1 for treated) x lambda_t (1/T1 post)
    tr_units = df.loc[df.d == 1, "unit"].unique()
    uw = {u: 1 / len(tr_units) for u in tr_units} | res.unit_weights.to_dict()
    tw = {y: 1 / 4 for y in range(2012, 2016)} | res.time_weights.to_dict()
    w = df["unit"].map(uw) * df["year"].map(tw)
    sub = df.loc[w > 0].reset_index(drop=True)
    ws = w[w > 0].to_numpy()
    x = pd.concat(
        [
            sub["d"].astype(float),
            pd.get_dummies(sub["unit"], dtype=float),
            pd.get_dummies(sub["year"], dtype=float, drop_first=True),
        ],
        axis=1,
    )
    fit = sm.WLS(sub["y"].to_numpy(), x.to_numpy(), weights=ws).fit()
    assert res.estimate == pytest.approx(fit.params[0], abs=1e-8)


def test_unit_weights_solve_the_regularised_problem() -> None:
    df = factor_panel(seed=5)
    res = synthetic_did(df, "y", unit="unit", time="year", treatment="d", inference="none")
    wide = df.pivot(index="unit", columns="year", values="y")
    controls = list(res.unit_weights.index)
    y0 = wide.loc[controls, :2011].to_numpy()
    y1 = wide.drop(index=controls).loc[:, :2011].mean().to_numpy()
    zeta2t0 = res.zeta**2 * 12

    def objective(par: np.ndarray) -> float:
        w0, w = par[0], par[1:]
        r = w0 + y0.T @ w - y1
        return float(r @ r + zeta2t0 * (w @ w))

    n0 = len(controls)
    start = np.concatenate([[0.0], np.full(n0, 1 / n0)])
    ref = minimize(
        objective,
        start,
        method="SLSQP",
        bounds=[(None, None)] + [(0, 1)] * n0,
        constraints=[{"type": "eq", "fun": lambda p: p[1:].sum() - 1}],
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    w = res.unit_weights.to_numpy()
    ours = objective(np.concatenate([[np.mean(y1 - y0.T @ w)], w]))
    assert ours <= ref.fun + 1e-9
    # zeta = (N1 T1)^(1/4) * sd of the controls' pre-period first differences
    sigma = np.std(np.diff(y0, axis=1), ddof=1)
    assert res.zeta == pytest.approx((3 * 4) ** 0.25 * sigma, rel=1e-12)


def test_planted_effect_recovered_where_did_is_biased() -> None:
    # over 8 seeds of the factor model DiD is biased by about +0.7; SDID removes most of it
    err_did, err_sdid = [], []
    for seed in range(8):
        df = factor_panel(n0=60, tau=2.0, noise=0.2, seed=seed)
        res = synthetic_did(df, "y", unit="unit", time="year", treatment="d", inference="none")
        err_did.append(did_of_means(df, 2012) - 2.0)
        err_sdid.append(res.estimate - 2.0)
    assert np.mean(err_did) > 0.5
    assert np.mean(np.abs(err_sdid)) < 0.4 * np.mean(np.abs(err_did))


def test_placebo_inference_interval() -> None:
    df = factor_panel(n0=60, tau=2.0, noise=0.2, seed=1)
    res = synthetic_did(df, "y", unit="unit", time="year", treatment="d", n_placebo=100)
    assert res.inference.method == "placebo"
    assert len(res.placebo_estimates) == 100
    assert res.se == pytest.approx(np.std(res.placebo_estimates), rel=1e-12)
    lo, hi = res.conf_int()
    assert lo < 2.0 < hi


def test_one_treated_few_controls_uses_the_scaled_test_or_permutation_on_request() -> None:
    df = factor_panel(n0=8, n1=1, tau=3.0, noise=0.1, seed=2)
    auto = synthetic_did(df, "y", unit="unit", time="year", treatment="d")
    assert auto.inference.method == "scaled_dl" and auto.inference.df == 7
    lo, hi = auto.conf_int()
    assert lo < auto.estimate < hi and auto.pvalue is not None and auto.pvalue < 0.05
    res = synthetic_did(df, "y", unit="unit", time="year", treatment="d", inference="permutation")
    assert res.inference.method == "permutation"
    assert res.inference.details["n_draws"] == 8
    assert res.pvalue == pytest.approx(1 / 9)
    assert np.isnan(res.conf_int()[0])
    forced = synthetic_did(
        df, "y", unit="unit", time="year", treatment="d", inference="placebo", n_placebo=50
    )
    assert any("one treated unit" in w for w in forced.warnings)


def test_bad_inputs() -> None:
    df = factor_panel(n0=5, n1=2)
    stag = df.copy()
    stag.loc[(stag.unit == "u05") & (stag.year == 2011), "d"] = 1
    with pytest.raises(DesignError, match="different times"):
        synthetic_did(stag, "y", unit="unit", time="year", treatment="d")
    with pytest.raises(ParamsError, match="inference"):
        synthetic_did(df, "y", unit="unit", time="year", treatment="d", inference="x")
    all_treated = df.assign(d=(df.year >= 2012).astype(int))
    with pytest.raises(DesignError, match="never-treated control"):
        synthetic_did(all_treated, "y", unit="unit", time="year", treatment="d")


def test_scaled_placebos_match_leave_one_out_refits() -> None:
    """The unit-scaled SDID test from its definition: each control as the treated unit with
    the other controls as donors, its estimate over its own pre-period gap SD."""
    from arviointi.synth.sdid import _pre_noise

    df = factor_panel(n0=6, n1=1, tau=1.0, noise=0.5, seed=4)
    res = synthetic_did(df, "y", unit="unit", time="year", treatment="d", inference="scaled_dl")
    wide = df.pivot(index="unit", columns="year", values="y")
    treated = df.groupby("unit")["d"].max() == 1
    controls = list(wide.index[~treated])
    t0 = int((df.loc[df.d == 1, "year"].min() > wide.columns).sum())
    z = []
    for j in controls:
        sub = df[df.unit != wide.index[treated][0]].copy()
        sub["d"] = ((sub.unit == j) & (sub.year >= wide.columns[t0])).astype(int)
        pl = synthetic_did(sub, "y", unit="unit", time="year", treatment="d", inference="none")
        donors = [c for c in controls if c != j]
        s_j = _pre_noise(
            wide.loc[[j]].to_numpy(), wide.loc[donors].to_numpy(), t0, pl.unit_weights.to_numpy()
        )
        z.append(pl.estimate / s_j)
    s1 = _pre_noise(
        wide.loc[treated].to_numpy(), wide.loc[controls].to_numpy(), t0, res.unit_weights.to_numpy()
    )
    assert res.se == pytest.approx(s1 * np.sqrt(np.mean(np.square(z))), rel=1e-9)
    assert res.inference.df == len(controls) - 1
