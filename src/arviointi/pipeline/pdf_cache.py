"""Reuse printed PDFs: a PDF is a function of its HTML and of the printer.

Printing with Chromium takes seconds per language, rendering the HTML a fraction of one,
so a rerun always renders the HTML afresh (it reflects the current notebooks, catalogue
and templates) and reprints only when the HTML bytes differ from a printed one. The key
is the SHA-256 of: the HTML bytes, the printing function (module and name), the source of
``arviointi.report.pdf`` and the Chromium binary (path, size, modification time). Entries
live in ``<base_dir>/.cache/arviointi/pdf/<key>.pdf``.
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


class PdfCache:
    """Printed PDFs stored as ``<directory>/<key>.pdf``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def fetch(self, key: str, destination: Path) -> bool:
        cached = self.directory / f"{key}.pdf"
        if not cached.is_file():
            return False
        shutil.copyfile(cached, destination)
        return True

    def store(self, key: str, printed: Path) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        os.close(handle)
        shutil.copyfile(printed, temporary)
        os.replace(temporary, self.directory / f"{key}.pdf")
