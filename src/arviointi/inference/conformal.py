"""Conformal inference over time (Chernozhukov, Wuthrich and Zhu 2021), moving-block form.

The treated units' mean minus the control mean, ``d_t``, is modelled as ``a + theta D_t +
u_t``. Under ``H0: theta = b`` the residuals ``u_t(b)`` of the model fitted on ALL periods
are computed and the statistic ``S = |mean over the post periods of u(b)|`` is compared with
its values when the post block is moved cyclically over the ``T`` periods (the moving-block
permutations). The p-value is exact when the ``u_t`` are exchangeable and approximately valid
for stationary, weakly dependent errors as ``T`` grows; it cannot be below ``1/T`` (and with a
post block of exactly half the periods, each value has a twin, so not below ``2/T``). It uses
only the treated series' own variation over time, so a treated unit noisier than its
comparisons does not bias it; strong serial correlation in a short series does.

Because ``u(b) = (d - mean d) - b (D - mean D)``, each statistic is ``|s_j - b q_j|`` and the
interval is the exact inversion by :func:`arviointi.inference.invert_linear_test`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from arviointi.inference.outcome import InferenceOutcome
from arviointi.inference.permutation import invert_linear_test


def conformal_time(d: NDArray[np.float64], post_t: NDArray[np.bool_]) -> InferenceOutcome:
    """Moving-block conformal test of no effect and its inverted interval.

    d : the treated-minus-control series, one value per period (no missing values)
    post_t : True for the periods after the start
    """
    d = np.asarray(d, dtype=float)
    D = np.asarray(post_t, dtype=float)
    n = len(d)
    details: dict[str, object] = {"n_periods": n, "pvalue_floor": 1.0 / max(n, 1)}
    if n < 2 or not np.isfinite(d).all() or D.sum() in (0, n):
        return InferenceOutcome("conformal", None, None, None, None, details)
    a, b = d - d.mean(), D - D.mean()
    post_idx = np.flatnonzero(D > 0)
    shifts = (post_idx[None, :] + np.arange(n)[:, None]) % n
    s, q = a[shifts].mean(axis=1), b[shifts].mean(axis=1)
    stat = np.abs(s)
    tol = 1e-12 * max(1.0, float(stat.max()))
    p = float(np.mean(stat >= stat[0] - tol))

    def ci(alpha: float) -> tuple[float, float]:
        lo, hi = invert_linear_test(s, q, alpha)
        return (float("nan"), float("nan")) if not np.isfinite([lo, hi]).all() else (lo, hi)

    details["pvalue_floor"] = float(np.mean(stat >= stat.max() - tol))
    return InferenceOutcome("conformal", None, p, None, ci, details)
