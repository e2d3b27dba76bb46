"""Reuse printed PDFs: a PDF is a function of its HTML and of the printer.

Printing with Chromium takes seconds per language, rendering the HTML a fraction of one,
so a rerun always renders the HTML afresh (it reflects the current notebooks, catalogue
and templates) and reprints only when the HTML bytes differ from a printed one. The key
is the SHA-256 of: the HTML bytes, the printing function (module and name), the source of
``arviointi.report.pdf`` and the Chromium binary (path, size, modification time). Entries
live in ``<base_dir>/.cache/arviointi/pdf/<key>.pdf``.

The Word copy is reused the same way (:func:`docx_key`): it is a deterministic function
of the final HTML (page count filled in), the document properties and the package's
code; entries in ``<base_dir>/.cache/arviointi/docx/<key>.docx``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from arviointi.errors import PipelineError


def _printer_identity(printer: Callable[..., Any], pdf_module: Any) -> list[str]:
    parts = [f"{printer.__module__}.{printer.__qualname__}"]
    source = Path(pdf_module.__file__)
    parts.append(hashlib.sha256(source.read_bytes()).hexdigest())
    try:
        chromium = Path(pdf_module.find_chromium())
        stat = chromium.stat()
        parts.append(f"{chromium}:{stat.st_size}:{stat.st_mtime_ns}")
    except (PipelineError, OSError):
        parts.append("no chromium")
    return parts


def pdf_key(html_path: Path, printer: Callable[..., Any], pdf_module: Any) -> str:
    """The cache key of the PDF printed from ``html_path`` by ``printer``."""
    digest = hashlib.sha256(html_path.read_bytes())
    for part in _printer_identity(printer, pdf_module):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def docx_key(html_path: Path, info: Any) -> str:
    """The cache key of the Word copy of ``html_path`` with document properties ``info``."""
    from arviointi.pipeline.cache import canonical_json, runtime_versions
    from arviointi.pipeline.html_cache import package_files_digest

    digest = hashlib.sha256(html_path.read_bytes())
    for part in (repr(info), package_files_digest(), canonical_json(runtime_versions())):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


class PdfCache:
    """Printed PDFs stored as ``<directory>/<key>.pdf`` (or another ``suffix``)."""

    def __init__(self, directory: Path, suffix: str = ".pdf") -> None:
        self.directory = directory
        self.suffix = suffix

    def fetch(self, key: str, destination: Path) -> bool:
        cached = self.directory / f"{key}{self.suffix}"
        if not cached.is_file():
            return False
        shutil.copyfile(cached, destination)
        return True

    def store(self, key: str, printed: Path) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        os.close(handle)
        shutil.copyfile(printed, temporary)
        os.replace(temporary, self.directory / f"{key}{self.suffix}")
