"""Matching: bias removal on simulated selection-on-observables, balance, CEM weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from arviointi.errors import InputError, ParamsError
from arviointi.matching import coarsened_exact_match, propensity_match

TRUE_EFFECT = 1.0


def simulated_clients(n: int = 3000, seed: int = 7) -> pd.DataFrame:
    """Selection on observables: older, long-unemployed, foreign-language persons join the
    pilot more often, and the same traits lower the outcome. Effect = TRUE_EFFECT."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 64, n)
    days = rng.gamma(2.0, 300.0, n).round().astype(int)
    language = rng.choice(["fi", "sv", "other"], n, p=[0.7, 0.1, 0.2])
    education = rng.choice(["basic", "secondary", "tertiary"], n, p=[0.35, 0.44, 0.21])
    lin = -1.0 + 0.0015 * days + 0.02 * (age - 40) + 0.8 * (language == "other")
    treated = rng.random(n) < 1 / (1 + np.exp(-lin))
    y = (
        10.0
        - 0.004 * days
        - 0.05 * (age - 40)
        - 1.5 * (language == "other")
        + 0.7 * (education == "tertiary")
        + TRUE_EFFECT * treated
        + rng.normal(0, 1.0, n)
    )
    return pd.DataFrame(
        {
            "person_id": [f"p{i:05d}" for i in range(n)],
            "group": np.where(treated, "pilot", "comparison"),
            "age": age,
            "language": language,
            "education": education,
            "unemployment_days_at_entry": days,
            "y": y,
        }
    )


def weighted_att(clients: pd.DataFrame, matched: pd.DataFrame) -> float:
    m = matched.merge(clients[["person_id", "y"]], on="person_id")
    t = m[m["treated"]]
    c = m[~m["treated"]]
    return float(np.average(t["y"], weights=t["weight"]) - np.average(c["y"], weights=c["weight"]))


COVS = ["age", "language", "education", "unemployment_days_at_entry"]


def test_propensity_matching_removes_selection_bias() -> None:
    clients = simulated_clients()
    naive = (
        clients.loc[clients.group == "pilot", "y"].mean()
        - clients.loc[clients.group == "comparison", "y"].mean()
    )
    # the naive comparison is badly biased downwards (selection on traits that lower y)
    assert naive < TRUE_EFFECT - 1.0
    m = propensity_match(clients, covariates=COVS, caliper=0.2, seed=3)
    att = weighted_att(clients, m.matched)
    # residual sd 1, ~1000 pairs: sampling sd of the ATT about 0.05-0.1
    assert abs(att - TRUE_EFFECT) < 0.25
    bal = m.balance()
    assert (bal["smd_before"].abs() > 0.1).any()
    assert (bal["smd_after"].abs() < 0.1).all(), bal
    assert m.n_treated_matched + m.n_dropped.get("treated: no control within caliper", 0) == int(
        (clients.group == "pilot").sum()
    )
    # without replacement, 1:1: as many controls as treated, weights 1
    assert m.n_control_matched == m.n_treated_matched
    assert np.allclose(m.matched["weight"], 1.0)


def test_propensity_matching_is_deterministic_and_ratio_weights() -> None:
    clients = simulated_clients(n=800, seed=11)
    a = propensity_match(clients, covariates=COVS, seed=5, ratio=2, replace=True)
    b = propensity_match(clients, covariates=COVS, seed=5, ratio=2, replace=True)
    pd.testing.assert_frame_equal(a.matched, b.matched)
    c = a.matched[~a.matched["treated"]]
    # ATT weights: control weights sum to the number of matched treated
    assert c["weight"].sum() == pytest.approx(a.n_treated_matched)


def test_nearest_neighbour_and_tie_break_by_hand() -> None:
    # one numeric covariate; logit is monotone in x, so nearest on logit = nearest on x
    # when the fit is monotone. Controls c1 and c2 are equally far from t1 -> c1 (smaller id).
    clients = pd.DataFrame(
        {
            "person_id": ["t1", "t2", "c1", "c2", "c3", "c4"],
            "group": ["pilot", "pilot", "comparison", "comparison", "comparison", "comparison"],
            "x": [5.0, 9.0, 4.0, 6.0, 8.5, 1.0],
        }
    )
    m = propensity_match(clients, covariates=["x"], caliper=None, seed=0)
    got = m.matched.sort_values(["subclass", "treated"])
    by_treated = {
        got[(got.subclass == s) & got.treated]["person_id"].iloc[0]: sorted(
            got[(got.subclass == s) & ~got.treated]["person_id"]
        )
        for s in got.subclass.unique()
        if (got[got.subclass == s]["treated"]).any()
    }
    assert by_treated["t2"] == ["c3"]
    assert by_treated["t1"] == ["c1"]


def test_cem_weights_by_hand() -> None:
    # strata by language: fi: 2 treated, 1 control; sv: 1 treated, 3 controls;
    # other: 1 treated, 0 controls -> dropped.
    clients = pd.DataFrame(
        {
            "person_id": list("abcdefghi"),
            "group": ["pilot", "pilot", "comparison", "pilot", "comparison", "comparison",
                      "comparison", "pilot", "comparison"],
            "language": ["fi", "fi", "fi", "sv", "sv", "sv", "sv", "other", "sv"],
        }
    )  # fmt: skip
    # 'i' is a 4th sv control
    m = coarsened_exact_match(clients, coarsening={"language": "exact"})
    w = m.matched.set_index("person_id")["weight"]
    # m_T = 3 (a, b, d), m_C = 5 (c, e, f, g, i)
    # fi control: (5/3) * (2/1) = 10/3; sv controls: (5/3) * (1/4) = 5/12
    assert w["a"] == 1.0 and w["b"] == 1.0 and w["d"] == 1.0
    assert w["c"] == pytest.approx(10 / 3)
    for p in "efgi":
        assert w[p] == pytest.approx(5 / 12)
    assert "h" not in w.index
    assert m.n_dropped["treated: stratum without controls"] == 1
    assert w[list("cefgi")].sum() == pytest.approx(5.0)
    # after weighting the control language distribution equals the treated one
    bal = m.balance()
    assert bal.loc["language=fi", "smd_after"] == pytest.approx(0.0, abs=1e-12)


def test_cem_cut_points_and_outside_values() -> None:
    clients = pd.DataFrame(
        {
            "person_id": ["a", "b", "c", "d", "e"],
            "group": ["pilot", "comparison", "pilot", "comparison", "comparison"],
            "age": [20, 24, 30, 49, 70],
        }
    )
    m = coarsened_exact_match(clients, coarsening={"age": [18, 25, 50, 65]})
    # [18,25): a,b ; [25,50): c,d ; 70 outside
    assert m.n_dropped["outside coarsening cut points"] == 1
    assert set(m.matched["person_id"]) == {"a", "b", "c", "d"}
    assert m.matched["weight"].tolist() == [1.0, 1.0, 1.0, 1.0]


def test_cem_reduces_bias() -> None:
    clients = simulated_clients(n=3000, seed=2)
    m = coarsened_exact_match(
        clients,
        coarsening={
            "age": [18, 25, 30, 35, 40, 45, 50, 55, 60, 65],
            "language": "exact",
            "education": "exact",
            "unemployment_days_at_entry": [0, 100, 200, 300, 400, 500, 700, 1000, 1500, np.inf],
        },
    )
    att = weighted_att(clients, m.matched)
    assert abs(att - TRUE_EFFECT) < 0.3


def test_bad_input_names_column_and_rows() -> None:
    clients = simulated_clients(n=50)
    with pytest.raises(InputError, match=r"(?s)clients.*'education'"):
        propensity_match(clients.drop(columns="education"), covariates=COVS)
    dup = clients.copy()
    dup["person_id"] = dup["person_id"].where(dup.index != 3, dup["person_id"].iloc[2])
    with pytest.raises(InputError, match=r"(?s)rows 3, 4, column 'person_id'"):
        propensity_match(dup, covariates=COVS)
    with pytest.raises(ParamsError, match="ratio"):
        propensity_match(clients, covariates=COVS, ratio=0)
    with pytest.raises(ParamsError, match=r"coarsening\.age"):
        coarsened_exact_match(clients, coarsening={"age": "weird"})


def test_missing_covariates_dropped_with_count() -> None:
    clients = simulated_clients(n=300)
    clients["age"] = clients["age"].astype(float)
    clients.loc[[0, 1, 2], "age"] = np.nan
    m = propensity_match(clients, covariates=COVS, seed=1)
    assert m.n_dropped["missing covariate"] == 3
    assert any("missing" in w for w in m.warnings)


# --- client outcomes, Kaplan-Meier, person fixed-effects DiD ------------------------------

from arviointi.errors import DesignError  # noqa: E402
from arviointi.matching import (  # noqa: E402
    client_outcomes,
    did_panel,
    kaplan_meier,
    kaplan_meier_by,
    outcome_summary,
    person_fe_did,
    subgroup_masks,
)
from arviointi.results import EffectResults  # noqa: E402


def se_of(result: EffectResults) -> float:
    assert result.se is not None
    return result.se


def months(start: str, n: int) -> list[pd.Timestamp]:
    return list(pd.date_range(start, periods=n, freq="MS"))


def tiny_clients() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["a", "b", "c", "d"],
            "group": ["pilot", "pilot", "comparison", "comparison"],
            "age": [24, 50, 49, 30],
            "language": ["fi", "other", "sv", "fi"],
            "education": ["basic", "basic", "secondary", "tertiary"],
            "unemployment_days_at_entry": [501, 500, 900, 10],
            "entry_month": pd.to_datetime(["2013-03-01", "2013-01-01", "2013-02-01", "2013-01-01"]),
        }
    )


def tiny_panel() -> pd.DataFrame:
    rows = []
    # a: entry 2013-03; observed 2013-01..2013-08: employed from 2013-05 (rel 2)
    for m, st in zip(months("2013-01-01", 8), ["unemployed"] * 4 + ["employed"] * 4, strict=True):
        rows.append(("a", m, st, 20, 300.0))
    # b: entry 2013-01; services, then outside; never employed, last seen rel 3
    for m, st in zip(months("2013-01-01", 4), ["services", "unemployed"] * 2, strict=True):
        rows.append(("b", m, st, 0 if st == "services" else 21, 0.0))
    # c: entry 2013-02; employed at entry (rel 0), unemployed rel 1, employed rel 2
    for m, st in zip(months("2013-02-01", 3), ["employed", "unemployed", "employed"], strict=True):
        rows.append(("c", m, st, 0, 0.0))
    # d: no rows at all; 'x' not a client
    rows.append(("x", pd.Timestamp("2013-01-01"), "employed", 0, 0.0))
    return pd.DataFrame(
        rows, columns=["person_id", "month", "status", "benefit_days", "municipal_share_eur"]
    )


def test_subgroup_masks() -> None:
    m = subgroup_masks(tiny_clients())
    assert m["over500"].tolist() == [True, False, True, False]
    assert m["under25"].tolist() == [True, False, False, False]
    assert m["over50"].tolist() == [False, True, False, False]
    assert m["foreign_language"].tolist() == [False, True, False, False]


def test_client_outcomes_by_hand() -> None:
    out = client_outcomes(tiny_clients(), tiny_panel(), window_months=4).set_index("person_id")
    # a: window 2013-03..2013-06 -> rel 0,1 unemployed, rel 2,3 employed
    assert out.loc["a", "months_observed"] == 4
    assert out.loc["a", "months_employed"] == 2
    assert out.loc["a", "time_to_employment"] == 2 and out.loc["a", "event"] == 1
    assert out.loc["a", "benefit_days"] == 80 and out.loc["a", "municipal_share_eur"] == 1200
    # b: censored at rel 3
    assert out.loc["b", "exit_to_work"] == 0
    assert out.loc["b", "time_to_employment"] == 3 and out.loc["b", "event"] == 0
    assert out.loc["c", "months_employed"] == 2 and out.loc["c", "time_to_employment"] == 0
    assert out.loc["d", "months_observed"] == 0 and np.isnan(out["exit_to_work"].astype(float)["d"])
    notes = " ".join(out.attrs["notes"])
    assert "1 person(s) in the panel but not in clients" in notes
    assert "1 client(s) have no panel rows" in notes
    s = outcome_summary(out.reset_index())
    allp = s[(s.subgroup == "all") & (s.group == "pilot")].iloc[0]
    assert allp["n_persons"] == 2 and allp["n_exit_to_work"] == 1
    assert allp["exit_to_work_pct"] == 50.0
    comp = s[(s.subgroup == "all") & (s.group == "comparison")].iloc[0]
    assert comp["n_persons"] == 2 and comp["n_with_data"] == 1


def test_client_panel_validation() -> None:
    bad = tiny_panel()
    bad.loc[1, "status"] = "working"
    bad.loc[2, "benefit_days"] = 40
    with pytest.raises(InputError, match=r"(?s)row 2, column 'status'.*row 3, column 'benefit"):
        client_outcomes(tiny_clients(), bad)
    with pytest.raises(InputError, match="'entry_month'"):
        client_outcomes(tiny_clients().drop(columns="entry_month"), tiny_panel())


def test_kaplan_meier_by_hand() -> None:
    km = kaplan_meier([1, 2, 2, 3, 4, 4, 5], [1, 1, 0, 1, 0, 1, 1]).set_index("time")
    assert km["n_at_risk"].tolist() == [7, 6, 4, 3, 1]
    expected = [6 / 7, 5 / 7, 15 / 28, 5 / 14, 0.0]
    assert km["survival"].tolist() == pytest.approx(expected)
    assert km.loc[2, "se"] == pytest.approx(5 / 7 * np.sqrt(1 / 42 + 1 / 30))
    out = client_outcomes(tiny_clients(), tiny_panel(), window_months=4)
    by = kaplan_meier_by(out)
    assert by.attrs["n_without_data"] == {"comparison": 1}
    pilot = by[by.group == "pilot"].set_index("time")
    assert pilot.loc[2, "survival"] == pytest.approx(0.5)  # a employed at 2, b at risk


def simulated_did_data(seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Persons observed 6 months before and 8 after entry; the pilot raises the monthly
    employment probability by 0.15 after entry; a common calendar trend; person effects."""
    rng = np.random.default_rng(seed)
    n = 300
    treated = np.arange(n) < 120
    entry = rng.integers(0, 12, n)
    base = rng.uniform(0.05, 0.35, n)
    crows = []
    prow = []
    for i in range(n):
        e = pd.Timestamp("2013-01-01") + pd.DateOffset(months=int(entry[i]))
        crows.append((f"p{i:03d}", "pilot" if treated[i] else "comparison", e))
        for r in range(-6, 8):
            m = e + pd.DateOffset(months=r)
            trend = 0.01 * (int(entry[i]) + r)
            pr = base[i] + trend + 0.05 * (r >= 0) + 0.15 * (treated[i] and r >= 0)
            st = "employed" if rng.random() < pr else "unemployed"
            prow.append((f"p{i:03d}", m, st))
    clients = pd.DataFrame(crows, columns=["person_id", "group", "entry_month"])
    panel = pd.DataFrame(prow, columns=["person_id", "month", "status"])
    return clients, panel


def test_person_fe_did_exact_2x2_algebra() -> None:
    # balanced two-period panel, no month effects: beta = difference of mean changes
    rng = np.random.default_rng(0)
    n = 40
    ids = [f"p{i}" for i in range(n)]
    treated = (np.arange(n) < 15).astype(int)
    y0, y1 = rng.normal(size=n), rng.normal(size=n) + 0.7 * treated
    panel = pd.DataFrame(
        {
            "person_id": ids * 2,
            "month": [pd.Timestamp("2013-01-01")] * n + [pd.Timestamp("2013-02-01")] * n,
            "post": [0] * n + [1] * n,
            "treated": list(treated) * 2,
            "treated_post": [0] * n + list(treated),
            "y": np.concatenate([y0, y1]),
        }
    )
    d = y1 - y0
    expected = d[treated == 1].mean() - d[treated == 0].mean()
    r0 = person_fe_did(panel, outcome="y", month_effects=False)
    r1 = person_fe_did(panel, outcome="y", month_effects=True)
    assert r0.estimate == pytest.approx(expected)
    assert r1.estimate == pytest.approx(expected)
    # with two periods the clustered SE equals the two-sample SE of the change (Welch form)
    # up to the CR1 factor G/(G-1) * (N-1)/(N-K)
    v = d[treated == 1].var(ddof=0) / 15 + d[treated == 0].var(ddof=0) / 25
    factor = n / (n - 1) * (2 * n - 1) / (2 * n - 3)
    assert r1.se == pytest.approx(np.sqrt(v * factor))
    assert r1.inference.df == n - 1


def test_person_fe_did_matches_pyfixest_with_weights() -> None:
    pf = pytest.importorskip("pyfixest")
    import warnings

    clients, panel = simulated_did_data()
    dp = did_panel(clients, panel, pre_months=6, post_months=8)
    w = pd.Series(
        1.0 + (np.arange(len(clients)) % 3), index=clients["person_id"].to_numpy(), dtype=float
    )
    res = person_fe_did(dp, outcome="employed", weights=w)
    data = dp.assign(month=dp["month"].astype(str), w=dp["person_id"].map(w))
    with warnings.catch_warnings():
        # pyfixest 0.60 calls a pandas API deprecated in pandas 3.1 (reset_index inplace)
        warnings.filterwarnings("ignore", message="The inplace keyword")
        fit = pf.feols(
            "employed ~ post + treated_post | person_id + month",
            data=data,
            vcov={"CRV1": "person_id"},
            ssc=pf.ssc(k_adj=True, G_adj=True, k_fixef="nonnested"),
            weights="w",
        )
        coef, se = float(fit.coef()["treated_post"]), float(fit.se()["treated_post"])
    assert res.estimate == pytest.approx(coef, rel=1e-6)
    assert res.se == pytest.approx(se, rel=1e-5)
    # and it recovers the planted effect (0.15) within sampling error
    assert abs(res.estimate - 0.15) < 3 * se_of(res) + 0.02


def test_person_fe_did_with_matching_and_design_errors() -> None:
    clients, panel = simulated_did_data(seed=9)
    dp = did_panel(clients, panel, pre_months=6, post_months=8)
    only_pilot = dp[dp["treated"] == 1]
    with pytest.raises(DesignError, match="treated and comparison"):
        person_fe_did(only_pilot)
    post_only = dp[dp["post"] == 1]
    with pytest.raises(DesignError, match="within-person"):
        person_fe_did(post_only)
    w = pd.Series(1.0, index=clients["person_id"].to_numpy())
    w.iloc[-10:] = 0.0
    res = person_fe_did(dp, weights=w)
    assert res.n_control == int((clients.group == "comparison").sum()) - 10
    assert any("10 person(s)" in x for x in res.inference.details["notes"])
    assert not res.warnings  # a note on the matched sample is not a method warning
    rec = res.to_record(section="clients")
    assert rec["model"] == "did_person_fe" and rec["inference"] == "cluster"


# --- matched effect ------------------------------------------------------------------------

import statsmodels.api as sm  # noqa: E402

from arviointi.matching import matched_effect  # noqa: E402


def test_matched_effect_against_statsmodels_wls() -> None:
    clients = simulated_clients(n=1500, seed=8)
    outcomes = clients[["person_id", "y"]]
    # 1:1 without replacement -> clustered by match set
    m = propensity_match(clients, covariates=COVS, seed=2)
    r = matched_effect(outcomes, m, outcome="y")
    d = m.matched.merge(outcomes, on="person_id")
    x = sm.add_constant(d["treated"].astype(float).to_numpy())
    fit = sm.WLS(d["y"].to_numpy(), x, weights=d["weight"].to_numpy()).fit(
        cov_type="cluster", cov_kwds={"groups": d["subclass"].to_numpy()}
    )
    assert r.estimate == pytest.approx(fit.params[1])
    assert r.estimate == pytest.approx(weighted_att(clients, m.matched))
    assert r.se == pytest.approx(fit.bse[1])
    assert r.inference.method == "cluster"
    # CEM -> HC1
    c = coarsened_exact_match(
        clients, coarsening={"language": "exact", "education": "exact", "age": 4}
    )
    rc = matched_effect(outcomes, c, outcome="y")
    dc = c.matched.merge(outcomes, on="person_id")
    xc = sm.add_constant(dc["treated"].astype(float).to_numpy())
    fc = sm.WLS(dc["y"].to_numpy(), xc, weights=dc["weight"].to_numpy()).fit(cov_type="HC1")
    assert rc.estimate == pytest.approx(fc.params[1])
    assert rc.se == pytest.approx(fc.bse[1])
    assert rc.inference.method == "robust"


def test_matched_effect_on_synthetic_turku_recovers_truth() -> None:
    from arviointi.data.synthetic import generate_turku

    s = generate_turku(1)
    out = client_outcomes(s.clients, s.client_panel, window_months=None)
    naive = out.groupby("group")[["months_employed", "months_observed"]].sum()
    naive_diff = (naive["months_employed"] / naive["months_observed"]).diff().iloc[-1]
    truth = s.truth.att("employed", "client")  # share of pilot client-months employed
    m = propensity_match(s.clients, seed=0)
    assert (m.balance()["smd_after"].abs() < 0.1).all()
    r = matched_effect(out, m, outcome="share_employed", obs_weight="months_observed")
    # pooled share of person-months; the naive comparison is biased by selection
    assert abs(naive_diff - truth) > 4 * se_of(r)  # diff over sorted groups = pilot - comparison
    assert abs(r.estimate - truth) < 3 * se_of(r)


def test_matched_effect_on_municipal_share_euros_synthetic() -> None:
    from arviointi.data.synthetic import generate_turku

    s = generate_turku(1)
    out = client_outcomes(s.clients, s.client_panel, window_months=None)
    m = propensity_match(s.clients, seed=0)
    r = matched_effect(
        out, m, outcome="municipal_share_eur_per_month", obs_weight="months_observed"
    )
    truth = s.truth.att("municipal_share_eur", "client")  # EUR per pilot client-month
    assert truth < 0
    assert abs(r.estimate - truth) < 3 * se_of(r)


def test_subgroup_effects_rows_and_small_groups() -> None:
    from arviointi.matching import subgroup_effects

    clients = simulated_clients(n=1200, seed=13)
    outcomes = clients[["person_id", "y"]]
    # make 'under25' tiny in the pilot so that matching there fails
    clients.loc[(clients.group == "pilot") & (clients.age < 25), "age"] = 30
    first_young = clients.index[clients.age < 25][0]
    clients.loc[first_young, "group"] = "pilot"
    tab = subgroup_effects(clients, outcomes, outcome="y", covariates=COVS, seed=4).set_index(
        "subgroup"
    )
    assert list(tab.index) == ["all", "over500", "under25", "over50", "foreign_language"]
    full = matched_effect(outcomes, propensity_match(clients, covariates=COVS, seed=4), outcome="y")
    assert tab.loc["all", "estimate"] == pytest.approx(full.estimate)
    assert tab.loc["all", "se"] == pytest.approx(full.se)
    over50 = clients[clients.age >= 50]
    assert tab.loc["over50", "n_treated"] == int((over50.group == "pilot").sum())
    # the planted effect is 1 in every subgroup
    est, se = tab["estimate"].astype(float), tab["se"].astype(float)
    assert abs(est["over500"] - TRUE_EFFECT) < 4 * se["over500"]
    # one treated young person: no matching possible; the row stays with its counts
    assert tab.loc["under25", "n_treated"] == 1
    assert np.isnan(est["under25"])
    assert "at least 2 treated" in tab["note"].astype(str)["under25"]
    with pytest.raises(ParamsError, match="subgroups"):
        subgroup_effects(clients, outcomes, outcome="y", subgroups=["over60"])


# --- properties ----------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hst  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(
    hst.lists(
        hst.tuples(hst.booleans(), hst.sampled_from(["fi", "sv", "other"]), hst.integers(0, 3)),
        min_size=4,
        max_size=40,
    )
)
def test_cem_weight_identities(rows: list[tuple[bool, str, int]]) -> None:
    clients = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(len(rows))],
            "group": ["pilot" if t else "comparison" for t, _, _ in rows],
            "language": [lang for _, lang, _ in rows],
            "band": [b for _, _, b in rows],
        }
    )
    try:
        m = coarsened_exact_match(clients, coarsening={"language": "exact", "band": "exact"})
    except (InputError, DesignError):
        return  # one group empty or no common stratum: rejected loudly, by design
    mt = m.matched[m.matched.treated]
    mc = m.matched[~m.matched.treated]
    # control weights sum to the number of matched controls
    assert mc["weight"].sum() == pytest.approx(len(mc))
    # within each stratum, weighted controls reproduce the treated share of the stratum
    for s in m.matched["subclass"].unique():
        share_t = (mt["subclass"] == s).sum() / len(mt)
        share_c = mc.loc[mc["subclass"] == s, "weight"].sum() / mc["weight"].sum()
        assert share_c == pytest.approx(share_t)
    # every person is accounted for: matched or dropped with a reason
    assert len(m.matched) + sum(m.n_dropped.values()) == len(clients)


@settings(max_examples=25, deadline=None)
@given(hst.integers(0, 10_000))
def test_propensity_without_replacement_uses_each_control_once(seed: int) -> None:
    clients = simulated_clients(n=120, seed=seed)
    m = propensity_match(clients, covariates=["age", "unemployment_days_at_entry"], seed=seed)
    c = m.matched[~m.matched.treated]
    assert c["person_id"].is_unique
    assert (c["weight"] == 1.0).all()
    assert len(m.matched) + sum(m.n_dropped.values()) == len(clients)


def test_employment_curve_by_hand() -> None:
    from arviointi.matching import employment_curve

    w = pd.Series({"a": 2.0, "b": 1.0, "c": 1.0, "d": 1.0})
    cur = employment_curve(tiny_clients(), tiny_panel(), max_months=4, weights=w)
    pilot = cur[cur.group == "pilot"].set_index("rel_month")
    # rel 0: a unemployed, b services -> 0 of 2; rel 2: a employed, b services -> 1 of 2
    assert pilot.loc[0, "n_persons"] == 2 and pilot.loc[0, "n_employed"] == 0
    assert pilot.loc[2, "share_employed"] == 0.5
    # weighted: a has weight 2, b 1 -> 2/3
    assert pilot.loc[2, "share_employed_weighted"] == pytest.approx(2 / 3)
    comp = cur[cur.group == "comparison"].set_index("rel_month")
    assert comp["n_employed"].tolist() == [1, 0, 1]  # c: employed, unemployed, employed


def test_weighted_kaplan_meier_matches_lifelines() -> None:
    import warnings

    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(16)
    n = 200
    time = rng.integers(1, 13, n).astype(float)
    event = (rng.random(n) < 0.6).astype(int)
    weights = rng.choice([0.25, 0.5, 1.0, 2.0, 3.5], n)
    km = kaplan_meier(time, event, weights).set_index("time")
    fitter = KaplanMeierFitter()
    with warnings.catch_warnings():  # lifelines warns that the weights are not integers
        warnings.simplefilter("ignore")
        fitter.fit(time, event, weights=weights)
    reference = fitter.survival_function_["KM_estimate"].reindex(km.index)
    assert km["survival"].to_numpy() == pytest.approx(reference.to_numpy(), rel=1e-12)
    table = fitter.event_table.reindex(km.index)
    assert km["n_at_risk"].to_numpy() == pytest.approx(table["at_risk"].to_numpy())
    assert km["n_persons_at_risk"].tolist() == [int((time >= t).sum()) for t in km.index]
    # unit weights give the unweighted estimator
    plain = kaplan_meier(time, event)
    assert plain["survival"].tolist() == pytest.approx(
        kaplan_meier(time, event, np.ones(n))["survival"].tolist()
    )
    # and by group, weights looked up by person_id (missing weight = 0)
    out = pd.DataFrame(
        {
            "person_id": [f"P{i}" for i in range(n)],
            "group": "comparison",
            "time_to_employment": time,
            "event": event,
        }
    )
    by = kaplan_meier_by(out, weights=pd.Series(weights, index=out["person_id"]))
    assert by["survival"].to_numpy() == pytest.approx(km["survival"].to_numpy())
