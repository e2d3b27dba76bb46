"""Notebook execution with one and two workers (two cores: about 1.5x is expected)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from arviointi.pipeline.execute import NotebookJob, execute_all

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "notebooks"


@pytest.mark.parametrize("workers", [1, 2])
def test_parallel_notebooks(benchmark, tmp_path: Path, workers: int) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "emit_records.ipynb"
    shutil.copy(FIXTURES / "emit_records.ipynb", source)
    params = {"seed": 1, "outcomes": [{"name": "y"}]}

    def run() -> None:
        jobs = [
            NotebookJob(
                f"nb{i}", source, tmp_path / f"out{i}.ipynb", {"params": params}, tmp_path, None
            )
            for i in range(4)
        ]
        outcomes = list(execute_all(jobs, workers=workers))
        assert all(o.failure is None for o in outcomes)

    benchmark.pedantic(run, rounds=2, iterations=1)
