"""Hostile strings in the DATA (not the parameters) never execute and never become markup.

tests/fixtures/robustness/hostile_panel.csv holds comparison areas named with a script
tag, an image with an onerror handler, quotes with a newline and template syntax
(``{{7*7}}``, ``${HOME}``, ``{params}``), and Python code that would create a marker file.
hostile_data.yaml takes its comparison areas by a rule, so these names reach the notebooks
(data_quality, employment_area) only through the data. The reports must show the names
as text: parsed with html.parser they hold no <script> element and no on* attribute, and
the text content holds the names literally (so they were escaped, not dropped or evaluated).
Hostile parameter values are tests/e2e/test_pipeline.py and tests/e2e/test_pipeline_inject.py.
"""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from arviointi.pipeline.run import run_evaluation

ROBUST = Path(__file__).parents[1] / "fixtures" / "robustness"
MARKER = Path("/tmp/arviointi-hostile-data-pwned")


class Page(HTMLParser):
    """Tags, attributes and text of an HTML page (character references decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []
        self.style: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.style if self._in_style else self.text).append(data)


def hostile_names() -> list[str]:
    with (ROBUST / "hostile_panel.csv").open(encoding="utf-8", newline="") as f:
        names = {row["area"] for row in csv.DictReader(f, delimiter=";")}
    return sorted(names - {"Varissuo", "Halinen"})


@pytest.fixture
def fake_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF printing (Chromium) is not under test here: write a stand-in file instead."""
    import arviointi.report.pdf as pdf

    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, out: out.write_bytes(b"%PDF-fake"))


def test_the_fixture_is_hostile() -> None:
    names = hostile_names()
    assert len(names) == 5
    joined = "\n".join(names)
    for needle in ("<script>", "onerror=", "{{7*7}}", "${HOME}", "\n", '"', "'", MARKER.name):
        assert needle in joined, needle


@pytest.mark.slow
def test_hostile_area_names_are_text_in_the_report(tmp_path: Path, fake_pdf: None) -> None:
    MARKER.unlink(missing_ok=True)
    result = run_evaluation(
        ROBUST / "hostile_data.yaml", output_root=tmp_path, jobs=1, use_cache=False
    )
    assert not MARKER.exists(), "a data string was executed"
    names = hostile_names()
    for lang in ("fi", "en"):
        page = Page()
        page.feed((result.output_dir / f"report-{lang}.html").read_text(encoding="utf-8"))
        page.close()
        assert "script" not in page.tags
        assert not [a for a in page.attributes if a[1].lower().startswith("on")]
        assert not [a for a in page.attributes if "alert(" in (a[2] or "")]
        text = "".join(page.text)
        # the names arrive as text, literally (whitespace inside may be reflowed)
        flat = " ".join(text.split())
        for name in names:
            assert " ".join(name.split()) in flat, (lang, name)
        assert "{{7*7}}" in text and "${HOME}" in text  # not rendered by a template engine
        style = "".join(page.style)
        assert not any(name in style for name in names)
    results = json.loads(result.results_path.read_text(encoding="utf-8"))
    assert results["records"], "the evaluation recorded no estimate"
