"""Validation checks of arviointi.before_after, arviointi.event_study and arviointi.staggered.

Collected by scripts/validate_estimators.py. Each check compares our number with an
independent implementation (statsmodels OLS with HAC covariance, pyfixest feols, statsmodels
OLS/MANOVA on unit contrasts for the Donald-Lang event study) or exact algebra (planted
effects without noise, 2x2 difference of means).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from rows import row

from arviointi.before_after import before_after
from arviointi.event_study import event_study
from arviointi.staggered import staggered_did


def its_checks() -> list[dict[str, Any]]:
    rng = np.random.default_rng(7)
    months = pd.date_range("2017-01-01", periods=72, freq="MS")
    t = np.arange(72, dtype=float)
    post = (months >= "2021-01-01").astype(float)
    t0 = t[post == 1].min()
    e = np.zeros(72)
    for i in range(72):
        e[i] = (0.5 * e[i - 1] if i else 0.0) + rng.normal()
    season = 1.5 * np.sin(2 * np.pi * months.month.to_numpy() / 12)
    y = 10 + 0.5 * t + 2.0 * post - 0.1 * post * (t - t0) + season + e
    df = pd.DataFrame({"month": months, "y": y})
    res = before_after(df, "y", time="month", start="2021-01-01", seasonality="month")
    dummies = pd.get_dummies(df["month"].dt.month, drop_first=True, dtype=float).to_numpy()
    x = np.column_stack([np.ones(72), t, post, post * (t - t0), dummies])
    fit = sm.OLS(y, x).fit(
        cov_type="HAC", cov_kwds={"maxlags": res.hac_lags, "use_correction": True}, use_t=True
    )
    d_coef = float(np.max(np.abs(res.coefficients["coef"].to_numpy() - fit.params)))
    d_se = float(np.max(np.abs(res.coefficients["se"].to_numpy() / fit.bse - 1)))
    src = f"statsmodels OLS cov_type='HAC' (Bartlett, maxlags={res.hac_lags}, use_correction)"
    out = [
        row(
            "ITS coefficients: max |ours - statsmodels|", 0.0, f"{d_coef:.1e}", src, d_coef < 1e-10
        ),
        row(
            "ITS HAC standard errors: max relative difference",
            0.0,
            f"{d_se:.1e}",
            src,
            d_se < 1e-10,
        ),
    ]
    exact = pd.DataFrame({"month": months, "y": 10 + 0.5 * t + 3 * post + 0.2 * post * (t - t0)})
    r2 = before_after(exact, "y", time="month", start="2021-01-01")
    expected = float(3 + 0.2 * (post.sum() - 1) / 2)
    out.append(
        row(
            "ITS noise-free: average post effect (level 3, slope 0.2)",
            expected,
            r2.estimate,
            "exact algebra",
            abs(r2.estimate - expected) < 1e-9,
        )
    )
    return out


def _es_panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for u in range(60):
        g = [5, 8, None][u % 3]
        a = rng.normal()
        for t in range(12):
            d = int(g is not None and t >= g)
            eff = 1 + 0.3 * (t - g) if d and g is not None else 0.0
            rel = t - g if g is not None else -1
            rows.append((u, 2000 + t, a + 0.1 * t + eff + rng.normal(), d, rel))
    return pd.DataFrame(rows, columns=["unit", "year", "y", "d", "rel"])


def event_study_checks() -> list[dict[str, Any]]:
    import pyfixest as pf

    df = _es_panel()
    res = event_study(df, "y", unit="unit", time="year", treatment="d")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyfixest's own pandas deprecation warnings
        fit = pf.feols("y ~ i(rel, ref=-1) | unit + year", data=df, vcov={"CRV1": "unit"})
    tidy = fit.tidy()
    ours = res.coefficients.drop(index=-1)
    d_coef = float(np.max(np.abs(ours["coef"].to_numpy() - tidy["Estimate"].to_numpy())))
    d_se = float(np.max(np.abs(ours["se"].to_numpy() / tidy["Std. Error"].to_numpy() - 1)))
    src = "pyfixest feols('y ~ i(rel, ref=-1) | unit + year', vcov CRV1 by unit)"
    return [
        row(
            "event study coefficients: max |ours - pyfixest|",
            0.0,
            f"{d_coef:.1e}",
            src,
            d_coef < 1e-8,
        ),
        row(
            "event study CR1 standard errors: max relative difference",
            0.0,
            f"{d_se:.1e}",
            src,
            d_se < 1e-8,
        ),
    ]


def _dl_panel(n_control: int, rho: float, seed: int, effects: dict[int, float]) -> pd.DataFrame:
    """One treated unit (start in period 10 of 14), AR(1) errors, unit and period effects."""
    rng = np.random.default_rng(seed)
    period = rng.normal(0, 1, 14)
    rows = []
    for u in range(n_control + 1):
        level = rng.normal(5, 2)
        e = rng.normal() / np.sqrt(1 - rho**2)
        for t in range(14):
            e = rho * e + rng.normal() if t else e
            d = int(u == 0 and t >= 10)
            rows.append(
                (f"a{u:02d}", 2000 + t, level + period[t] + e + effects.get(t - 10, 0) * d, d)
            )
    return pd.DataFrame(rows, columns=["unit", "year", "y", "d"])


def event_study_donald_lang_checks() -> list[dict[str, Any]]:
    """One treated unit: Donald-Lang event study vs statsmodels and a coverage simulation."""
    from statsmodels.multivariate.manova import MANOVA

    df = _dl_panel(12, 0.7, 11, {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0})
    res = event_study(df, "y", unit="unit", time="year", treatment="d", window=(-3, 3))
    wide = df.pivot(index="unit", columns="year", values="y")
    bins = {-3: range(2000, 2008), -2: [2008], 0: [2010], 1: [2011], 2: [2012], 3: [2013]}
    z = pd.DataFrame({k: wide[list(v)].mean(axis=1) - wide[2009] for k, v in bins.items()})
    x = sm.add_constant((z.index == "a00").astype(float))
    fits = {k: sm.OLS(z[k].to_numpy(), x).fit() for k in z.columns}
    ours = res.coefficients.drop(index=-1)
    d_coef = max(abs(float(ours.loc[k, "coef"]) - float(f.params[1])) for k, f in fits.items())
    d_se = max(abs(float(ours.loc[k, "se"]) / float(f.bse[1]) - 1) for k, f in fits.items())
    df_ok = all(f.df_resid == res.inference.df for f in fits.values())
    lead = pd.DataFrame(z[[-3, -2]].to_numpy(), columns=["m3", "m2"]).assign(g=x[:, 1])
    mv = MANOVA.from_formula("m3 + m2 ~ g", data=lead).mv_test().results["g"]["stat"]
    f_ref = float(mv.loc["Hotelling-Lawley trace", "F Value"])
    d_f = abs(float(res.pretrend["statistic"]) / f_ref - 1)
    src = "statsmodels OLS of each unit contrast y_k - y_ref on a treated dummy (classical)"
    rng = np.random.default_rng(5)
    path = {0: 0.5, 1: 1.0, 2: 1.5, 3: 2.0}
    covered, n_rep = 0, 200
    for _ in range(n_rep):
        sim = _dl_panel(
            int(rng.integers(8, 31)), float(rng.uniform(0.5, 0.8)), int(rng.integers(2**31)), path
        )
        r = event_study(sim, "y", unit="unit", time="year", treatment="d", window=(-3, 3))
        lo, hi = r.coefficients.loc[2, ["ci_low", "ci_high"]]
        covered += int(lo <= 1.5 <= hi)
    return [
        row(
            "event study, one treated unit (Donald-Lang): coefficients = contrast difference",
            0.0,
            f"{d_coef:.1e}",
            "exact algebra: treated (y_k - y_ref) minus the controls' mean",
            d_coef < 1e-10,
        ),
        row(
            "event study Donald-Lang standard errors and df: max relative difference",
            0.0,
            f"{d_se:.1e} (df {res.inference.df:g})",
            src,
            d_se < 1e-9 and df_ok,
        ),
        row(
            "event study Donald-Lang pre-trend Hotelling F: relative difference",
            0.0,
            f"{d_f:.1e}",
            "statsmodels MANOVA (Hotelling-Lawley trace, two groups)",
            d_f < 1e-8,
        ),
        row(
            "event study Donald-Lang: 95% interval coverage at k=2, AR(1) rho 0.5-0.8, "
            f"1 treated + 8..30 controls, {n_rep} panels",
            0.95,
            covered / n_rep,
            "simulation (planted effect path)",
            bool(0.91 <= covered / n_rep <= 0.985),
        ),
    ]


def _effect(g: int, t: int) -> float:
    return {3: 1.0, 5: 3.0, 7: 0.0}[g] + 0.5 * (t - g) if t >= g else 0.0


def staggered_checks() -> list[dict[str, Any]]:
    rng = np.random.default_rng(0)
    sizes = {3: 20, 5: 40, 7: 60, None: 40}
    rows = []
    for g, n in sizes.items():
        for j in range(n):
            a = rng.normal()
            for t in range(10):
                eff = _effect(g, t) if g is not None else 0.0
                rows.append((f"{g}_{j}", t, a + 0.3 * t + eff, g if g is not None else np.nan))
    df = pd.DataFrame(rows, columns=["unit", "t", "y", "g"])
    res = staggered_did(df, "y", unit="unit", time="t", first_treated="g")
    num = sum(n * _effect(g, t) for g, n in sizes.items() if g for t in range(g, 10))
    den = sum(n * (10 - g) for g, n in sizes.items() if g)
    truth = num / den
    d = ((df["t"] >= df["g"]) & df["g"].notna()).astype(float).to_numpy()
    x = np.column_stack(
        [
            d,
            pd.get_dummies(df["unit"], dtype=float).to_numpy(),
            pd.get_dummies(df["t"], dtype=float, drop_first=True).to_numpy(),
        ]
    )
    twfe = float(np.linalg.lstsq(x, df["y"].to_numpy(), rcond=None)[0][0])
    src = "planted cohort- and time-varying effects, no noise"
    out = [
        row(
            "Callaway-Sant'Anna simple ATT = planted truth",
            truth,
            res.estimate,
            src,
            abs(res.estimate - truth) < 1e-10,
        ),
        row(
            "static TWFE on the same data (biased, for contrast)",
            truth,
            twfe,
            "dense least squares with unit and period dummies",
            abs(twfe - truth) > 0.5,
        ),
    ]
    # one cohort: ATT(g,t) = 2x2 DiD of means
    rng = np.random.default_rng(3)
    one = pd.DataFrame(
        [
            (i, t, rng.normal() + (2.0 if i < 12 and t >= 2 else 0.0), 2 if i < 12 else 0)
            for i in range(30)
            for t in range(4)
        ],
        columns=["id", "t", "y", "g"],
    )
    r1 = staggered_did(one, "y", unit="id", time="t", first_treated="g")
    wide = one.pivot(index="id", columns="t", values="y")
    dy = (wide[3] - wide[1]).to_numpy()
    did = float(dy[:12].mean() - dy[12:].mean())
    att = float(r1.att_gt.query("time == 3")["att"].iloc[0])
    out.append(
        row(
            "one cohort: ATT(2,3) = 2x2 DiD of means",
            did,
            att,
            "exact algebra",
            abs(att - did) < 1e-12,
        )
    )
    return out


def checks() -> list[dict[str, Any]]:
    return (
        its_checks() + event_study_checks() + event_study_donald_lang_checks() + staggered_checks()
    )


if __name__ == "__main__":
    for entry in checks():
        print(entry)
