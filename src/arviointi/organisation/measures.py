"""Follow-up of agreed measures (e.g. the 51 conclusions of Turku's employment review):
status by theme and by responsible body, share done, and overdue measures.

Responsible bodies. A ``responsible`` cell may name several bodies. It is split as follows:

1. Parenthetical remarks are removed and end a body's name, as in seed 000:
   ``"Konsernihallinnon kaupunkikehitysryhmä (johtopäätökset nro 5-7) Työllisyyspalvelukeskus
   (johtopäätökset nro 8-9)"`` -> two bodies.
2. The text is split on commas, semicolons, slashes, line breaks and on the whole words
   ``ja``, ``and`` and ``&``, EXCEPT a ``ja``/``and`` right after a hyphen, which is the
   Finnish shared-ending compound (``"Hankinta- ja logistiikkakeskus"`` is one body).
3. Parts are stripped of spaces and trailing punctuation, inner whitespace is collapsed,
   the first letter is upper-cased, and repeats within one measure are counted once.

A measure with several bodies counts once for each of them in ``by_responsible`` (the
column totals can exceed the number of measures).

Overdue: the deadline of a measure is the latest four-digit year (1900-2099) in its
``schedule`` text (``"Syksy 2016 - 2017"`` -> 2017). A measure is overdue at ``as_of_year``
when its deadline is earlier and its status is not ``done``. Schedules without a year, and
open-ended ones (``onwards``, ``ongoing``, ``continuous``, ``alkaen``, ``lähtien``,
``jatkuva``: "2016 budget onwards"), have no deadline and are counted in the notes.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from arviointi.matching.frame_checks import (
    bad_rows_problem,
    check_values_in,
    raise_if_problems,
    require_columns,
    require_frame,
)

STATUSES = ("done", "under_way", "not_done", "postponed")

_PARENS = re.compile(r"\([^()]*\)")
_SPLIT = re.compile(r"\s*[,;/\n]\s*|(?<!-)\s+(?:ja|and|&)\s+", flags=re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_OPEN_ENDED = re.compile(
    r"\b(onwards|ongoing|continuous|alkaen|lähtien|jatkuva\w*)\b", flags=re.IGNORECASE
)


def split_responsible(text: object) -> list[str]:
    """The responsible bodies named in one cell (rules in the module docstring).

    Example::

        split_responsible("Hankinta- ja logistiikkakeskus ja kiinteistöliikelaitos")
        # ['Hankinta- ja logistiikkakeskus', 'Kiinteistöliikelaitos']
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return []
    cleaned = str(text)
    while _PARENS.search(cleaned):
        cleaned = _PARENS.sub(",", cleaned)
    bodies: list[str] = []
    seen: set[str] = set()
    for part in _SPLIT.split(cleaned):
        name = " ".join(part.split()).strip(" .:-")
        if not name:
            continue
        name = name[0].upper() + name[1:]
        if name.casefold() not in seen:
            seen.add(name.casefold())
            bodies.append(name)
    return bodies


def deadline_year(schedule: object) -> int | None:
    """The latest year named in a schedule text, or None (no year, or open-ended)."""
    if schedule is None or (isinstance(schedule, float) and pd.isna(schedule)):
        return None
    if _OPEN_ENDED.search(str(schedule)):
        return None
    years = [int(y) for y in _YEAR.findall(str(schedule))]
    return max(years) if years else None


def _status_table(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    table = pd.crosstab(frame[by], frame["status"]).reindex(columns=list(STATUSES), fill_value=0)
    table.columns.name = None
    table["n"] = table.sum(axis=1)
    table["share_done_pct"] = 100 * table["done"] / table["n"]
    return table.sort_index()


def summarise_measures(measures: pd.DataFrame, *, as_of_year: int | None = None) -> dict[str, Any]:
    """Summarise the follow-up of measures.

    ``measures`` columns: ``measure_id``, ``theme``, ``responsible``, ``status`` (one of
    done / under_way / not_done / postponed) and, for the overdue check, ``schedule``
    (free text with years); ``title_fi`` / ``title_en`` are carried to the overdue list.

    Returns a dict of

    * ``overall``: one row of counts per status, ``n`` and ``share_done_pct``;
    * ``by_theme``: theme x status counts, ``n``, ``share_done_pct``;
    * ``by_responsible``: body x status counts (a measure counts for each of its bodies);
    * ``overdue``: measures whose deadline year < ``as_of_year`` and not done (empty when
      ``as_of_year`` is None), with ``deadline_year``;
    * ``notes``: plain-English notes (schedules without a year, measures without a body).

    Example::

        s = summarise_measures(measures, as_of_year=2017)
        s["by_theme"], s["overdue"][["measure_id", "status", "deadline_year"]]
    """
    require_frame(measures, "measures")
    needed = ["measure_id", "theme", "responsible", "status"]
    if as_of_year is not None:
        needed.append("schedule")
    require_columns(measures, needed, "measures", purpose="measures follow-up")
    raise_if_problems(
        [
            check_values_in(measures, "status", STATUSES, "measures"),
            bad_rows_problem(measures["measure_id"].isna().to_numpy(), "measure_id", "an id"),
            bad_rows_problem(
                (
                    measures["measure_id"].duplicated(keep=False) & measures["measure_id"].notna()
                ).to_numpy(),
                "measure_id",
                "one row per measure (repeated measure_id)",
            ),
            bad_rows_problem(measures["theme"].isna().to_numpy(), "theme", "a theme"),
        ],
        "measures",
    )
    notes: list[str] = []
    m = measures.copy()
    m["status"] = m["status"].astype(str)
    overall = _status_table(m.assign(all="all"), "all")

    bodies = m["responsible"].map(split_responsible)
    no_body = bodies.map(len) == 0
    if no_body.any():
        notes.append(f"{int(no_body.sum())} measure(s) without a responsible body")
    long = m[["measure_id", "status"]].assign(body=bodies).explode("body").dropna(subset="body")
    by_resp = _status_table(long, "body")
    by_resp.index.name = "responsible"

    overdue_cols = [
        c
        for c in ("measure_id", "theme", "title_fi", "title_en", "responsible", "status")
        if c in m.columns
    ]
    overdue = pd.DataFrame(columns=[*overdue_cols, "deadline_year"])
    if as_of_year is not None:
        m["deadline_year"] = m["schedule"].map(deadline_year)
        n_none = int(m["deadline_year"].isna().sum())
        if n_none:
            notes.append(
                f"{n_none} measure(s) have no year in their schedule or are open-ended "
                "(no deadline)"
            )
        late = m["deadline_year"].notna() & (m["deadline_year"] < as_of_year)
        overdue = m.loc[late & (m["status"] != "done"), [*overdue_cols, "deadline_year"]]
        overdue = overdue.astype({"deadline_year": int}).reset_index(drop=True)
    return {
        "overall": overall.reset_index(drop=True),
        "by_theme": _status_table(m, "theme"),
        "by_responsible": by_resp,
        "overdue": overdue,
        "notes": notes,
    }
