"""Disclosure campaign on a whole report (issue 16, item 5).

tests/fixtures/robustness/disclosure.yaml runs the client-level notebooks on few synthetic
clients (70 pilot, 160 comparison), so that most cells hold 1-49 persons, with the
disclosure threshold raised to 50 in params. Then every published output is scanned:

* every HTML table (both languages) and every Word table: each cell of a column that counts
  persons is the marker, 0, or at least 50;
* subtraction: a subgroup row subtracted from its "all clients" row, and a part (persons who
  answered, persons with a gap) subtracted from its whole, leaves 0 or at least 50 persons;
* the figure data CSV files embedded in the HTML: their person counts likewise;
* the PDF text holds no digits that the HTML does not (it is printed from the HTML; page
  numbers aside), so it publishes nothing the HTML scan has not checked.

The scan is not vacuous: it requires hidden cells, visible counts of at least 50, and the
count columns it knows to be found in the report.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest

from arviointi.pipeline.run import run_evaluation
from arviointi.report.i18n import t

ROBUST = Path(__file__).parents[1] / "fixtures" / "robustness"
THRESHOLD = 50
MARKER = ".."
#: catalogue keys of the table columns that count persons
COUNT_COLUMNS = (
    "clients.col.n_treated",
    "clients.col.n_control",
    "clients.col.n_treated_matched",
    "clients.col.n_persons",
    "wellbeing.col.n_pairs",
    "wellbeing.col.n_clients",
    "wellbeing.col.n_responded",
    "costs.col.n_clients",
    "quality.column.persons",
    "quality.column.n_missing",
    "quality.column.with_gaps",
)
#: (part, whole) column keys: whole - part is a group of persons too
PARTS = (
    ("wellbeing.col.n_responded", "wellbeing.col.n_clients"),
    ("quality.column.with_gaps", "quality.column.persons"),
    ("clients.col.n_treated_matched", "clients.col.n_treated"),
)
LANGS = ("fi", "en")


class Tables(HTMLParser):
    """The tables of an HTML page: header texts and rows of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.links: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("data:text/csv"):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def count_of(text: str) -> int | None:
    """The whole number a cell shows (any thousands separator), None for other text."""
    digits = re.sub(r"[\s\u00a0\u202f,]", "", text)
    return int(digits) if digits.isdigit() else None


def labels(lang: str) -> dict[str, set[str]]:
    """Header text -> the count column keys that print as it (two may share a label)."""
    out: dict[str, set[str]] = {}
    for key in COUNT_COLUMNS:
        out.setdefault(t(key, lang), set()).add(key)
    return out


def check_table(rows: list[list[str]], lang: str, where: str) -> tuple[int, int]:
    """Assert the rules on one table; return (hidden count cells, visible count cells)."""
    if not rows:
        return 0, 0
    known = labels(lang)
    header = rows[0]
    columns = {key: j for j, h in enumerate(header) for key in known.get(h, ())}
    hidden = visible = 0
    body = [r for r in rows[1:] if len(r) == len(header)]
    for key, j in columns.items():
        for r in body:
            if r[j] == MARKER:
                hidden += 1
                continue
            n = count_of(r[j])
            assert n is not None, f"{where}: {key} cell {r[j]!r} is not a count"
            assert n == 0 or n >= THRESHOLD, f"{where}: {key} shows {n} persons ({r})"
            visible += 1
    for part, whole in PARTS:
        if part in columns and whole in columns:
            for r in body:
                p, w = count_of(r[columns[part]]), count_of(r[columns[whole]])
                if p is not None and w is not None:
                    rest = w - p
                    assert rest == 0 or rest >= THRESHOLD, f"{where}: {whole} - {part} = {rest}"
    overall = t("clients.subgroup.all", lang)
    first = [r for r in body if r and r[0] == overall]
    if first:
        for j in columns.values():
            total = count_of(first[0][j])
            for r in body:
                n = count_of(r[j])
                if total is not None and n is not None:
                    rest = total - n
                    assert rest == 0 or rest >= THRESHOLD, f"{where}: all - {r[0]} = {rest}"
    return hidden, visible


def figure_csvs(links: list[str]) -> list[list[dict[str, str]]]:
    out = []
    for href in links:
        text = urllib.parse.unquote(href.split(",", 1)[1]).lstrip("\ufeff")
        out.append(list(csv.DictReader(io.StringIO(text))))
    return out


def numbers(text: str) -> set[int]:
    """The digit runs of a text as numbers (a PDF line break may split "0,001" anywhere)."""
    return {int(m) for m in re.findall(r"\d+", text)}


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("disclosure")
    run = run_evaluation(ROBUST / "disclosure.yaml", output_root=out, jobs=1, use_cache=False)
    return run.output_dir


@pytest.mark.slow
def test_no_html_or_figure_data_holds_a_small_cell(campaign: Path) -> None:
    hidden = visible = 0
    found: set[str] = set()
    for lang in LANGS:
        page = Tables()
        page.feed((campaign / f"report-{lang}.html").read_text(encoding="utf-8"))
        for k, rows in enumerate(page.tables):
            h, v = check_table(rows, lang, f"report-{lang}.html table {k + 1}")
            hidden, visible = hidden + h, visible + v
            if rows:
                found |= {k for c in rows[0] for k in labels(lang).get(c, ())}
        for k, frame in enumerate(figure_csvs(page.links)):
            for row in frame:
                for col, value in row.items():
                    if col in ("n", "persons", "n_persons", "n_clients", "count"):
                        n = int(float(value))
                        assert n == 0 or n >= THRESHOLD, (lang, k, col, n)
    assert hidden > 20 and visible > 5, (hidden, visible)
    # the scan saw the client tables of every notebook (else it tests nothing)
    assert {"clients.col.n_treated", "wellbeing.col.n_responded", "quality.column.persons"} <= found


@pytest.mark.slow
def test_a_hidden_client_estimate_is_not_repeated_in_verdict_or_headline(campaign: Path) -> None:
    """The effects table hides an estimate from fewer persons than the threshold; the verdict
    sentence, the summary's headline and the description sheet must not print it either."""
    records = json.loads((campaign / "results.json").read_text(encoding="utf-8"))["records"]
    small = [
        r
        for r in records
        if r.get("level") == "client"
        and r.get("role") == "primary"
        and 0 < min(r["n_treated"], r["n_control"]) < THRESHOLD
    ]
    assert small, "the campaign must hold a primary client estimate from a small group"
    for lang in LANGS:
        html = (campaign / f"report-{lang}.html").read_text(encoding="utf-8")
        assert t("clients.effect_suppressed", lang, threshold=THRESHOLD) in html
        assert t("synthesis.verdict.suppressed", lang) in html
        # the Swedish summary inside every report lists each headline finding
        assert t("sheet.verdict.suppressed", "sv") in html


@pytest.mark.slow
def test_no_word_table_holds_a_small_cell(campaign: Path) -> None:
    import docx

    hidden = 0
    for lang in LANGS:
        document = docx.Document(str(campaign / f"report-{lang}.docx"))
        for k, table in enumerate(document.tables):
            rows = [[" ".join(c.text.split()) for c in row.cells] for row in table.rows]
            h, _ = check_table(rows, lang, f"report-{lang}.docx table {k + 1}")
            hidden += h
    assert hidden > 20


@pytest.mark.slow
def test_the_pdf_holds_no_number_the_html_does_not(campaign: Path) -> None:
    for lang in LANGS:
        pdf = campaign / f"report-{lang}.pdf"
        if not pdf.read_bytes().startswith(b"%PDF-1"):
            pytest.skip("no real PDF printed (Chromium unavailable)")
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = text.count("\f") + 1
        source = html.unescape(
            re.sub(r"<[^>]+>", " ", (campaign / f"report-{lang}.html").read_text("utf-8"))
        )
        extra = {n for n in numbers(text) - numbers(source) if n > pages}
        assert not extra, f"report-{lang}.pdf shows numbers the HTML does not: {sorted(extra)}"
        assert MARKER in text


def test_the_scanner_catches_a_small_cell_and_a_subtraction() -> None:
    lang = "en"
    head = [t("clients.col.subgroup", lang), t("clients.col.n_treated", lang)]
    check_table([head, [t("clients.subgroup.all", lang), "70"], ["x", MARKER]], lang, "ok")
    with pytest.raises(AssertionError, match="shows 12 persons"):
        check_table([head, ["x", "12"]], lang, "small")
    with pytest.raises(AssertionError, match="all - x = 4"):
        check_table([head, [t("clients.subgroup.all", lang), "70"], ["x", "66"]], lang, "sub")
    parts = [t("wellbeing.col.n_clients", lang), t("wellbeing.col.n_responded", lang)]
    with pytest.raises(AssertionError, match="= 3"):
        check_table([parts, ["1 070", "1,067"]], lang, "part")
    assert count_of("2\u00a0376") == 2376 and count_of("€8,223") is None
