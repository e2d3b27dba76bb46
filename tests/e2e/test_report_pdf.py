"""The PDF printed by Chromium: A4, page numbers, TOC with pages, searchable Finnish text,
the synthetic banner on every page, figures inside the margins."""

from __future__ import annotations

import html as html_module
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from arviointi.errors import PipelineError
from arviointi.report import pdf as pdf_module
from arviointi.report.pdf import html_to_pdf
from arviointi.report.pdf_tags import pdf_structure
from report_demo import report_demo

needs_tools = pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("pdftotext") is None,
    reason="needs Debian chromium and poppler-utils",
)


@pytest.fixture(scope="module")
def printed(demo: Any) -> dict[str, Path]:
    out = {}
    for lang in ("fi", "en"):
        out[lang] = html_to_pdf(demo.html[lang], demo.root / f"report.{lang}.pdf")
    return out


def pages_text(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [p for p in text.split("\f") if p.strip()]


@needs_tools
@pytest.mark.browser
@pytest.mark.slow
def test_a4_pages_numbers_and_banner(printed: dict[str, Path]) -> None:
    for lang, path in printed.items():
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
        assert size is not None
        assert abs(float(size.group(1)) - 595.3) < 1.5 and abs(float(size.group(2)) - 841.9) < 1.5
        pages = pages_text(path)
        n = len(pages)
        assert n >= 6
        label = "sivu" if lang == "fi" else "page"
        of = "/" if lang == "fi" else "of"
        for i, page in enumerate(pages[1:], start=2):  # the title page has no number
            assert f"{label} {i} {of} {n}" in page, (lang, i)
        banner = "SYNTEETTINEN AINEISTO" if lang == "fi" else "SYNTHETIC DATA"
        assert all(banner in page for page in pages), "banner missing from a page"


@needs_tools
@pytest.mark.browser
@pytest.mark.slow
def test_searchable_finnish_text_and_toc_pages(printed: dict[str, Path]) -> None:
    pages = pages_text(printed["fi"])
    text = "\n".join(pages)
    for needle in ("Tiivistelmä", "Työllisyys", "Hyvinvointi", "Rajoitukset", "Liitteet",
                   "Ö. Åkerlund", "Henkilöstö", "Kuvio 1.", "Taulukko 1.",
                   "Kuukausia pilotin alusta"):  # fmt: skip
        assert needle in text, needle
    # the table of contents (after the description sheets) gives the page where each
    # section heading really is
    toc = next(page for page in pages if re.search(r"^Sisällys$", page, re.M))
    for number, title in ((2, "Työllisyys"), (4, "Hyvinvointi"), (8, "Liitteet")):
        m = re.search(rf"^{number}\s*{title}\s*(\d+)\s*$", toc, re.M)
        assert m is not None, (title, toc[:400])
        page = int(m.group(1))
        assert any(line.strip() == f"{number} {title}" for line in pages[page - 1].splitlines())


@needs_tools
@pytest.mark.browser
@pytest.mark.slow
def test_content_stays_inside_the_margins(printed: dict[str, Path]) -> None:
    # pdftotext -bbox gives every word's box; nothing may cross the 18 mm side margins
    out = subprocess.run(
        ["pdftotext", "-bbox", str(printed["fi"]), "-"], capture_output=True, text=True
    ).stdout
    margin = 18 / 25.4 * 72 - 2
    xs = [(float(a), float(b)) for a, b in re.findall(r'xMin="([\d.]+)".*?xMax="([\d.]+)"', out)]
    assert xs
    assert min(a for a, _ in xs) >= margin
    assert max(b for _, b in xs) <= 595.3 - margin


def test_missing_chromium_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html_file = tmp_path / "r.html"
    html_file.write_text("<html lang='fi'><body>x</body></html>", encoding="utf-8")
    monkeypatch.setattr(pdf_module, "CHROMIUM_CANDIDATES", ("/nonexistent/chromium",))
    with pytest.raises(PipelineError, match="apt-get install chromium"):
        html_to_pdf(html_file, tmp_path / "r.pdf")


def test_missing_html_is_a_pipeline_error(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="does not exist"):
        html_to_pdf(tmp_path / "missing.html", tmp_path / "r.pdf")


def html_alts(html_text: str) -> list[str]:
    """The alternative texts of the report's figures, as the HTML carries them."""
    found = re.findall(r'<div class="arv-graphic" role="img" aria-label="([^"]*)"', html_text)
    return [html_module.unescape(a) for a in found]


@needs_tools
@pytest.mark.browser
@pytest.mark.slow
def test_tagged_pdf_figures_tables_language_title_outline(
    demo: Any, printed: dict[str, Path]
) -> None:
    for lang, path in printed.items():
        html_text = demo.html[lang].read_text(encoding="utf-8")
        s = pdf_structure(path)
        assert s.tagged and s.lang == lang and s.display_doc_title
        title = report_demo().demo_meta().title[lang]
        assert s.title == title and s.xmp_title == title and s.xmp_lang == lang
        alts = html_alts(html_text)
        assert len(alts) >= 3
        assert s.figure_alts == alts  # every figure, in order, with the HTML's alt text
        assert s.roles["Table"] == html_text.count("<table")
        assert s.roles["TH"] == s.header_cells_with_scope == html_text.count("<th ")
        assert s.roles["TD"] > 0 and s.roles["Caption"] >= len(alts)
        assert s.roles["H1"] == 1 and s.roles["H2"] >= 8
        sections = re.findall(r'<h2 class="section-title" id="[^"]+">([^<]+)</h2>', html_text)
        outline = set(s.outline)
        missing = [h for h in map(html_module.unescape, sections) if h not in outline]
        assert missing == [] and len(sections) == 8


@needs_tools
@pytest.mark.browser
def test_pdf_probe_counts_a_figure_without_alt(tmp_path: Path) -> None:
    page = tmp_path / "plain.html"
    page.write_text(
        "<!DOCTYPE html><html lang='en'><head><title>plain</title></head><body><main>"
        "<figure><div role='img' aria-label='A bar chart'><svg width='50' height='50'>"
        "<text x='5' y='20'>axis</text></svg></div><figcaption>Figure 1</figcaption></figure>"
        "</main></body></html>",
        encoding="utf-8",
    )
    s = pdf_structure(html_to_pdf(page, tmp_path / "plain.pdf", toc_pages=False))
    # Chromium tags the <figure> itself as a second Figure, without alternative text
    assert s.figure_alts == ["", "A bar chart"] and s.figures_without_alt == 1
    assert s.title == "plain" and s.xmp_title == "plain"


@needs_tools
@pytest.mark.browser
@pytest.mark.slow
def test_description_sheets_give_the_pdf_page_count(printed: dict[str, Path]) -> None:
    for lang, path in printed.items():
        pages = pages_text(path)
        label = {"fi": "Sivumäärä", "en": "Pages"}[lang]
        sheet = next(page for page in pages if label in page and "ISBN PDF" in page)
        after = sheet.split(label, 1)[1].split()
        assert after[0] == str(pdf_module.page_count(path)) == str(len(pages))
