"""What a reader's assistive tools see in a printed report: the PDF's tag structure.

:func:`pdf_structure` walks the structure tree (``/StructTreeRoot``) of a tagged PDF with
pikepdf and counts its elements by role, the figures with and without alternative text,
the table header cells, and reads the document language, the title (document info and
XMP metadata) and the outline (bookmarks).

    s = pdf_structure(Path("report-fi.pdf"))
    assert s.figures and not s.figures_without_alt and s.lang == "fi"
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from arviointi.errors import PipelineError


@dataclass
class PdfStructure:
    """The tags, metadata and outline of one PDF."""

    tagged: bool
    lang: str
    title: str
    xmp_title: str
    xmp_lang: str
    display_doc_title: bool
    roles: Counter[str] = field(default_factory=Counter)
    figure_alts: list[str] = field(default_factory=list)
    headings: list[tuple[str, str]] = field(default_factory=list)
    #: table header cells (``TH``) that say whether they head a row or a column
    header_cells_with_scope: int = 0
    outline: list[str] = field(default_factory=list)

    @property
    def figures(self) -> int:
        return len(self.figure_alts)

    @property
    def figures_without_alt(self) -> int:
        return sum(1 for alt in self.figure_alts if not alt.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    try:
        return str(value)
    except (TypeError, ValueError):  # pragma: no cover - pikepdf objects that are not text
        return ""


def _has_scope(attributes: Any) -> bool:
    if attributes is None:
        return False
    items = attributes if isinstance(attributes, pikepdf.Array) else [attributes]
    return any(isinstance(a, pikepdf.Dictionary) and "/Scope" in a for a in items)


def _walk(node: Any, out: PdfStructure, depth: int = 0) -> None:
    if depth > 200:
        raise PipelineError("the PDF structure tree is deeper than 200 levels")
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if not isinstance(kid, pikepdf.Dictionary) or "/S" not in kid:
            continue  # marked-content ids and object references hold no structure
        role = str(kid["/S"]).lstrip("/")
        out.roles[role] += 1
        if role == "Figure":
            out.figure_alts.append(_text(kid.get("/Alt")))
        if role in ("H1", "H2", "H3", "H4", "H5", "H6"):
            out.headings.append((role, _text(kid.get("/T"))))
        if role == "TH" and _has_scope(kid.get("/A")):
            out.header_cells_with_scope += 1
        _walk(kid, out, depth + 1)


def pdf_structure(pdf_path: Path) -> PdfStructure:
    """The structure of ``pdf_path`` (see the module docstring)."""
    try:
        pdf = pikepdf.open(pdf_path)
    except (pikepdf.PdfError, OSError) as exc:
        raise PipelineError(f"{pdf_path}: not a readable PDF ({exc})") from exc
    with pdf:
        root = pdf.Root
        mark = root.get("/MarkInfo")
        viewer = root.get("/ViewerPreferences")
        title = _text(pdf.docinfo.get("/Title"))
        xmp = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        out = PdfStructure(
            tagged=bool(mark is not None and mark.get("/Marked")),
            lang=_text(root.get("/Lang")),
            title=title,
            xmp_title=_text(xmp.get("dc:title")),
            xmp_lang=", ".join(sorted(str(v) for v in xmp.get("dc:language") or ())),
            display_doc_title=bool(viewer is not None and viewer.get("/DisplayDocTitle")),
        )
        tree = root.get("/StructTreeRoot")
        if tree is not None:
            _walk(tree, out)
        with pdf.open_outline() as outline:
            stack = list(reversed(outline.root))
            while stack:
                item = stack.pop()
                out.outline.append(str(item.title))
                stack.extend(reversed(item.children))
    return out
