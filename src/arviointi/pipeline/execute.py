"""Execute notebooks with papermill, in parallel worker processes.

Each notebook runs in its own kernel (``python3``, which jupyter_client starts with the
current interpreter). Independent notebooks run in a process pool of ``workers`` processes;
results come back in the order the notebooks were given, whatever order they finish in.
Between :func:`begin_pool` and :func:`end_pool` every stage of a run uses one pool, so the
final notebooks (the synthesis) run in a worker whose kernel is already warm.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arviointi.pipeline import kernels
from arviointi.pipeline.kernels import WarmKernel, worker_kernel
from arviointi.pipeline.progress import notebook_state

Progress = Callable[[str], None]

#: prctl option: the signal a process gets when its parent dies (linux/prctl.h)
PR_SET_PDEATHSIG = 1
#: a cell running longer than this fails the notebook (seconds)
CELL_TIMEOUT_S = 1800
#: time allowed for a kernel to start on a busy machine (seconds)
KERNEL_START_TIMEOUT_S = 180
#: while notebooks run in parallel, a "still executing" line this often (seconds)
HEARTBEAT_S = 30.0


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute: where it is, where the executed copy goes, what it gets."""

    name: str
    source: Path
    output: Path
    parameters: dict[str, Any]
    cwd: Path
    log: Path | None = None


@dataclass(frozen=True)
class NotebookFailure:
    """Where a notebook failed: cell number in the source notebook (1-based) and the error."""

    notebook: str
    cell: int | None
    ename: str
    evalue: str
    source_line: str

    def __str__(self) -> str:
        where = f"cell {self.cell}" if self.cell is not None else "before any cell ran"
        line = f" [{self.source_line}]" if self.source_line else ""
        return f"notebook {self.notebook}.ipynb, {where}{line}: {self.ename}: {self.evalue}"


@dataclass(frozen=True)
class NotebookOutcome:
    name: str
    output: Path
    seconds: float
    cached: bool = False
    failure: NotebookFailure | None = None


def _source_cell_number(output: Path) -> int | None:
    """1-based number, in the SOURCE notebook, of the first cell with an error output.

    The executed notebook also holds papermill's injected parameters cell and, after a
    failure, its error banner cells; those are not counted.
    """
    import nbformat

    try:
        notebook = nbformat.read(output, as_version=4)
    except Exception:  # the executed copy may be missing if the kernel never started
        return None
    number = 0
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags or "papermill-error-cell-tag" in tags:
            continue
        number += 1
        if any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
            return number
    return None


@contextmanager
def _stderr_to(log: Path | None) -> Iterator[None]:
    """Send this process's (and so the kernel's) stderr to ``log`` while running."""
    if log is None:
        yield
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with log.open("ab") as handle:
            os.dup2(handle.fileno(), 2)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def execute_one(job: NotebookJob, kernel: WarmKernel | None = None) -> NotebookOutcome:
    """Run one notebook; a failure is returned (not raised) with notebook, cell and error.

    With ``kernel`` the notebook runs in that warm kernel (see :mod:`.kernels`), else in a
    kernel of its own.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from arviointi.pipeline import inject

    inject.register()
    job.output.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    failure: NotebookFailure | None = None
    try:
        with _stderr_to(job.log):
            warm = {} if kernel is None else {"km": kernel.manager(job.cwd, job.log)}
            papermill.execute_notebook(
                str(job.source),
                str(job.output),
                parameters=job.parameters,
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                cwd=str(job.cwd),
                start_timeout=KERNEL_START_TIMEOUT_S,
                execution_timeout=CELL_TIMEOUT_S,
                **warm,
            )
    except PapermillExecutionError as exc:
        first = next((ln for ln in str(exc.source).splitlines() if ln.strip()), "")
        failure = NotebookFailure(
            notebook=job.name,
            cell=_source_cell_number(job.output),
            ename=str(exc.ename),
            evalue=str(exc.evalue),
            source_line=first.strip()[:120],
        )
    except Exception as exc:  # kernel died, notebook unreadable, ...: still a failed notebook
        failure = NotebookFailure(job.name, None, type(exc).__name__, str(exc), "")
    finally:
        if kernel is not None:
            kernel.release()
    _scrub(job.output, keep_errors=failure is not None)
    return NotebookOutcome(job.name, job.output, time.perf_counter() - started, False, failure)


def _scrub(output: Path, *, keep_errors: bool) -> None:
    """Keep only arviointi bundles in the executed copy (no printed rows, reprs, warnings).

    Executed notebooks are outputs too, and may be published or cached: whatever a
    notebook printed for the researcher (possibly person-level) must not survive. A failed
    notebook, kept locally in ``failed/`` for the evaluator, keeps its error output so the
    failing cell can be found.
    """
    import nbformat

    from arviointi.report.scrub import scrub_notebook

    if not output.is_file():
        return
    try:
        notebook = nbformat.read(output, as_version=4)
    except Exception:  # an unreadable partial copy: remove it rather than keep raw output
        output.unlink()
        return
    errors = {
        index: [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        for index, cell in enumerate(notebook.cells)
        if keep_errors and cell.get("cell_type") == "code"
    }
    if scrub_notebook(notebook):
        for index, kept in errors.items():
            notebook.cells[index].outputs = list(notebook.cells[index].outputs) + kept
        nbformat.write(notebook, output)


def worker_start(parent: int) -> None:
    """In each worker: die with the run (Linux), so a killed run leaves no worker behind.

    A worker's kernel polls its parent (ipykernel's ``JPY_PARENT_PID``) and stops when the
    worker is gone.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the run died before this line
            os._exit(1)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and terminate the workers (their kernels follow)."""
    # ProcessPoolExecutor has no public way to end running work before Python 3.14
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)


_pool: ProcessPoolExecutor | None = None


def _new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker_start,
        initargs=(os.getpid(),),
    )


def begin_pool(workers: int) -> None:
    """From now on, parallel execution shares one pool of ``workers`` worker processes
    (each with its warm kernel) across the stages of a run, until :func:`end_pool`."""
    global _pool
    end_pool()
    _pool = _new_pool(workers)


def end_pool() -> None:
    """Stop the shared pool's workers (idempotent)."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _pool_for(workers: int) -> Iterator[ProcessPoolExecutor]:
    """The shared pool when one was begun (left running), else a pool for this call."""
    if _pool is not None:
        yield _pool
        return
    with _new_pool(workers) as pool:
        yield pool


def _execute_in_worker(job: NotebookJob, fresh_kernels: bool) -> NotebookOutcome:
    kernel = None if fresh_kernels else worker_kernel(KERNEL_START_TIMEOUT_S)
    return execute_one(job, kernel=kernel)


def execute_all(
    jobs: Sequence[NotebookJob],
    *,
    workers: int = 2,
    progress: Progress | None = None,
    done_before: int = 0,
    total: int | None = None,
    fresh_kernels: bool = False,
) -> list[NotebookOutcome]:
    """Execute ``jobs`` (``workers`` at a time); outcomes in the order of ``jobs``.

    ``done_before`` / ``total`` only number the progress lines ("[3/5] ...") when some
    notebooks came from the cache. Each worker keeps one warm kernel for the notebooks it
    runs (:mod:`.kernels`) unless ``fresh_kernels``.
    """
    total = len(jobs) + done_before if total is None else total
    outcomes: dict[str, NotebookOutcome] = {}
    counter = done_before

    def report(outcome: NotebookOutcome) -> None:
        nonlocal counter
        counter += 1
        notebook_state(
            progress, outcome.name, "failed" if outcome.failure else "done", outcome.seconds
        )
        if progress is not None:
            state = "FAILED" if outcome.failure else "done"
            progress(f"[{counter}/{total}] {state} {outcome.name} ... {outcome.seconds:.1f} s")

    if workers <= 1 or (len(jobs) <= 1 and _pool is None):
        # the run's session kernel when there is one (shared across stages), else our own
        owned: WarmKernel | None = None
        kernel = None if fresh_kernels else kernels.session()
        if kernel is None and not fresh_kernels and len(jobs) > 1:
            kernel = owned = WarmKernel(KERNEL_START_TIMEOUT_S)
        try:
            for job in jobs:
                notebook_state(progress, job.name, "running")
                if progress is not None:
                    progress(f"executing {job.name} ...")
                outcomes[job.name] = execute_one(job, kernel=kernel)
                report(outcomes[job.name])
        finally:
            if owned is not None:
                owned.shutdown()
    else:
        with _pool_for(workers) as pool:
            try:
                futures: dict[Future[NotebookOutcome], NotebookJob] = {}
                for job in jobs:
                    futures[pool.submit(_execute_in_worker, job, fresh_kernels)] = job
                # the pool takes jobs in order: the first `workers` run now, the next one
                # starts whenever one finishes (what the progress display shows as running)
                for job in jobs[:workers]:
                    notebook_state(progress, job.name, "running")
                next_up = workers
                if progress is not None:
                    progress(f"executing {len(jobs)} notebooks with {workers} workers ...")
                started = time.perf_counter()
                pending = set(futures)
                while pending:
                    done, pending = wait(pending, timeout=HEARTBEAT_S, return_when=FIRST_COMPLETED)
                    for future in done:
                        outcome = future.result()
                        outcomes[outcome.name] = outcome
                        report(outcome)
                        if next_up < len(jobs):
                            notebook_state(progress, jobs[next_up].name, "running")
                            next_up += 1
                    if not done and progress is not None:
                        left = sorted((futures[f] for f in pending), key=jobs.index)
                        names = ", ".join(job.name for job in left)
                        elapsed = time.perf_counter() - started
                        progress(f"still executing ({len(left)} left): {names} ... {elapsed:.0f} s")
            except BaseException:  # interrupted or terminated: no worker may outlive the run
                stop_workers(pool)
                raise
    return [outcomes[job.name] for job in jobs]
