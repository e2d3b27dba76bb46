"""What every notebook starts from: the validated evaluation, its data cut at ``as_of``,
and an emitter for the report.

In a pipeline run, papermill injects ``params`` (the validated parameters as plain data),
``run_dir`` and ``as_of``; the notebook's working directory is the project root. In
JupyterLab a researcher leaves ``params`` empty and names a parameters file instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from arviointi.errors import ParamsError, Problem
from arviointi.params.load import load_frames, load_params
from arviointi.params.schema import Evaluation
from arviointi.report.emitter import Emitter


@dataclass
class EvaluationContext:
    """The evaluation, its frames (already cut at ``as_of``) and the report emitter."""

    evaluation: Evaluation
    frames: dict[str, pd.DataFrame]
    emitter: Emitter
    as_of: str | None = None
    run_dir: Path | None = None
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """The analyses' results records (for the final notebooks, e.g. the synthesis).

        In a pipeline run they are in ``<run_dir>/records.json``; interactively (no run
        directory) there are none, and the synthesis says so.
        """
        if self.run_dir is None:
            return []
        from arviointi.data.results import RECORDS_FILE, read_records

        return read_records(self.run_dir / RECORDS_FILE)

    @property
    def params(self) -> dict[str, Any]:
        return self.evaluation.to_params()

    def frame(self, name: str) -> pd.DataFrame | None:
        """The data source ``name``, or None when the evaluation has no such source."""
        return self.frames.get(name)

    def source_for(self, schema: str) -> str | None:
        """The name of the first data source with the given schema (None if there is none)."""
        for name, spec in self.evaluation.data.items():
            if spec.schema_ == schema:
                return name
        return None

    def frame_for(self, schema: str) -> pd.DataFrame | None:
        name = self.source_for(schema)
        return None if name is None else self.frames.get(name)

    @property
    def synthetic(self) -> bool:
        return self.evaluation.synthetic


def truncate_as_of(
    frames: Mapping[str, pd.DataFrame], as_of: str | None
) -> dict[str, pd.DataFrame]:
    """Keep only what was known at ``as_of`` (``YYYY-MM``): months up to and including it,
    years up to its year. Frames without a time column are kept whole."""
    if as_of is None:
        return dict(frames)
    cut = pd.Timestamp(f"{as_of}-01")
    out: dict[str, pd.DataFrame] = {}
    for name, frame in frames.items():
        kept = frame
        if "month" in frame.columns:
            kept = frame.loc[pd.to_datetime(frame["month"]) <= cut]
        elif "year" in frame.columns:
            kept = frame.loc[frame["year"].astype(int) <= cut.year]
        kept = kept.copy()
        kept.attrs = dict(frame.attrs)
        out[name] = kept
    return out


def _find_params_file(path: Path) -> Path:
    """``path`` as given, or found from a parent directory: JupyterLab runs a notebook in
    ``notebooks/``, where ``params/x.yaml`` is one level up."""
    if path.is_absolute() or path.exists():
        return path
    for parent in Path.cwd().parents[:3]:
        if (parent / path).exists():
            return parent / path
    return path  # load_params names the missing file


def open_evaluation(
    params: Mapping[str, Any] | None = None,
    *,
    params_file: str | Path | None = None,
    as_of: str | None = None,
    root: str | Path | None = None,
    run_dir: str | Path | None = None,
) -> EvaluationContext:
    """Open an evaluation inside a notebook.

    ``params``: the injected parameters (pipeline runs). ``params_file``: a parameters file
    (interactive use in JupyterLab). ``root``: the project root the relative paths in the
    parameters refer to (default: the working directory, which papermill sets to the root).
    """
    if params:
        try:
            evaluation = Evaluation.model_validate(dict(params))
        except Exception as exc:  # pydantic ValidationError: parameters were altered
            raise ParamsError("<injected params>", [Problem("", str(exc))]) from exc
        base = Path(root) if root is not None else Path.cwd()
        evaluation = evaluation.model_copy(update={"base_dir": str(base.resolve())})
    elif params_file is not None:
        evaluation = load_params(_find_params_file(Path(params_file)), as_of=as_of)
        if as_of is None and evaluation.design.as_of is not None:
            checkpoint = evaluation.checkpoint(evaluation.design.as_of)
            as_of = checkpoint.date if checkpoint is not None else evaluation.design.as_of
    else:
        raise ParamsError("<notebook>", "give the injected params or a params_file")
    frames = truncate_as_of(load_frames(evaluation), as_of)
    emitter = Emitter(evaluation.to_params(), languages=tuple(evaluation.languages))
    return EvaluationContext(evaluation, frames, emitter, as_of, Path(run_dir) if run_dir else None)
