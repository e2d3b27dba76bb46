"""One figure style for every report figure: colour-blind safe and readable in grey.

Colours are the Okabe-Ito palette; every series also gets its own line style, marker and
hatch, so a figure printed in grey still tells series apart. Text is DejaVu Sans, sized
for an A4 page (figures are 16 cm wide). SVG output keeps text as text (searchable in
the PDF, Finnish letters intact); math parsing is off so ``$`` in data labels is literal.

    with style_context():
        fig = new_figure()
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Okabe & Ito (2008) colour-blind safe palette, most distinct first
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":", "-", "--", "-.", ":")
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
HATCHES: tuple[str, ...] = ("", "///", "...", "xxx", "\\\\\\", "++", "oo", "--")
GREY = "#7F7F7F"
LIGHT_GREY = "#C8C8C8"
#: width of a figure on an A4 page with 2 cm margins (inches)
A4_TEXT_WIDTH = 6.3

STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "axes.prop_cycle": cycler(color=list(OKABE_ITO))
    + cycler(linestyle=list(LINESTYLES))
    + cycler(marker=list(MARKERS)),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#E0E0E0",
    "grid.linewidth": 0.6,
    "axes.edgecolor": "#333333",
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.8,
    "lines.markersize": 4.5,
    "figure.figsize": (A4_TEXT_WIDTH, 3.4),
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "svg.fonttype": "none",
    "svg.hashsalt": "arviointi",
    "text.parse_math": False,
    "axes.unicode_minus": True,
    "hatch.linewidth": 0.7,
}


@contextmanager
def style_context() -> Iterator[None]:
    """Apply the report style (matplotlib rcParams) inside the ``with`` block."""
    with mpl.rc_context(STYLE):  # type: ignore[arg-type]
        yield


def new_figure(height: float = 3.4, width: float = A4_TEXT_WIDTH) -> tuple[Figure, Axes]:
    """A figure with one axes, not registered with pyplot (no global state to close)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    return fig, ax


_SVG_HEAD = re.compile(r"^.*?(?=<svg\b)", re.S)
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_SVG_STYLE = re.compile(r"<style[^>]*>.*?</style>\s*", re.S)
_SVG_ID = re.compile(r'(id="|url\(#|xlink:href="#|href="#)([A-Za-z_][\w.\-]*)')


def figure_to_svg(fig: Figure, *, id_prefix: str = "f") -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog), text kept as text.

    The RDF metadata (which holds URLs) and the global ``<style>`` are removed; the
    report CSS scopes the same rule to figures. Element ids get ``id_prefix`` so several
    figures can share one HTML page.
    """
    buffer = io.StringIO()
    with style_context():
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _SVG_HEAD.sub("", buffer.getvalue(), count=1)
    # the RDF metadata holds URLs and matplotlib's <style> sets a page-wide "*" rule;
    # the report CSS carries the same rule scoped to figures
    svg = _SVG_METADATA.sub("", svg, count=1)
    svg = _SVG_STYLE.sub("", svg)
    return _SVG_ID.sub(lambda m: f"{m.group(1)}{id_prefix}-{m.group(2)}", svg)
