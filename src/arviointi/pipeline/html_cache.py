"""Reuse rendered HTML reports whose inputs did not change.

The renderer reads only the arviointi report bundles of the executed notebooks (in one
language) and the report's metadata, with the package's code, catalogue and templates.
The key is the SHA-256 of exactly those: each notebook's name and report bundles in
order, the language, the :class:`~arviointi.report.meta.ReportMeta` fields, every file of
the installed ``arviointi`` package (sources, catalogue YAML, templates, CSS), the
versions of the runtime dependencies and the run's records. A notebook that was
executed again but emits the same bundles gives the same key. Entries live in
``<base_dir>/.cache/arviointi/html/<key>.html``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import arviointi
from arviointi.pipeline.cache import runtime_versions
from arviointi.report.mime import REPORT_MIME


@functools.cache
def package_files_digest() -> str:
    """SHA-256 over every file of the arviointi package (path and bytes, sorted)."""
    package = Path(arviointi.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _bundles(notebook: Path) -> list[Any]:
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    return [
        output["data"][REPORT_MIME]
        for cell in cells
        if cell.get("cell_type") == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") in ("display_data", "execute_result")
        and REPORT_MIME in output.get("data", {})
    ]


def html_key(
    notebooks: Sequence[Path], lang: str, meta: Any, records: Sequence[Any] | None = None
) -> str:
    """The cache key of the HTML report in ``lang`` from ``notebooks`` and ``meta``.

    ``records`` (the run's results records) stand for what the metadata derives from them
    (the headline findings): the pipeline keys on them and on metadata without findings,
    so a rerun finds its HTML without importing the synthesis to compute them.
    """
    content = {
        "notebooks": [[path.name, _bundles(path)] for path in notebooks],
        "lang": lang,
        "meta": dataclasses.asdict(meta),
        "records": None if records is None else list(records),
        "package": package_files_digest(),
        "versions": runtime_versions(),
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class HtmlCache:
    """Rendered reports stored as ``<directory>/<key>.html``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def fetch(self, key: str, destination: Path) -> bool:
        cached = self.directory / f"{key}.html"
        if not cached.is_file():
            return False
        shutil.copyfile(cached, destination)
        return True

    def store(self, key: str, rendered: Path) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        os.close(handle)
        shutil.copyfile(rendered, temporary)
        os.replace(temporary, self.directory / f"{key}.html")
