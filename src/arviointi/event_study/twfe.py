"""Two-way fixed-effects least squares by alternating projections (Frisch-Waugh-Lovell).

The unit and time effects are swept out of ``y`` and ``X`` by alternately demeaning
within units and within periods until the largest change is below ``tol`` (one sweep
suffices on a balanced panel); OLS on the demeaned data gives the slope coefficients.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def _demean_by(m: FloatArray, codes: IntArray, n_groups: int) -> FloatArray:
    counts = np.bincount(codes, minlength=n_groups).astype(np.float64)
    sums = np.zeros((n_groups, m.shape[1]))
    np.add.at(sums, codes, m)
    return m - (sums / counts[:, None])[codes]


def demean_two_way(
    m: FloatArray, units: IntArray, times: IntArray, *, tol: float = 1e-14, maxiter: int = 10_000
) -> FloatArray:
    """Residuals of each column of ``m`` on unit and time dummies."""
    n_u, n_t = int(units.max()) + 1, int(times.max()) + 1
    out = m.astype(np.float64, copy=True)
    scale = max(float(np.abs(out).max()), 1.0)
    for _ in range(maxiter):
        prev = out
        out = _demean_by(_demean_by(out, units, n_u), times, n_t)
        if float(np.abs(out - prev).max()) <= tol * scale:
            break
    return out


def twfe_ols(
    y: FloatArray, x: FloatArray, units: IntArray, times: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Slopes, residuals and the demeaned regressors of ``y ~ x | unit + time``."""
    both = demean_two_way(np.column_stack([y, x]), units, times)
    yd, xd = both[:, 0], both[:, 1:]
    beta, *_ = np.linalg.lstsq(xd, yd, rcond=None)
    resid = yd - xd @ beta
    return np.asarray(beta, dtype=np.float64), resid, xd
