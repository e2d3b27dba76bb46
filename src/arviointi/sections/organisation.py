"""Organisation: follow-up of the agreed measures (data source with schema ``measures``).

Status by theme and by responsible body (done / under way / not done / postponed), the
share done, and overdue measures. A measure is overdue when the latest year in its
schedule is earlier than the status year and it is not done; the status year is the year
after the last month of the evaluation window when that month is December (the shipped
Turku file reports the status of early 2016 for a window ending 2015-12), else the year of
that month. Evaluations without a measures source get one plain sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from arviointi.organisation import deadline_year, summarise_measures
from arviointi.report import formatting as fm
from arviointi.report.emitter import Emitter
from arviointi.report.figures import measures_figure
from arviointi.report.i18n import has_message, t
from arviointi.sections.clients import window_end
from arviointi.sections.context import EvaluationContext

STATUSES = ("done", "under_way", "not_done", "postponed")
#: the measures figure knows three statuses: postponed and not done are "not started"
FIGURE_STATUS = {
    "done": "done",
    "under_way": "in_progress",
    "not_done": "not_started",
    "postponed": "not_started",
}


@dataclass
class OrganisationAnalysis:
    """Summary of the measures follow-up (aggregates only; the measures are public)."""

    available: bool
    status_year: int | None = None
    overall: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_theme: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_responsible: pd.DataFrame = field(default_factory=pd.DataFrame)
    overdue: pd.DataFrame = field(default_factory=pd.DataFrame)
    figure: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_no_deadline: int = 0
    notes: list[str] = field(default_factory=list)


def status_year(ctx: EvaluationContext) -> int:
    """The year the measures' status is judged at (see the module docstring)."""
    end = window_end(ctx)
    return end.year + 1 if end.month == 12 else end.year


def analyse_organisation(ctx: EvaluationContext) -> OrganisationAnalysis:
    """Summarise the measures follow-up, or mark it unavailable."""
    measures = ctx.frame_for("measures")
    if measures is None:
        return OrganisationAnalysis(available=False)
    year = status_year(ctx)
    s = summarise_measures(measures, as_of_year=year)
    figure = pd.DataFrame(
        {
            "theme": measures["theme"].astype(str),
            "status": measures["status"].map(FIGURE_STATUS),
        }
    )
    return OrganisationAnalysis(
        available=True,
        status_year=year,
        overall=s["overall"],
        by_theme=s["by_theme"],
        by_responsible=s["by_responsible"],
        overdue=s["overdue"],
        figure=figure,
        n_no_deadline=int(measures["schedule"].map(deadline_year).isna().sum()),
        notes=list(s["notes"]),
    )


# -- report ---------------------------------------------------------------------------


def _theme(theme: str, lang: str) -> str:
    key = f"organisation.theme.{theme}"
    return t(key, lang) if has_message(key, lang) else theme


def themes_figure(frame: pd.DataFrame, lang: str) -> Figure:
    """:func:`measures_figure` with the themes translated."""
    return measures_figure(frame.assign(theme=[_theme(x, lang) for x in frame["theme"]]), lang)


def _status_columns() -> dict[str, str]:
    cols = {s: f"organisation.status.{s}" for s in STATUSES}
    cols.update(
        {
            "n": "organisation.col.n",
            "share_done_pct": "organisation.col.share_done_pct",
            "theme": "organisation.col.theme",
            "responsible": "organisation.col.responsible",
        }
    )
    return cols


def theme_table(analysis: OrganisationAnalysis) -> pd.DataFrame:
    tab = analysis.by_theme.reset_index()
    tab = tab.sort_values(["n", "theme"], ascending=[False, True]).reset_index(drop=True)
    return tab[["theme", *STATUSES, "n", "share_done_pct"]]


def emit_organisation(analysis: OrganisationAnalysis, em: Emitter) -> None:
    """Write the organisation section of the report."""
    em.section("organisation")
    em.heading("organisation.heading")
    if not analysis.available:
        em.paragraph("organisation.no_data")
        return
    o = analysis.overall.iloc[0]
    em.paragraphs(
        ["organisation.intro", "organisation.overall"],
        n=int(o["n"]),
        done=int(o["done"]),
        under_way=int(o["under_way"]),
        not_done=int(o["not_done"]),
        postponed=int(o["postponed"]),
        share={lang: fm.fmt_number(float(o["share_done_pct"]), lang, 0) for lang in em.languages},
    )
    em.figure(
        themes_figure,
        "organisation.caption_figure",
        "organisation.alt_figure",
        frame=analysis.figure,
    )
    formats = {"share_done_pct": "number:0"}
    em.table(
        theme_table(analysis),
        "organisation.caption_theme",
        level="area",
        columns=_status_columns(),
        formats=formats,
        translate={"theme": "organisation.theme"},
    )
    resp = analysis.by_responsible.reset_index()
    resp = resp.sort_values(["n", "responsible"], ascending=[False, True]).reset_index(drop=True)
    em.table(
        resp[["responsible", *STATUSES, "n", "share_done_pct"]],
        "organisation.caption_responsible",
        level="area",
        columns=_status_columns(),
        formats=formats,
    )
    em.paragraph("organisation.responsible_note")
    em.heading("organisation.heading_overdue", level=3)
    overdue = analysis.overdue
    if overdue.empty:
        em.paragraph("organisation.no_overdue", year=str(analysis.status_year))
    else:
        items = {
            lang: "; ".join(
                f"{int(r['measure_id'])}. {r.get(f'title_{lang}', '') or ''}".strip()
                for _, r in overdue.iterrows()
            )
            for lang in em.languages
        }
        em.paragraph(
            "organisation.overdue",
            n=len(overdue),
            year=str(analysis.status_year),
            items=items,
        )
    if analysis.n_no_deadline:
        em.paragraph("organisation.open_ended", n=analysis.n_no_deadline)
