"""Effect on the treated from a matched sample: weighted difference in mean outcomes.

The estimate is the coefficient of ``treated`` in a weighted least-squares regression of
the outcome on a constant and ``treated`` (= the weighted mean difference). Weights are the
matching weights, optionally times an observation weight per person (e.g.
``months_observed`` with outcome ``share_employed`` gives the share of person-months
employed, pooled over months).

Standard errors treat the matching weights as fixed (they ignore the uncertainty of the
propensity-score estimate and of the matching itself, which Abadie-Imbens corrections would
add): clustered by match set (CR1, G-1 df) for 1:1 or 1:k matching without replacement,
otherwise heteroskedasticity-robust HC1 (n-2 df).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from arviointi.errors import DesignError
from arviointi.estimation import vcov_cr1_wls, vcov_hc1_wls
from arviointi.matching.frame_checks import check_numeric, raise_if_problems, require_columns
from arviointi.matching.result import MatchResult
from arviointi.results.base import EffectResults, InferenceInfo


def matched_effect(
    outcomes: pd.DataFrame,
    match: MatchResult,
    *,
    outcome: str = "share_employed",
    obs_weight: str | None = None,
    alpha: float = 0.05,
) -> EffectResults:
    """Weighted treated-minus-control difference of ``outcome`` in the matched sample.

    ``outcomes``: one row per person with ``person_id`` and ``outcome`` (e.g. the output of
    :func:`client_outcomes`). Matched persons with a missing outcome (or a zero
    ``obs_weight``) are left out and counted in ``warnings``.

    Example::

        m = propensity_match(clients, seed=1)
        matched_effect(client_outcomes(clients, panel), m, outcome="exit_to_work")
    """
    cols = ["person_id", outcome] + ([obs_weight] if obs_weight else [])
    require_columns(outcomes, cols, "outcomes", purpose="person-level outcomes")
    raise_if_problems(check_numeric(outcomes, outcome, allow_missing=True), "outcomes")
    if obs_weight:
        raise_if_problems(check_numeric(outcomes, obs_weight, minimum=0), "outcomes")
    data = match.matched.merge(
        outcomes[cols].drop_duplicates("person_id"), on="person_id", how="left"
    )
    w = data["weight"].to_numpy(dtype=float)
    if obs_weight:
        w = w * data[obs_weight].fillna(0).to_numpy(dtype=float)
    y = data[outcome].to_numpy(dtype=float)
    ok = np.isfinite(y) & (w > 0)
    notes = list(match.warnings)
    if (~ok).any():
        lost_t = int((~ok & data["treated"].to_numpy()).sum())
        lost_c = int((~ok & ~data["treated"].to_numpy()).sum())
        notes.append(
            f"{lost_t} treated and {lost_c} control matched person(s) without the outcome "
            "left out (the estimand then covers the treated with outcomes only)"
        )
    data, w, y = data[ok], w[ok], y[ok]
    t = data["treated"].to_numpy(dtype=float)
    n_t, n_c = int(t.sum()), int((1 - t).sum())
    if n_t == 0 or n_c == 0:
        raise DesignError(f"no treated or no control persons with outcome {outcome!r}")
    if n_t + n_c < 3:
        raise DesignError(f"too few matched persons with outcome {outcome!r} for an SE")
    x = np.column_stack([np.ones_like(t), t])
    xtwx_inv = np.linalg.inv(x.T @ (x * w[:, None]))
    beta = xtwx_inv @ (x.T @ (w * y))
    wresid = w * (y - x @ beta)
    n = len(y)
    pairwise = match.method == "propensity" and not match.details.get("replace", False)
    if pairwise:
        codes, uniq = pd.factorize(data["subclass"])
        g = len(uniq)
        if g < 2:
            raise DesignError("one match set only: no clustered standard error")
        vcov = vcov_cr1_wls(xtwx_inv, x, wresid, codes)
        df: float = g - 1
        info = InferenceInfo(
            method="cluster",
            reason=f"clustered by match set ({g} sets, CR1); matching weights taken as fixed",
            df=df,
            requested="auto",
            details={"n_clusters": g},
        )
    else:
        vcov = vcov_hc1_wls(xtwx_inv, x, wresid)
        df = n - 2
        info = InferenceInfo(
            method="robust",
            reason="HC1 with matching weights taken as fixed (CEM or matching with replacement)",
            df=df,
            requested="auto",
        )
    est, se = float(beta[1]), float(math.sqrt(vcov[1, 1]))
    pval = float(2 * stats.t.sf(abs(est / se), df)) if se > 0 else math.nan
    return EffectResults(
        estimate=est,
        se=se,
        pvalue=pval,
        inference=info,
        n_obs=n,
        n_treated=n_t,
        n_control=n_c,
        outcome=outcome,
        alpha=alpha,
        warnings=notes,
        model=f"matched_{match.method}",
        extra={"mean_control": float(beta[0]), "mean_treated": float(beta[0] + beta[1])},
    )
