"""All-or-nothing output: a run writes into a temporary directory next to the final one.

Only a run in which every notebook and export succeeded replaces ``<root>/<run id>/`` (by
renaming: the old report is moved aside, the new one moved in, the old one deleted). A
failed run leaves the last good report untouched and keeps the failed notebooks in
``<root>/<run id>/failed/``.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path

FAILED_DIR = "failed"


def temporary_run_dir(output_root: Path, run_id: str) -> Path:
    """A fresh directory on the same file system as the final one (so renames are atomic)."""
    output_root.mkdir(parents=True, exist_ok=True)
    path = output_root / f".tmp-{run_id}-{secrets.token_hex(4)}"
    path.mkdir()
    return path


def publish(temporary: Path, final: Path) -> None:
    """Move ``temporary`` to ``final``, replacing the previous report."""
    aside = final.parent / f".old-{final.name}-{secrets.token_hex(4)}"
    had_previous = final.exists()
    if had_previous:
        os.replace(final, aside)
    try:
        os.replace(temporary, final)
    except OSError:
        if had_previous:
            os.replace(aside, final)
        raise
    if had_previous:
        shutil.rmtree(aside, ignore_errors=True)


def keep_failed(final: Path, notebooks: Sequence[Path], message: str) -> Path:
    """Copy failed notebooks (and the error message) to ``final/failed/``.

    Only ``failed/`` is replaced; the report files next to it are not touched.
    """
    final.mkdir(parents=True, exist_ok=True)
    staging = final / f".{FAILED_DIR}-{secrets.token_hex(4)}"
    staging.mkdir()
    for notebook in notebooks:
        if notebook.is_file():
            shutil.copyfile(notebook, staging / notebook.name)
    (staging / "error.txt").write_text(message + "\n", encoding="utf-8")
    target = final / FAILED_DIR
    if target.exists():
        shutil.rmtree(target)
    os.replace(staging, target)
    return target


def discard(temporary: Path) -> None:
    shutil.rmtree(temporary, ignore_errors=True)
