"""Synthetic control (model.py) and synthetic difference-in-differences (sdid.py)."""

from arviointi.synth.model import synthetic_control
from arviointi.synth.results import SDIDResults, SynthResults
from arviointi.synth.sdid import synthetic_did

__all__ = ["SDIDResults", "SynthResults", "synthetic_control", "synthetic_did"]
