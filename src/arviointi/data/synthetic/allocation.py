"""Integer allocation and anchored noise used by the generator."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def largest_remainder(total: int, weights: npt.ArrayLike) -> IntArray:
    """Split the integer ``total`` in proportion to ``weights`` so the parts sum exactly.

    Ties in the remainders go to the earlier position (stable), so the result is
    deterministic. Weights must be non-negative with a positive sum.
    """
    w = np.clip(np.asarray(weights, dtype=float), 0.0, None)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = total * w / w.sum()
    parts = np.floor(exact).astype(np.int64)
    left = int(total - parts.sum())
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[:left]] += 1
    return parts


def anchored_ar1(
    rng: np.random.Generator, n_series: int, n_periods: int, anchor: int, rho: float
) -> FloatArray:
    """Unit-variance AR(1) paths that are exactly 0 at period ``anchor``.

    The process runs forward and backward from the anchor with innovations scaled so the
    variance reaches 1 away from the anchor. Shape (n_series, n_periods).
    """
    out = np.zeros((n_series, n_periods))
    scale = np.sqrt(1.0 - rho**2)
    shocks = rng.standard_normal((n_series, n_periods))
    for t in range(anchor + 1, n_periods):
        out[:, t] = rho * out[:, t - 1] + scale * shocks[:, t]
    for t in range(anchor - 1, -1, -1):
        out[:, t] = rho * out[:, t + 1] + scale * shocks[:, t]
    return out
