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
from arviointi.report.bidi import neutralise_bidi
from arviointi.report.description import front_matter
from arviointi.report.figure_data import check_entries, data_link
from arviointi.report.i18n import check_language, t
from arviointi.report.meta import SECTIONS, ReportMeta
from arviointi.report.mime import REPORT_MIME
from arviointi.report.table_markup import scroll_wrap
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


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        if not value and prefix:
            yield prefix, ""
        for key, sub in value.items():
            yield from _flatten(sub, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list | tuple) and any(isinstance(v, Mapping | list) for v in value):
        for i, sub in enumerate(value):
            yield from _flatten(sub, f"{prefix}[{i}]")
    else:
        yield prefix, value


def _scalar(value: Any, lang: str) -> str:
    if value is None:
        return fm.MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",").replace("-", fm.MINUS) if lang == "fi" else text
    if isinstance(value, list | tuple):
        return ", ".join(_scalar(v, lang) for v in value)
    return str(value)


def _kv_table(
    rows: Sequence[tuple[str, str]], head: tuple[str, str], label: str, hash_col: bool = False
) -> str:
    cls = ' class="hash"' if hash_col else ""
    body = "".join(
        f'<tr><th scope="row">{html.escape(k)}</th><td{cls}>{html.escape(v)}</td></tr>'
        for k, v in rows
    )
    return scroll_wrap(
        '<table class="appendix"><thead><tr>'
        f'<th scope="col">{html.escape(head[0])}</th><th scope="col">{html.escape(head[1])}</th>'
        f"</tr></thead><tbody>{body}</tbody></table>",
        label,
    )


def _data_links(
    block: Block, number: int, meta: ReportMeta, lang: str, downloads: list[tuple[int, str, int]]
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


def _downloads_table(downloads: Sequence[tuple[int, str, int]], lang: str) -> str:
    heads = ["figure_data.figure_col", "figure_data.filename", "figure_data.rows"]
    head = "".join(f'<th scope="col">{html.escape(t(h, lang))}</th>' for h in heads)
    rows = "".join(
        f'<tr><th scope="row">{html.escape(t("figure_data.figure", lang))} {n}</th>'
        f'<td class="hash">{html.escape(name)}</td>'
        f'<td class="num">{fm.fmt_int(count, lang)}</td></tr>'
        for n, name, count in downloads
    )
    table = f'<table class="appendix"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    intro = f"<p>{html.escape(t('figure_data.intro', lang))}</p>"
    return intro + scroll_wrap(table, t("figure_data.heading", lang))


def _appendix(
    meta: ReportMeta, lang: str, downloads: Sequence[tuple[int, str, int]] = ()
) -> list[tuple[str, str, str]]:
    """(id, title, html) of the generated appendix parts."""
    parts: list[tuple[str, str, str]] = []
    # sources
    if meta.sources:
        heads = ["source_name", "licence", "attribution", "path", "sha256"]
        head = "".join(
            f'<th scope="col">{html.escape(t("appendix." + h, lang))}</th>' for h in heads
        )
        rows = []
        for src in meta.sources:
            cells = []
            for i, key in enumerate(("name", "licence", "attribution", "path", "sha256")):
                value = html.escape(str(src.get(key, "") or fm.MISSING))
                if i == 0:
                    cells.append(f'<th scope="row">{value}</th>')
                else:
                    cls = ' class="hash"' if key in ("sha256", "path") else ""
                    cells.append(f"<td{cls}>{value}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        body = scroll_wrap(
            '<table class="appendix">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
            t("section.sources", lang),
        )
    else:
        body = f"<p>{html.escape(t('appendix.no_sources', lang))}</p>"
    parts.append(("app-sources", t("section.sources", lang), body))
    # parameters
    params = [(k, _scalar(v, lang)) for k, v in _flatten(meta.params)]
    parts.append(
        (
            "app-parameters",
            t("section.parameters", lang),
            _kv_table(
                params,
                (t("appendix.parameter", lang), t("appendix.value", lang)),
                t("section.parameters", lang),
            ),
        )
    )
    # provenance
    prov = meta.provenance
    pieces = []
    commit = prov.get("git_commit")
    facts = [(t("appendix.git_commit", lang), str(commit or fm.MISSING))]
    pieces.append(
        _kv_table(
            facts,
            (t("appendix.parameter", lang), t("appendix.value", lang)),
            t("section.provenance", lang),
        )
    )
    packages = prov.get("packages") or {}
    if packages:
        pieces.append(f"<h4>{html.escape(t('appendix.packages', lang))}</h4>")
        pieces.append(
            _kv_table(
                [(str(k), str(v)) for k, v in sorted(packages.items())],
                (t("appendix.package", lang), t("appendix.version", lang)),
                t("appendix.packages", lang),
            )
        )
    hashes = prov.get("input_hashes") or {}
    if hashes:
        pieces.append(f"<h4>{html.escape(t('appendix.input_hashes', lang))}</h4>")
        pieces.append(
            _kv_table(
                [(str(k), str(v)) for k, v in sorted(hashes.items())],
                (t("appendix.path", lang), t("appendix.sha256", lang)),
                t("appendix.input_hashes", lang),
                hash_col=True,
            )
        )
    parts.append(("app-provenance", t("section.provenance", lang), "".join(pieces)))
    if downloads:
        parts.append(
            ("app-figure-data", t("figure_data.heading", lang), _downloads_table(downloads, lang))
        )
    return parts


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


def render_report(notebooks: Sequence[Path], *, lang: str, meta: ReportMeta) -> str:
    """The self-contained HTML report in ``lang`` built from executed ``notebooks``."""
    check_language(lang)
    blocks = collect_blocks(notebooks, lang)
    by_section: dict[str, list[Block]] = {name: [] for name in SECTIONS}
    for block in blocks:
        by_section[block.section].append(block)

    heading_ids = itertools.count(1)
    figure_no = 0
    downloads: list[tuple[int, str, int]] = []
    toc: list[_TocEntry] = []
    sections: list[dict[str, Any]] = []
    for number, name in enumerate(SECTIONS, start=1):
        sec_id = f"sec-{name}"
        entry = _TocEntry(id=sec_id, number=str(number), text=t(f"section.{name}", lang))
        parts: list[str] = []
        if name == "summary":
            parts.append(_paragraphs(["summary.lead"], lang))
            if meta.synthetic:
                parts.append(
                    '<p class="arv-headline">' + html.escape(t("summary.synthetic", lang)) + "</p>"
                )
        if name == "methods":
            parts.append(_paragraphs(["methods.intro", "methods.interval"], lang))
        sub = itertools.count(1)
        for block in by_section[name]:
            if block.kind == "heading":
                hid = f"h-{next(heading_ids)}"
                tag = f"h{block.level + 1}"
                if block.level == 2:
                    num = f"{number}.{next(sub)}"
                    entry.children.append(_TocEntry(id=hid, number=num, text=block.text))
                    label = f"{num} {block.text}"
                else:
                    label = block.text
                parts.append(f'<{tag} id="{hid}">{html.escape(label)}</{tag}>')
            else:
                parts.append(block.html)
                if block.kind == "figure":
                    figure_no += 1
                    parts.append(_data_links(block, figure_no, meta, lang, downloads))
        if name == "limitations":
            # design-specific limitations (one treated unit, client selection, ...) come
            # from the synthesis notebook, which knows the design; these hold for every pilot
            keys = ["limitations.design", "limitations.other_changes"]
            parts.append(_paragraphs(keys, lang))
            parts.append(
                _paragraphs(["limitations.disclosure"], lang, threshold=meta.disclosure_threshold)
            )
            if meta.synthetic:
                parts.append(_paragraphs(["limitations.synthetic"], lang))
        if name == "appendix":
            for app_id, title, body in _appendix(meta, lang, downloads):
                num = f"{number}.{next(sub)}"
                entry.children.append(_TocEntry(id=app_id, number=num, text=title))
                parts.append(f'<h3 id="{app_id}">{html.escape(num + " " + title)}</h3>{body}')
        if not parts:
            parts.append(
                f'<p class="empty-section">{html.escape(t("report.empty_section", lang))}</p>'
            )
        toc.append(entry)
        sections.append(
            {
                "id": sec_id,
                "number": str(number),
                "title": entry.text,
                "major": name in MAJOR_SECTIONS,
                "blocks": parts,
            }
        )

    # number figures and tables in reading order
    counters = {"figure": itertools.count(1), "table": itertools.count(1)}

    def numbered(match: re.Match[str]) -> str:
        kind = match.group(1)
        label = t(f"caption.{kind}", lang, n=next(counters[kind]))
        return f'<span class="arv-num" data-kind="{kind}">{html.escape(label)}</span>'

    for sec in sections:
        sec["blocks"] = [Markup(_NUM_SPAN.sub(numbered, part)) for part in sec["blocks"]]

    title = meta.title_in(lang)
    facts = _title_facts(meta, lang)

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    template = env.get_template("report.html.j2")
    css = (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8")
    document = template.render(
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
        title_facts=facts,
        front_matter=Markup(front_matter(meta, lang)),
        toc_title=t("report.toc", lang),
        toc=toc,
        sections=sections,
    )
    return neutralise_bidi(document)
