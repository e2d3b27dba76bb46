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
    dup.loc[3, "person_id"] = dup.loc[2, "person_id"]
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
