"""The results base shared by every estimator (before-after, DiD, event study, synth), the
results record contract (results.json) and the report's section names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.results.base import EffectResults, InferenceInfo
    from arviointi.results.record import ResultRecord, ResultsDocument
    from arviointi.results.sections import ANALYSIS_SECTIONS, REPORT_SECTIONS

__all__ = [
    "ANALYSIS_SECTIONS",
    "REPORT_SECTIONS",
    "EffectResults",
    "InferenceInfo",
    "ResultRecord",
    "ResultsDocument",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "EffectResults": "arviointi.results.base",
        "InferenceInfo": "arviointi.results.base",
        "ResultRecord": "arviointi.results.record",
        "ResultsDocument": "arviointi.results.record",
        "ANALYSIS_SECTIONS": "arviointi.results.sections",
        "REPORT_SECTIONS": "arviointi.results.sections",
    },
)
