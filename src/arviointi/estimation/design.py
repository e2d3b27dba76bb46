"""Design-matrix columns shared by the estimators."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray


def indicators(values: Any, levels: Iterable[Any]) -> NDArray[np.float64]:
    """One 0/1 column per level: ``1{values == level}`` (n x len(levels), float64).

    Used for event-time dummies (event study), calendar-month dummies (person fixed-effects
    DiD) and seasonal dummies (before-after); ``levels`` decides which level is left out.
    """
    arr = np.asarray(values)
    cols = [(arr == level).astype(np.float64) for level in levels]
    if not cols:
        return np.zeros((len(arr), 0))
    return np.column_stack(cols)
