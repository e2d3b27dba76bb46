"""The front matter of a report as the government publication series has it: description
sheets in Finnish, Swedish and English (kuvailulehti, presentationsblad, description
sheet) and a Swedish summary (sammandrag) of the headline findings.

Filled from :class:`~arviointi.report.meta.ReportMeta`: title, authors, the ``report:``
publication facts of the params (publisher, series, ISBN, ...), the date, the keywords and
an abstract written from the headline findings (``meta.findings``, see
:func:`arviointi.sections.synthesis.headline_findings`). The page count is a placeholder
(``<span class="arv-pages">``) that the PDF step fills in (:func:`fill_pages`). Swedish
numbers and dates come from Babel (:mod:`locale_format`); each sheet carries its own
``lang`` so that a screen reader switches voice.

    html = front_matter(meta, lang="fi")
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from arviointi.report import formatting as fm
from arviointi.report import locale_format as lf
from arviointi.report.i18n import SHEET_LANGUAGES, has_message, t
from arviointi.report.meta import ReportMeta
from arviointi.report.table_markup import scroll_wrap

PAGES_PLACEHOLDER = '<span class="arv-pages">' + fm.MISSING + "</span>"
_PAGES = re.compile(r'<span class="arv-pages">[^<]*</span>')
_UNIT_PREFIXES = ("area.unit.", "synthesis.unit.", "unit.")


def fill_pages(html_text: str, pages: int) -> str:
    """``html_text`` with the page count written into the description sheets."""
    return _PAGES.sub(f'<span class="arv-pages">{pages}</span>', html_text)


def _in(text: Any, lang: str) -> str:
    """A ``{"fi", "en", "sv"}`` text in ``lang`` (Swedish falls back to English, then
    Finnish; English to Finnish)."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if not isinstance(text, Mapping):
        return str(text)
    order = {"fi": ("fi", "en"), "en": ("en", "fi"), "sv": ("sv", "en", "fi")}[lang]
    return next((str(text[k]) for k in order if text.get(k)), "")


def _unit(unit: Any, lang: str) -> str:
    if not unit:
        return ""
    name = str(unit)
    for prefix in _UNIT_PREFIXES:
        name = name.removeprefix(prefix)
    if has_message(f"sheet.unit.{name}", lang):
        return t(f"sheet.unit.{name}", lang)
    report_lang = lang if lang in ("fi", "en") else "en"
    for key in (str(unit), f"unit.{name}", f"synthesis.unit.{name}"):
        if has_message(key, report_lang):
            return t(key, report_lang)
    return str(unit)


def finding_sentence(finding: Mapping[str, Any], lang: str, level: int) -> str:
    """One headline finding in a sentence, numbers in the language's format."""
    label = dict(finding.get("label") or {})
    label.setdefault("fi", str(finding.get("outcome", "")))
    own = f"sheet.outcome.{finding.get('outcome')}"
    if lang == "sv" and not label.get("sv") and has_message(own, "sv"):
        label["sv"] = t(own, "sv")
    if finding["verdict"] == "suppressed":
        return t(
            "sheet.finding_suppressed",
            lang,
            outcome=_in(label, lang),
            verdict=t("sheet.verdict.suppressed", lang),
        )
    return t(
        "sheet.finding",
        lang,
        outcome=_in(label, lang),
        verdict=t(f"sheet.verdict.{finding['verdict']}", lang),
        estimate=lf.number(finding.get("estimate"), lang, 2),
        unit=_unit(finding.get("unit"), lang),
        level=level,
        interval=lf.interval(finding.get("ci_low"), finding.get("ci_high"), lang, 2),
    ).replace("  ", " ")


def _overview(findings: Sequence[Mapping[str, Any]], lang: str) -> str:
    if not findings:
        return t("sheet.none", lang)
    verdicts = [f["verdict"] for f in findings]
    return t(
        "sheet.overview",
        lang,
        n=len(findings),
        n_clear=sum(v in ("increase", "decrease") for v in verdicts),
        n_unclear=verdicts.count("no_clear_change"),
    )


def abstract(meta: ReportMeta, lang: str) -> list[str]:
    """The abstract: the evaluation's description, the overview and the clear findings."""
    out = []
    description = _in(meta.description, lang) if lang != "sv" else meta.description.get("sv")
    if description:
        out.append(description)
    out.append(_overview(meta.findings, lang))
    clear = [f for f in meta.findings if f["verdict"] in ("increase", "decrease")]
    out += [finding_sentence(f, lang, meta.confidence) for f in clear]
    if meta.synthetic:
        out.append(t("sheet.synthetic", lang))
    return out


def _row(label_key: str, value: str, lang: str, *, raw: bool = False) -> str:
    shown = value if raw else html.escape(value or fm.MISSING)
    return f'<tr><th scope="row">{html.escape(t(label_key, lang))}</th><td>{shown}</td></tr>'


def sheet(meta: ReportMeta, lang: str, report_lang: str) -> str:
    """The description sheet in ``lang`` of the report written in ``report_lang``."""
    pub = meta.publication
    series = _in(pub.get("series"), lang)
    if pub.get("series_number"):
        series = f"{series} {pub['series_number']}".strip()
    date = str(pub.get("date") or meta.date)
    keywords = pub.get("keywords") or {}
    words = keywords.get(lang) or (keywords.get("en") if lang == "sv" else None) or []
    abstract_html = "".join(f"<p>{html.escape(p)}</p>" for p in abstract(meta, lang))
    rows = [
        _row("sheet.publisher", _in(pub.get("publisher"), lang), lang),
        _row("sheet.commissioned_by", _in(pub.get("commissioned_by"), lang), lang),
        _row("sheet.authors", ", ".join(meta.authors), lang),
        _row("sheet.title_of", _in(meta.title, lang), lang),
        _row("sheet.series", series, lang),
        _row("sheet.evaluation_id", meta.evaluation_id, lang),
        _row("sheet.isbn", str(pub.get("isbn") or ""), lang),
        _row("sheet.issn", str(pub.get("issn") or ""), lang),
        _row("sheet.urn", str(pub.get("urn") or ""), lang),
        _row("sheet.pages", PAGES_PLACEHOLDER, lang, raw=True),
        _row("sheet.language", t(f"sheet.language_name.{report_lang}", lang), lang),
        _row("sheet.date", lf.date_long(date, lang), lang),
        _row("sheet.keywords", ", ".join(str(w) for w in words), lang),
        _row("sheet.abstract", abstract_html, lang, raw=True),
    ]
    heading = html.escape(t("sheet.heading", lang))
    table = f'<table class="sheet-table"><tbody>{"".join(rows)}</tbody></table>'
    return (
        f'<section class="description-sheet" lang="{lang}" aria-labelledby="sheet-{lang}">'
        f'<h2 class="sheet-title" id="sheet-{lang}">{heading}</h2>'
        f"{scroll_wrap(table, t('sheet.heading', lang))}</section>"
    )


def swedish_summary(meta: ReportMeta, report_languages: Sequence[str]) -> str:
    """The sammandrag: the headline findings in Swedish."""
    names = [t(f"sheet.language_name.{code}", "sv") for code in report_languages]
    languages = " och ".join(names) if len(names) <= 2 else ", ".join(names)
    items = "".join(
        f"<li>{html.escape(finding_sentence(f, 'sv', meta.confidence))}</li>" for f in meta.findings
    )
    parts = [
        f"<p>{html.escape(t('sheet.summary_lead', 'sv', languages=languages))}</p>",
        f'<p class="arv-headline">{html.escape(_overview(meta.findings, "sv"))}</p>',
    ]
    if items:
        parts.append(f"<ul>{items}</ul>")
    if meta.synthetic:
        parts.append(f"<p>{html.escape(t('sheet.synthetic', 'sv'))}</p>")
    return (
        '<section class="description-sheet sammandrag" lang="sv" aria-labelledby="sammandrag">'
        f'<h2 class="sheet-title" id="sammandrag">{html.escape(t("sheet.summary_heading", "sv"))}'
        f"</h2>{''.join(parts)}</section>"
    )


def front_matter(meta: ReportMeta, lang: str) -> str:
    """The three description sheets (the report's language first) and the sammandrag."""
    order = [lang, *(code for code in SHEET_LANGUAGES if code != lang)]
    languages = meta.report_languages or [lang]
    return "".join(sheet(meta, code, lang) for code in order) + swedish_summary(meta, languages)
