"""Absorbing fixed effects: within-transformation by alternating projections.

:func:`demean_converged` removes one or more sets of (weighted) fixed effects from every
column of a matrix with weighted group means (``np.bincount``), never with dummy matrices,
so the cost is linear in the number of rows; with one set it is the exact one-way
within-transformation (one sweep), with two it iterates (Gaure 2013) and says whether it
converged.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Codes = NDArray[np.intp]


class DemeanNotConverged(RuntimeWarning):
    """The alternating projections stopped at ``max_iter`` before converging."""


@dataclass(frozen=True)
class Demeaned:
    """Demeaned columns and whether the alternating projections converged."""

    values: Array
    converged: bool
    sweeps: int
    change: float

    @property
    def warning(self) -> str | None:
        """The result warning of a fit on these values (None when converged)."""
        if self.converged:
            return None
        return (
            f"removing the fixed effects did not converge in {self.sweeps} sweeps (the last "
            f"sweep still changed values by {self.change:.2g} of their scale); the estimate "
            "may be inaccurate"
        )


def demean_converged(
    M: Array,
    fe: list[Codes],
    weights: Array | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> Demeaned:
    """Remove (weighted) fixed effects from every column of ``M`` by alternating projections.

    Each sweep subtracts the weighted group means of each fixed-effect dimension in turn
    (Gaure 2013, the method of alternating projections); it stops when a sweep changes no
    entry by more than ``tol`` times the column scale, or after ``max_iter`` sweeps, which
    the result says (``converged=False``).
    """
    out = np.array(M, dtype=float, copy=True)
    if out.ndim == 1:
        out = out[:, None]
    w = np.ones(out.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    sums_w = [np.bincount(c, weights=w) for c in fe]
    scale = np.maximum(np.abs(out).max(axis=0), 1.0)
    biggest = 0.0
    sweeps = 0
    for sweeps in range(1, max_iter + 1):
        biggest = 0.0
        for c, sw in zip(fe, sums_w, strict=True):
            for j in range(out.shape[1]):
                means = np.bincount(c, weights=w * out[:, j]) / sw
                delta = means[c]
                out[:, j] -= delta
                biggest = max(biggest, float(np.abs(delta).max()) / scale[j])
        if biggest < tol or len(fe) == 1:
            return Demeaned(out, True, sweeps, biggest)
    return Demeaned(out, False, sweeps, biggest)


def demean(
    M: Array,
    fe: list[Codes],
    weights: Array | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> Array:
    """:func:`demean_converged`'s values; warns (``DemeanNotConverged``) when not converged."""
    result = demean_converged(M, fe, weights, tol=tol, max_iter=max_iter)
    if result.warning is not None:
        warnings.warn(result.warning, DemeanNotConverged, stacklevel=2)
    return result.values
