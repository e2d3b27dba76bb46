"""Well-being: paired change against hand computations and scipy, attrition with response
weights on simulated missing-at-random drop-out, themes by wave by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from arviointi.errors import InputError
from arviointi.wellbeing import attrition_table, paired_change, themes_by_wave


def survey_from(before: list[float], after: list[float], scale: str = "wellbeing") -> pd.DataFrame:
    ids = [f"p{i}" for i in range(len(before))]
    return pd.DataFrame(
        {
            "person_id": ids + ids,
            "wave": [0] * len(ids) + [1] * len(ids),
            scale: list(before) + list(after),
        }
    )


def test_paired_change_by_hand() -> None:
    # differences 1..5: mean 3, SD sqrt(2.5); all positive -> exact Wilcoxon p = 2/2^5
    before = [25.0, 26, 24, 27, 25]
    after = [26.0, 28, 27, 31, 30]
    r = paired_change(survey_from(before, after), "wellbeing").iloc[0]
    assert r["n_pairs"] == 5
    assert r["mean_change"] == pytest.approx(3.0)
    assert r["sd_change"] == pytest.approx(math.sqrt(2.5))
    assert r["d_z"] == pytest.approx(3 / math.sqrt(2.5))
    assert r["p_wilcoxon"] == pytest.approx(2 / 32)
    # g_av: SDs sqrt(1.3) and sqrt(4.3); correction 1 - 3/(4*4 - 1) = 0.8
    assert r["g_av"] == pytest.approx(3 / ((math.sqrt(1.3) + math.sqrt(4.3)) / 2) * 0.8)
    ref = stats.ttest_rel(after, before)
    assert r["t"] == pytest.approx(ref.statistic)
    assert r["p_ttest"] == pytest.approx(ref.pvalue)
    assert r["g_av_ci_low"] < r["g_av"] < r["g_av_ci_high"]


def test_paired_change_against_scipy_with_attrition_and_groups() -> None:
    rng = np.random.default_rng(4)
    n = 120
    before = rng.integers(1, 11, n).astype(float)
    after = np.clip(before + rng.normal(0.5, 1.5, n).round(), 1, 10)
    s = survey_from(list(before), list(after), "life_management")
    s["group"] = np.tile(np.where(np.arange(n) % 2 == 0, "pilot", "comparison"), 2)
    # 20 persons miss wave 1; 3 have a missing answer at wave 0
    s = s.drop(index=s.index[(s.wave == 1) & s.person_id.isin([f"p{i}" for i in range(20)])])
    s.loc[(s.wave == 0) & s.person_id.isin(["p50", "p51", "p52"]), "life_management"] = np.nan
    out = paired_change(s, "life_management", group="group").set_index("group")
    for g in ("pilot", "comparison"):
        ids = [f"p{i}" for i in range(20, n) if (i % 2 == 0) == (g == "pilot")]
        ids = [i for i in ids if i not in {"p50", "p51", "p52"}]
        idx = [int(i[1:]) for i in ids]
        b, a = before[idx], after[idx]
        row = out.loc[g]
        assert row["n_pairs"] == len(ids)
        assert row["p_ttest"] == pytest.approx(stats.ttest_rel(a, b).pvalue)
        assert row["p_wilcoxon"] == pytest.approx(stats.wilcoxon(a, b).pvalue)
        assert row["n_attrited"] == 10
    assert out["n_wave_from"].sum() == n - 3


def test_dz_interval_covers_at_nominal_rate() -> None:
    rng = np.random.default_rng(12)
    true_dz, n, hits, reps = 0.5, 15, 0, 300
    for _ in range(reps):
        d = rng.normal(true_dz, 1.0, n)
        s = survey_from([30.0] * n, list(30.0 + d))
        r = paired_change(s, "wellbeing", n_boot=0).iloc[0]
        hits += r["d_z_ci_low"] <= true_dz <= r["d_z_ci_high"]
    # binomial sd at 0.95 with 300 reps is about 0.0126
    assert 0.91 <= hits / reps <= 0.99


def test_survey_validation() -> None:
    s = survey_from([5.0, 6.0], [7.0, 80.0])
    with pytest.raises(InputError, match=r"(?s)row 4, column 'wellbeing'.*<= 70"):
        paired_change(s, "wellbeing")
    with pytest.raises(InputError, match="'work_ability'"):
        paired_change(s, "work_ability")
    dup = pd.concat([s.iloc[:1], s], ignore_index=True)
    with pytest.raises(InputError, match="one row per"):
        paired_change(dup, "wellbeing")


def test_attrition_ipw_recovers_mean_change_under_mar() -> None:
    rng = np.random.default_rng(21)
    n = 4000
    x = np.clip(rng.normal(40, 8, n), 14, 70)
    change = 2.0 + 0.5 * (40 - x) + rng.normal(0, 2, n)  # population mean change = 2
    respond = rng.random(n) < 1 / (1 + np.exp(-(x - 40) / 4))  # higher baseline stays
    ids = [f"p{i}" for i in range(n)]
    survey = pd.concat(
        [
            pd.DataFrame({"person_id": ids, "wave": 0, "wellbeing": x}),
            pd.DataFrame(
                {
                    "person_id": np.array(ids)[respond],
                    "wave": 1,
                    "wellbeing": np.clip((x + change)[respond], 14, 70),
                }
            ),
        ],
        ignore_index=True,
    )
    clients = pd.DataFrame(
        {
            "person_id": ids,
            "group": np.where(np.arange(n) % 2 == 0, "pilot", "comparison"),
            "age": rng.integers(18, 64, n),
        }
    )
    a = attrition_table(survey, clients, scales=["wellbeing"], covariates=["age"])
    resp = a["response_by_wave"]
    assert resp.loc[resp.wave == 0, "response_rate"].tolist() == [1.0, 1.0]
    assert resp.loc[resp.wave == 1, "n_responded"].sum() == respond.sum()
    cmp = a["completers_vs_dropouts"].set_index("variable")
    assert cmp.loc["wellbeing", "pvalue"] < 1e-10
    assert cmp.loc["wellbeing", "mean_completers"] == pytest.approx(x[respond].mean())
    assert cmp.loc["age", "pvalue"] > 0.001
    ipw = a["ipw"].set_index("scale").loc["wellbeing"]
    clipped_true = float(np.mean(np.clip(x + change, 14, 70) - x))
    assert ipw["mean_change"] < clipped_true - 1.0  # complete cases are biased
    assert ipw["mean_change_ipw"] == pytest.approx(clipped_true, abs=0.4)
    assert 0 < ipw["ess"] <= respond.sum()


def test_themes_by_wave_by_hand() -> None:
    coded = pd.DataFrame(
        {
            "person_id": ["a", "a", "b", "c", "a", "b", "b"],
            "wave": [0, 0, 0, 0, 1, 1, 1],
            "theme": ["debt", "housing", "debt", "debt", "work", "work", "debt"],
        }
    )
    t = themes_by_wave(coded)
    w0 = t[t.wave == 0].set_index("theme")
    assert w0.loc["debt", "n_respondents"] == 3 and w0.loc["debt", "n_segments"] == 3
    assert w0.loc["housing", "share_pct"] == pytest.approx(100 / 3)
    w1 = t[t.wave == 1].set_index("theme")
    assert w1.loc["work", "n_respondents_wave"] == 2
    assert w1.loc["work", "share_pct"] == 100.0
    assert t.iloc[0]["theme"] == "debt"
    bad = coded.copy()
    bad.loc[2, "theme"] = None
    with pytest.raises(InputError, match=r"row 3, column 'theme'"):
        themes_by_wave(bad)


def test_change_difference_against_scipy_and_synthetic_truth() -> None:
    from arviointi.data.synthetic import generate_turku
    from arviointi.wellbeing import change_difference

    s = generate_turku(1)
    sv = s.survey.merge(s.clients[["person_id", "group"]], on="person_id")
    r = change_difference(sv, "wellbeing", wave_from=0, wave_to=2)
    wide = sv.pivot(index="person_id", columns="wave", values="wellbeing").dropna(subset=[0, 2])
    grp = s.clients.set_index("person_id")["group"].reindex(wide.index)
    ch = wide[2] - wide[0]
    ref = stats.ttest_ind(ch[grp == "pilot"], ch[grp == "comparison"], equal_var=False)
    assert r.estimate == pytest.approx(ch[grp == "pilot"].mean() - ch[grp == "comparison"].mean())
    assert r.pvalue == pytest.approx(ref.pvalue)
    assert r.tstat == pytest.approx(ref.statistic)
    truth = s.truth.att("wellbeing", "survey", 2, 2)
    assert r.se is not None and abs(r.estimate - truth) < 3 * r.se


def test_register_indicator_panel_by_hand() -> None:
    from arviointi.wellbeing import register_indicator_panel

    ap = pd.DataFrame(
        {
            "area": ["V", "V", "P", "P"],
            "month": pd.to_datetime(["2012-12-01", "2013-01-01"] * 2),
            "social_assistance_recipients": [120, 110, 30, 31],
            "population": [8000, 8000, 2000, 2000],
        }
    )
    reg = register_indicator_panel(ap, pilot_areas=["V"], pilot_start="2013-01")
    reg = reg.set_index(["area", "month"])
    assert reg.loc[("V", pd.Timestamp("2012-12-01")), "rate"] == pytest.approx(15.0)
    assert reg.loc[("P", pd.Timestamp("2013-01-01")), "rate"] == pytest.approx(15.5)
    assert reg["treated"].tolist() == [0, 0, 0, 1]  # sorted: P, P, V, V
    # the 2x2 DiD on the rates by hand: (13.75 - 15) - (15.5 - 15) = -1.75
    r = reg["rate"]
    dd = (r["V"].iloc[1] - r["V"].iloc[0]) - (r["P"].iloc[1] - r["P"].iloc[0])
    assert dd == pytest.approx(-1.75)
    bad = ap.copy()
    bad.loc[3, "population"] = 0
    with pytest.raises(InputError, match=r"row 4, column 'population'"):
        register_indicator_panel(bad, pilot_areas=["V"], pilot_start="2013-01")
    with pytest.raises(InputError, match="pilot area"):
        register_indicator_panel(ap, pilot_areas=["Varissuo"], pilot_start="2013-01")
