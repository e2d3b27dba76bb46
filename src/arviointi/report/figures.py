"""Figure builders used by the notebooks (through :meth:`Emitter.figure`).

Each builder takes a plain DataFrame with documented columns and the report language, and
returns a matplotlib :class:`~matplotlib.figure.Figure` in the report style. They do not
depend on estimator internals: an estimator exposes such a frame and the notebook passes
it on. Every label comes from the translation catalogue; data labels are drawn as text
(never markup, never math).

==========================  ==========================================================
builder                     columns of ``frame``
==========================  ==========================================================
event_study_figure          rel_time, estimate, ci_low, ci_high
counterfactual_figure       time (or month), observed, counterfactual [, lower, upper]
gap_figure                  time (or month), unit, gap   (+ ``treated=`` unit name)
cost_figure                 category, budget, actual     (summed over other columns)
wellbeing_figure            measure, before, after
measures_figure             theme, status (done/in_progress/not_started) [, count]
==========================  ==========================================================
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from arviointi.errors import InputError, Problem
from arviointi.report.formatting import fmt_number
from arviointi.report.i18n import t
from arviointi.report.style import (
    GREY,
    HATCHES,
    LIGHT_GREY,
    MARKERS,
    OKABE_ITO,
    new_figure,
    style_context,
)

STATUSES = ("done", "in_progress", "not_started")


def _require(frame: Any, columns: Sequence[str], builder: str) -> pd.DataFrame:
    source = f"<figure input of {builder}>"
    if not isinstance(frame, pd.DataFrame):
        raise InputError(source, [Problem("frame", f"expected a DataFrame, got {type(frame)}")])
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            source,
            [
                Problem(f"column {c!r}", f"missing; expected columns {list(columns)}")
                for c in missing
            ],
        )
    if frame.empty:
        raise InputError(source, [Problem("rows", "the frame is empty")])
    return frame


def _number_axis(ax: Any, lang: str, decimals: int = 1, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda x, _pos: fmt_number(x, lang, decimals))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def _band(ax: Any, x: Any, low: pd.Series, high: pd.Series, lang: str, **style: Any) -> None:
    """The interval band between ``low`` and ``high``, labelled for the legend."""
    ax.fill_between(
        x,
        low.to_numpy(dtype=float),
        high.to_numpy(dtype=float),
        **style,
        linewidth=0,
        label=t("figure.interval", lang),
    )


def _pilot_start_label(ax: Any, x: Any, lang: str, **style: Any) -> None:
    """ "Pilot starts" written at the top of the plot, just right of ``x``."""
    ax.annotate(
        t("figure.pilot_start", lang),
        xy=(x, 1),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        va="top",
        **style,
        fontsize=8,
    )


def _wrap(label: Any, width: int = 26) -> str:
    """A data label wrapped onto short lines (long names would squeeze the plot)."""
    return "\n".join(textwrap.wrap(str(label), width=width, break_long_words=True)) or ""


def _legend_below(fig: Figure, ax: Any) -> None:
    """One legend under the plot, outside the data area (never hides a line)."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(3, len(handles)))


def _time_axis(ax: Any, values: pd.Series) -> None:
    """Year ticks for long monthly series, month/year ticks for short ones (no ISO dates)."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        return
    span_months = (values.max() - values.min()).days / 30.4
    if span_months > 30:
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda x, _pos: f"{mdates.num2date(x).month}/{mdates.num2date(x).year}")
        )


def _time_column(frame: pd.DataFrame, builder: str) -> str:
    for name in ("time", "month", "year"):
        if name in frame.columns:
            return name
    raise InputError(
        f"<figure input of {builder}>",
        [Problem("column 'time'", "missing; expected a 'time', 'month' or 'year' column")],
    )


def event_study_figure(
    frame: pd.DataFrame, lang: str, *, ylabel: str | None = None, decimals: int = 1
) -> Figure:
    """Leads and lags with their interval band; a zero line and the pilot start."""
    data = _require(frame, ["rel_time", "estimate", "ci_low", "ci_high"], "event_study_figure")
    data = data.sort_values("rel_time")
    with style_context():
        fig, ax = new_figure()
        x = data["rel_time"].to_numpy(dtype=float)
        _band(ax, x, data["ci_low"], data["ci_high"], lang, color=OKABE_ITO[0], alpha=0.18)
        ax.plot(
            x,
            data["estimate"].to_numpy(dtype=float),
            color=OKABE_ITO[0],
            linestyle="-",
            marker="o",
            label=t("figure.effect", lang),
        )
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.axvline(-0.5, color=GREY, linestyle="--", linewidth=1)
        _pilot_start_label(ax, -0.5, lang, color="#333333")
        ax.set_xlabel(t("figure.rel_time", lang))
        ax.set_ylabel(ylabel or t("figure.effect", lang))
        _number_axis(ax, lang, decimals)
        _number_axis(ax, lang, 0, axis="x")
        _legend_below(fig, ax)
    return fig


def counterfactual_figure(
    frame: pd.DataFrame,
    lang: str,
    *,
    treatment_start: Any = None,
    ylabel: str | None = None,
    decimals: int = 1,
) -> Figure:
    """Observed path against the estimated path without the pilot (with its band)."""
    data = _require(frame, ["observed", "counterfactual"], "counterfactual_figure")
    tcol = _time_column(data, "counterfactual_figure")
    data = data.sort_values(tcol)
    x = data[tcol]
    with style_context():
        fig, ax = new_figure()
        if {"lower", "upper"} <= set(data.columns):
            _band(ax, x, data["lower"], data["upper"], lang, color=OKABE_ITO[1], alpha=0.15)
        ax.plot(
            x,
            data["observed"].to_numpy(dtype=float),
            color=OKABE_ITO[0],
            linestyle="-",
            marker="o",
            markevery=max(1, len(data) // 12),
            label=t("figure.observed", lang),
        )
        ax.plot(
            x,
            data["counterfactual"].to_numpy(dtype=float),
            color=OKABE_ITO[1],
            linestyle="--",
            marker="s",
            markevery=max(1, len(data) // 12),
            label=t("figure.counterfactual", lang),
        )
        if treatment_start is not None:
            ax.axvline(treatment_start, color=GREY, linestyle=":", linewidth=1.2)
            _pilot_start_label(ax, treatment_start, lang)
        ax.set_xlabel(t("figure.time", lang))
        if ylabel:
            ax.set_ylabel(ylabel)
        _number_axis(ax, lang, decimals)
        _time_axis(ax, data[tcol])
        _legend_below(fig, ax)
    return fig


def gap_figure(
    frame: pd.DataFrame,
    lang: str,
    *,
    treated: str,
    treatment_start: Any = None,
    decimals: int = 1,
) -> Figure:
    """Synthetic-control gap of the treated unit (thick) against placebo gaps (thin grey)."""
    data = _require(frame, ["unit", "gap"], "gap_figure")
    tcol = _time_column(data, "gap_figure")
    units = data["unit"].astype(str)
    if treated not in set(units):
        raise InputError(
            "<figure input of gap_figure>",
            [Problem("column 'unit'", f"the treated unit {treated!r} is not in the frame")],
        )
    with style_context():
        fig, ax = new_figure()
        first = True
        for _unit, part in data[units != treated].groupby(units[units != treated], sort=True):
            part = part.sort_values(tcol)
            ax.plot(
                part[tcol],
                part["gap"].to_numpy(dtype=float),
                color=LIGHT_GREY,
                linestyle="-",
                marker="",
                linewidth=0.9,
                label=t("figure.placebo_gap", lang) if first else None,
                zorder=1,
            )
            first = False
        part = data[units == treated].sort_values(tcol)
        ax.plot(
            part[tcol],
            part["gap"].to_numpy(dtype=float),
            color=OKABE_ITO[0],
            linestyle="-",
            marker="",
            linewidth=2.4,
            label=_wrap(f"{t('figure.treated_gap', lang)}: {treated}", 40),
            zorder=3,
        )
        ax.axhline(0, color="#333333", linewidth=0.8)
        if treatment_start is not None:
            ax.axvline(treatment_start, color=GREY, linestyle=":", linewidth=1.2)
        ax.set_xlabel(t("figure.time", lang))
        ax.set_ylabel(t("figure.gap", lang))
        _number_axis(ax, lang, decimals)
        _time_axis(ax, data[tcol])
        _legend_below(fig, ax)
    return fig


def cost_figure(frame: pd.DataFrame, lang: str) -> Figure:
    """Budgeted and actual costs by category (grouped bars, hatched for grey print)."""
    data = _require(frame, ["category", "budget", "actual"], "cost_figure")
    sums = data.groupby(data["category"].astype(str), sort=False)[["budget", "actual"]].sum()
    with style_context():
        fig, ax = new_figure()
        y = np.arange(len(sums))
        h = 0.38
        ax.barh(
            y - h / 2,
            sums["budget"].to_numpy(dtype=float),
            height=h,
            color=OKABE_ITO[5],
            edgecolor="#333333",
            linewidth=0.6,
            hatch=HATCHES[1],
            label=t("figure.budget", lang),
        )
        ax.barh(
            y + h / 2,
            sums["actual"].to_numpy(dtype=float),
            height=h,
            color=OKABE_ITO[0],
            edgecolor="#333333",
            linewidth=0.6,
            label=t("figure.actual", lang),
        )
        ax.set_yticks(y, [_wrap(c) for c in sums.index])
        ax.invert_yaxis()
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(t("figure.eur", lang))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        _number_axis(ax, lang, 0, axis="x")
        _legend_below(fig, ax)
    return fig


def wellbeing_figure(frame: pd.DataFrame, lang: str, *, decimals: int = 1) -> Figure:
    """Mean scores before (circles) and after (squares), joined by a line per measure."""
    data = _require(frame, ["measure", "before", "after"], "wellbeing_figure")
    with style_context():
        fig, ax = new_figure(height=max(1.8, 0.5 * len(data) + 1.0))
        y = np.arange(len(data))
        before = data["before"].to_numpy(dtype=float)
        after = data["after"].to_numpy(dtype=float)
        ax.hlines(y, before, after, color=GREY, linewidth=1.2, zorder=1)
        ax.plot(
            before,
            y,
            linestyle="",
            marker="o",
            markersize=7,
            color=OKABE_ITO[1],
            label=t("figure.before", lang),
            zorder=2,
        )
        ax.plot(
            after,
            y,
            linestyle="",
            marker="s",
            markersize=7,
            color=OKABE_ITO[0],
            label=t("figure.after", lang),
            zorder=3,
        )
        ax.set_yticks(y, [_wrap(m) for m in data["measure"]])
        ax.invert_yaxis()
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(t("figure.mean_score", lang))
        _number_axis(ax, lang, decimals, axis="x")
        _legend_below(fig, ax)
    return fig


def measures_figure(frame: pd.DataFrame, lang: str) -> Figure:
    """Number of agreed measures by theme and status (stacked, hatched bars)."""
    data = _require(frame, ["theme", "status"], "measures_figure")
    bad = data.index[~data["status"].isin(STATUSES)]
    if len(bad):
        pos = int(np.flatnonzero(data.index == bad[0])[0]) + 1
        raise InputError(
            "<figure input of measures_figure>",
            [
                Problem(
                    f"row {pos}, column 'status'",
                    f"got {data.loc[bad[0], 'status']!r}; expected one of {list(STATUSES)}",
                )
            ],
        )
    weights = data["count"] if "count" in data.columns else pd.Series(1, index=data.index)
    table = (
        pd.DataFrame({"theme": data["theme"].astype(str), "status": data["status"], "n": weights})
        .pivot_table(index="theme", columns="status", values="n", aggfunc="sum", sort=False)
        .reindex(columns=list(STATUSES))
        .fillna(0)
    )
    # done: dark solid; under way: light, hatched; not started: empty with a cross hatch
    # (tells apart in grey print as well as in colour)
    colours = (OKABE_ITO[2], OKABE_ITO[3], "#FFFFFF")
    hatches = ("", "///", "xx")
    with style_context():
        fig, ax = new_figure(height=max(2.0, 0.42 * len(table) + 1.2))
        y = np.arange(len(table))
        left = np.zeros(len(table))
        for i, status in enumerate(STATUSES):
            values = table[status].to_numpy(dtype=float)
            ax.barh(
                y,
                values,
                left=left,
                color=colours[i],
                edgecolor="#333333",
                linewidth=0.6,
                hatch=hatches[i],
                label=t(f"status.{status}", lang),
            )
            left += values
        ax.set_yticks(y, [_wrap(c) for c in table.index])
        ax.invert_yaxis()
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(t("figure.measures", lang))
        _number_axis(ax, lang, 0, axis="x")
        _legend_below(fig, ax)
    return fig


__all__ = [
    "MARKERS",
    "cost_figure",
    "counterfactual_figure",
    "event_study_figure",
    "gap_figure",
    "measures_figure",
    "wellbeing_figure",
]
