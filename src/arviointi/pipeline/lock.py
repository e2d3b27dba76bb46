"""One run of an evaluation at a time, and recovery from a run that was killed.

``run_lock(root, run_id)`` holds an exclusive ``flock`` on ``<root>/.lock-<run id>`` for
the whole run. The operating system releases it when the process ends, however it ends
(SIGKILL included), so a killed run never blocks the next one. A second run of the same
evaluation into the same folder is refused at once with a clear message instead of both
writing the same report.

Holding the lock, the run removes what a killed run of the same evaluation left behind:
its temporary folders (``.tmp-<run id>-*``), a report moved aside while publishing
(``.old-<run id>-*``; put back when the kill fell between the two renames and the report
itself is missing) and half-copied ``failed/`` staging folders.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from arviointi.errors import PipelineError
from arviointi.pipeline.atomic import FAILED_DIR, MARKER


@contextmanager
def run_lock(root: Path, run_id: str) -> Iterator[list[str]]:
    """Hold the lock of ``run_id`` in ``root``; yields notes on what was recovered."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / f".lock-{run_id}"
    handle = _acquire(path, run_id, root)
    try:
        started = dt.datetime.now().isoformat(timespec="seconds")
        handle.write(f"pid {os.getpid()}, started {started}\n")
        handle.flush()
        yield recover(root, run_id)
    finally:
        # removed while still held, so a waiting run cannot lock a file no longer in place
        path.unlink(missing_ok=True)
        handle.close()  # closing releases the lock


def _acquire(path: Path, run_id: str, root: Path) -> IO[str]:
    """Open and lock ``path``; the lock counts only if the file is still the one in place."""
    while True:
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise PipelineError(
                f"{run_id}: another run of this evaluation is writing to {root} "
                f"({holder}); wait for it to finish, or use another --output folder. "
                "Nothing was changed"
            ) from None
        try:
            same = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            handle.seek(0)
            handle.truncate()
            return handle
        handle.close()  # the previous holder removed it meanwhile: try again


def recover(root: Path, run_id: str) -> list[str]:
    """Clean up after a killed run of ``run_id`` (call only while holding its lock)."""
    notes: list[str] = []
    pattern = re.compile(rf"^\.(tmp|old)-{re.escape(run_id)}-[0-9a-f]{{8}}$")
    leftovers = sorted(p for p in root.iterdir() if pattern.match(p.name) and p.is_dir())
    final = root / run_id
    olds = [p for p in leftovers if p.name.startswith(".old-")]
    if not final.exists() and olds:
        # killed between moving the last report aside and moving the new one in
        newest = max(olds, key=lambda p: p.stat().st_mtime)
        os.replace(newest, final)
        leftovers.remove(newest)
        notes.append(f"restored the last good report {final} left aside by a killed run")
    for leftover in leftovers:
        shutil.rmtree(leftover, ignore_errors=True)
    if leftovers:
        notes.append(f"removed {len(leftovers)} folder(s) left behind by a killed run in {root}")
    if final.is_dir() and (final / MARKER).is_file():
        staging = re.compile(rf"^\.{FAILED_DIR}-[0-9a-f]{{8}}$")
        for leftover in final.iterdir():
            if staging.match(leftover.name) and leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
    return notes
