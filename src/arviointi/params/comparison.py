"""Which areas serve as comparisons: ``design.comparison`` resolved against the data.

``design.comparison`` is either an explicit list (``areas: [...]``) or a ``rule``:

==========================  ===============================================================
rule key                    meaning
==========================  ===============================================================
source                      the data source whose areas are candidates (default: the
                            source of the first area-level employment outcome)
all_other_areas             ``true``: every area of the source that is not a pilot area
min_labour_force            keep areas whose labour force is at least this
labour_force_year           the year whose mean monthly labour force is compared (default:
                            the year before the pilot starts)
exclude_regions             region names (maakunta) whose municipalities are excluded
exclude_subregions          sub-region names (seutukunta) whose municipalities are excluded
==========================  ===============================================================

plus ``exclude: [...]`` (named areas) and ``reason`` (why). Regions and sub-regions come
from the StatFin region key (:func:`arviointi.data.statfin.load_statfin_region_key`), so
these two keys work only for StatFin municipality sources. Every candidate that is not
kept appears in :attr:`ComparisonSet.excluded` with the reason, for the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from arviointi.data.statfin import load_statfin_region_key
from arviointi.errors import ParamsError, Problem
from arviointi.params.schema import Evaluation

RULE_KEYS = (
    "source",
    "all_other_areas",
    "min_labour_force",
    "labour_force_year",
    "exclude_regions",
    "exclude_subregions",
)
#: the reasons an area can be left out, in the order they are checked
REASONS = ("pilot", "listed", "region", "subregion", "small", "incomplete")

_KEY = "design.comparison"


@dataclass
class ComparisonSet:
    """The resolved comparison areas and what was left out.

    areas : comparison areas, sorted
    pilot_areas : the pilot areas found in the source
    excluded : one row per left-out candidate: area, reason (one of :data:`REASONS`),
        detail (the region, sub-region or labour force that decided it)
    source : the data source name
    rule : the rule as given (empty for an explicit list)
    reason : the stated reason from the parameters
    """

    areas: list[str]
    pilot_areas: list[str]
    excluded: pd.DataFrame
    source: str
    rule: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None

    def excluded_counts(self) -> pd.DataFrame:
        """Number of left-out areas by reason (reasons in :data:`REASONS` order)."""
        counts = self.excluded.groupby("reason").size()
        rows = [{"reason": r, "n": int(counts.get(r, 0))} for r in REASONS if r in counts]
        return pd.DataFrame(rows, columns=["reason", "n"])


def _problem(path: str, message: str) -> ParamsError:
    return ParamsError("<params>", [Problem(path, message)])


def _default_source(evaluation: Evaluation) -> str:
    for outcome in evaluation.outcomes:
        if outcome.level == "area" and outcome.section == "employment" and outcome.source:
            return outcome.source
    for name, spec in evaluation.data.items():
        if spec.schema_ == "area_panel":
            return name
    raise _problem(f"{_KEY}.rule.source", "no area-level data source to take comparisons from")


def _names(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _problem(key, f"expected a list of names, got {value!r}")
    return list(value)


def _labour_force(frame: pd.DataFrame, year: int, key: str) -> pd.Series:
    if "labour_force" not in frame.columns:
        raise _problem(key, "min_labour_force needs a 'labour_force' column in the source")
    months = pd.to_datetime(frame["month"])
    part = frame.loc[months.dt.year == year]
    if part.empty:
        raise _problem(
            f"{_KEY}.rule.labour_force_year", f"the source has no month in {year} (as_of cut?)"
        )
    return part.groupby("area")["labour_force"].mean()


class _Exclusions:
    """The candidates decided so far: left out (with a reason) or not candidates at all."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.decided: set[str] = set()

    def drop(self, area: str, reason: str, detail: str = "") -> None:
        if area not in self.decided:
            self.decided.add(area)
            self.rows.append({"area": area, "reason": reason, "detail": detail})


def _rule(evaluation: Evaluation) -> dict[str, Any]:
    rule = dict(evaluation.design.comparison.rule or {})
    unknown = [k for k in rule if k not in RULE_KEYS]
    if unknown:
        raise ParamsError(
            "<params>",
            [
                Problem(f"{_KEY}.rule.{k}", f"unknown rule key; expected one of {list(RULE_KEYS)}")
                for k in unknown
            ],
        )
    if "all_other_areas" in rule and rule["all_other_areas"] is not True:
        raise _problem(f"{_KEY}.rule.all_other_areas", "expected true (or leave it out)")
    return rule


def _source(
    evaluation: Evaluation, rule: Mapping[str, Any], frames: Mapping[str, pd.DataFrame]
) -> tuple[str, pd.DataFrame]:
    source = rule.get("source", _default_source(evaluation))
    if not isinstance(source, str) or source not in frames:
        raise _problem(
            f"{_KEY}.rule.source", f"{source!r} is not a data source; expected {sorted(frames)}"
        )
    frame = frames[source]
    if "area" not in frame.columns:
        raise _problem(f"{_KEY}.rule.source", f"source {source!r} has no 'area' column")
    return source, frame


def _named_areas(
    evaluation: Evaluation, candidates: list[str], source: str, out: _Exclusions
) -> None:
    """The pilot areas, an explicit ``areas`` list and the ``exclude`` list."""
    comp = evaluation.design.comparison
    for area in evaluation.design.pilot_areas:
        out.drop(area, "pilot")
    if comp.areas:
        absent = [a for a in comp.areas if a not in candidates]
        if absent:
            raise _problem(f"{_KEY}.areas", f"{absent} not in source {source!r}")
        keep = set(comp.areas)
        # not candidates at all: an explicit list was given
        out.decided.update(a for a in candidates if a not in keep)
    listed = _names(comp.exclude, f"{_KEY}.exclude") if comp.exclude else []
    absent = [a for a in listed if a not in candidates]
    if absent:
        raise _problem(f"{_KEY}.exclude", f"{absent} not in source {source!r}")
    for area in listed:
        out.drop(area, "listed")


def _by_region(rule: Mapping[str, Any], frame: pd.DataFrame, out: _Exclusions) -> None:
    """``exclude_regions`` / ``exclude_subregions`` through the StatFin region key."""
    regions = _names(rule.get("exclude_regions", []), f"{_KEY}.rule.exclude_regions")
    subregions = _names(rule.get("exclude_subregions", []), f"{_KEY}.rule.exclude_subregions")
    if not regions and not subregions:
        return
    if "area_code" not in frame.columns:
        raise _problem(
            f"{_KEY}.rule",
            "exclude_regions / exclude_subregions need a StatFin municipality source",
        )
    key = load_statfin_region_key()
    codes = frame[["area", "area_code"]].drop_duplicates()
    merged = codes.merge(key.drop(columns="area"), on="area_code", how="left")
    for names, col, path in (
        (regions, "maakunta_name", "exclude_regions"),
        (subregions, "seutukunta_name", "exclude_subregions"),
    ):
        unknown_names = sorted(set(names) - set(key[col]))
        if unknown_names:
            raise _problem(
                f"{_KEY}.rule.{path}",
                f"{unknown_names} are not {col.split('_')[0]} names in the StatFin key",
            )
    for row in merged.sort_values("area").itertuples(index=False):
        if row.maakunta_name in regions:
            out.drop(str(row.area), "region", str(row.maakunta_name))
        elif row.seutukunta_name in subregions:
            out.drop(str(row.area), "subregion", str(row.seutukunta_name))


def _by_labour_force(
    evaluation: Evaluation,
    rule: Mapping[str, Any],
    frame: pd.DataFrame,
    candidates: list[str],
    out: _Exclusions,
) -> None:
    """``min_labour_force`` in ``labour_force_year`` (default: the year before the pilot)."""
    if "min_labour_force" not in rule:
        return
    threshold = rule["min_labour_force"]
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise _problem(f"{_KEY}.rule.min_labour_force", f"expected a number, got {threshold!r}")
    year = rule.get("labour_force_year", int(evaluation.design.pilot_start[:4]) - 1)
    if isinstance(year, bool) or not isinstance(year, int):
        raise _problem(f"{_KEY}.rule.labour_force_year", f"expected a year, got {year!r}")
    lf = _labour_force(frame, year, f"{_KEY}.rule.min_labour_force")
    for area in candidates:
        value = lf.get(area)
        if value is None or pd.isna(value) or float(value) < float(threshold):
            shown = "-" if value is None or pd.isna(value) else f"{float(value):.0f}"
            out.drop(area, "small", shown)


def _incomplete(evaluation: Evaluation, frame: pd.DataFrame, out: _Exclusions) -> None:
    """Areas whose unemployment data have gaps: they cannot enter a balanced panel."""
    if "unemployed" not in frame.columns:
        return
    design = evaluation.design
    first = pd.Timestamp(f"{design.start or design.pre_window[0]}-01")
    last = pd.Timestamp(f"{design.end}-01")
    months = pd.to_datetime(frame["month"])
    inside = (months >= first) & (months <= last)
    gaps = frame.loc[inside & frame["unemployed"].isna(), "area"].astype(str).value_counts()
    for gap_area, n in gaps.items():
        out.drop(str(gap_area), "incomplete", str(int(n)))


def resolve_comparison(evaluation: Evaluation, frames: Mapping[str, pd.DataFrame]) -> ComparisonSet:
    """Resolve ``design.comparison`` to a :class:`ComparisonSet` (see the module docstring).

    Raises :class:`ParamsError` naming the params key for an unknown rule key, an unknown
    source, a named area absent from the data, or a rule that leaves no comparison area.
    """
    rule = _rule(evaluation)
    source, frame = _source(evaluation, rule, frames)
    candidates = sorted(frame["area"].astype(str).unique())
    pilots = list(evaluation.design.pilot_areas)
    missing_pilots = [a for a in pilots if a not in candidates]
    if missing_pilots:
        raise _problem("design.pilot_areas", f"{missing_pilots} not in source {source!r}")
    out = _Exclusions()
    _named_areas(evaluation, candidates, source, out)
    _by_region(rule, frame, out)
    _by_labour_force(evaluation, rule, frame, candidates, out)
    _incomplete(evaluation, frame, out)
    areas = [a for a in candidates if a not in out.decided]
    if not areas:
        raise _problem(_KEY, f"the rule leaves no comparison area in source {source!r}")
    return ComparisonSet(
        areas=areas,
        pilot_areas=pilots,
        excluded=pd.DataFrame(out.rows, columns=["area", "reason", "detail"]),
        source=source,
        rule=rule,
        reason=evaluation.design.comparison.reason,
    )
