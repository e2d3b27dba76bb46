"""The Word report: built from the rendered HTML of the demo report, read back with
python-docx (headings, tables, figures with their alternative text, banner, appendix,
properties), and opened by LibreOffice (``soffice --headless``) in a slow test."""

from __future__ import annotations

import html as html_module
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image

from arviointi.errors import PipelineError
from arviointi.report import svg_png
from arviointi.report.docx_export import DocxInfo, build_docx, html_to_docx
from report_demo import report_demo

needs_rsvg = pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="needs librsvg2-bin")
LANGS = ("fi", "en")


@pytest.fixture(scope="module")
def words(demo: Any) -> dict[str, Path]:
    info = DocxInfo(authors=["A. Arvioija", "Ö. Åkerlund"], keywords=["työllisyys", "pilotti"])
    return {
        lang: html_to_docx(demo.html[lang], demo.root / f"report-{lang}.docx", info)
        for lang in LANGS
    }


def _html(demo: Any, lang: str) -> str:
    return str(demo.html[lang].read_text(encoding="utf-8"))


@needs_rsvg
@pytest.mark.parametrize("lang", LANGS)
def test_word_headings_tables_and_properties(demo: Any, words: dict[str, Path], lang: str) -> None:
    html_text = _html(demo, lang)
    document = docx.Document(str(words[lang]))
    title = report_demo().demo_meta().title[lang]
    props = document.core_properties
    assert props.title == title and props.language == {"fi": "fi-FI", "en": "en-GB"}[lang]
    assert props.author == "A. Arvioija; Ö. Åkerlund" and "pilotti" in props.keywords
    proofing = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert proofing.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:val")).startswith(lang)
    by_style: dict[str, list[str]] = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Title"] == [title]
    sections = [
        html_module.unescape(h)
        for h in re.findall(r'<h2 class="section-title" id="[^"]+">([^<]+)</h2>', html_text)
    ]
    assert len(sections) == 8
    assert [h for h in by_style["Heading 1"] if h in sections] == sections
    sub = [html_module.unescape(h) for h in re.findall(r'<h3 id="[^"]+">([^<]+)</h3>', html_text)]
    assert sub and by_style["Heading 2"] == sub
    # every HTML table is a real Word table with its header row marked and its caption
    assert len(document.tables) == html_text.count("<table")
    marked = [
        t.rows[0]._tr.trPr is not None and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        for t in document.tables
    ]
    assert sum(marked) == html_text.count("<thead>") >= 5  # the sheets have row headers only
    captions = [t._tbl.tblPr.find(qn("w:tblCaption")) for t in document.tables]
    assert sum(c is not None for c in captions) >= html_text.count('class="arv-table"')
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "0123abc" in cells and "cd" * 32 in cells  # the provenance appendix
    banner = "SYNTEETTINEN AINEISTO" if lang == "fi" else "SYNTHETIC DATA"
    assert banner in document.sections[0].header.paragraphs[0].text
    assert "PAGE" in document.sections[0].footer._element.xml


@needs_rsvg
@pytest.mark.parametrize("lang", LANGS)
def test_word_figures_carry_the_html_alt_text(demo: Any, words: dict[str, Path], lang: str) -> None:
    html_text = _html(demo, lang)
    alts = [
        html_module.unescape(a)
        for a in re.findall(r'<div class="arv-graphic" role="img" aria-label="([^"]*)"', html_text)
    ]
    document = docx.Document(str(words[lang]))
    shapes = list(document.inline_shapes)
    assert len(alts) >= 3 and [s._inline.docPr.get("descr") for s in shapes] == alts
    for shape in shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        image = Image.open(io.BytesIO(document.part.related_parts[blip.embed].blob))
        assert image.width >= 1200
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50  # a drawn chart, not a blank box


@needs_rsvg
def test_word_export_needs_an_existing_html(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="does not exist"):
        html_to_docx(tmp_path / "missing.html", tmp_path / "r.docx")


def test_missing_rsvg_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svg_png.shutil, "which", lambda _name: None)
    with pytest.raises(PipelineError, match="librsvg2-bin"):
        svg_png.svg_to_png("<svg></svg>")


def test_word_export_of_a_page_without_figures() -> None:
    page = (
        "<!DOCTYPE html><html lang='fi'><head><title>Pieni</title></head><body><main>"
        "<h2>1 Osa</h2><p>Teksti</p><table><thead><tr><th scope='col'>a</th></tr></thead>"
        "<tbody><tr><td class='num'>1</td></tr></tbody></table></main></body></html>"
    )
    data, figures, tables = build_docx(page)
    document = docx.Document(io.BytesIO(data))
    assert (figures, tables) == (0, 1)
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == ["1 Osa"]
    assert document.tables[0].cell(1, 0).text == "1"


@pytest.mark.slow
@needs_rsvg
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs libreoffice-writer-nogui")
def test_libreoffice_opens_the_word_report(words: dict[str, Path], tmp_path: Path) -> None:
    for lang, path in words.items():
        out = tmp_path / lang
        proc = subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        pdf = out / f"{path.stem}.pdf"
        assert proc.returncode == 0 and pdf.is_file(), proc.stderr
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True
        ).stdout
        assert report_demo().demo_meta().title[lang] in text
        assert text.count("\f") >= 6  # pages: the whole report, not an error stub
