"""The HTML report -> a Word document (``report-<lang>.docx``) a ministry can edit.

Built from the rendered HTML itself, so Word carries the same content as the HTML and the
PDF: the title page, the description sheets, the contents, every section with headings
as Word heading styles (``h2`` -> Heading 1, ``h3`` -> Heading 2, ...), paragraphs, notes,
real tables (header row marked to repeat, header cells bold, the caption as the table's
title), figures as PNG (rendered from the same SVG by :mod:`svg_png`) with the HTML's
alternative text, the synthetic-data banner in the page header, page numbers, and the
appendix. Document properties: title, authors, language (also the default proofing
language of the text), keywords.

    html_to_docx(Path("report-fi.html"), Path("report-fi.docx"), DocxInfo(authors=[...]))
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from arviointi.errors import PipelineError
from arviointi.report.html_tree import Node, parse_report
from arviointi.report.svg_png import svg_to_png

#: Word language tags of the report languages
WORD_LANG = {"fi": "fi-FI", "en": "en-GB", "sv": "sv-FI"}
_HEADING_STYLE = {"h2": 1, "h3": 2, "h4": 3, "h5": 4}
FIGURE_WIDTH = Cm(16)


@dataclass
class DocxInfo:
    """Document properties that the HTML does not carry."""

    authors: Sequence[str] = ()
    keywords: Sequence[str] = ()
    subject: str = ""
    #: the evaluation id etc., written into the document's comments property
    comments: str = ""


def _set_language(document: Document, lang: str) -> None:
    """``lang`` as the default proofing language of every style (w:rPrDefault)."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    tag = OxmlElement("w:lang")
    tag.set(qn("w:val"), WORD_LANG.get(lang, lang))
    tag.set(qn("w:eastAsia"), WORD_LANG.get(lang, lang))
    rpr.append(tag)


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A simple Word field (e.g. ``PAGE``) at the end of ``paragraph``."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _page_furniture(document: Document, banner: str, footer_title: str) -> None:
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin = section.bottom_margin = Cm(2.0)
    if banner:
        head = section.header.paragraphs[0]
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = head.add_run(banner)
        run.bold = True
        run.font.size = Pt(8.5)
    foot = section.footer.paragraphs[0]
    run = foot.add_run(f"{footer_title}    ")
    run.font.size = Pt(8.5)
    _field(foot, "PAGE")


def _mark_header_row(table: Table) -> None:
    trpr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _table_caption(table: Table, caption: str) -> None:
    """``caption`` as the table's title (w:tblCaption): what a screen reader announces."""
    tblpr = table._tbl.tblPr
    element = OxmlElement("w:tblCaption")
    element.set(qn("w:val"), caption[:250])
    tblpr.append(element)


class _Writer:
    """Walks the report tree and appends Word content."""

    def __init__(self, document: Document) -> None:
        self.doc = document
        self.figures = 0
        self.tables = 0
        self.started = False  # no page break before the first section

    def block(self, node: Node) -> None:
        tag, classes = node.tag, node.classes
        if tag == "#text" or tag in ("style", "script", "title", "head"):
            return
        if "arv-banner" in classes:
            return  # the page header carries the banner
        if tag == "h1":
            self.doc.add_heading(node.text_content(), level=0)
        elif tag in _HEADING_STYLE:
            self.doc.add_heading(node.text_content(), level=_HEADING_STYLE[tag])
        elif tag == "p":
            self.paragraph(node)
        elif tag == "dl":
            self.definition_list(node)
        elif tag == "nav":
            self.contents(node)
            self.doc.add_page_break()
        elif tag == "header" and "title-page" in classes:
            for child in node.children:
                self.block(child)
            self.doc.add_page_break()
        elif tag == "section" and "major" in classes:
            if self.started:
                self.doc.add_page_break()
            self.started = True
            for child in node.children:
                self.block(child)
        elif tag == "figure" and "arv-figure" in classes:
            self.figure(node)
        elif tag == "figure" and "arv-table" in classes:
            self.captioned_table(node)
        elif tag == "table":
            self.table(node, "")
        elif tag in ("ul", "ol"):
            for item in node.elements():
                self.doc.add_paragraph(item.text_content(), style="List Bullet")
        else:
            for child in node.children:
                self.block(child)

    def paragraph(self, node: Node) -> None:
        text = node.text_content()
        if not text:
            return
        classes = node.classes
        paragraph = self.doc.add_paragraph()
        run = paragraph.add_run(text)
        if "arv-data-link" in classes:
            return  # the CSV downloads work in the HTML report only
        if classes & {"arv-headline", "synthetic-notice", "kind"}:
            run.bold = True
        if classes & {"arv-table-note", "empty-section"}:
            run.italic = True
            run.font.size = Pt(8.5)

    def definition_list(self, node: Node) -> None:
        label = ""
        for item in node.elements():
            if item.tag == "dt":
                label = item.text_content()
            elif item.tag == "dd":
                paragraph = self.doc.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run(item.text_content())

    def contents(self, node: Node) -> None:
        for child in node.iter():
            if child.tag == "h2":
                self.doc.add_heading(child.text_content(), level=1)
            elif child.tag == "a":
                number = child.find("span", "toc-num")
                depth = number.text_content().count(".") if number is not None else 0
                text = child.find("span", "toc-text")
                line = " ".join(x.text_content() for x in (number, text) if x is not None)
                paragraph = self.doc.add_paragraph(line)
                paragraph.paragraph_format.left_indent = Cm(0.8 * depth)
                paragraph.paragraph_format.space_after = Pt(1)

    def caption(self, node: Node | None) -> str:
        text = node.text_content() if node is not None else ""
        if text:
            self.doc.add_paragraph(text, style="Caption")
        return text

    def figure(self, node: Node) -> None:
        graphic = node.find("div", "arv-graphic")
        svg = graphic.find("svg") if graphic is not None else None
        if graphic is None or svg is None:
            raise PipelineError("a report figure has no graphic to put into the Word report")
        alt = graphic.attrs.get("aria-label", "")
        picture = (
            self.doc.add_paragraph()
            .add_run()
            .add_picture(io.BytesIO(svg_to_png(svg.svg)), width=FIGURE_WIDTH)
        )
        properties = picture._inline.docPr
        properties.set("descr", alt)
        properties.set("title", alt[:80])
        self.figures += 1
        self.caption(node.find("figcaption"))
        for child in node.elements():
            if child.tag == "p":
                self.paragraph(child)

    def captioned_table(self, node: Node) -> None:
        caption = self.caption(node.find("figcaption"))
        table = node.find("table")
        if table is not None:
            self.table(table, caption)
        for child in node.elements():
            if child.tag == "p":
                self.paragraph(child)

    def table(self, node: Node, caption: str) -> None:
        rows = [row for row in node.iter() if row.tag == "tr"]
        cells = [[c for c in row.elements() if c.tag in ("th", "td")] for row in rows]
        if not cells or not any(cells):
            return
        width = max(len(row) for row in cells)
        table = self.doc.add_table(rows=len(cells), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(cells):
            # one row's cells at once: table.cell(r, c) walks the whole grid on every call
            targets = table.rows[r].cells
            for c, cell in enumerate(row):
                target = targets[c].paragraphs[0]
                run = target.add_run(cell.text_content())
                run.font.size = Pt(8.5)
                run.bold = cell.tag == "th" and (r == 0 or "total" in rows[r].classes)
                if "num" in cell.classes:
                    target.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if node.find("thead") is not None:
            _mark_header_row(table)
        if caption:
            _table_caption(table, caption)
        self.tables += 1


def build_docx(html_text: str, info: DocxInfo | None = None) -> tuple[bytes, int, int]:
    """The Word document of a rendered report: (bytes, figures, tables)."""
    info = info or DocxInfo()
    tree = parse_report(html_text)
    root = tree.find("html")
    lang = root.attrs.get("lang", "") if root is not None else ""
    title_node = tree.find("title")
    title = title_node.text_content() if title_node is not None else ""
    banner_node = tree.find("div", "arv-banner")
    document = docx.Document()
    _set_language(document, lang)
    document.styles["Normal"].font.name = "Arial"
    props = document.core_properties
    props.title = title
    props.language = WORD_LANG.get(lang, lang)
    props.author = "; ".join(info.authors)
    props.keywords = "; ".join(info.keywords)
    props.subject = info.subject
    props.comments = info.comments
    props.revision = 1
    _page_furniture(document, banner_node.text_content() if banner_node else "", title)
    writer = _Writer(document)
    body = tree.find("body")
    if body is None:
        raise PipelineError("the HTML report has no <body> to put into the Word report")
    for child in body.children:
        writer.block(child)
    out = io.BytesIO()
    document.save(out)
    return _stable_zip(out.getvalue()), writer.figures, writer.tables


def _stable_zip(data: bytes) -> bytes:
    """The same document gives the same bytes: every zip entry gets one fixed timestamp
    (python-docx stamps the time of saving), in the original order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = item.external_attr
            target.writestr(entry, source.read(item.filename))
    return out.getvalue()


def html_to_docx(html_path: Path, docx_path: Path, info: DocxInfo | None = None) -> Path:
    """Write the Word version of ``html_path`` to ``docx_path`` (atomically)."""
    html_path, docx_path = Path(html_path), Path(docx_path)
    if not html_path.is_file():
        raise PipelineError(f"{html_path}: the HTML report to convert does not exist")
    data, _figures, _tables = build_docx(html_path.read_text(encoding="utf-8"), info)
    staging = docx_path.with_name(f".{docx_path.name}.tmp")
    staging.write_bytes(data)
    os.replace(staging, docx_path)
    return docx_path
