"""Conley and Taber (2011) inference for DiD with few treated groups.

Model: ``y_gt = a_g + d_t + b D_gt + X_gt'g + e_gt``. With few treated groups, ``b_hat - b``
converges (as the number of controls grows) to a function of the treated groups' errors
alone, ``W = mean_T(c_g^e)``, where ``c_g^e`` is the post-minus-pre contrast of group g's
errors. Its distribution is estimated from the control groups' residual contrasts
``w_j = c_j - mean_C(c)`` (the controls' contrasts net of the estimated time effects).

Assumptions (as in the paper): the treated and control groups' error contrasts are
identically distributed (no heteroskedasticity by group size; see Ferman and Pinto 2019
for a correction) and independent of treatment; the number of controls is large. With
few controls the empirical distribution of ``w_j`` has few points and the intervals
under-cover; :func:`arviointi.inference.choose` warns about this.

Interval: ``[b_hat - q_{1-alpha/2}(W), b_hat - q_{alpha/2}(W)]``; p-value of ``b = b0``:
the share of simulated ``|W|`` at least ``|b_hat - b0|``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import ArrayLike

from arviointi import progress
from arviointi.inference.outcome import InferenceOutcome


def conley_taber(
    contrasts: ArrayLike,
    treated: ArrayLike,
    estimate: float,
    *,
    n_draws: int = 9999,
    seed: int | None = None,
) -> InferenceOutcome:
    """Conley-Taber distribution of the treated groups' error term and the inverted test.

    contrasts : per-cluster post-minus-pre contrasts of the covariate-adjusted outcome
    treated : boolean mask of treated clusters
    estimate : the DiD estimate ``b_hat``
    n_draws : draws of ``W`` (mean of ``n_treated`` control residuals, with replacement);
        with one treated group (or when all combinations are fewer) ``W`` is enumerated.
    """
    c = np.asarray(contrasts, dtype=float)
    t = np.asarray(treated, dtype=bool)
    cc = c[~t]
    nt, nc = int(t.sum()), len(cc)
    w = cc - cc.mean()
    total = nc**nt
    if total <= n_draws:
        combos = itertools.product(w, repeat=nt)
        steps = progress.steps(combos, "Conley-Taber: enumeration", total)
        W = np.array([np.mean(combo) for combo in steps])
        exact = True
    else:
        rng = np.random.default_rng(seed)
        W = w[rng.integers(0, nc, size=(n_draws, nt))].mean(axis=1)
        exact = False
    b = float(estimate)

    def pvalue(b0: float) -> float:
        dev = abs(b - b0)
        return float(np.mean(np.abs(W) >= dev - 1e-12 * max(1.0, dev)))

    def ci(alpha: float) -> tuple[float, float]:
        if len(W) == 0:
            return (math.nan, math.nan)
        lo_q = float(np.quantile(W, alpha / 2, method="lower"))
        hi_q = float(np.quantile(W, 1 - alpha / 2, method="higher"))
        return (b - hi_q, b - lo_q)

    details = {
        "n_draws": len(W),
        "exact_enumeration": exact,
        "control_residual_contrasts": w.tolist(),
        "assumption": "treated and control error contrasts identically distributed; many controls",
    }
    return InferenceOutcome("conley_taber", None, pvalue(0.0), None, ci, details)
