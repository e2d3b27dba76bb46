"""Description sheets (kuvailulehti, presentationsblad, description sheet) and the Swedish
summary at the front of every report; Swedish numbers and dates by Babel's CLDR rules."""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path
from typing import Any

import pytest

from arviointi.params.schema import ReportOptions
from arviointi.report import locale_format as lf
from arviointi.report.description import fill_pages, finding_sentence, front_matter
from arviointi.report.i18n import catalogue, placeholders
from arviointi.sections.synthesis import headline_findings, headline_table
from report_demo import report_demo

NBSP = "\u00a0"


def sheets(page: str) -> list[tuple[str, str]]:
    """(lang, text) of every front-matter section of a rendered report, in order."""
    found = re.findall(
        r'<section class="description-sheet[^"]*" lang="(\w+)"[^>]*>(.*?)</section>', page, re.S
    )
    return [(lang, html_module.unescape(re.sub(r"<[^>]+>", " ", body))) for lang, body in found]


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_three_sheets_and_a_sammandrag_at_the_front(demo: Any, lang: str) -> None:
    page = demo.html[lang].read_text(encoding="utf-8")
    found = sheets(page)
    others = [code for code in ("fi", "sv", "en") if code != lang]
    assert [code for code, _ in found] == [lang, *others, "sv"]
    assert page.index("description-sheet") < page.index('<nav class="toc"')
    text = dict(found[:3])
    assert "Kuvailulehti" in text["fi"] and "Presentationsblad" in text["sv"]
    assert "Description sheet" in text["en"]
    assert "Työ- ja elinkeinoministeriö" in text["fi"] and "TEM-raportteja 2026:12" in text["fi"]
    assert "Arbets- och näringsministeriet" in text["sv"] and "ANM-rapporter 2026:12" in text["sv"]
    assert (
        "sysselsättning, kommunförsök" in text["sv"] and "employment, municipal pilot" in text["en"]
    )
    assert "978-952-327-000-0" in text["en"] and "A. Arvioija, Ö. Åkerlund" in text["sv"]
    # dates in words, by CLDR's rules for each language
    assert "22. marraskuuta 2026" in text["fi"] and "22 november 2026" in text["sv"]
    assert "22 November 2026" in text["en"]
    # the abstract: the description, the overview and the clear finding in each language
    assert "Kokeilu yhdisti palvelut." in text["fi"] and "The pilot joined services." in text["en"]
    assert f"−1{NBSP}234,50 procentenheter" in text["sv"]
    assert "-1,234.50 percentage points" in text["en"]
    assert f"[−2{NBSP}000,25; −500,00]" in text["fi"]
    # the report's language named in each sheet's language
    name = {"fi": ("suomi", "finska", "Finnish"), "en": ("englanti", "engelska", "English")}[lang]
    assert name[0] in text["fi"] and name[1] in text["sv"] and name[2] in text["en"]


def test_sammandrag_lists_every_finding_in_swedish(demo: Any) -> None:
    summary = sheets(demo.html["fi"].read_text(encoding="utf-8"))[-1][1]
    assert "Sammandrag" in summary and "finska och engelska" in summary
    assert "Vi bedömde 2 resultatvariabler" in summary
    assert "Arbetslöshetsgrad: minskade tydligt" in summary
    assert f"95{NBSP}% konfidensintervall [−2{NBSP}000,25; −500,00]" in summary
    # no Swedish label in the params: the catalogue's Swedish outcome name
    assert "Arbetsförmåga: ingen tydlig förändring; skattning 0,46 poäng" in summary
    assert "syntetiska" in summary


def test_swedish_sentence_falls_back_to_the_english_label() -> None:
    finding = {"outcome": "new_outcome", "label": {"fi": "Uusi", "en": "New outcome"},
               "estimate": 2.0, "ci_low": 1.0, "ci_high": 3.0, "unit": "eur",
               "verdict": "increase"}  # fmt: skip
    sentence = finding_sentence(finding, "sv", 95)
    assert sentence.startswith("New outcome: ökade tydligt; skattning 2,00 euro")
    assert finding_sentence(finding, "fi", 95).startswith("Uusi: nousi selvästi; arvio 2,00 euroa")


def test_swedish_numbers_and_dates_follow_cldr() -> None:
    assert lf.number(-1234.5, "sv", 2) == f"−1{NBSP}234,50"
    assert lf.number(0.5, "sv", 1) == "0,5"
    assert lf.number(float("nan"), "sv") == "–" and lf.number(None, "sv") == "–"
    assert lf.integer(1234567, "sv") == f"1{NBSP}234{NBSP}567"
    assert lf.interval(-1.25, 2.5, "sv", 2) == "[−1,25; 2,50]"
    assert lf.date_long("2026-03-01", "sv") == "1 mars 2026"
    assert lf.date_long("2026-03-01", "fi") == "1. maaliskuuta 2026"
    assert lf.date_long("2026-03-01", "en") == "1 March 2026"
    assert lf.date_long("syksy 2026", "sv") == "syksy 2026"
    # Finnish and English keep the report's own formats
    assert lf.number(-1234.5, "fi", 2) == f"−1{NBSP}234,50"
    assert lf.number(-1234.5, "en", 2) == "-1,234.50"


def test_swedish_messages_exist_in_finnish_and_english() -> None:
    sv, fi, en = catalogue("sv"), catalogue("fi"), catalogue("en")
    assert set(sv) - set(fi) == set() and set(sv) - set(en) == set()
    sheet_keys = {k for k in fi if k.startswith("sheet.")}
    assert sheet_keys == set(sv)  # Swedish has exactly the sheet and summary messages
    for key in sv:
        assert placeholders(sv[key]) == placeholders(fi[key]), key


def test_pages_placeholder_is_filled() -> None:
    meta = report_demo().demo_meta()
    page = front_matter(meta, "fi")
    assert page.count('<span class="arv-pages">–</span>') == 3
    assert fill_pages(page, 37).count('<span class="arv-pages">37</span>') == 3


def test_headline_findings_match_the_headline_table() -> None:
    base = {"model": "did", "inference": "cluster", "n": 10, "unit": "area.unit.pp"}
    records = [
        {**base, "section": "wellbeing", "outcome": "b", "role": "primary", "estimate": 0.3,
         "ci_low": -0.1, "ci_high": 0.7},
        {**base, "section": "employment", "outcome": "a", "role": "primary", "estimate": -1.0,
         "ci_low": -1.5, "ci_high": -0.5},
        {**base, "section": "employment", "outcome": "c", "role": "primary", "estimate": -2.0,
         "ci_low": -3.0, "ci_high": -1.0},
        {**base, "section": "employment", "outcome": "c", "role": "diagnostic",
         "model": "pretrend_test", "estimate": 0.0, "ci_low": None, "ci_high": None,
         "pvalue": 0.001},
    ]  # fmt: skip
    findings = headline_findings(records, alpha=0.05)
    table = headline_table(records, synthetic=False, alpha=0.05)
    assert [f["outcome"] for f in findings] == ["a", "c", "b"]
    assert [f["verdict"] for f in findings] == list(table["verdict"])
    assert [f["verdict"] for f in findings] == ["decrease", "trends_differ", "no_clear_change"]
    sentence = finding_sentence(findings[1], "sv", 90)
    assert (
        "ingen tillförlitlig skattning" in sentence and "90\u00a0% konfidensintervall" in sentence
    )


def test_report_params_for_the_sheets() -> None:
    import datetime as dt

    options = ReportOptions.model_validate(
        {"publisher": {"fi": "TEM", "sv": "ANM"}, "date": dt.date(2026, 11, 22),
         "keywords": {"sv": ["sysselsättning"]}}
    )  # fmt: skip
    assert options.date == "2026-11-22" and options.keywords.sv == ["sysselsättning"]
    assert options.publisher is not None and options.publisher.sv == "ANM"
    with pytest.raises(ValueError, match="date"):
        ReportOptions.model_validate({"date": "22.11.2026"})


def test_every_synthesis_verdict_has_a_sheet_text_in_every_sheet_language() -> None:
    """A verdict the synthesis can give (synthesis.verdict.*) must be sayable on the
    description sheets in Finnish, Swedish and English (a run failed on one that was not)."""
    import yaml

    from arviointi.report.i18n import has_message

    path = Path(__file__).resolve().parents[2] / "src/arviointi/report/catalogue"
    verdicts = yaml.safe_load((path / "synthesis.en.yaml").read_text(encoding="utf-8"))
    keys = verdicts["synthesis"]["verdict"]
    assert "method_warning" in keys
    for key in keys:
        for lang in ("fi", "sv", "en"):
            assert has_message(f"sheet.verdict.{key}", lang), (key, lang)
