"""Well-being section: the survey change difference against a by-hand computation and the
planted truth, the register DiD against a by-hand two-way fixed-effects regression, the
attrition tables, and the no-data branch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from arviointi.report.mime import RECORD_MIME, REPORT_MIME
from arviointi.sections import open_evaluation, wellbeing
from arviointi.sections.comparison import resolve_comparison
from arviointi.sections.context import EvaluationContext
from section_bundles import PERSON_ID, SMALL, TAMPERE, collect, records, report_html


@pytest.fixture(scope="module")
def analysis(ctx: EvaluationContext) -> wellbeing.WellbeingAnalysis:
    return wellbeing.analyse_wellbeing(ctx)


def test_change_difference_by_hand_and_truth(
    ctx: EvaluationContext, analysis: wellbeing.WellbeingAnalysis
) -> None:
    sv = ctx.frames["survey"].merge(ctx.frames["clients"][["person_id", "group"]])
    wide = sv.pivot_table(index=["person_id", "group"], columns="wave", values="wellbeing")
    wide = wide.dropna(subset=[0, 2]).reset_index()
    change = wide[2] - wide[0]
    by_hand = change[wide["group"] == "pilot"].mean() - change[wide["group"] == "comparison"].mean()
    res = analysis.changes["wellbeing"]
    assert res.estimate == pytest.approx(by_hand, abs=1e-12)
    for scale, res in analysis.changes.items():
        lo, hi = res.conf_int()
        truth = analysis.truths[scale]
        assert truth is not None and lo <= truth <= hi, scale


def test_register_did_equals_two_way_fixed_effects_by_hand(
    ctx: EvaluationContext, analysis: wellbeing.WellbeingAnalysis
) -> None:
    (reg,) = analysis.register
    areas = ["Varissuo", *resolve_comparison(ctx.evaluation, ctx.frames).areas]
    d = ctx.frames["districts"]
    d = d[d["area"].isin(areas) & (d["month"] >= "2010-01-01") & (d["month"] <= "2015-12-01")]
    rate = d["social_assistance_recipients"] / d["population"] * 1000
    treated = ((d["area"] == "Varissuo") & (d["month"] >= "2013-01-01")).astype(float)
    x = pd.concat(
        [
            treated.rename("d"),
            pd.get_dummies(d["area"], dtype=float),
            pd.get_dummies(d["month"], dtype=float).iloc[:, 1:],
        ],
        axis=1,
    ).to_numpy()
    beta = np.linalg.lstsq(x, rate.to_numpy(dtype=float), rcond=None)[0]
    assert reg.result.estimate == pytest.approx(beta[0], abs=1e-9)
    assert reg.true_effect is not None and reg.true_effect < 0
    lo, hi = reg.result.conf_int()
    assert lo <= reg.true_effect <= hi
    assert reg.loo_min is not None and reg.loo_max is not None
    assert reg.loo_min <= reg.result.estimate <= reg.loo_max


def test_attrition_and_paired_tables_are_aggregate(
    analysis: wellbeing.WellbeingAnalysis,
) -> None:
    resp = wellbeing.response_table(analysis)
    assert set(resp["wave"]) == {0, 1, 2}
    assert (resp["n_responded"] <= resp["n_clients"]).all()
    # response falls by wave (the generator: 0.95 / 0.78 / 0.68 before adjustments)
    pilot = resp[resp["group"] == "pilot"].set_index("wave")["response_pct"]
    assert pilot[0] > pilot[1] > pilot[2]
    paired = wellbeing.paired_table(analysis)
    assert len(paired) == 6 and (paired["n_pairs"] > 0).all()
    fig = wellbeing.figure_frame(analysis)
    assert ((fig[["before", "after"]] >= 0) & (fig[["before", "after"]] <= 100)).all().all()


def test_emitted_content(ctx: EvaluationContext, analysis: wellbeing.WellbeingAnalysis) -> None:
    em, bundles = collect(ctx)
    wellbeing.emit_wellbeing(analysis, em)
    html = report_html(bundles)
    assert not PERSON_ID.search(html)
    recs = records(bundles)
    primary = {r["outcome"]: r for r in recs if r["role"] == "primary"}
    assert set(primary) == {
        "life_management",
        "work_ability",
        "wellbeing",
        "social_assistance_recipients",
    }
    assert all(r["true_effect"] is not None and r["label"]["en"] for r in primary.values())
    diag = {r["model"] for r in recs if r["role"] == "diagnostic"}
    expected = {"pretrend_test", "leave_one_out", "inference_choice", "attrition_ipw_shift"}
    assert expected | {"placebo_in_time"} <= diag
    assert "No coded qualitative material" in html
    (loo,) = [r for r in recs if r["model"] == "leave_one_out"]
    (reg,) = analysis.register
    assert (loo["ci_low"], loo["ci_high"]) == pytest.approx((reg.loo_min, reg.loo_max))
    (placebo,) = [r for r in recs if r["model"] == "placebo_in_time"]
    assert placebo["true_effect"] == 0.0  # no effect before the pilot


def test_no_survey_no_register_says_so() -> None:
    ctx = open_evaluation(params_file=TAMPERE)
    analysis = wellbeing.analyse_wellbeing(ctx)
    assert not analysis.has_survey and analysis.register == []
    em, bundles = collect(ctx)
    wellbeing.emit_wellbeing(analysis, em)
    assert not any(RECORD_MIME in b for b in bundles)
    html = "\n".join(b[REPORT_MIME]["html"]["en"] for b in bundles if REPORT_MIME in b)
    assert "no client survey data" in html and "no register data" in html


def test_early_checkpoint_has_no_follow_up_survey_yet() -> None:
    ctx = open_evaluation(params_file=SMALL, as_of="2013-06")
    analysis = wellbeing.analyse_wellbeing(ctx)
    assert analysis.follow_up_pending and not analysis.has_survey
    em, bundles = collect(ctx)
    wellbeing.emit_wellbeing(analysis, em)
    html = "\n".join(b[REPORT_MIME]["html"]["en"] for b in bundles if REPORT_MIME in b)
    assert "follow-up survey has not yet been answered" in html
