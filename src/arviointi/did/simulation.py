"""Simulated area panels for checking DiD inference (size, coverage, power).

``y_it = a_i + l_t + delta * D_it + e_it`` with unit effects ``a_i ~ N(0, 1)``, a common
random-walk period effect ``l_t``, and stationary AR(1) errors ``e_it = rho e_i,t-1 + u_it``
with marginal SD ``sd`` (``treated_sd_factor`` scales the treated unit's errors, to show
what happens when the equal-variance assumption fails). Unit 0..n_treated-1 are treated
from period ``n_pre`` on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def ar1_errors(
    rng: np.random.Generator, n_units: int, n_periods: int, rho: float, sd: float = 1.0
) -> np.ndarray:
    """(n_units x n_periods) stationary AR(1) errors with marginal SD ``sd``."""
    u = rng.normal(scale=sd * np.sqrt(1 - rho**2), size=(n_units, n_periods))
    e = np.empty_like(u)
    e[:, 0] = rng.normal(scale=sd, size=n_units)
    for t in range(1, n_periods):
        e[:, t] = rho * e[:, t - 1] + u[:, t]
    return e


def simulate_panel(
    rng: np.random.Generator,
    *,
    n_control: int,
    n_pre: int,
    n_post: int,
    rho: float,
    effect: float = 0.0,
    n_treated: int = 1,
    sd: float = 1.0,
    treated_sd_factor: float = 1.0,
    control_sd: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """A long panel with columns ``unit``, ``period``, ``treated`` (0/1) and ``y``.

    control_sd : (lowest, highest) noise SD of the controls, spread geometrically between
        them (comparisons of mixed sizes); default: every control has ``sd``. The treated
        units' SD is ``treated_sd_factor * sd``.
    """
    N, T = n_treated + n_control, n_pre + n_post
    e = ar1_errors(rng, N, T, rho, 1.0)
    scale = np.full(N, float(sd))
    scale[:n_treated] *= treated_sd_factor
    if control_sd is not None:
        scale[n_treated:] = np.geomspace(control_sd[0], control_sd[1], n_control)
    e *= scale[:, None]
    a = rng.normal(size=N)[:, None]
    lam = np.cumsum(rng.normal(scale=0.3, size=T))[None, :]
    D = np.zeros((N, T))
    D[:n_treated, n_pre:] = 1.0
    y = a + lam + effect * D + e
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(N), T),
            "period": np.tile(np.arange(T), N),
            "treated": D.ravel().astype(int),
            "y": y.ravel(),
        }
    )
