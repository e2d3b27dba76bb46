"""The results base shared by every estimator (before-after, DiD, event study, synth)."""

from arviointi.results.base import EffectResults, InferenceInfo

__all__ = ["EffectResults", "InferenceInfo"]
