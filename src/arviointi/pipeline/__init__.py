"""Run an evaluation: papermill execution (parallel, cached), results.json, manifest.json,
reports, all written atomically into ``reports/<id>/``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.pipeline.run import RunResult, run_evaluation

__all__ = ["RunResult", "run_evaluation"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "RunResult": "arviointi.pipeline.run",
        "run_evaluation": "arviointi.pipeline.run",
    },
)
