"""The HTML report in a real headless Chromium (Debian's), driven over DevTools.

The page must load with no console errors, no exceptions and no request other than the
file itself; screenshots are written for a person to look at. A control page that does
request an external image and logs an error proves the probe can see both.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from arviointi.report.browser import axe_script, check_page
from report_demo import report_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian chromium"),
]


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_report_loads_clean_and_offline(demo: Any, lang: str) -> None:
    shots = [(demo.root / f"screen-{lang}-top.png", 0, 1200)]
    shots.append((demo.root / f"screen-{lang}-figures.png", 2400, 1400))
    check = check_page(demo.html[lang], screenshots=shots)
    assert check.title == report_demo().demo_meta().title[lang]
    assert check.console_errors == []
    assert check.exceptions == []
    assert check.requests == [demo.html[lang].resolve().as_uri()]
    assert check.external_requests() == []
    assert check.failed_requests == []
    assert check.content_height > 5000  # the whole report rendered, not an error page
    for png, _y, _h in shots:
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


@pytest.mark.parametrize("width", [360, 1100])  # a phone (tables scroll) and a desktop
@pytest.mark.parametrize("lang", ["fi", "en"])
def test_report_passes_axe_wcag21_aa(demo: Any, lang: str, width: int) -> None:
    check = check_page(demo.html[lang], width=width, axe_script=axe_script())
    assert check.axe_passes > 20  # axe did run its rules
    assert check.axe_violations == []
    assert check.external_requests() == []


def test_axe_probe_finds_the_unreachable_scroll_region(tmp_path: Path) -> None:
    wide = "<table><tr>" + "<td>1234567890</td>" * 60 + "</tr></table>"
    page = tmp_path / "scroll.html"
    page.write_text(
        "<!DOCTYPE html><html lang='en'><head><title>scroll</title></head><body><main>"
        f"<div style='overflow-x:auto'>{wide}</div><img alt=''><svg role='img'></svg>"
        "</main></body></html>",
        encoding="utf-8",
    )
    check = check_page(page, width=360, axe_script=axe_script())
    found = {v["id"] for v in check.axe_violations}
    assert "scrollable-region-focusable" in found
    assert "svg-img-alt" in found  # an SVG image without a name


def test_probe_sees_external_requests_and_console_errors(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html lang='en'><head><title>bad</title></head><body>"
        "<img src='http://192.0.2.1/x.png' alt='x'>"
        "<script>console.error('boom'); undefinedFunction();</script></body></html>",
        encoding="utf-8",
    )
    check = check_page(page, settle=1.0)
    assert "http://192.0.2.1/x.png" in check.external_requests()
    assert any("boom" in text for text in check.console_errors)
    assert check.exceptions, "the uncaught ReferenceError must be recorded"
