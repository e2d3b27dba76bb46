"""Callaway-Sant'Anna: 2x2 DiD of means, planted heterogeneous effects, TWFE bias."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from arviointi.errors import DesignError, InputError, ParamsError
from arviointi.staggered import staggered_did

COHORT_EFFECT = {3: 1.0, 5: 3.0, 7: 0.0}  # base effect by cohort


def effect(g: int, t: int) -> float:
    """Planted ATT: differs by cohort and grows with time since adoption."""
    return COHORT_EFFECT[g] + 0.5 * (t - g) if t >= g else 0.0


def staggered_panel(
    n_per: int = 20, n_t: int = 10, noise: float = 0.0, seed: int = 0, never: bool = True
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cohorts: list[int | None] = [3, 5, 7] + ([None] if never else [])
    rows = []
    for ci, g in enumerate(cohorts):
        for j in range(n_per * (ci + 1) if g is not None else n_per * 2):
            a = rng.normal()
            for t in range(n_t):
                eff = effect(g, t) if g is not None else 0.0
                y = a + 0.3 * t + eff + noise * rng.normal()
                rows.append((f"g{g}_{j}", 2000 + t, y, (2000 + g) if g is not None else np.nan))
    return pd.DataFrame(rows, columns=["unit", "year", "y", "first"])


def true_simple(df: pd.DataFrame) -> float:
    """Cohort-size weighted mean of the planted post-period ATT(g,t)."""
    units = df.drop_duplicates("unit").dropna(subset=["first"])
    total, weight = 0.0, 0.0
    for f, n_g in units["first"].value_counts().items():
        g = int(f) - 2000
        for t in range(g, 10):
            total += n_g * effect(g, t)
            weight += n_g
    return total / weight


def test_one_cohort_equals_two_by_two_did_of_means() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for i in range(30):
        treated = i < 12
        for t in range(4):
            y = rng.normal() + (2.0 if treated and t >= 2 else 0.0)
            rows.append((i, t, y, 2 if treated else 0))
    df = pd.DataFrame(rows, columns=["id", "t", "y", "g"])
    res = staggered_did(df, "y", unit="id", time="t", first_treated="g")
    wide = df.pivot(index="id", columns="t", values="y")
    tr = (df.groupby("id")["g"].first() == 2).to_numpy()
    for t in (2, 3):
        dy = (wide[t] - wide[1]).to_numpy()
        did = dy[tr].mean() - dy[~tr].mean()
        row = res.att_gt.query("time == @t").iloc[0]
        assert row["att"] == pytest.approx(did, abs=1e-12)
        se = np.sqrt(dy[tr].var() / tr.sum() + dy[~tr].var() / (~tr).sum())
        assert row["se"] == pytest.approx(se, rel=1e-12)
    # pre-period (varying base): t=1 vs t=0
    dy = (wide[1] - wide[0]).to_numpy()
    pre = res.att_gt.query("time == 1").iloc[0]
    assert pre["att"] == pytest.approx(dy[tr].mean() - dy[~tr].mean(), abs=1e-12)
    assert res.estimate == pytest.approx(res.att_gt.query("post")["att"].mean(), abs=1e-12)


def twfe_static(df: pd.DataFrame) -> float:
    """y ~ treated_now + unit + year dummies by dense least squares (independent path)."""
    d = ((df["year"] >= df["first"]) & df["first"].notna()).astype(float).to_numpy()
    u = pd.get_dummies(df["unit"], dtype=float).to_numpy()
    t = pd.get_dummies(df["year"], dtype=float, drop_first=True).to_numpy()
    x = np.column_stack([d, u, t])
    beta, *_ = np.linalg.lstsq(x, df["y"].to_numpy(), rcond=None)
    return float(beta[0])


def test_planted_heterogeneous_effects_recovered_where_twfe_is_biased() -> None:
    df = staggered_panel(noise=0.0)
    res = staggered_did(df, "y", unit="unit", time="year", first_treated="first")
    truth = true_simple(df)
    assert res.estimate == pytest.approx(truth, abs=1e-10)
    for row in res.att_gt.itertuples():
        g, t = int(row.group) - 2000, int(row.time) - 2000
        assert row.att == pytest.approx(effect(g, t), abs=1e-10)
    twfe = twfe_static(df)
    # TWFE (static) is far from the truth with these heterogeneous, growing effects
    assert abs(twfe - truth) > 0.5
    # dynamic: theta(e) is the cohort-size weighted planted effect at e
    dyn = res.aggregate("dynamic").table.set_index("component")
    sizes = {3: 20, 5: 40, 7: 60}
    for e in (0, 2, 4):
        groups = [g for g in sizes if g + e < 10]
        expected = sum(sizes[g] * effect(g, g + e) for g in groups) / sum(sizes[g] for g in groups)
        assert dyn.loc[e, "estimate"] == pytest.approx(expected, abs=1e-10)
    assert dyn.loc[-2, "estimate"] == pytest.approx(0.0, abs=1e-10)
    grp = res.aggregate("group").table.set_index("component")
    assert grp.loc[2005, "estimate"] == pytest.approx(
        np.mean([effect(5, t) for t in range(5, 10)]), abs=1e-10
    )
    cal = res.aggregate("calendar")
    assert cal.table.set_index("component").loc[2003, "estimate"] == pytest.approx(1.0)


def test_not_yet_treated_without_never_treated() -> None:
    df = staggered_panel(never=False)
    with pytest.raises(DesignError, match="no never-treated unit"):
        staggered_did(df, "y", unit="unit", time="year", first_treated="first")
    res = staggered_did(
        df, "y", unit="unit", time="year", first_treated="first", control="not_yet_treated"
    )
    # cohort 7 is never compared after 2006 (no later units): only identified cells
    got = res.att_gt.dropna(subset=["att"])
    for row in got.itertuples():
        g, t = int(row.group) - 2000, int(row.time) - 2000
        assert row.att == pytest.approx(effect(g, t), abs=1e-10)
    assert any("no comparison units" in w for w in res.warnings)


def test_noisy_recovery_and_interval() -> None:
    df = staggered_panel(noise=1.0, seed=11)
    res = staggered_did(df, "y", unit="unit", time="year", first_treated="first")
    lo, hi = res.conf_int()
    truth = true_simple(df)
    assert lo < truth < hi
    for kind in ("dynamic", "group", "calendar"):
        agg = res.aggregate(kind)
        assert agg.se is not None and agg.se > 0
        assert agg.kind == kind
        assert "staggered" in agg.summary()


def random_cohorts(n_units: int, seed: int) -> pd.DataFrame:
    """Units drawn at random into cohorts 3/5/7/never (so cohort shares are random too)."""
    rng = np.random.default_rng(seed)
    cohorts = rng.choice(np.array([3, 5, 7, -1]), size=n_units, p=[0.2, 0.3, 0.2, 0.3])
    rows = []
    for i, g in enumerate(cohorts):
        a = rng.normal()
        for t in range(10):
            eff = effect(int(g), t) if g > 0 else 0.0
            rows.append((i, t, a + 0.3 * t + eff + rng.normal(), g if g > 0 else np.nan))
    return pd.DataFrame(rows, columns=["unit", "year", "y", "first"])


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["simple", "group", "dynamic"])
def test_influence_function_se_matches_monte_carlo_spread(kind: str) -> None:
    # the influence function includes the sampling of cohort shares (the "wif" term),
    # so the Monte Carlo draws units into cohorts at random
    estimates, ses = [], []
    for seed in range(300):
        res = staggered_did(
            random_cohorts(100, seed), "y", unit="unit", time="year", first_treated="first"
        )
        agg = res.aggregate(kind)
        estimates.append(agg.estimate)
        ses.append(agg.se)
    assert np.mean(ses) == pytest.approx(np.std(estimates), rel=0.12)


def test_bad_inputs() -> None:
    df = staggered_panel(n_per=3)
    with pytest.raises(InputError, match="'nope'"):
        staggered_did(df, "nope", unit="unit", time="year", first_treated="first")
    bad = df.copy()
    bad.loc[5, "first"] = 2004
    with pytest.raises(InputError, match="several first-treated values"):
        staggered_did(bad, "y", unit="unit", time="year", first_treated="first")
    odd = df.copy()
    odd.loc[odd.unit == "g3_0", "first"] = 2003.5
    with pytest.raises(InputError, match="not one of the year values"):
        staggered_did(odd, "y", unit="unit", time="year", first_treated="first")
    with pytest.raises(ParamsError, match="control"):
        staggered_did(df, "y", unit="unit", time="year", first_treated="first", control="x")
    gap = df.copy()
    gap.loc[[0, 1], "y"] = np.nan
    res = staggered_did(gap, "y", unit="unit", time="year", first_treated="first")
    assert any("dropped 2 of" in w for w in res.warnings)
    assert any("dropped 1 unit" in w for w in res.warnings)
