"""The report layer: catalogue, formatting, disclosure control, figures, emitter, HTML, PDF.

In a notebook (content only through the Emitter; labels are catalogue keys)::

    from arviointi.report import Emitter, figures
    from arviointi.report.i18n import Msg
    em = Emitter(params, languages=params.get("languages", ["fi", "en"]))
    em.section("employment")
    em.heading("outcome.unemployment_rate")
    em.figure(figures.event_study_figure, "caption.event_study", "alt.event_study",
              caption_values={"outcome": Msg("outcome.unemployment_rate")}, frame=es_frame)
    em.verdict(result, outcome_key="outcome.unemployment_rate", unit_key="unit.pp")
    em.table(counts_by_group, "caption.wellbeing", counts=["count"])   # client level
    em.record(result, true_effect=true_effect)

In the pipeline::

    from arviointi.report import ReportMeta, render_report, html_to_pdf, scrub_notebook
    html = render_report(executed_notebooks, lang="fi", meta=meta)
    html_path.write_text(html, encoding="utf-8"); html_to_pdf(html_path, pdf_path)
    scrub_notebook(nb)   # before keeping an executed notebook: only arviointi bundles stay

Names are imported lazily so ``import arviointi.report`` stays cheap.
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
