"""The results base shared by every estimator (before-after, DiD, event study, synth)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.results.base import EffectResults, InferenceInfo

__all__ = ["EffectResults", "InferenceInfo"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "EffectResults": "arviointi.results.base",
        "InferenceInfo": "arviointi.results.base",
    },
)
