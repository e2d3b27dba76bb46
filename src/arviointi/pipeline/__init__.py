"""Run an evaluation: papermill execution (parallel, cached), results.json, manifest.json,
reports, all written atomically into ``reports/<id>/``."""

from arviointi.pipeline.run import RunResult, run_evaluation

__all__ = ["RunResult", "run_evaluation"]
