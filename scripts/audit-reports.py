"""Accessibility audit of published reports, as a reader's tools see them.

For every ``report-*.html`` under the given folders: axe-core's WCAG 2.1 A and AA rules in
headless Chromium at phone (360 px) and desktop (1100 px) width. For every
``report-*.pdf``: the tag structure (figures with and without alternative text, and
whether the texts are the HTML's, tables, header cells, language, title, bookmarks). For
every ``report-*.docx``: its figures carry the HTML's alternative texts. Exit status 1
when anything fails.

    PYTHONPATH=src .venv/bin/python scripts/audit-reports.py reports/tampere-2017 reports/varissuo
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import docx

from arviointi.report.browser import axe_script, check_page
from arviointi.report.pdf_tags import pdf_structure


def html_alts(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    found = re.findall(r'<div class="arv-graphic" role="img" aria-label="([^"]*)"', text)
    return [html.unescape(a) for a in found]


def audit(folder: Path) -> int:
    failures = 0
    for page in sorted(folder.glob("report-*.html")):
        for width in (360, 1100):
            check = check_page(page, width=width, axe_script=axe_script())
            ids = sorted({f"{v['id']} ({len(v['targets'])})" for v in check.axe_violations})
            failures += bool(ids)
            print(f"{page} @{width}px: axe {check.axe_passes} rules pass, violations: {ids or 0}")
    for pdf in sorted(folder.glob("report-*.pdf")):
        s = pdf_structure(pdf)
        same = s.figure_alts == html_alts(pdf.with_suffix(".html"))
        ok = s.tagged and s.lang and s.title and s.xmp_title and s.figures_without_alt == 0
        ok = ok and same
        failures += not ok
        print(
            f"{pdf}: tagged={s.tagged} lang={s.lang!r} title={bool(s.title)} "
            f"xmp_title={bool(s.xmp_title)} figures={s.figures} "
            f"without_alt={s.figures_without_alt} alts_as_html={same} tables={s.roles['Table']} "
            f"th={s.roles['TH']} (scope {s.header_cells_with_scope}) bookmarks={len(s.outline)}"
        )
    for word in sorted(folder.glob("report-*.docx")):
        shapes = docx.Document(str(word)).inline_shapes
        alts = [shape._inline.docPr.get("descr") for shape in shapes]
        same = alts == html_alts(word.with_suffix(".html"))
        failures += not same
        print(f"{word}: figures={len(alts)} alts_as_html={same}")
    return failures


if __name__ == "__main__":
    sys.exit(1 if sum(audit(Path(arg)) for arg in sys.argv[1:]) else 0)
