"""Synthesis: verdict rules, headline table, assumptions log and limitations from records."""

from __future__ import annotations

import math
from typing import Any

import pytest

from arviointi.report.emitter import Emitter
from arviointi.report.mime import REPORT_MIME
from arviointi.sections import synthesis as syn


def rec(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "section": "employment",
        "outcome": "unemployment_rate",
        "model": "did",
        "estimate": -1.4,
        "se": 0.3,
        "ci_low": -2.0,
        "ci_high": -0.8,
        "pvalue": 0.01,
        "inference": "permutation",
        "inference_reason": "one treated unit",
        "n": 100,
        "n_treated": 1,
        "n_control": 20,
        "true_effect": None,
        "warnings": [],
        "role": "primary",
        "level": "area",
        "label": {"fi": "Työttömyysaste", "en": "Unemployment rate"},
    }
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("lo", "hi", "est", "expected"),
    [
        (-2.0, -0.5, -1.0, "decrease"),
        (0.5, 2.0, 1.0, "increase"),
        (-0.5, 2.0, 0.7, "no_clear_change"),
        (None, None, 0.7, "no_valid_interval"),
        (math.nan, 1.0, 0.7, "no_valid_interval"),
        (0.0, 2.0, 1.0, "no_clear_change"),  # an interval touching zero does not exclude it
    ],
)
def test_verdict_rule(lo: Any, hi: Any, est: float, expected: str) -> None:
    assert syn.verdict_of(rec(ci_low=lo, ci_high=hi, estimate=est)) == expected


def test_covers_truth() -> None:
    assert syn.covers_truth(rec(true_effect=-1.5)) is True
    assert syn.covers_truth(rec(true_effect=-2.5)) is False
    assert syn.covers_truth(rec(true_effect=None)) is None
    assert syn.covers_truth(rec(true_effect=-1.5, ci_low=None)) is None


def test_headline_keeps_primary_records_in_section_order() -> None:
    records = [
        rec(section="costs", outcome="municipal_share_eur", label={"fi": "Kuntaosuus"}),
        rec(role="diagnostic", model="pretrend_test", pvalue=0.5),
        rec(role="robustness", model="synth"),
        rec(ci_low=-0.5, ci_high=1.0, estimate=0.2),
    ]
    table = syn.headline_table(records, synthetic=False)
    assert list(table["section"]) == ["employment", "costs"]
    assert list(table["verdict"]) == ["no_clear_change", "decrease"]
    assert table.loc[1, "outcome"] == {"fi": "Kuntaosuus", "en": "Kuntaosuus"}
    assert "true_effect" not in table.columns
    assert "true_effect" in syn.headline_table(records, synthetic=True).columns


def test_a_failed_trend_check_overrides_a_clear_interval() -> None:
    """An interval that excludes zero is no finding when trends differed before the pilot."""
    clear = rec(estimate=2.3, ci_low=1.3, ci_high=3.2, outcome="foreign")
    other = rec(outcome="youth")
    for model, p in [("pretrend_test", 1e-7), ("placebo_in_time", 0.001)]:
        diag = rec(role="diagnostic", model=model, pvalue=p, outcome="foreign")
        table = syn.headline_table([clear, other, diag], synthetic=False, alpha=0.05)
        assert list(table["verdict"]) == ["trends_differ", "decrease"]
    passing = rec(role="diagnostic", model="pretrend_test", pvalue=0.2, outcome="foreign")
    table = syn.headline_table([clear, passing], synthetic=False, alpha=0.05)
    assert list(table["verdict"]) == ["increase"]
    keys = [k for k, _ in syn.limitations_for([clear, diag], synthetic=False, missing_sections=[])]
    assert "synthesis.limitation.trends_differ" in keys


def test_units_in_words() -> None:
    eur = syn._unit(rec(unit="eur"))
    assert eur["en"] == "euros" and eur["fi"] and eur["fi"] != "eur"
    assert syn._unit(rec(unit="share"))["en"] == "share (0-1)"
    assert syn._unit(rec(unit=None)) == {"fi": "", "en": ""}


def test_without_primary_roles_every_effect_estimate_is_headline() -> None:
    records = [rec(role=None), rec(role="diagnostic", model="pretrend_test")]
    for r in records:
        if r["role"] is None:
            del r["role"]
    assert len(syn.headline_table(records, synthetic=False)) == 1


def test_assumptions_log_rules() -> None:
    records = [
        rec(role="diagnostic", model="pretrend_test", pvalue=0.41),
        rec(role="diagnostic", model="pretrend_test", pvalue=0.01, outcome="kela_list"),
        rec(role="diagnostic", model="placebo_in_time", ci_low=-0.3, ci_high=0.4, estimate=0.05),
        rec(role="diagnostic", model="leave_one_out", ci_low=-1.6, ci_high=-1.1),
        rec(),
        rec(ci_low=None, ci_high=None, outcome="youth", inference="permutation"),
    ]
    log = syn.assumptions_log(records, alpha=0.05)
    assert list(log["assumption"]) == [
        "parallel_trends",
        "parallel_trends",
        "no_anticipation",
        "no_single_comparison",
        "valid_inference",
        "valid_inference",
    ]
    assert list(log["status"]) == [
        "no_evidence_against",
        "evidence_against",
        "no_evidence_against",
        "information",
        "information",
        "no_valid_interval",
    ]
    assert "0,41" in log.loc[0, "evidence"]["fi"] and "0.41" in log.loc[0, "evidence"]["en"]
    assert "20" in log.loc[4, "evidence"]["en"]  # the design facts travel into the reason


def test_limitations_follow_the_design() -> None:
    one = syn.limitations_for([rec()], synthetic=True, missing_sections=["costs"])
    keys = [k for k, _ in one]
    assert "synthesis.limitation.one_treated" in keys
    assert "synthesis.limitation.synthetic" in keys
    missing = dict(one)["synthesis.limitation.missing_sections"]["sections"]
    assert missing == {"fi": "kustannukset", "en": "costs"}
    ten = syn.limitations_for([rec(n_treated=10)], synthetic=False, missing_sections=[])
    assert [k for k, _ in ten] == ["synthesis.limitation.few_treated"]
    assert dict(ten)["synthesis.limitation.few_treated"] == {"n": 10}
    client = syn.limitations_for(
        [rec(level="client", n_treated=500, warnings=["w"])], synthetic=False, missing_sections=[]
    )
    assert [k for k, _ in client] == [
        "synthesis.limitation.client_selection",
        "synthesis.limitation.warnings",
    ]


def test_emit_writes_summary_methods_and_limitations_in_both_languages() -> None:
    bundles: list[dict[str, Any]] = []
    em = Emitter(
        {"disclosure": {"threshold": 5}},
        languages=("fi", "en"),
        display=lambda b, **_: bundles.append(b),
    )
    records = [
        rec(true_effect=-1.5),
        rec(role="diagnostic", model="pretrend_test", pvalue=0.41),
        rec(section="costs", outcome="cost", ci_low=None, ci_high=None, true_effect=-3.0),
    ]
    analysis = syn.SynthesisAnalysis(
        records=records,
        headline=syn.headline_table(records, synthetic=True),
        assumptions=syn.assumptions_log(records, alpha=0.05),
        limitations=syn.limitations_for(records, synthetic=True, missing_sections=[]),
        synthetic=True,
        coverage=(1, 1),
    )
    syn.emit_synthesis(analysis, em)
    content = [b[REPORT_MIME] for b in bundles if REPORT_MIME in b]
    sections = {c["section"] for c in content}
    assert sections == {"summary", "methods", "limitations"}
    tables = [c for c in content if c["kind"] == "table"]
    assert len(tables) == 2
    fi, en = tables[0]["html"]["fi"], tables[0]["html"]["en"]
    assert "Laski" in fi and "Fell" in en
    assert "Epävarmuutta ei voi arvioida" in fi
    assert "−1,40" in fi or "-1,40" in fi
    assert "Työttömyysaste" in fi and "Unemployment rate" in en


def test_assumptions_log_for_client_and_power_diagnostics() -> None:
    records = [
        rec(role="diagnostic", model="balance_max_smd", estimate=0.08, ci_low=None, ci_high=None),
        rec(role="diagnostic", model="balance_max_smd", estimate=0.25, ci_low=None, ci_high=None),
        rec(role="diagnostic", model="mde", estimate=0.8, ci_low=None, ci_high=None, unit="pp"),
        # uninformative records stay in results.json but not in the log
        rec(role="diagnostic", model="leave_one_out", ci_low=None, ci_high=None, pvalue=None),
        rec(role="diagnostic", model="share_rule_check", ci_low=None, ci_high=None, pvalue=None),
        rec(role="diagnostic", model="inference_choice"),
    ]
    log = syn.assumptions_log(records, alpha=0.05)
    assert list(log["assumption"]) == ["matching_balance", "matching_balance", "power"]
    assert list(log["status"]) == ["no_evidence_against", "evidence_against", "information"]
    assert "0,80" in log.loc[2, "evidence"]["fi"]


def test_assumptions_log_shows_the_variance_check_and_the_inference_it_led_to() -> None:
    noisy = rec(
        inference="scaled_dl",
        variance_check={"ratio": 2.4, "low": 1.6, "high": 3.5, "size_ratio": None},
    )
    like = rec(
        outcome="youth",
        inference="donald_lang",
        variance_check={"ratio": 1.0, "low": 0.9, "high": 1.1, "size_ratio": None},
    )
    log = syn.assumptions_log([noisy, like, rec(outcome="x", variance_check=None)], alpha=0.05)
    rows = log[log.assumption == "equal_noise"]
    assert list(rows.status) == ["evidence_against", "no_evidence_against"]
    first = rows.iloc[0].evidence
    assert "2,40" in first["fi"] and "2.40" in first["en"]
    assert "scaled to each unit" in first["en"] and "suhteutettu" in first["fi"]


WARNING = "cluster-robust inference with 1 treated cluster over-rejects badly"


def test_a_method_warning_or_no_inference_never_gives_a_confident_verdict() -> None:
    # the interval excludes zero, but the estimator warned about its own inference
    warned = rec(inference="cluster", warnings=[WARNING])
    assert syn.verdict_of(warned) == "method_warning"
    assert syn.verdict_of(rec(inference="none")) == "no_valid_interval"
    head = syn.headline_table([warned], synthetic=False)
    assert head["verdict"].tolist() == ["method_warning"]
    log = syn.assumptions_log([warned], alpha=0.05)
    row = log.loc[log["assumption"] == "method_warning"].iloc[0]
    assert row["status"] == "method_warning"
    assert row["evidence"]["en"] == f"The method warned: {WARNING}"
    assert WARNING in row["evidence"]["fi"]
    limitations = dict(syn.limitations_for([warned], synthetic=False, missing_sections=[]))
    assert limitations["synthesis.limitation.warnings"] == {"n": 1}


def test_the_summary_says_why_a_warned_estimate_is_not_a_finding() -> None:
    bundles: list[dict[str, Any]] = []
    em = Emitter(
        {"disclosure": {"threshold": 5}},
        languages=("fi", "en"),
        display=lambda b, **_: bundles.append(b),
    )
    records = [rec(inference="cluster", warnings=[WARNING])]
    analysis = syn.SynthesisAnalysis(
        records=records,
        headline=syn.headline_table(records, synthetic=False),
        assumptions=syn.assumptions_log(records, alpha=0.05),
        limitations=syn.limitations_for(records, synthetic=False, missing_sections=[]),
        synthetic=False,
        coverage=None,
    )
    syn.emit_synthesis(analysis, em)
    content = [b[REPORT_MIME] for b in bundles if REPORT_MIME in b]
    en = "\n".join(c["html"]["en"] for c in content)
    fi = "\n".join(c["html"]["fi"] for c in content)
    assert "Of these, 0 changed clearly" in en
    assert "the method warned that its confidence interval cannot be trusted" in en
    assert "Unemployment rate" in en and "Työttömyysaste" in fi
    assert "Not reliable (the method warns about its interval)" in en
    assert "Fell" not in en and "Laski" not in fi
    assert f"The method warned: {WARNING}" in en
    assert "They were reviewed in the evaluation" not in en
    assert "is not\nread as a finding" in en or "is not read as a finding" in en


def test_a_client_estimate_from_a_small_group_is_suppressed_in_headline_and_sheets() -> None:
    from arviointi.report.description import finding_sentence

    small = rec(level="client", outcome="employed", n_treated=27, n_control=300, estimate=-0.24)
    large = rec(level="client", outcome="share", n_treated=60, n_control=300, estimate=-1.0)
    area = rec(n_treated=1, n_control=20)  # one treated AREA is not a small group of persons
    table = syn.headline_table([small, large, area], synthetic=False, threshold=50)
    assert list(table["verdict"]) == ["suppressed", "decrease", "decrease"]
    assert math.isnan(table.loc[0, "estimate"]) and table.loc[1, "estimate"] == -1.0
    assert "0,24" not in str(table.loc[0, "interval"]) and "-2" not in str(table.loc[0, "interval"])
    # without a threshold (or under it) nothing is hidden
    assert syn.headline_table([small], synthetic=False).loc[0, "verdict"] == "decrease"
    assert (
        syn.headline_table([small], synthetic=False, threshold=27).loc[0, "verdict"] == "decrease"
    )
    findings = syn.headline_findings([small, large], threshold=50)
    assert findings[0]["verdict"] == "suppressed"
    assert findings[0]["estimate"] is None and findings[0]["ci_low"] is None
    for lang in ("fi", "sv", "en"):
        sentence = finding_sentence(findings[0], lang, 95)
        assert not any(ch.isdigit() for ch in sentence), sentence
