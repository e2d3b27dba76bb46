"""Rules across fields, and checks of the parameters against the loaded data.

The cross-field rules work on the raw YAML data (best effort: values that are themselves
invalid are skipped, they are already reported by the schema), so that one run reports
type errors, impossible dates and windows out of order together.
"""

from __future__ import annotations

import difflib
import glob as globlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arviointi.errors import ParamsError, Problem
from arviointi.params.coverage import coverage_problems
from arviointi.params.months import try_month
from arviointi.params.problems import KeyPath, locate
from arviointi.params.schema import Evaluation

if TYPE_CHECKING:  # pandas is loaded with the data, not with the parameters
    import pandas as pd


def _get(raw: Any, *path: str | int) -> Any:
    current = raw
    for part in path:
        if isinstance(part, int) and isinstance(current, list) and 0 <= part < len(current):
            current = current[part]
        elif isinstance(part, str) and isinstance(current, dict):
            current = current.get(part)
        else:
            return None
    return current


class _Collector:
    def __init__(self, lines: Mapping[KeyPath, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(locate(path, self.lines), message))


def cross_field_problems(
    raw: Mapping[str, Any], lines: Mapping[KeyPath, int], root: Path | None
) -> list[Problem]:
    """Problems between fields: windows, checkpoints, languages, references, files.

    ``root`` is the resolved ``base_dir`` (None skips the file-existence checks).
    """
    out = _Collector(lines)
    _check_design(raw, out)
    _check_languages(raw, out)
    _check_references(raw, out)
    if root is not None:
        _check_files(raw, root, out)
    return out.problems


def _window(raw: Any, key: str) -> tuple[str, str] | None:
    value = _get(raw, "design", key)
    if not isinstance(value, list) or len(value) != 2:
        return None
    first, last = try_month(value[0]), try_month(value[1])
    if first is None or last is None:
        return None
    return first, last


def _check_design(raw: Any, out: _Collector) -> None:
    design = _get(raw, "design")
    if not isinstance(design, dict):
        return
    start = try_month(design.get("start"))
    pilot = try_month(design.get("pilot_start"))
    end = try_month(design.get("end"))
    pre, post = _window(raw, "pre_window"), _window(raw, "post_window")
    d: KeyPath = ("design",)
    if pilot and end and pilot > end:
        out.add((*d, "end"), f"the experiment ends ({end}) before the pilot starts ({pilot})")
    if start and pilot and start > pilot:
        out.add((*d, "start"), f"data start {start} is after the pilot start {pilot}")
    for key, window in (("pre_window", pre), ("post_window", post)):
        if window and window[0] > window[1]:
            out.add((*d, key), f"the window starts ({window[0]}) after it ends ({window[1]})")
        if window and start and window[0] < start:
            out.add((*d, key), f"the window starts ({window[0]}) before the data start {start}")
        if window and end and window[1] > end:
            out.add((*d, key), f"the window ends ({window[1]}) after the experiment ends {end}")
    if pre and post and pre[1] >= post[0]:
        out.add(
            (*d, "post_window"),
            f"the post window must start after the pre window ends: it starts {post[0]}, "
            f"the pre window ends {pre[1]}",
        )
    if pre and pilot and pre[1] >= pilot:
        out.add(
            (*d, "pre_window"),
            f"the pre window must end before the pilot starts ({pilot}), it ends {pre[1]}",
        )
    if post and pilot and post[0] < pilot:
        out.add(
            (*d, "post_window"),
            f"the post window must start at or after the pilot start ({pilot}), "
            f"it starts {post[0]}",
        )
    _check_checkpoints(design, pilot, end, out)
    _check_comparison(design, out)


def _check_checkpoints(
    design: dict[str, Any], pilot: str | None, end: str | None, out: _Collector
) -> None:
    checkpoints = design.get("checkpoints")
    ids: list[str] = []
    if isinstance(checkpoints, list):
        for index, item in enumerate(checkpoints):
            if not isinstance(item, dict):
                continue
            key = item.get("id")
            path: KeyPath = ("design", "checkpoints", index)
            if isinstance(key, str):
                if key in ids:
                    out.add((*path, "id"), f"checkpoint id '{key}' is used twice")
                ids.append(key)
            date = try_month(item.get("date"))
            if date and pilot and date < pilot:
                out.add((*path, "date"), f"checkpoint {date} is before the pilot start {pilot}")
            if date and end and date > end:
                out.add((*path, "date"), f"checkpoint {date} is after the experiment ends {end}")
    as_of = design.get("as_of")
    if isinstance(as_of, str):
        problem = as_of_problem(as_of, ids, pilot, end)
        if problem:
            out.add(("design", "as_of"), problem)
    elif as_of is not None:
        out.add(("design", "as_of"), f"expected a checkpoint id or YYYY-MM, got {as_of!r}")


def as_of_problem(
    as_of: str, checkpoint_ids: list[str], pilot: str | None, end: str | None
) -> str | None:
    """Why ``as_of`` is not usable (None when it is a known checkpoint or a month in range)."""
    if as_of in checkpoint_ids:
        return None
    month = try_month(as_of)
    if month is None:
        known = ", ".join(checkpoint_ids) or "none defined"
        close = difflib.get_close_matches(as_of, checkpoint_ids, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"'{as_of}' is neither a checkpoint id (known: {known}) nor a YYYY-MM month{hint}"
    if pilot and month < pilot:
        return f"as_of {month} is before the pilot start {pilot}"
    if end and month > end:
        return f"as_of {month} is after the experiment ends {end}"
    return None


def _check_comparison(design: dict[str, Any], out: _Collector) -> None:
    comparison = design.get("comparison")
    if not isinstance(comparison, dict):
        return
    areas, rule = comparison.get("areas"), comparison.get("rule")
    path: KeyPath = ("design", "comparison")
    if not areas and not rule:
        out.add(path, "give the comparison areas as 'areas: [...]' or a 'rule: {...}'")
    if areas and rule:
        out.add(path, "give either 'areas' or 'rule', not both")
    if rule and not comparison.get("reason"):
        out.add((*path, "reason"), "a comparison rule needs a 'reason' (why these areas)")
    pilots = design.get("pilot_areas")
    if isinstance(areas, list) and isinstance(pilots, list):
        for index, area in enumerate(areas):
            if area in pilots:
                out.add((*path, "areas", index), f"'{area}' is a pilot area, not a comparison")


def _check_languages(raw: Any, out: _Collector) -> None:
    languages = _get(raw, "languages")
    if isinstance(languages, list) and len(set(map(str, languages))) != len(languages):
        out.add(("languages",), "a language is listed twice")
    if not isinstance(languages, list) or "en" not in languages:
        return
    if isinstance(_get(raw, "title"), dict) and not _get(raw, "title", "en"):
        out.add(("title", "en"), "languages include 'en', so an English title is needed")
    for group in ("outcomes", ("design", "checkpoints")):
        path: KeyPath = (group,) if isinstance(group, str) else group
        items = _get(raw, *path)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            label = item.get("label") if isinstance(item, dict) else None
            if isinstance(label, dict) and not label.get("en"):
                out.add((*path, index, "label", "en"), "languages include 'en': label.en needed")


def _check_references(raw: Any, out: _Collector) -> None:
    sources = _get(raw, "data")
    names = list(sources) if isinstance(sources, dict) else []
    outcomes = _get(raw, "outcomes")
    if isinstance(outcomes, list):
        seen: set[tuple[Any, Any]] = set()
        for index, item in enumerate(outcomes):
            if not isinstance(item, dict):
                continue
            key = (item.get("name"), item.get("level", "area"))
            if key in seen:
                out.add(("outcomes", index, "name"), f"outcome '{key[0]}' is listed twice")
            seen.add(key)
            source = item.get("source")
            if isinstance(source, str) and source not in names:
                close = difflib.get_close_matches(source, names, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                out.add(
                    ("outcomes", index, "source"),
                    f"no data source named '{source}' (known: {', '.join(names) or 'none'}){hint}",
                )
    if isinstance(sources, dict):
        for name, spec in sources.items():
            if not isinstance(spec, dict):
                continue
            if spec.get("kind") == "file" and not spec.get("path"):
                out.add(("data", name, "path"), "a source of kind 'file' needs a 'path'")
            columns = spec.get("columns")
            if isinstance(columns, dict):
                targets = [v for v in columns.values() if isinstance(v, str)]
                for target in sorted({t for t in targets if targets.count(t) > 1}):
                    out.add(("data", name, "columns"), f"two columns are mapped to '{target}'")


def path_exists(root: Path, path: str) -> bool:
    """A file or directory, or a glob that matches at least one file."""
    if any(ch in path for ch in "*?["):
        return bool(globlib.glob(str(root / path), recursive=True))
    return (root / path).exists()


def _check_files(raw: Any, root: Path, out: _Collector) -> None:
    sources = _get(raw, "data")
    if isinstance(sources, dict):
        for name, spec in sources.items():
            path = _get(spec, "path")
            kind = _get(spec, "kind")
            if isinstance(path, str) and kind == "file" and not path_exists(root, path):
                out.add(("data", name, "path"), f"file not found: {root / path}")
    notebooks_dir = _get(raw, "notebooks_dir")
    directory = root / (notebooks_dir if isinstance(notebooks_dir, str) else "notebooks")
    notebooks = _get(raw, "notebooks")
    available = sorted(p.stem for p in directory.glob("*.ipynb")) if directory.is_dir() else []
    if isinstance(notebooks, list):
        for index, name in enumerate(notebooks):
            if isinstance(name, str) and not (directory / f"{name}.ipynb").is_file():
                close = difflib.get_close_matches(name, available, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                out.add(
                    ("notebooks", index),
                    f"no notebook {name}.ipynb in {directory}{hint}",
                )
    elif notebooks is None and not available:
        out.add(("notebooks_dir",), f"no notebooks (*.ipynb) found in {directory}")


# -- against the data -----------------------------------------------------------------------
def _areas(frame: pd.DataFrame) -> set[str]:
    if "area" not in frame.columns:
        return set()
    return {str(a) for a in frame["area"].dropna().unique()}


def area_problems(
    raw: Mapping[str, Any],
    lines: Mapping[KeyPath, int],
    frames: Mapping[str, pd.DataFrame],
) -> list[Problem]:
    """Areas named in the parameters that are absent from the loaded data.

    Pilot and comparison areas are looked up in the sources with an ``area`` column whose
    schema is ``area_panel`` (all sources with an ``area`` column when there is none);
    each source's own ``areas`` filter is checked against that source.
    """
    out = _Collector(lines)
    sources = _get(raw, "data")
    schemas = (
        {name: _get(spec, "schema") for name, spec in (sources or {}).items()}
        if isinstance(sources, dict)
        else {}
    )
    with_area = {name: _areas(f) for name, f in frames.items() if "area" in f.columns}
    panels = {n: a for n, a in with_area.items() if schemas.get(n) == "area_panel"} or with_area
    known: set[str] = set().union(*panels.values()) if panels else set()
    where = ", ".join(sorted(panels))

    def check(path: KeyPath, area: Any, pool: set[str], in_what: str) -> None:
        if isinstance(area, str) and area not in pool:
            close = difflib.get_close_matches(area, sorted(pool), n=3)
            hint = f"; closest: {', '.join(repr(c) for c in close)}" if close else ""
            out.add(path, f"area '{area}' is not in the data ({in_what}){hint}")

    def listed(value: Any) -> list[Any]:
        # a text where a list belongs is a type problem already: not one area per letter
        return value if isinstance(value, list) else []

    if known:
        design = _get(raw, "design")
        for key in ("pilot_areas",):
            for index, area in enumerate(listed(_get(design, key))):
                check(("design", key, index), area, known, where)
        for key in ("areas", "exclude"):
            for index, area in enumerate(listed(_get(design, "comparison", key))):
                check(("design", "comparison", key, index), area, known, where)
        donors = listed(_get(raw, "models", "synthetic_control", "donors"))
        for index, area in enumerate(donors):
            check(("models", "synthetic_control", "donors", index), area, known, where)
    for name, pool in with_area.items():
        for index, area in enumerate(listed(_get(sources, name, "areas"))):
            check(("data", name, "areas", index), area, pool, f"source '{name}'")
    _check_outcome_columns(raw, frames, out)
    return out.problems


def _check_outcome_columns(
    raw: Mapping[str, Any], frames: Mapping[str, pd.DataFrame], out: _Collector
) -> None:
    """Area-level outcomes that name their source must be a column of that source.

    (Client-level outcomes may be derived, e.g. ``employed`` from ``status``.)
    """
    for index, item in enumerate(_get(raw, "outcomes") or []):
        if not isinstance(item, dict) or item.get("level", "area") != "area":
            continue
        name, source = item.get("name"), item.get("source")
        if not isinstance(name, str) or not isinstance(source, str) or source not in frames:
            continue
        columns = [str(c) for c in frames[source].columns]
        if name not in columns:
            close = difflib.get_close_matches(name, columns, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            out.add(
                ("outcomes", index, "name"),
                f"'{name}' is not a column of source '{source}' "
                f"(columns: {', '.join(columns)}){hint}",
            )


def check_against_data(evaluation: Evaluation, frames: Mapping[str, pd.DataFrame]) -> None:
    """Raise :class:`ParamsError` listing every area of ``evaluation`` absent from ``frames``."""
    raw = evaluation.to_params()
    problems = area_problems(raw, evaluation._lines, frames)
    if problems:
        where = str(evaluation.source_path or "<parameters>")
        raise ParamsError(where, problems)


def _key_path(dotted_key: str) -> KeyPath:
    """``"design.comparison.rule.source"`` -> ``("design", "comparison", "rule", "source")``."""
    return tuple(part for part in dotted_key.split(".") if part)


#: months before the pilot start that the area analyses need (sections.area.analyse_outcome)
MIN_PRE_MONTHS = 4


def design_data_problems(
    evaluation: Evaluation,
    lines: Mapping[KeyPath, int],
    frames: Mapping[str, pd.DataFrame],
) -> list[Problem]:
    """What the design asks of the data that the data cannot give (checked before a run).

    - a comparison rule must leave at least one comparison area (resolved exactly as the
      notebooks resolve it; explicit lists are checked by :func:`area_problems`);
    - every area-level outcome source must hold outcome values of the pilot areas in the
      pre window (otherwise there is no pre-period to compare with).
    """
    import pandas as pd

    out = _Collector(lines)
    from arviointi.params.comparison import resolve_comparison  # pandas only when checking

    design = evaluation.design
    comparison_areas = list(design.comparison.areas or [])
    if evaluation.design.comparison.rule:  # explicit lists are checked by area_problems
        try:
            comparison_areas = resolve_comparison(evaluation, frames).areas
        except ParamsError as exc:
            for problem in exc.problems:
                out.add(_key_path(problem.location.split(" ")[0]), problem.message)
    window = (
        pd.Timestamp(f"{design.start or design.pre_window[0]}-01"),
        pd.Timestamp(f"{design.end}-01"),
    )
    first = pd.Timestamp(f"{design.pre_window[0]}-01")
    last = pd.Timestamp(f"{design.pre_window[1]}-01")
    # an outcome without a source uses the comparison's source (as the notebooks do)
    rule_source = (design.comparison.rule or {}).get("source")
    fallback = rule_source if isinstance(rule_source, str) else None
    fallback = fallback or next(
        (o.source for o in evaluation.outcomes if o.level == "area" and o.source), None
    )
    fallback = fallback or next(
        (n for n, spec in evaluation.data.items() if spec.schema_ == "area_panel"), None
    )
    checked: set[tuple[str, str]] = set()
    for outcome in evaluation.outcomes:
        source = outcome.source or fallback
        if outcome.level != "area" or source is None or (source, outcome.name) in checked:
            continue
        checked.add((source, outcome.name))
        frame = frames.get(source)
        if frame is None or not {"area", "month", outcome.name} <= set(frame.columns):
            continue
        months = pd.to_datetime(frame["month"])
        pilot = frame["area"].astype(str).isin(design.pilot_areas)
        if not pilot.any():
            continue  # the pilot is in another source (absent areas are area_problems' job)
        have = pilot & months.between(first, last) & frame[outcome.name].notna()
        if not have.any():
            span = (
                f"its months run {months.min():%Y-%m}..{months.max():%Y-%m}"
                if months.notna().any()
                else "it has no months"
            )
            out.add(
                ("design", "pre_window"),
                f"source '{source}' has no '{outcome.name}' value of the pilot area(s) in the "
                f"pre window {design.pre_window[0]}..{design.pre_window[1]} ({span}); "
                "expected data before the pilot start",
            )
            continue
        start = pd.Timestamp(f"{design.pilot_start}-01")
        observed = months[pilot & frame[outcome.name].notna()]
        n_pre = int(observed[observed.between(window[0], start, inclusive="left")].nunique())
        n_post = int(observed[observed.between(start, window[1])].nunique())
        if n_pre < MIN_PRE_MONTHS:
            out.add(
                ("design", "pre_window"),
                f"source '{source}' has {n_pre} month(s) of '{outcome.name}' of the pilot "
                f"area(s) before the pilot start {design.pilot_start}; the analyses need at "
                f"least {MIN_PRE_MONTHS} (trend checks and the time-series model)",
            )
        if n_post < 1:
            out.add(
                ("design", "post_window"),
                f"source '{source}' has no '{outcome.name}' value of the pilot area(s) from the "
                f"pilot start {design.pilot_start} to {design.end}; expected at least one month",
            )
        areas = [*design.pilot_areas, *comparison_areas]
        for message in coverage_problems(frame, outcome.name, areas, *window, source):
            out.add(("data", source), message)
    return out.problems
