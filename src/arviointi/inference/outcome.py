"""The common return type of the design-based inference routines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class InferenceOutcome:
    """What an inference routine found for one coefficient.

    se : standard error (None when the method has none, e.g. permutation)
    pvalue : two-sided p-value of H0: effect = 0
    df : degrees of freedom of the t reference (None = normal or not analytic)
    ci : interval as a function of alpha, or None for ``estimate +- t(df) * se``
    details : anything worth reporting (draws, p-value floor, placebo estimates, ...)
    """

    method: str
    se: float | None
    pvalue: float | None
    df: float | None = None
    ci: Callable[[float], tuple[float, float]] | None = None
    details: dict[str, Any] = field(default_factory=dict)
