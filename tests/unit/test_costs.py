"""Costs: budget vs actual with the 75 % grant (domain.md figures), cost-effectiveness
intervals, net savings and target progress (Tampere -3 % = about 966 582 EUR)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from arviointi.costs import (
    budget_vs_actual,
    cost_effectiveness,
    cost_per_client,
    net_savings,
    target_progress,
)
from arviointi.errors import InputError, ParamsError

# domain.md pilot budget (EUR)
BUDGET = {
    2012: {"staff": 90_000, "purchased services": 50_000, "other costs": 35_000},
    2013: {"staff": 270_000, "purchased services": 200_000, "other costs": 50_000},
    2014: {"staff": 270_000, "purchased services": 200_000, "other costs": 50_000},
    2015: {"staff": 270_000, "purchased services": 200_000, "other costs": 50_000},
}


def ledger() -> pd.DataFrame:
    rows = []
    for year, cats in BUDGET.items():
        for cat, b in cats.items():
            actual = b + (10_000 if (year, cat) == (2014, "staff") else 0)
            rows.append(
                {"year": year, "category": cat, "budget": b, "actual": actual, "grant": 0.75 * b}
            )
    return pd.DataFrame(rows)


def test_budget_vs_actual_domain_figures() -> None:
    t = budget_vs_actual(ledger(), grant_rate=0.75)
    tot = t[t["category"] == "total"].set_index("year")
    assert tot.loc[2012, "budget"] == 175_000
    assert tot.loc[2012, "grant"] == 131_250
    assert tot.loc[2013, "budget"] == 520_000
    assert tot.loc[2013, "grant"] == 390_000
    assert tot.loc[2013, "grant_share_pct"] == pytest.approx(75.0)
    assert tot.loc[2013, "municipal_net"] == 130_000
    # 2014: staff overran by 10 000
    assert tot.loc[2014, "variance"] == 10_000
    assert tot.loc[2014, "variance_pct"] == pytest.approx(100 * 10_000 / 520_000)
    assert tot.loc[2014, "grant_at_rate"] == pytest.approx(0.75 * 530_000)
    assert tot.loc[2014, "municipal_net"] == 530_000 - 390_000
    assert tot.loc[2014, "grant_over_rate"] == pytest.approx(390_000 - 397_500)
    assert tot.loc[2013, "grant_over_rate"] == pytest.approx(0.0)
    staff14 = t[(t["year"] == 2014) & (t["category"] == "staff")].iloc[0]
    assert staff14["variance_pct"] == pytest.approx(100 * 10_000 / 270_000)
    assert tot.loc["all", "budget"] == 175_000 + 3 * 520_000
    assert tot.loc["all", "grant"] == 131_250 + 3 * 390_000


def test_budget_without_grant_column_uses_rate_and_notes_it() -> None:
    t = budget_vs_actual(ledger().drop(columns="grant"), grant_rate=0.75)
    tot = t[t["category"] == "total"].set_index("year")
    assert tot.loc[2013, "grant"] == 390_000
    assert t.attrs["notes"]


def test_budget_bad_input() -> None:
    bad = ledger()
    bad["actual"] = bad["actual"].astype(object)
    bad.loc[4, "actual"] = -5
    bad.loc[6, "actual"] = "x"
    with pytest.raises(InputError, match=r"(?s)row 7, column 'actual'.*row 5, column 'actual'"):
        budget_vs_actual(bad)
    with pytest.raises(InputError, match="'budget'"):
        budget_vs_actual(ledger().drop(columns="budget"))
    with pytest.raises(ParamsError, match="grant_rate"):
        budget_vs_actual(ledger(), grant_rate=75)


def test_cost_per_client() -> None:
    t = budget_vs_actual(ledger())
    c = cost_per_client(t, {2012: 35, 2013: 130, 2014: 200, 2015: 260}).set_index("year")
    assert c.loc[2013, "cost_per_client"] == pytest.approx(4000.0)
    assert c.loc[2013, "municipal_net_per_client"] == pytest.approx(1000.0)
    assert c.loc["all", "n_clients"] == 625
    with pytest.raises(InputError, match=r"n_clients\[2015\]"):
        cost_per_client(t, {2012: 35, 2013: 130, 2014: 200})


def test_cost_effectiveness_fieller_by_hand() -> None:
    # 390 000 EUR, 300 clients, effect 8 pp (se 3 pp): 24 additional employed, 16 250 EUR each
    ce = cost_effectiveness(390_000, 0.08, 0.03, 300)
    assert ce["cost_per_client"] == 1300
    assert ce["additional_employed"] == pytest.approx(24)
    assert ce["cost_per_additional_employed"] == pytest.approx(16_250)
    z = 1.959963984540054
    lo_e, hi_e = 0.08 - z * 0.03, 0.08 + z * 0.03  # 0.0212011, 0.1387989
    assert ce["ci_low"] == pytest.approx(390_000 / (300 * hi_e))
    assert ce["ci_high"] == pytest.approx(390_000 / (300 * lo_e))
    assert 9366 < ce["ci_low"] < 9367 and 61317 < ce["ci_high"] < 61318
    assert ce["defined"]
    assert ce["share_effect_nonpositive"] == pytest.approx(stats.norm.cdf(-0.08 / 0.03))


def test_cost_effectiveness_when_effect_interval_includes_zero() -> None:
    ce = cost_effectiveness(390_000, 0.04, 0.03, 300)
    assert not ce["defined"]
    assert math.isinf(ce["ci_high"])
    assert "no finite upper limit" in ce["note"]
    sim = cost_effectiveness(390_000, 0.04, 0.03, 300, method="simulation", seed=1)
    assert sim["share_draws_nonpositive"] == pytest.approx(stats.norm.cdf(-4 / 3), abs=0.005)
    assert math.isinf(sim["ci_high"])
    neg = cost_effectiveness(390_000, -0.05, 0.01, 300)
    assert math.isnan(neg["cost_per_additional_employed"]) and not neg["defined"]


def test_simulation_agrees_with_fieller_far_from_zero() -> None:
    f = cost_effectiveness(390_000, 0.2, 0.02, 300)
    s = cost_effectiveness(390_000, 0.2, 0.02, 300, method="simulation", seed=3)
    d = cost_effectiveness(390_000, 0.2, 0.02, 300, method="delta")
    # quantiles of a monotone transform = transform of quantiles
    assert s["ci_low"] == pytest.approx(f["ci_low"], rel=0.01)
    assert s["ci_high"] == pytest.approx(f["ci_high"], rel=0.01)
    # delta: half-width z * C/n * se/e^2 = 1.96 * 1300 * 0.5 = 1274.0
    assert d["ci_high"] - d["cost_per_additional_employed"] == pytest.approx(
        1.959963984540054 * 1300 * 0.02 / 0.04
    )
    with pytest.raises(ParamsError, match="effect_se"):
        cost_effectiveness(1.0, 0.1, 0.0, 10)


def test_net_savings_by_hand() -> None:
    # -12.5 EUR per treated person-month, se 4, over 900 persons x 12 months = 10 800
    ns = net_savings(-12.5, 4.0, 130_000, scale=10_800)
    assert ns["gross_savings"] == pytest.approx(135_000)
    assert ns["net_savings"] == pytest.approx(5_000)
    assert ns["se"] == pytest.approx(43_200)
    assert ns["prob_net_positive"] == pytest.approx(stats.norm.cdf(5_000 / 43_200))
    assert ns["ci_low"] == pytest.approx(5_000 - 1.959963984540054 * 43_200)
    assert ns["break_even_effect"] == pytest.approx(-130_000 / 10_800)


def test_target_progress_tampere() -> None:
    # 3 % of 32 219 400 EUR is the published 966 582 EUR
    p = target_progress(
        {2016: 32_219_400, 2017: 31_900_000, 2018: 31_200_000}, base_year=2016, target_pct=-3.0
    )
    assert p["target_change_eur"] == pytest.approx(-966_582)
    assert p["target_amount"] == pytest.approx(32_219_400 - 966_582)
    by = p["by_year"].set_index("year")
    assert by.loc[2017, "change_eur"] == pytest.approx(-319_400)
    assert by.loc[2017, "change_pct"] == pytest.approx(-100 * 319_400 / 32_219_400)
    assert not by.loc[2017, "met"]
    assert by.loc[2018, "met"]
    assert by.loc[2018, "gap_eur"] == pytest.approx(-1_019_400 + 966_582)
    assert p["at_target_year"]["year"] == 2018
    q = target_progress(pd.Series({2017: 31_900_000.0}), base_amount=32_219_400)
    assert q["target_change_eur"] == pytest.approx(-966_582)
    with pytest.raises(InputError, match="year 2016"):
        target_progress({2017: 1.0, 2018: 2.0})
    with pytest.raises(InputError, match="year 2017"):
        target_progress({2016: 1.0, 2017: np.nan})


# --- municipal share from benefit days -----------------------------------------------------

from arviointi.costs import municipal_share_from_days  # noqa: E402


def share_case() -> tuple[pd.DataFrame, pd.DataFrame]:
    clients = pd.DataFrame(
        {"person_id": ["a", "b", "c", "d"], "unemployment_days_at_entry": [290, 480, 990, 0]}
    )
    panel = pd.DataFrame(
        {
            "person_id": ["a", "b", "c", "c", "d"],
            "month": pd.to_datetime(
                ["2015-01-01", "2014-03-01", "2015-05-01", "2015-06-01", "2014-01-01"]
            ),
            "status": ["unemployed", "unemployed", "unemployed", "services", "unemployed"],
            "benefit_days": [31, 22, 21, 20, 21],
        }
    )
    return clients, panel


def test_municipal_share_from_days_by_hand() -> None:
    clients, panel = share_case()
    out = municipal_share_from_days(panel, clients, daily_eur=10.0).set_index(
        ["person_id", "month"]
    )["municipal_share_eur_computed"]
    # a, 2015: days 291..321 -> 10 state days, 21 at 50 % = 10.5 days
    assert out[("a", pd.Timestamp("2015-01-01"))] == pytest.approx(105.0)
    # b, 2014 (pre-2015 rule): days 481..502 -> 2 days past 500 at 50 % = 1 day
    assert out[("b", pd.Timestamp("2014-03-01"))] == pytest.approx(10.0)
    # c, 2015: days 991..1011 -> 10 at 50 % + 11 at 70 % = 12.7 days
    assert out[("c", pd.Timestamp("2015-05-01"))] == pytest.approx(127.0)
    # c in services: state-paid
    assert out[("c", pd.Timestamp("2015-06-01"))] == 0.0
    assert out[("d", pd.Timestamp("2014-01-01"))] == 0.0


def test_municipal_share_rule_set_is_a_parameter() -> None:
    clients, panel = share_case()

    def eur(rules: Any) -> pd.Series:
        out = municipal_share_from_days(panel, clients, daily_eur=10.0, rules=rules)
        return out["municipal_share_eur_computed"]

    pre = eur("pre2015")
    # pre-2015 rule applied to a (days 291..321): nothing past 500 -> 0; c: 991..1011 at 50 %
    assert pre.iloc[0] == 0.0
    assert pre.iloc[2] == pytest.approx(21 * 0.5 * 10)
    new = eur("2015")
    # 2015 rule applied to b (481..502): all in 301..1000 at 50 % -> 11 days
    assert new.iloc[1] == pytest.approx(110.0)
    flat = eur(((1, 1.0),))
    assert flat.iloc[0] == pytest.approx(310.0)
    with pytest.raises(ParamsError, match="rules"):
        eur(((0, 0.5),))
    with pytest.raises(ParamsError, match="rules"):
        eur("2016")


def test_municipal_share_matches_synthetic_generator() -> None:
    # an independent implementation: the synthetic generator bills with its own rule code
    from arviointi.data.synthetic import DAILY_SUBSIDY_EUR, generate_turku

    s = generate_turku(3)
    out = municipal_share_from_days(s.client_panel, s.clients, daily_eur=DAILY_SUBSIDY_EUR)
    ref = s.client_panel.sort_values(["person_id", "month"])["municipal_share_eur"].to_numpy()
    assert np.abs(out["municipal_share_eur_computed"].to_numpy() - ref).max() <= 0.006
    assert out["municipal_share_eur_computed"].sum() > 0
