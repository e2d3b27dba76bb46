"""Build the HTML report from executed notebooks.

nbconvert reads each executed notebook and :class:`ReportPreprocessor` keeps ONLY the
arviointi report bundles (``REPORT_MIME``) in the requested language: cell inputs,
streams, warnings, errors, reprs and every other output are dropped. The bundles are then
ordered by section (``meta.SECTIONS``), numbered, and put into the package's own Jinja2
shell (``templates/report.html.j2``): title page, table of contents, embedded CSS for
screen and A4 print, the synthetic-data banner, and the appendix (sources, parameters,
provenance) generated from :class:`~arviointi.report.meta.ReportMeta`. The page loads
nothing from outside: no scripts at all, no fonts, no CDN.

    html = render_report([Path("run/employment.ipynb")], lang="fi", meta=meta)
    Path("report.fi.html").write_text(html, encoding="utf-8")
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import nbformat
from markupsafe import Markup
from nbconvert.exporters import Exporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Unicode

from arviointi.errors import InputError, Problem
from arviointi.report import formatting as fm
from arviointi.report.appendix import Download, appendix_parts
from arviointi.report.bidi import neutralise_bidi
from arviointi.report.description import front_matter
from arviointi.report.figure_data import check_entries, data_link
from arviointi.report.i18n import check_language, t
from arviointi.report.meta import SECTIONS, ReportMeta
from arviointi.report.mime import REPORT_MIME
from arviointi.results.sections import MAJOR_SECTIONS

TEMPLATE_DIR = Path(__file__).parent / "templates"
_NUM_SPAN = re.compile(r'<span class="arv-num" data-kind="(figure|table)">[^<]*</span>')
#: elements a bundle must never carry (bundles are built escaped by the Emitter)
FORBIDDEN_TAGS = frozenset(
    {
        "script", "iframe", "object", "embed", "link", "meta", "base", "form", "style",
        "input", "button", "frame", "frameset", "img", "audio", "video", "source", "image",
        "foreignobject", "a", "template", "noscript",
    }
)  # fmt: skip
_URL_ATTRS = frozenset({"src", "href", "xlink:href", "action", "formaction", "poster", "srcset"})


class _MarkupAudit(HTMLParser):
    """Collects the first unsafe element or attribute of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.problem is not None:
            return
        if tag.lower() in FORBIDDEN_TAGS:
            self.problem = f"element <{tag}>"
            return
        for name, value in attrs:
            low = name.lower()
            if low.startswith("on"):
                self.problem = f"event attribute {name!r} on <{tag}>"
            elif low in _URL_ATTRS and not (value or "").strip().startswith("#"):
                self.problem = f"link attribute {name}={value!r} on <{tag}>"
            elif (
                low == "style"
                and value
                and re.search(r"url\s*\(\s*['\"]?(?!#)|expression", value, re.I)
            ):
                self.problem = f"style with an external url() on <{tag}>"
            if self.problem is not None:
                return


def unsafe_markup(fragment: str) -> str | None:
    """Describe the first script, embedded resource, event handler or external link in
    ``fragment`` (tags and attributes only; escaped text is not markup), or None."""
    audit = _MarkupAudit()
    audit.feed(fragment)
    audit.close()
    return audit.problem


@dataclass
class Block:
    """One report bundle in one language, with where it came from."""

    kind: str
    section: str
    html: str
    source: str
    cell: int
    level: int = 0
    text: str = ""
    data: list[dict[str, Any]] = field(default_factory=list)


class ReportPreprocessor(Preprocessor):
    """Keep only arviointi report bundles (in ``lang``); drop inputs and all other outputs.

    The kept bundles are also collected, in notebook order, into
    ``resources["arviointi_blocks"]`` as :class:`Block` objects.
    """

    lang = Unicode("fi").tag(config=True)
    source = Unicode("<notebook>").tag(config=True)

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        blocks: list[Block] = resources.setdefault("arviointi_blocks", [])
        kept_cells = []
        for index, cell in enumerate(nb.cells):
            if cell.get("cell_type") != "code":
                continue
            kept = []
            for output in cell.get("outputs", []):
                if output.get("output_type") not in ("display_data", "execute_result"):
                    continue
                payload = output.get("data", {}).get(REPORT_MIME)
                if payload is None:
                    continue
                block = self._block(payload, index + 1)
                blocks.append(block)
                kept.append(nbformat.v4.new_output("display_data", data={"text/html": block.html}))
            if kept:
                cell.source = ""
                cell.outputs = kept
                cell.metadata = {}
                kept_cells.append(cell)
        nb.cells = kept_cells
        return nb, resources

    def _block(self, payload: Any, cell: int) -> Block:
        where = f"cell {cell}"
        if not isinstance(payload, Mapping):
            raise InputError(self.source, [Problem(where, "report bundle is not a JSON object")])
        problems = []
        section = payload.get("section")
        if section not in SECTIONS:
            problems.append(Problem(where, f"section {section!r}; expected one of {SECTIONS}"))
        by_lang = payload.get("html")
        text = ""
        if not isinstance(by_lang, Mapping) or not isinstance(by_lang.get(self.lang), str):
            problems.append(Problem(where, f"the bundle has no HTML in language {self.lang!r}"))
            body = ""
        else:
            body = by_lang[self.lang]
            bad = unsafe_markup(body)
            if bad:
                problems.append(Problem(where, f"the bundle carries forbidden markup: {bad}"))
        kind = str(payload.get("kind", ""))
        level = 0
        if kind == "heading":
            level = payload.get("level", 2)
            texts = payload.get("text", {})
            text = texts.get(self.lang, "") if isinstance(texts, Mapping) else ""
            if level not in (2, 3, 4) or not isinstance(text, str):
                problems.append(Problem(where, "heading bundle needs level 2-4 and text"))
        data: list[dict[str, Any]] = []
        if kind == "figure":
            data = check_entries(payload.get("data"), self.source, where)
        if problems:
            raise InputError(self.source, problems)
        return Block(
            data=data,
            kind=kind,
            section=str(section),
            html=body,
            source=self.source,
            cell=cell,
            level=int(level),
            text=str(text),
        )


def collect_blocks(notebooks: Sequence[Path], lang: str) -> list[Block]:
    """The report bundles of ``notebooks`` in ``lang``, in notebook and cell order."""
    check_language(lang)
    blocks: list[Block] = []
    for path in notebooks:
        path = Path(path)
        if not path.is_file():
            raise InputError(str(path), [Problem("", "executed notebook not found")])
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as exc:  # nbformat raises several unrelated types
            raise InputError(str(path), [Problem("", f"not a readable notebook: {exc}")]) from exc
        exporter = Exporter()
        exporter.register_preprocessor(ReportPreprocessor(lang=lang, source=str(path)), True)
        _nb, resources = exporter.from_notebook_node(nb, resources={"arviointi_blocks": []})
        blocks.extend(resources["arviointi_blocks"])
    return blocks


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string or the style element."""
    out = []
    for ch in text:
        if ch in '"\\' or ch in "<>&" or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _data_links(
    block: Block, number: int, meta: ReportMeta, lang: str, downloads: list[Download]
) -> str:
    """Download links of one figure's data; each file is also recorded for the appendix."""
    links = []
    for entry in block.data:
        filename = (
            f"{meta.evaluation_id}-{t('figure_data.file', lang)}-{number}-{entry['name']}.csv"
        )
        downloads.append((number, filename, int(entry["rows"])))
        label = t("figure_data.link", lang, n=number)
        links.append(data_link(entry, filename, label))
    return f'<p class="arv-data-link">{" ".join(links)}</p>' if links else ""


@dataclass
class _TocEntry:
    id: str
    number: str
    text: str
    page: str = ""
    children: list[_TocEntry] = field(default_factory=list)


def _paragraphs(keys: Sequence[str], lang: str, **values: Any) -> str:
    return "".join(f"<p>{html.escape(t(k, lang, **values))}</p>" for k in keys)


def _title_facts(meta: ReportMeta, lang: str) -> list[tuple[str, str]]:
    """(label, value) lines of the title page."""
    facts: list[tuple[str, str]] = [(t("report.evaluation_id", lang), meta.evaluation_id)]
    if meta.checkpoint:
        name_value = meta.checkpoint.get("name", "")
        if isinstance(name_value, Mapping):
            name_value = name_value.get(lang) or next(iter(name_value.values()), "")
        text = str(name_value)
        if meta.checkpoint.get("date"):
            text = f"{text} ({fm.fmt_date(str(meta.checkpoint['date']), lang)})".strip()
        facts.append((t("report.checkpoint", lang), text))
    facts.append((t("report.date", lang), fm.fmt_date(meta.date, lang)))
    if meta.authors:
        facts.append((t("report.authors", lang), ", ".join(meta.authors)))
    return facts


@dataclass
class _Numbering:
    """What runs on across sections: heading ids, figure numbers, figure-data files."""

    heading_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    figures: int = 0
    downloads: list[Download] = field(default_factory=list)


def _lead_parts(name: str, meta: ReportMeta, lang: str) -> list[str]:
    """The fixed text at the start of section ``name`` (before the notebooks' content)."""
    if name == "summary":
        parts = [_paragraphs(["summary.lead"], lang)]
        if meta.synthetic:
            text = html.escape(t("summary.synthetic", lang))
            parts.append(f'<p class="arv-headline">{text}</p>')
        return parts
    if name == "methods":
        return [_paragraphs(["methods.intro", "methods.interval"], lang)]
    return []


def _closing_parts(name: str, meta: ReportMeta, lang: str) -> list[str]:
    """The fixed text at the end of section ``name`` (after the notebooks' content)."""
    if name != "limitations":
        return []
    # design-specific limitations (one treated unit, client selection, ...) come from the
    # synthesis notebook, which knows the design; these hold for every pilot
    parts = [
        _paragraphs(["limitations.design", "limitations.other_changes"], lang),
        _paragraphs(["limitations.disclosure"], lang, threshold=meta.disclosure_threshold),
    ]
    if meta.synthetic:
        parts.append(_paragraphs(["limitations.synthetic"], lang))
    return parts


def _block_parts(
    blocks: Sequence[Block],
    entry: _TocEntry,
    sub: Iterator[int],
    numbering: _Numbering,
    meta: ReportMeta,
    lang: str,
) -> list[str]:
    """The notebooks' content of one section; level-2 headings are numbered and listed."""
    parts = []
    for block in blocks:
        if block.kind == "heading":
            hid = f"h-{next(numbering.heading_ids)}"
            tag = f"h{block.level + 1}"
            label = block.text
            if block.level == 2:
                num = f"{entry.number}.{next(sub)}"
                entry.children.append(_TocEntry(id=hid, number=num, text=block.text))
                label = f"{num} {block.text}"
            parts.append(f'<{tag} id="{hid}">{html.escape(label)}</{tag}>')
            continue
        parts.append(block.html)
        if block.kind == "figure":
            numbering.figures += 1
            parts.append(_data_links(block, numbering.figures, meta, lang, numbering.downloads))
    return parts


def _section(
    number: int,
    name: str,
    blocks: Sequence[Block],
    numbering: _Numbering,
    meta: ReportMeta,
    lang: str,
) -> tuple[_TocEntry, dict[str, Any]]:
    """The table-of-contents entry and the template data of one section."""
    entry = _TocEntry(id=f"sec-{name}", number=str(number), text=t(f"section.{name}", lang))
    sub = itertools.count(1)
    parts = _lead_parts(name, meta, lang)
    parts += _block_parts(blocks, entry, sub, numbering, meta, lang)
    parts += _closing_parts(name, meta, lang)
    if name == "appendix":
        for app_id, title, body in appendix_parts(meta, lang, numbering.downloads):
            num = f"{number}.{next(sub)}"
            entry.children.append(_TocEntry(id=app_id, number=num, text=title))
            parts.append(f'<h3 id="{app_id}">{html.escape(num + " " + title)}</h3>{body}')
    if not parts:
        parts.append(f'<p class="empty-section">{html.escape(t("report.empty_section", lang))}</p>')
    data = {
        "id": entry.id,
        "number": entry.number,
        "title": entry.text,
        "major": name in MAJOR_SECTIONS,
        "blocks": parts,
    }
    return entry, data


def _number_captions(sections: Sequence[dict[str, Any]], lang: str) -> None:
    """Write the figure and table numbers into the captions, in reading order."""
    counters = {"figure": itertools.count(1), "table": itertools.count(1)}

    def numbered(match: re.Match[str]) -> str:
        kind = match.group(1)
        label = t(f"caption.{kind}", lang, n=next(counters[kind]))
        return f'<span class="arv-num" data-kind="{kind}">{html.escape(label)}</span>'

    for sec in sections:
        sec["blocks"] = [Markup(_NUM_SPAN.sub(numbered, part)) for part in sec["blocks"]]


def _document(
    meta: ReportMeta, lang: str, toc: Sequence[_TocEntry], sections: Sequence[dict[str, Any]]
) -> str:
    """The whole page from the package's template."""
    title = meta.title_in(lang)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    template = env.get_template("report.html.j2")
    css = (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8")
    return template.render(
        lang=lang,
        title=title,
        css=Markup(css),
        page_label=Markup(css_string(t("report.page", lang))),
        page_of=Markup(css_string(t("report.page_of", lang))),
        footer_title=Markup(css_string(title)),
        banner=t("banner.synthetic", lang),
        banner_css=Markup(css_string(t("banner.synthetic", lang))),
        synthetic=meta.synthetic,
        kind=t("report.kind", lang),
        title_facts=_title_facts(meta, lang),
        front_matter=Markup(front_matter(meta, lang)),
        toc_title=t("report.toc", lang),
        toc=toc,
        sections=sections,
    )


def render_report(notebooks: Sequence[Path], *, lang: str, meta: ReportMeta) -> str:
    """The self-contained HTML report in ``lang`` built from executed ``notebooks``."""
    check_language(lang)
    by_section: dict[str, list[Block]] = {name: [] for name in SECTIONS}
    for block in collect_blocks(notebooks, lang):
        by_section[block.section].append(block)
    numbering = _Numbering()
    toc: list[_TocEntry] = []
    sections: list[dict[str, Any]] = []
    for number, name in enumerate(SECTIONS, start=1):
        entry, data = _section(number, name, by_section[name], numbering, meta, lang)
        toc.append(entry)
        sections.append(data)
    _number_captions(sections, lang)
    return neutralise_bidi(_document(meta, lang, toc, sections))
