"""Cost section: the share rule against the generator's own benefit rules, the DiD on
municipal-share euros against the planted truth, budget totals and the derived figures by
exact algebra, and the plain no-data text of the Tampere evaluation."""

from __future__ import annotations

import math
import re

import pytest

from arviointi.sections import costs, open_evaluation
from arviointi.sections.context import EvaluationContext
from section_bundles import PERSON_ID, TAMPERE, collect, records, report_html


@pytest.fixture(scope="module")
def analysis(ctx: EvaluationContext) -> costs.CostsAnalysis:
    return costs.analyse_costs(ctx)


def test_pre2015_rule_reproduces_the_recorded_share_before_2015(
    analysis: costs.CostsAnalysis,
) -> None:
    """The generator bills with its own rules (pre-2015 until 2014, the 2015 rules after):
    the pre2015 rule set must agree exactly before 2015 and differ in 2015."""
    by_year = analysis.rule_agreement_by_year.set_index("year")["agree_pct"]
    assert by_year.loc[2013] == 100.0 and by_year.loc[2014] == 100.0
    assert by_year.loc[2015] < 100.0
    assert analysis.rule_agreement_pct is not None and analysis.rule_agreement_pct < 100.0


def test_did_on_recorded_euros_covers_the_truth(analysis: costs.CostsAnalysis) -> None:
    assert analysis.did_recorded is not None and analysis.true_share is not None
    lo, hi = analysis.did_recorded.conf_int()
    assert lo <= analysis.true_share <= hi
    assert analysis.true_share < 0  # the pilot lowers the municipal share


def test_budget_totals_and_derived_figures(
    ctx: EvaluationContext, analysis: costs.CostsAnalysis
) -> None:
    ledger = ctx.frames["costs"]
    tab = costs.budget_table(analysis)
    assert tab.loc["all", "actual"] == pytest.approx(ledger["actual"].sum())
    assert tab.loc["all", "municipal_net"] == pytest.approx(
        ledger["actual"].sum() - ledger["grant"].sum()
    )
    years = tab.drop(index="all")
    assert years["budget"].sum() == pytest.approx(tab.loc["all", "budget"])
    # cost per additional employed = actual cost / (employment effect x matched clients)
    ce = analysis.effectiveness
    assert analysis.employment is not None
    # n_pilot: all pilot clients (the costs are theirs), not only the matched ones
    assert analysis.n_pilot == int((ctx.frames["clients"]["group"] == "pilot").sum())
    expected = ledger["actual"].sum() / (analysis.employment.estimate * analysis.n_pilot)
    if analysis.employment.estimate > 0:
        assert ce["cost_per_additional_employed"] == pytest.approx(expected)
    # net savings = -(effect per client-month x treated months) - the city's own cost
    ns = analysis.savings
    assert analysis.did is not None
    gross = -analysis.did.estimate * analysis.treated_months
    own_cost = float(tab["municipal_net"].to_dict()["all"])
    assert ns["net_savings"] == pytest.approx(gross - own_cost)
    assert ns["ci_low"] < ns["net_savings"] < ns["ci_high"]


def test_per_client_counts_are_pilot_clients_per_year(
    ctx: EvaluationContext, analysis: costs.CostsAnalysis
) -> None:
    c, p = ctx.frames["clients"], ctx.frames["client_panel"]
    pilot = set(c.loc[c["group"] == "pilot", "person_id"])
    served = p[p["person_id"].isin(pilot)]
    n_2014 = served.loc[served["month"].dt.year == 2014, "person_id"].nunique()
    pc = analysis.per_client.assign(year=analysis.per_client["year"].astype(str))
    assert pc.set_index("year")["n_clients"].astype(int).to_dict()["2014"] == n_2014


def test_emitted_content(ctx: EvaluationContext, analysis: costs.CostsAnalysis) -> None:
    em, bundles = collect(ctx)
    costs.emit_costs(analysis, em)
    assert not PERSON_ID.search(report_html(bundles))
    recs = records(bundles)
    assert {r["section"] for r in recs} == {"costs"}
    primary = [r for r in recs if r["role"] == "primary"]
    assert len(primary) == 1 and primary[0]["rule_set"] == "pre2015"
    # the computed share follows another rule in 2015 than the data: no truth beside it
    assert primary[0]["true_effect"] is None
    recorded = next(r for r in recs if r["model"] == "did_person_fe_recorded")
    assert recorded["true_effect"] == pytest.approx(analysis.true_share)
    assert any(r["model"] == "share_rule_check" for r in recs)
    ce = next(r for r in recs if r["model"] == "cost_effectiveness")
    assert analysis.true_employment is not None
    total = float(ctx.frames["costs"]["actual"].sum())
    assert ce["true_effect"] == pytest.approx(total / (analysis.true_employment * analysis.n_pilot))
    assert ce["ci_low"] <= ce["true_effect"] <= (ce["ci_high"] or math.inf)
    for r in recs:
        for key in ("estimate", "ci_low", "ci_high"):
            assert r[key] is None or math.isfinite(r[key])


def test_tampere_states_the_target_and_invents_nothing() -> None:
    ctx = open_evaluation(params_file=TAMPERE)
    analysis = costs.analyse_costs(ctx)
    assert not analysis.has_clients and not analysis.has_ledger
    assert analysis.target is not None and analysis.target.amount_eur == 966_582
    em, bundles = collect(ctx)
    costs.emit_costs(analysis, em)
    assert records(bundles) == []
    html = report_html(bundles)
    assert "966,582" in html  # English
    assert re.search(r"966[\s\u00a0\u202f]582", html)  # Finnish
    assert "monthly invoices of the municipal share" in html
    assert not any(b.get("text/plain", "").startswith("[figure]") for b in bundles)


def test_the_target_comes_from_params_not_from_the_evaluation_id() -> None:
    """The same params under another id give the same target and the same report text."""
    ctx = open_evaluation(params_file=TAMPERE)
    assert ctx.evaluation.cost_rules is not None and ctx.evaluation.cost_rules.target is not None
    renamed = open_evaluation({**ctx.params, "id": "another-city-2017"}, root=ctx.evaluation.root)
    em, bundles = collect(ctx)
    costs.emit_costs(costs.analyse_costs(ctx), em)
    em2, bundles2 = collect(renamed)
    costs.emit_costs(costs.analyse_costs(renamed), em2)
    assert report_html(bundles2) == report_html(bundles) and "966" in report_html(bundles)
    without = {**ctx.params, "cost_rules": {**ctx.params["cost_rules"], "target": None}}
    assert costs.analyse_costs(open_evaluation(without, root=ctx.evaluation.root)).target is None
