"""Warm kernels: notebooks of one worker share a kernel, but never each other's names."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from arviointi.pipeline.execute import NotebookJob, execute_all
from arviointi.report.mime import RECORD_MIME

SHOW_PID = (
    "import os\nfrom IPython.display import display\n"
    f"display({{{RECORD_MIME!r}: {{'record': {{'pid': os.getpid()}}}}}}, raw=True)"
)


def _job(tmp_path: Path, name: str, *sources: str) -> NotebookJob:
    cells = [new_code_cell("x = 0", metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(source) for source in sources]
    path = tmp_path / f"{name}.ipynb"
    kernelspec = {"name": "python3", "language": "python", "display_name": "Python 3"}
    metadata = {"kernelspec": kernelspec, "language_info": {"name": "python"}}
    nbformat.write(new_notebook(cells=cells, metadata=metadata), path)
    return NotebookJob(name, path, tmp_path / "out" / path.name, {"x": 1}, tmp_path, None)


def _pid(output: Path) -> int:
    notebook = nbformat.read(output, as_version=4)
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if RECORD_MIME in out.get("data", {}):
                return int(out["data"][RECORD_MIME]["record"]["pid"])
    raise AssertionError(f"no pid in {output}")


@pytest.mark.slow
@pytest.mark.parametrize("fresh", [False, True])
def test_one_kernel_per_worker_with_the_namespace_reset(tmp_path: Path, fresh: bool) -> None:
    first = _job(tmp_path, "first", SHOW_PID, "leaked = 1")
    second = _job(tmp_path, "second", SHOW_PID, "leaked")
    third = _job(tmp_path, "third", SHOW_PID)  # after a failed notebook
    outcomes = execute_all([first, second, third], workers=1, fresh_kernels=fresh)
    assert outcomes[0].failure is None and outcomes[2].failure is None
    failure = outcomes[1].failure
    assert failure is not None and failure.ename == "NameError" and "leaked" in failure.evalue
    pids = {_pid(o.output) for o in outcomes}
    assert len(pids) == (3 if fresh else 1)


@pytest.mark.slow
def test_a_shared_pool_keeps_its_warm_kernels_across_stages(tmp_path: Path) -> None:
    """With a pool begun for the run, a later stage of one notebook (the synthesis) runs in
    one of the analyses' warm kernels instead of starting a new one."""
    from arviointi.pipeline import execute

    # each analysis busy long enough that each of the two workers takes one
    analyses = [_job(tmp_path, name, SHOW_PID, "import time; time.sleep(3)") for name in "ab"]
    final = _job(tmp_path, "final", SHOW_PID)
    execute.begin_pool(2)
    try:
        first = execute_all(analyses, workers=2)
        last = execute_all([final], workers=2)
    finally:
        execute.end_pool()
    assert all(o.failure is None for o in [*first, *last])
    assert _pid(last[0].output) in {_pid(o.output) for o in first}
    assert execute._pool is None  # ended: the workers and their kernels are gone
