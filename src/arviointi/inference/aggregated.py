"""Donald and Lang (2007) aggregated inference for few clusters.

Each cluster (unit) is collapsed to one contrast ``c_g = mean_post(r_g) - mean_pre(r_g)``
of its (covariate-adjusted) outcome. The DiD estimate is then the difference of the
treated and control means of ``c_g`` and, if the ``c_g`` are independent normal draws with
a common variance ``sigma^2``, the t statistic

    t = (mean_T c - mean_C c - effect) / (s * sqrt(1/G_T + 1/G_C)),
    s^2 = [sum_T (c - mean_T c)^2 + sum_C (c - mean_C c)^2] / (G - 2)

has an exact t(G - 2) distribution, whatever the serial correlation inside a cluster
(the contrast averages over it). With one treated unit the treated term of ``s^2`` is zero
and this is the classical prediction interval for a new draw from the controls.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from arviointi.inference.outcome import InferenceOutcome


def donald_lang(
    contrasts: ArrayLike, treated: ArrayLike, estimate: float | None = None
) -> InferenceOutcome:
    """Aggregated two-sample t test on per-cluster contrasts (Donald and Lang 2007).

    contrasts : one post-minus-pre contrast per cluster
    treated : boolean mask of treated clusters (same length)
    estimate : the point estimate to test (defaults to mean_T - mean_C of the contrasts)

    Returns an :class:`InferenceOutcome` with ``se``, ``df = G - 2`` and the p-value of
    H0: effect = 0; the interval is ``estimate +- t(G-2) * se``.
    """
    c = np.asarray(contrasts, dtype=float)
    t = np.asarray(treated, dtype=bool)
    ct, cc = c[t], c[~t]
    nt, nc = len(ct), len(cc)
    G = nt + nc
    diff = float(ct.mean() - cc.mean())
    est = diff if estimate is None else float(estimate)
    details: dict[str, object] = {"n_treated_clusters": nt, "n_control_clusters": nc}
    if nt < 1 or nc < 1 or G < 3:
        return InferenceOutcome("donald_lang", None, None, None, None, details)
    ss = float(((ct - ct.mean()) ** 2).sum() + ((cc - cc.mean()) ** 2).sum())
    s = np.sqrt(ss / (G - 2))
    se = float(s * np.sqrt(1.0 / nt + 1.0 / nc))
    df = float(G - 2)
    p = float(2 * stats.t.sf(abs(est) / se, df)) if se > 0 else float("nan")
    details["aggregated_estimate"] = diff
    details["contrast_sd_control"] = float(cc.std(ddof=1)) if nc > 1 else float("nan")
    return InferenceOutcome("donald_lang", se, p, df, None, details)
