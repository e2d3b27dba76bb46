"""The HTML report rendered from an executed notebook (tests/fixtures/report/demo.ipynb).

The notebook uses the Emitter with hostile data strings, prints to stdout, warns and
shows a person-level DataFrame repr; none of that may reach the report.
"""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import pytest

from arviointi.errors import InputError
from arviointi.report.meta import SECTIONS
from arviointi.report.mime import REPORT_MIME
from arviointi.report.render import css_string, render_report
from arviointi.report.scrub import scrub_notebook
from report_demo import report_demo


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.heading_levels: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.heading_levels.append(int(tag[1]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html_text: str) -> Page:
    page = Page()
    page.feed(html_text)
    return page


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_self_contained_and_no_external_references(demo: Any, lang: str) -> None:
    html_text = demo.html[lang].read_text(encoding="utf-8")
    page = parse(html_text)
    names = [tag for tag, _ in page.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("src", "href", "xlink:href", "action"):
                # in-page links, and the figures' data as CSV inside the page itself
                data = tag == "a" and attrs.get("class") == "arv-data"
                prefix = "data:text/csv;charset=utf-8," if data else "#"
                assert (value or "").startswith(prefix), (tag, name, value)
    assert not re.search(r"url\(\s*['\"]?(?!#)", html_text), "CSS must not load anything"
    assert "@import" not in html_text
    assert "cdn" not in html_text.lower() and "mathjax" not in html_text.lower()


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_accessibility_basics(demo: Any, lang: str) -> None:
    html_text = demo.html[lang].read_text(encoding="utf-8")
    page = parse(html_text)
    assert page.tags[0] == ("html", {"lang": lang})
    assert page.heading_levels[0] == 1 and page.heading_levels.count(1) == 1
    # headings never skip a level downwards
    for before, after in zip(page.heading_levels, page.heading_levels[1:], strict=False):
        assert after <= before + 1
    graphics = [a for t, a in page.tags if t == "div" and a.get("class") == "arv-graphic"]
    assert len(graphics) == 6
    assert all(a.get("role") == "img" and len(a.get("aria-label") or "") > 40 for a in graphics)
    tables = html_text.count("<table")
    # the description sheets are key-value tables: a header cell starts every row
    sheets = html_text.count('<table class="sheet-table">')
    assert sheets == 3 and tables - sheets == html_text.count("<thead>") >= 5
    assert all(a.get("scope") in ("col", "row") for t, a in page.tags if t == "th")
    # table of contents: links to every section that exist as ids
    ids = {a["id"] for _, a in page.tags if a.get("id")}
    toc_links = [a["href"] for t, a in page.tags if t == "a" and "download" not in a]
    assert {f"#sec-{s}" for s in SECTIONS} <= set(toc_links)
    assert all(link[1:] in ids for link in toc_links)


def test_sections_in_fixed_order_and_numbered_captions(demo: Any) -> None:
    html_text = demo.html["fi"].read_text(encoding="utf-8")
    positions = [html_text.index(f'id="sec-{s}"') for s in SECTIONS]
    assert positions == sorted(positions)
    titles = [
        "1 Tiivistelmä",
        "2 Työllisyys",
        "3 Kustannukset",
        "4 Hyvinvointi",
        "5 Organisaatio ja toimenpiteet",
        "6 Menetelmät",
        "7 Rajoitukset",
        "8 Liitteet",
    ]
    text = " ".join(parse(html_text).text)
    for title in titles:
        assert title in text
    figures = re.findall(r"Kuvio (\d+)\.", html_text)
    tables = re.findall(r"Taulukko (\d+)\.", html_text)
    assert figures == [str(i) for i in range(1, 7)]
    assert tables == [str(i) for i in range(1, 6)]
    en = demo.html["en"].read_text(encoding="utf-8")
    assert re.findall(r"Figure (\d+)\.", en) == [str(i) for i in range(1, 7)]
    assert "Unemployment rate: estimated effect by month" in en
    assert "Työttömyysaste: arvioitu vaikutus kuukausittain" in html_text


def test_no_code_streams_warnings_or_reprs(demo: Any) -> None:
    for lang in ("fi", "en"):
        html_text = demo.html[lang].read_text(encoding="utf-8")
        for needle in (
            "STDOUT-MUST-NOT-APPEAR",
            "WARNING-MUST-NOT-APPEAR",
            "P-0001",
            "person_id",
            "Emitter(",
            "import ",
            "em.section",
            "Traceback",
            "EffectResults",
            "Demo notebook for report tests",
            "<pre",
        ):
            assert needle not in html_text, (lang, needle)


def test_hostile_strings_do_not_inject_markup(demo: Any) -> None:
    hostile = report_demo().HOSTILE_AREA
    html_text = demo.html["fi"].read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert "</style><b>" not in html_text
    text = "".join(parse(html_text).text)
    assert "<script>alert(1)</script>" in text  # shown as text
    assert hostile.split("\n")[0] in text


def test_finnish_formatting_synthetic_banner_and_appendix(demo: Any) -> None:
    fi = demo.html["fi"].read_text(encoding="utf-8")
    en = demo.html["en"].read_text(encoding="utf-8")
    assert "1\u00a0040" in fi and "26,9\u00a0%" in fi and "270\u00a0000\u00a0€" in fi
    assert "1,040" in en and "26.9%" in en and "€270,000" in en
    assert fi.count("SYNTEETTINEN AINEISTO") >= 3  # fixed banner, title page, @page box
    assert 'class="arv-banner"' in fi and "@top-center" in fi
    assert "Synthetic data" not in fi
    for needle in (
        "CC BY 4.0",
        "Tilastokeskus / TEM",
        "0123abc",
        "ab" * 32,
        "cd" * 32,
        "design.pilot_start",
        "StatFin 12r5 &lt;b&gt;",
    ):
        assert needle in fi, needle
    assert "0,05" in fi  # parameter value in Finnish notation
    assert "sivu" in fi and "counter(pages)" in fi


def test_not_synthetic_means_no_banner(demo: Any) -> None:
    meta = report_demo().demo_meta(synthetic=False)
    html_text = render_report([demo.notebook], lang="en", meta=meta)
    assert "SYNTHETIC DATA" not in html_text and "arv-banner" not in html_text.split("</style>")[1]


def test_forged_bundle_is_refused(demo: Any, tmp_path: Path) -> None:
    nb = nbformat.read(demo.notebook, as_version=4)
    forged = copy.deepcopy(nb)
    payload = {
        "kind": "paragraph",
        "section": "summary",
        "html": {"fi": "<p onclick='x()'>hei</p>", "en": "<script>alert(1)</script>"},
    }
    forged.cells[3].outputs.append(
        nbformat.v4.new_output("display_data", data={REPORT_MIME: payload})
    )
    path = tmp_path / "forged.ipynb"
    nbformat.write(forged, path)
    with pytest.raises(InputError) as err:
        render_report([path], lang="fi", meta=report_demo().demo_meta())
    assert "forged.ipynb" in str(err.value) and "cell 4" in str(err.value)
    assert "onclick" in str(err.value)
    misplaced = {
        "kind": "paragraph",
        "section": "nowhere",
        "html": {"fi": "<p>a</p>", "en": "<p>b</p>"},
    }
    forged.cells[3].outputs[-1] = nbformat.v4.new_output(
        "display_data", data={REPORT_MIME: misplaced}
    )
    nbformat.write(forged, path)
    with pytest.raises(InputError, match="section 'nowhere'"):
        render_report([path], lang="en", meta=report_demo().demo_meta())


def test_missing_notebook_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        render_report([tmp_path / "nope.ipynb"], lang="fi", meta=report_demo().demo_meta())


def test_scrub_leaves_only_arviointi_bundles(demo: Any) -> None:
    nb = nbformat.read(demo.notebook, as_version=4)

    def outputs() -> str:
        return json.dumps([c.get("outputs", []) for c in nb.cells])

    raw = outputs()
    assert "P-0001" in raw and "STDOUT-MUST-NOT-APPEAR" in raw  # the fixture really leaks
    dropped = scrub_notebook(nb)
    cleaned = outputs()
    assert dropped >= 3
    for needle in ("P-0001", "person_id", "STDOUT-MUST-NOT-APPEAR", "WARNING-MUST-NOT-APPEAR"):
        assert needle not in cleaned
    assert REPORT_MIME in cleaned


def test_css_string_cannot_break_out() -> None:
    hostile = 'a"; } body { display:none } </style><script>x</script>\n\\'
    quoted = css_string(hostile)
    inner = quoted[1:-1]
    assert quoted.startswith('"') and quoted.endswith('"')
    assert '"' not in inner and "<" not in inner and "\n" not in inner
    assert "\\" not in inner.replace("\\22 ", "").replace("\\3c ", "").replace("\\3e ", "").replace(
        "\\a ", ""
    ).replace("\\5c ", "")


def test_hostile_metadata_cannot_break_the_page_or_its_css(demo: Any) -> None:
    meta = report_demo().demo_meta()
    meta.title = {"fi": 'Raportti"; } </style><script>alert(1)</script>\n@page { x'}
    meta.authors = ["<b>Eve</b>", "O'Brien & Co"]
    meta.checkpoint = {"name": "<i>kypsyys</i>", "date": "2014-06-30"}
    html_text = render_report([demo.notebook], lang="fi", meta=meta)
    page = parse(html_text)
    names = [tag for tag, _ in page.tags]
    assert "script" not in names and "b" not in names and "i" not in names
    assert names.count("style") == 1
    style = html_text.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "<" not in style and "alert(1)" in style  # only inside an escaped CSS string
    assert len(re.findall(r"^@page \{$", style, re.M)) == 1  # the injected one is in a string
    assert "&lt;b&gt;Eve&lt;/b&gt;, O&#39;Brien &amp; Co" in html_text


def test_bidi_overrides_are_shown_escaped_not_obeyed(demo: Any) -> None:
    from arviointi.report.bidi import neutralise_bidi

    meta = report_demo().demo_meta(synthetic=False)
    override = "Varissuo \u202e%3.1- \u2067x\u2069 {{ 7*7 }} \\textbf{x}"
    meta.title = {"fi": override, "en": override}
    meta.authors = ["A. \u202eArvioija"]
    html_text = render_report([demo.notebook], lang="en", meta=meta)
    assert not re.search("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", html_text)
    assert "Varissuo [U+202E]%3.1- [U+2067]x[U+2069]" in html_text
    assert "A. [U+202E]Arvioija" in html_text
    assert "{{ 7*7 }}" in html_text and "49" not in html_text.split("<body")[1][:2000]
    assert neutralise_bidi("plain ä text") == "plain ä text"
