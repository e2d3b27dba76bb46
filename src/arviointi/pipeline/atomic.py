"""All-or-nothing output: a run writes into a temporary directory next to the final one.

Only a run in which every notebook and export succeeded replaces ``<root>/<run id>/`` (by
renaming: the old report is moved aside, the new one moved in, the old one deleted). A
failed run leaves the last good report untouched and keeps the failed notebooks in
``<root>/<run id>/failed/``.

A run only ever replaces a folder that arviointi wrote itself: every published folder
holds the marker file :data:`MARKER`. A folder without it (``--output .`` with ``id: docs``
would name the project's ``docs/``) is refused before anything runs, and never touched.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path

from arviointi.errors import PipelineError

FAILED_DIR = "failed"
#: the file that marks a folder as written by arviointi (and so replaceable by a rerun)
MARKER = ".arviointi-report"


def write_marker(directory: Path, run_id: str) -> None:
    text = json.dumps({"written_by": "arviointi", "run_id": run_id}) + "\n"
    (directory / MARKER).write_text(text, encoding="utf-8")


def is_ours(final: Path) -> bool:
    """True when ``final`` is absent or a folder that an arviointi run wrote (has the marker)."""
    if not final.exists() and not final.is_symlink():
        return True
    if final.is_symlink() or not final.is_dir():
        return False
    marker = final / MARKER
    if not marker.is_file() or marker.is_symlink():
        # a report published before the marker existed: its manifest names this run
        marker = final / "manifest.json"
        if not marker.is_file() or marker.is_symlink() or not (final / "results.json").is_file():
            return False
    try:
        content = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(content, dict) and content.get("run_id") == final.name


def check_ours(final: Path) -> None:
    """Refuse (``PipelineError``) to write into ``final`` unless arviointi wrote it."""
    if is_ours(final):
        return
    what = "a folder" if final.is_dir() and not final.is_symlink() else "a file or link"
    raise PipelineError(
        f"{final} is {what} that arviointi did not write (no {MARKER} marker file in it); "
        "refusing to replace or write into it, nothing was changed. Choose another output "
        "folder (--output or report.output_dir) or evaluation id, or move that folder away"
    )


def temporary_run_dir(output_root: Path, run_id: str) -> Path:
    """A fresh directory on the same file system as the final one (so renames are atomic)."""
    output_root.mkdir(parents=True, exist_ok=True)
    path = output_root / f".tmp-{run_id}-{secrets.token_hex(4)}"
    path.mkdir()
    write_marker(path, run_id)
    return path


def publish(temporary: Path, final: Path) -> None:
    """Move ``temporary`` to ``final``, replacing the previous report (only one of ours)."""
    check_ours(final)
    write_marker(temporary, final.name)
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
    check_ours(final)
    if not final.exists():
        final.mkdir(parents=True)
        write_marker(final, final.name)
    staging = final / f".{FAILED_DIR}-{secrets.token_hex(4)}"
    staging.mkdir()
    for notebook in notebooks:
        if notebook.is_file():
            shutil.copyfile(notebook, staging / notebook.name)
    details = [_traceback(notebook) for notebook in notebooks]
    text = "\n\n".join([message, *(d for d in details if d)])
    (staging / "error.txt").write_text(text + "\n", encoding="utf-8")
    target = final / FAILED_DIR
    if target.exists():
        shutil.rmtree(target)
    os.replace(staging, target)
    return target


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _traceback(notebook: Path) -> str:
    """The traceback(s) of the error outputs in an executed notebook, as plain text."""
    try:
        content = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    cells = content.get("cells", []) if isinstance(content, dict) else []
    lines: list[str] = []
    for cell in cells if isinstance(cells, list) else []:
        for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
            if isinstance(output, dict) and output.get("output_type") == "error":
                frames = output.get("traceback") or []
                lines.append(f"Traceback in {notebook.name}:")
                lines += [_ANSI.sub("", str(frame)) for frame in frames]
    return "\n".join(lines)


def discard(temporary: Path) -> None:
    shutil.rmtree(temporary, ignore_errors=True)
