"""Every figure's data as a CSV download beside the figure, listed in the appendix; for
client-level figures the file holds only the rows the figure shows (small groups out)."""

from __future__ import annotations

import html as html_module
import io
import re
import urllib.parse
from typing import Any

import numpy as np
import pandas as pd

from arviointi.report import Emitter, figures
from arviointi.report.figure_data import frame_csv
from arviointi.report.mime import REPORT_MIME

LINK = re.compile(
    r'<a class="arv-data" data-arv-csv="" download="([^"]+)" href="([^"]+)">([^<]+)</a>'
)


def read_link(href: str) -> pd.DataFrame:
    prefix = "data:text/csv;charset=utf-8,"
    assert href.startswith(prefix)
    text = urllib.parse.unquote(html_module.unescape(href[len(prefix) :]))
    assert text.startswith("\ufeff")  # a byte-order mark for spreadsheet programs
    return pd.read_csv(io.StringIO(text[1:]))


def test_every_figure_has_its_data_beside_it(demo: Any) -> None:
    page = demo.html["fi"].read_text(encoding="utf-8")
    links = LINK.findall(page)
    assert len(links) == page.count('class="arv-graphic"') == 6
    names = [name for name, _href, _label in links]
    assert names[0] == "demo-kuvio-1-frame.csv" and names[-1] == "demo-kuvio-6-frame.csv"
    assert links[0][2] == "Lataa kuvion 1 aineisto (CSV)"
    # the link follows its own figure
    first_figure = page.index('class="arv-graphic"')
    assert (
        first_figure < page.index(links[0][1]) < page.index('class="arv-graphic"', first_figure + 1)
    )
    # figure 1 is the event study drawn from rel_time -6..6
    es = read_link(links[0][1])
    rel = np.arange(-6, 7)
    est = np.where(rel < 0, 0.05 * np.sin(rel), -0.2 * (rel + 1))
    assert list(es.columns) == ["rel_time", "estimate", "ci_low", "ci_high"]
    np.testing.assert_allclose(es["estimate"], est, rtol=0, atol=1e-12)
    np.testing.assert_allclose(es["ci_high"] - es["ci_low"], 1.0, atol=1e-12)
    # the cost figure keeps the hostile category as plain text
    costs = read_link(links[3][1])
    assert "Henkilöstö </style><b>lihava</b> {{7*7}} ${x} 'lainaus' & Å" in set(costs["category"])
    assert "<b>lihava</b>" not in page.replace("&lt;b&gt;", "")  # still escaped in the page


def test_appendix_lists_every_file(demo: Any) -> None:
    page = demo.html["en"].read_text(encoding="utf-8")
    appendix = page[page.index('id="app-figure-data"') :]
    names = [name for name, _h, _l in LINK.findall(page)]
    for name in names:
        assert f'<td class="hash">{name}</td>' in appendix
    assert '<td class="num">13</td>' in appendix  # the event study's 13 rows
    assert "Download the data of figure 2 (CSV)" in page


def test_client_level_figure_data_leaves_small_groups_out() -> None:
    shown: list[dict[str, Any]] = []
    em = Emitter({"disclosure": {"threshold": 5}}, display=lambda b, raw=True: shown.append(b))
    frame = pd.DataFrame(
        {
            "measure": ["Elämänhallinta", "Työkyky", "Toimintakyky"],
            "before": [5.1, 5.8, 6.2],
            "after": [6.0, 6.1, 6.9],
            "persons": [40, 3, 12],
        }
    )
    em.figure(figures.wellbeing_figure, "caption.wellbeing", "alt.wellbeing", frame=frame,
              client_counts="persons")  # fmt: skip
    data = shown[-1][REPORT_MIME]["data"]
    assert [e["name"] for e in data] == ["frame"] and data[0]["rows"] == 2
    csv = pd.read_csv(io.StringIO(data[0]["csv"]))
    assert list(csv["measure"]) == ["Elämänhallinta", "Toimintakyky"]
    assert 3 not in set(csv["persons"]) and "5.8" not in data[0]["csv"]


def test_csv_cells_cannot_run_as_spreadsheet_formulas() -> None:
    text = frame_csv(pd.DataFrame({"area": ["=HYPERLINK(\"x\")", "@SUM(1)", "Lauste"],
                                   "gap": [-1.5, 2.0, 0.25]}))  # fmt: skip
    back = pd.read_csv(io.StringIO(text))
    assert list(back["area"]) == ['\'=HYPERLINK("x")', "'@SUM(1)", "Lauste"]
    assert list(back["gap"]) == [-1.5, 2.0, 0.25]  # numbers keep their sign
    assert text.endswith("\r\n") and text.splitlines()[0] == "area,gap"
