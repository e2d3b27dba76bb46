"""The rendered HTML report as a small element tree, for exports built from it (Word).

Only the report's own markup is expected (``render.render_report`` writes it), so the tree
is simple: elements with a tag, attributes, children and text. Every inline ``<svg>`` is
cut out before parsing and kept whole as text (``Node.svg``): the exports render that
same SVG.

    tree = parse_report(Path("report-fi.html").read_text(encoding="utf-8"))
    title = tree.find("title").text_content()
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_VOID = frozenset({"meta", "br", "hr", "img", "link", "input", "col", "wbr"})


@dataclass
class Node:
    """One element (``tag``) or a text run (``tag == "#text"``)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str = ""
    svg: str = ""

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text_content(self) -> str:
        """The text of this element and everything under it, whitespace collapsed."""
        parts: list[str] = []

        def collect(node: Node) -> None:
            if node.tag == "#text":
                parts.append(node.text)
            for child in node.children:
                collect(child)

        collect(self)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def elements(self) -> list[Node]:
        return [c for c in self.children if c.tag != "#text"]

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.iter()

    def find(self, tag: str, cls: str | None = None) -> Node | None:
        for node in self.iter():
            if node.tag == tag and (cls is None or cls in node.classes):
                return node
        return None


class _Builder(HTMLParser):
    def __init__(self, svgs: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]
        self.svgs = svgs

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag == "svg":
            node.svg = self.svgs[int(node.attrs["data-arv-svg"])]
        elif tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and tag != "svg" and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag == "svg":
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Node("#text", text=data))


def parse_report(html_text: str) -> Node:
    """The element tree of a rendered report (``<svg>`` elements kept whole in ``svg``)."""
    svgs: list[str] = []

    def cut(match: re.Match[str]) -> str:
        svgs.append(match.group(0))
        return f'<svg data-arv-svg="{len(svgs) - 1}">'

    builder = _Builder(svgs)
    builder.feed(_SVG.sub(cut, html_text))
    builder.close()
    return builder.root
