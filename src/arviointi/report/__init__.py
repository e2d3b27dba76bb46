"""The report layer: catalogue, formatting, disclosure control, figures, emitter, HTML, PDF.

Notebooks use :class:`Emitter` (and the builders in :mod:`arviointi.report.figures`); the
pipeline uses :func:`render_report` and :func:`html_to_pdf`. Names are imported lazily so
``import arviointi.report`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Emitter": "arviointi.report.emitter",
    "t": "arviointi.report.i18n",
    "LANGUAGES": "arviointi.report.i18n",
    "suppress": "arviointi.report.disclosure",
    "check_no_person_rows": "arviointi.report.disclosure",
    "ReportMeta": "arviointi.report.meta",
    "SECTIONS": "arviointi.report.meta",
    "render_report": "arviointi.report.render",
    "html_to_pdf": "arviointi.report.pdf",
    "scrub_notebook": "arviointi.report.scrub",
    "REPORT_MIME": "arviointi.report.mime",
    "RECORD_MIME": "arviointi.report.mime",
}
_MODULES = {"figures", "formatting", "style", "disclosure", "i18n", "render", "pdf", "meta"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _MODULES:
        return importlib.import_module(f"arviointi.report.{name}")
    raise AttributeError(f"module 'arviointi.report' has no attribute {name!r}")
