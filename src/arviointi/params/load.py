"""Load and validate a parameters file; report every problem at once.

``load_params(path)`` checks the schema and the rules across fields. ``validate_params``
also loads the declared data sources and checks that every area named in the parameters
exists in the data, adding those problems to the same single :class:`ParamsError`.
"""

from __future__ import annotations

import copy
import difflib
import importlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from arviointi.errors import ArviointiError, ParamsError, Problem
from arviointi.params.checks import (
    area_problems,
    cross_field_problems,
    design_data_problems,
    path_exists,
)
from arviointi.params.problems import KeyPath, from_validation_error, locate
from arviointi.params.schema import DataSource, Evaluation

if TYPE_CHECKING:  # pandas is loaded with the data, not with the parameters
    import pandas as pd

_LINE = re.compile(r"(?:^|\()line (\d+)")


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems sorted by their line in the file (those without a line first)."""

    def line(problem: Problem) -> int:
        match = _LINE.search(problem.location)
        return int(match.group(1)) if match else 0

    return sorted(problems, key=line)


FrameLoader = Callable[[Evaluation], "dict[str, pd.DataFrame]"]


def resolve_params_path(name: str | Path, params_dir: Path = Path("params")) -> Path:
    """A parameters file given as a path, or as an evaluation id found in ``params_dir``.

    Raises :class:`ParamsError` naming the known ids (and the closest one) when neither a
    file nor a known id matches.
    """
    path = Path(name)
    if path.is_file():
        return path
    candidate = params_dir / f"{name}.yaml"
    if path.suffix not in (".yaml", ".yml") and candidate.is_file():
        return candidate
    known = sorted(p.stem for p in params_dir.glob("*.yaml")) if params_dir.is_dir() else []
    close = difflib.get_close_matches(path.stem, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    listing = ", ".join(known) if known else f"none found in {params_dir}"
    raise ParamsError(
        str(name),
        f"no such parameters file and no evaluation with this id (known ids: {listing}){hint}",
    )


def _read(
    path: Path, as_of: str | None
) -> tuple[dict[str, Any], dict[KeyPath, int], list[Problem]]:
    from arviointi.params.yaml_source import read_yaml

    raw, lines, problems = read_yaml(path)
    if as_of is not None:
        raw = copy.deepcopy(raw)
        design = raw.get("design")
        if isinstance(design, dict):
            design["as_of"] = as_of
    return raw, lines, problems


def _root(raw: Mapping[str, Any], path: Path) -> Path:
    base = raw.get("base_dir", "..")
    return (path.parent / (base if isinstance(base, str) else "..")).resolve()


def _build(
    path: Path, raw: dict[str, Any], lines: dict[KeyPath, int]
) -> tuple[Evaluation | None, list[Problem]]:
    try:
        evaluation = Evaluation.model_validate(raw)
    except ValidationError as exc:
        return None, from_validation_error(exc, raw, lines, Evaluation)
    evaluation._source_path = path.resolve()
    evaluation._lines = dict(lines)
    return evaluation, []


def load_params(path: str | Path, *, as_of: str | None = None) -> Evaluation:
    """Read and validate ``path``; raise one :class:`ParamsError` listing every problem.

    ``as_of`` (a checkpoint id or ``YYYY-MM``) overrides ``design.as_of``.
    """
    path = Path(path)
    raw, lines, problems = _read(path, as_of)
    evaluation, schema_problems = _build(path, raw, lines)
    problems += schema_problems
    problems += cross_field_problems(raw, lines, _root(raw, path))
    if problems or evaluation is None:
        raise ParamsError(str(path), _in_file_order(problems))
    return evaluation


def load_frames(evaluation: Evaluation) -> dict[str, pd.DataFrame]:
    """Load every data source of ``evaluation`` with ``arviointi.data.load_source``."""
    data = importlib.import_module("arviointi.data")
    return {
        name: data.load_source(
            spec.model_dump(by_alias=True, exclude_none=True), base_dir=evaluation.root
        )
        for name, spec in evaluation.data.items()
    }


def _source_problems(
    raw: Mapping[str, Any], lines: Mapping[KeyPath, int], path: Path, loader: FrameLoader
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Load the data sources when the ``data`` section itself is valid."""
    sources = raw.get("data")
    if not isinstance(sources, dict):
        return {}, []
    try:
        specs = TypeAdapter(dict[str, DataSource]).validate_python(sources)
    except ValidationError:
        return {}, []  # already reported by the schema
    seed = raw.get("seed", 0)
    for spec in specs.values():
        if spec.kind == "synthetic" and spec.seed is None:
            spec.seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else 0
    shell = Evaluation.model_construct(data=specs, base_dir=raw.get("base_dir", ".."))
    shell._source_path = path.resolve()
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for name, spec in specs.items():
        if spec.kind == "file" and spec.path and not path_exists(shell.root, spec.path):
            continue  # reported as "file not found" by the cross-field checks
        single = Evaluation.model_construct(data={name: spec}, base_dir=shell.base_dir)
        single._source_path = shell._source_path
        try:
            frames.update(loader(single))
        except ArviointiError as exc:
            message = str(exc).replace("\n", "\n    ")
            problems.append(Problem(locate(("data", name), lines), f"cannot load: {message}"))
    return frames, problems


def validate_params(
    path: str | Path,
    *,
    as_of: str | None = None,
    loader: FrameLoader | None = load_frames,
) -> tuple[Evaluation, dict[str, pd.DataFrame]]:
    """Validate ``path`` and its data together; return the evaluation and the loaded frames.

    Every problem (schema, cross-field, data that cannot be loaded, areas absent from the
    data; then, when all that is fine, an empty comparison set or no pre-period data) goes
    into one :class:`ParamsError`. ``loader=None`` skips the data.
    """
    path = Path(path)
    raw, lines, problems = _read(path, as_of)
    evaluation, schema_problems = _build(path, raw, lines)
    problems += schema_problems
    problems += cross_field_problems(raw, lines, _root(raw, path))
    frames: dict[str, pd.DataFrame] = {}
    if loader is not None:
        frames, data_problems = _source_problems(raw, lines, path, loader)
        problems += data_problems
        problems += area_problems(raw, lines, frames)
        if not problems and evaluation is not None:
            problems += design_data_problems(evaluation, lines, frames)
    if problems or evaluation is None:
        raise ParamsError(str(path), _in_file_order(problems))
    return evaluation, frames
