"""OLS with Newey-West (Bartlett kernel) HAC covariance, written out in numpy.

``ols_hac`` returns the coefficients and the HAC covariance

    V = n/(n-k) * (X'X)^-1 S (X'X)^-1,
    S = sum_t u_t^2 x_t x_t'
      + sum_{l=1..L} (1 - l/(L+1)) sum_t u_t u_{t-l} (x_t x_{t-l}' + x_{t-l} x_t')

(the small-sample factor n/(n-k) is statsmodels' ``use_correction=True``). The default
lag length is the Newey-West plug-in ``floor(4 (T/100)^(2/9))``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def newey_west_lags(n: int) -> int:
    """Newey and West (1994) plug-in lag length ``floor(4 (n/100)^(2/9))``."""
    return math.floor(4 * (n / 100) ** (2 / 9))


def ols_hac(x: FloatArray, y: FloatArray, lags: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Coefficients, HAC covariance and residuals of ``y ~ x`` (x includes the constant)."""
    n, k = x.shape
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ (x.T @ y)
    u = y - x @ beta
    xu = x * u[:, None]
    s = xu.T @ xu
    for lag in range(1, lags + 1):
        weight = 1.0 - lag / (lags + 1.0)
        gamma = xu[lag:].T @ xu[:-lag]
        s += weight * (gamma + gamma.T)
    cov = xtx_inv @ s @ xtx_inv * (n / (n - k))
    return beta, cov, u
