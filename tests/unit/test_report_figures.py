"""Figure builders and the shared style: inputs checked, series readable in grey."""

from __future__ import annotations

import re

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.lines import Line2D

from arviointi.errors import InputError
from arviointi.report import figures
from arviointi.report.style import OKABE_ITO, STYLE, figure_to_svg

# Okabe & Ito (2008), "Color Universal Design": the eight published colours
PUBLISHED_OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73",
                       "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}  # fmt: skip


def luminance(colour: str) -> float:
    r, g, b = mcolors.to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_palette_is_okabe_ito_and_cycle_varies_style() -> None:
    assert set(OKABE_ITO) == PUBLISHED_OKABE_ITO
    cycle = list(STYLE["axes.prop_cycle"])
    pairs = {(c["linestyle"], c["marker"]) for c in cycle}
    assert len(pairs) == len(cycle), "every series differs by line style/marker, not only hue"
    assert STYLE["svg.fonttype"] == "none" and STYLE["text.parse_math"] is False


def event_frame() -> pd.DataFrame:
    rel = np.arange(-4, 5)
    est = np.where(rel < 0, 0.0, -0.3 * rel)
    return pd.DataFrame(
        {"rel_time": rel, "estimate": est, "ci_low": est - 0.4, "ci_high": est + 0.4}
    )


def test_line_series_differ_without_colour() -> None:
    months = pd.date_range("2012-01-01", periods=24, freq="MS")
    frame = pd.DataFrame({"month": months, "observed": np.arange(24.0),
                          "counterfactual": np.arange(24.0) + 1})  # fmt: skip
    fig = figures.counterfactual_figure(frame, "fi", treatment_start=months[12])
    lines = [
        ln
        for ln in fig.axes[0].get_lines()
        if ln.get_label() in ("Havaittu", "Arvio ilman pilottia")
    ]
    assert len(lines) == 2
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert lines[0].get_marker() != lines[1].get_marker()
    # time axis shows months as 1/2012 style or years, never ISO dates
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert labels and all("-" not in label for label in labels)


def test_gap_figure_treated_line_stands_out() -> None:
    rows = [{"time": m, "unit": u, "gap": float(k == 0) * m} for k, u in enumerate("ABC")
            for m in range(10)]  # fmt: skip
    fig = figures.gap_figure(pd.DataFrame(rows), "en", treated="A")
    lines = [ln for ln in fig.axes[0].get_lines() if isinstance(ln, Line2D)]
    treated = [ln for ln in lines if str(ln.get_label()).startswith("Pilot area")]
    placebos = [ln for ln in lines if ln.get_linewidth() < 1.5 and len(ln.get_xdata()) == 10]
    assert len(treated) == 1 and len(placebos) == 2
    assert luminance(str(treated[0].get_color())) < luminance(str(placebos[0].get_color())) - 0.3
    with pytest.raises(InputError, match="treated unit 'Z'"):
        figures.gap_figure(pd.DataFrame(rows), "en", treated="Z")


def test_bars_are_told_apart_by_hatch_or_lightness() -> None:
    measures = pd.DataFrame(
        {"theme": ["a", "a", "b"], "status": ["done", "in_progress", "not_started"]}
    )
    fig = figures.measures_figure(measures, "fi")
    patches = [p for p in fig.axes[0].patches if p.get_width() > 0]
    keys = {
        (p.get_hatch() or "", round(luminance(mcolors.to_hex(p.get_facecolor())), 1))
        for p in patches
    }
    assert len(keys) == 3
    costs = pd.DataFrame(
        {"category": ["staff", "rent"], "budget": [1.0, 2.0], "actual": [1.5, 1.0]}
    )
    fig = figures.cost_figure(costs, "en")
    hatches = {p.get_hatch() or "" for p in fig.axes[0].patches}
    assert len(hatches) == 2


@pytest.mark.parametrize(
    ("builder", "frame", "missing"),
    [
        (figures.event_study_figure, event_frame().drop(columns="ci_high"), "ci_high"),
        (
            figures.counterfactual_figure,
            pd.DataFrame({"time": [1], "observed": [1.0]}),
            "counterfactual",
        ),
        (figures.cost_figure, pd.DataFrame({"category": ["x"], "budget": [1.0]}), "actual"),
        (figures.wellbeing_figure, pd.DataFrame({"measure": ["x"], "after": [1.0]}), "before"),
        (figures.measures_figure, pd.DataFrame({"status": ["done"]}), "theme"),
    ],
)
def test_missing_columns_are_named(builder, frame, missing) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=f"column '{missing}'"):
        builder(frame, "fi")


def test_bad_status_names_the_row() -> None:
    frame = pd.DataFrame({"theme": ["a", "b"], "status": ["done", "maybe"]})
    with pytest.raises(InputError, match=r"row 2, column 'status'.*'maybe'"):
        figures.measures_figure(frame, "fi")


def test_svg_keeps_text_and_drops_global_style_and_urls() -> None:
    fig = figures.event_study_figure(event_frame(), "fi")
    svg = figure_to_svg(fig, id_prefix="x1")
    assert svg.startswith("<svg") and "<style" not in svg and "<metadata" not in svg
    assert "Kuukausia pilotin alusta" in svg
    assert "rdf:resource" not in svg and "purl.org" not in svg
    ids = set(re.findall(r'id="([^"]+)"', svg))
    assert ids and all(i.startswith("x1-") for i in ids)
