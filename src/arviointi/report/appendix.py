"""The generated appendix of the report: sources, parameters, provenance, figure data.

for part_id, title, body in appendix_parts(meta, "fi", downloads): ...
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from arviointi.report import formatting as fm
from arviointi.report.i18n import t
from arviointi.report.meta import ReportMeta
from arviointi.report.table_markup import scroll_wrap

#: one downloadable figure-data file: (figure number, file name, rows)
Download = tuple[int, str, int]


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


def _downloads_table(downloads: Sequence[Download], lang: str) -> str:
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


def _sources(meta: ReportMeta, lang: str) -> str:
    if not meta.sources:
        return f"<p>{html.escape(t('appendix.no_sources', lang))}</p>"
    heads = ["source_name", "licence", "attribution", "path", "sha256"]
    head = "".join(f'<th scope="col">{html.escape(t("appendix." + h, lang))}</th>' for h in heads)
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
    return scroll_wrap(
        '<table class="appendix">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
        t("section.sources", lang),
    )


def _parameters(meta: ReportMeta, lang: str) -> str:
    return _kv_table(
        [(k, _scalar(v, lang)) for k, v in _flatten(meta.params)],
        (t("appendix.parameter", lang), t("appendix.value", lang)),
        t("section.parameters", lang),
    )


def _listing(
    values: Mapping[str, Any], heading: str, head: tuple[str, str], lang: str, hashes: bool
) -> str:
    """A sub-heading and a two-column table of ``values`` (sorted by key)."""
    return f"<h4>{html.escape(t(heading, lang))}</h4>" + _kv_table(
        [(str(k), str(v)) for k, v in sorted(values.items())],
        (t(head[0], lang), t(head[1], lang)),
        t(heading, lang),
        hash_col=hashes,
    )


def _provenance(meta: ReportMeta, lang: str) -> str:
    prov = meta.provenance
    commit = prov.get("git_commit")
    pieces = [
        _kv_table(
            [(t("appendix.git_commit", lang), str(commit or fm.MISSING))],
            (t("appendix.parameter", lang), t("appendix.value", lang)),
            t("section.provenance", lang),
        )
    ]
    packages = prov.get("packages") or {}
    if packages:
        head = ("appendix.package", "appendix.version")
        pieces.append(_listing(packages, "appendix.packages", head, lang, hashes=False))
    hashes = prov.get("input_hashes") or {}
    if hashes:
        head = ("appendix.path", "appendix.sha256")
        pieces.append(_listing(hashes, "appendix.input_hashes", head, lang, hashes=True))
    return "".join(pieces)


def appendix_parts(
    meta: ReportMeta, lang: str, downloads: Sequence[Download] = ()
) -> list[tuple[str, str, str]]:
    """(id, title, html) of the generated appendix parts."""
    parts = [
        ("app-sources", t("section.sources", lang), _sources(meta, lang)),
        ("app-parameters", t("section.parameters", lang), _parameters(meta, lang)),
        ("app-provenance", t("section.provenance", lang), _provenance(meta, lang)),
    ]
    if downloads:
        parts.append(
            ("app-figure-data", t("figure_data.heading", lang), _downloads_table(downloads, lang))
        )
    return parts
