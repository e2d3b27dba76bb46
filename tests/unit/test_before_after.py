"""Before-after / interrupted time series: exact algebra and statsmodels HAC as references."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from arviointi.before_after import before_after
from arviointi.errors import DesignError, InputError

START = pd.Timestamp("2021-01-01")


def monthly(
    n: int = 72, *, level: float = 3.0, slope: float = 0.2, noise: float = 0.0, seed: int = 1
) -> pd.DataFrame:
    months = pd.date_range("2017-01-01", periods=n, freq="MS")
    t = np.arange(n, dtype=float)
    post = (months >= START).astype(float)
    t0 = float(np.argmax(post))
    rng = np.random.default_rng(seed)
    season = 1.5 * np.sin(2 * np.pi * months.month.to_numpy() / 12)
    e = np.zeros(n)
    if noise:
        shocks = rng.normal(0, noise, n)
        for i in range(n):  # AR(1) errors: the case HAC is for
            e[i] = (0.5 * e[i - 1] if i else 0.0) + shocks[i]
    y = 10 + 0.5 * t + level * post + slope * post * (t - t0) + season + e
    return pd.DataFrame({"month": months, "y": y})


def test_exact_level_and_slope_change_recovered() -> None:
    df = monthly(level=3.0, slope=0.2)
    res = before_after(df, "y", time="month", start=START, seasonality="month")
    assert res.level_change == pytest.approx(3.0, abs=1e-9)
    assert res.slope_change == pytest.approx(0.2, abs=1e-9)
    n_post = int((df["month"] >= START).sum())
    # average post effect = level + slope * mean(0..n_post-1)
    assert res.estimate == pytest.approx(3.0 + 0.2 * (n_post - 1) / 2, abs=1e-9)
    post = res.path[res.path["post"]]
    gap = post["observed"] - post["counterfactual"]
    assert np.allclose(gap, 3.0 + 0.2 * np.arange(n_post), atol=1e-9)


def test_matches_statsmodels_hac_on_same_design() -> None:
    df = monthly(level=2.0, slope=-0.1, noise=1.0, seed=7)
    res = before_after(df, "y", time="month", start=START, seasonality="month")
    # independent path: build the design by hand and fit with statsmodels
    t = np.arange(len(df), dtype=float)
    post = (df["month"] >= START).to_numpy().astype(float)
    t0 = t[post == 1].min()
    dummies = pd.get_dummies(df["month"].dt.month, prefix="m", drop_first=True, dtype=float)
    x = np.column_stack([np.ones(len(df)), t, post, post * (t - t0), dummies.to_numpy()])
    lags = int(np.floor(4 * (len(df) / 100) ** (2 / 9)))
    assert res.hac_lags == lags
    fit = sm.OLS(df["y"].to_numpy(), x).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
    )
    assert np.allclose(res.coefficients["coef"].to_numpy(), fit.params, rtol=1e-10, atol=1e-10)
    assert np.allclose(res.coefficients["se"].to_numpy(), fit.bse, rtol=1e-10)
    c = np.zeros(x.shape[1])
    c[2] = 1.0
    c[3] = np.mean(t[post == 1] - t0)
    tt = fit.t_test(c)
    assert res.estimate == pytest.approx(float(np.squeeze(tt.effect)), rel=1e-10)
    assert res.se == pytest.approx(float(np.squeeze(tt.sd)), rel=1e-10)
    assert res.pvalue == pytest.approx(float(np.squeeze(tt.pvalue)), rel=1e-8)
    lo, hi = res.conf_int(0.1)
    ci = np.squeeze(tt.conf_int(alpha=0.1))
    assert (lo, hi) == pytest.approx((ci[0], ci[1]), rel=1e-10)


def test_user_lags_and_its_interval_covers_truth() -> None:
    df = monthly(level=2.0, slope=0.0, noise=0.5, seed=3)
    res = before_after(df, "y", time="month", start=START, seasonality="month", hac_lags=6)
    assert res.hac_lags == 6
    lo, hi = res.conf_int()
    assert lo < 2.0 < hi
    assert res.inference.method == "hac"


def test_prepost_is_difference_of_means() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"year": np.arange(2000, 2020), "y": rng.normal(size=20)})
    res = before_after(df, "y", time="year", start=2012, method="prepost")
    diff = df.loc[df.year >= 2012, "y"].mean() - df.loc[df.year < 2012, "y"].mean()
    assert res.estimate == pytest.approx(diff, rel=1e-12)
    assert res.model == "prepost"
    assert res.slope_change is None


def test_units_are_averaged_and_missing_rows_counted() -> None:
    a = monthly(level=1.0, slope=0.0).assign(area="A")
    b = monthly(level=1.0, slope=0.0).assign(area="B")
    b["y"] += 4.0
    both = pd.concat([a, b], ignore_index=True)
    both.loc[[5, 80], "y"] = np.nan
    res = before_after(both, "y", time="month", start=START, unit="area", seasonality=12)
    assert any("dropped 2 of 144 rows" in w for w in res.warnings)
    assert res.n_treated == 2
    assert res.level_change is not None


def test_frame_summary_html_and_plot() -> None:
    res = before_after(monthly(noise=0.3), "y", time="month", start=START)
    assert set(res.path.columns) >= {
        "time",
        "observed",
        "fitted",
        "counterfactual",
        "lower",
        "upper",
    }
    assert res.to_frame().loc[0, "model"] == "its"
    assert "hac" in res.summary()
    assert "<div" in res._repr_html_()
    ax = res.plot()
    assert ax.get_ylabel() == "y"


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"start": START}, InputError, "'nope'"),
        ({"start": pd.Timestamp("2010-01-01")}, DesignError, "before start"),
        ({"start": pd.Timestamp("2030-01-01")}, DesignError, "no period at or after"),
    ],
)
def test_bad_input(kwargs: dict[str, object], error: type[Exception], text: str) -> None:
    df = monthly()
    outcome = "nope" if error is InputError else "y"
    with pytest.raises(error, match=text):
        before_after(df, outcome, time="month", **kwargs)  # type: ignore[arg-type]


def test_all_missing_outcome_and_duplicates() -> None:
    df = monthly()
    df["y"] = np.nan
    with pytest.raises(InputError, match="missing on every row"):
        before_after(df, "y", time="month", start=START)
    dup = pd.concat([monthly(), monthly().iloc[:1]], ignore_index=True)
    with pytest.raises(InputError, match="row 72"):
        before_after(dup, "y", time="month", start=START)
