"""Difference-in-differences with person fixed effects on a person-month panel.

Model: ``y_it = a_i + g_t + d * post_it + beta * treated_i * post_it + e_it`` with person
effects ``a_i`` and calendar-month effects ``g_t`` (optional). ``post`` is person-specific
(months since the person's own entry), so comparison persons have a post period too.
``beta`` is the effect. Estimation: person effects are swept out by within-person
demeaning (Frisch-Waugh-Lovell; month indicators are demeaned too, so the result equals
the dummy-variable regression), then weighted least squares with matching weights
constant within person.

Standard errors are clustered by person (CR1): sandwich with the factor
``G/(G-1) * (N-1)/(N-K)``, where K counts the slope and month coefficients plus one for
the constant but not the person effects (they are nested in the clusters), as Stata's
reghdfe and pyfixest (``k_fixef="nonnested"``) do. The reference
distribution is t with G-1 degrees of freedom.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from arviointi.errors import DesignError, InputError
from arviointi.matching.frame_checks import (
    check_numeric,
    frame_source,
    raise_if_problems,
    require_columns,
    require_frame,
)
from arviointi.matching.result import MatchResult
from arviointi.results.base import EffectResults, InferenceInfo


def _demean(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    counts = np.bincount(codes, minlength=n_groups).astype(float)
    if values.ndim == 1:
        means = np.bincount(codes, weights=values, minlength=n_groups) / counts
        return values - means[codes]
    out = np.empty_like(values)
    for j in range(values.shape[1]):
        means = np.bincount(codes, weights=values[:, j], minlength=n_groups) / counts
        out[:, j] = values[:, j] - means[codes]
    return out


def person_fe_did(
    panel: pd.DataFrame,
    *,
    outcome: str = "employed",
    weights: pd.Series | MatchResult | None = None,
    month_effects: bool = True,
    alpha: float = 0.05,
) -> EffectResults:
    """DiD with person (and calendar-month) fixed effects, clustered by person.

    ``panel`` is the output of :func:`arviointi.matching.outcomes.did_panel` (columns
    ``person_id``, ``month``, ``post``, ``treated``, ``treated_post`` and ``outcome``).
    ``weights``: a MatchResult or a Series of weights indexed by person_id; persons with a
    missing or zero weight are left out (counted in ``warnings``).

    Example::

        dp = did_panel(clients, panel, pre_months=12, post_months=12)
        res = person_fe_did(dp, outcome="employed", weights=propensity_match(clients))
    """
    require_frame(panel, "panel")
    require_columns(
        panel,
        ["person_id", "month", "post", "treated", "treated_post", outcome],
        "panel",
        purpose="output of did_panel",
    )
    raise_if_problems(check_numeric(panel, outcome), "panel")
    notes: list[str] = []
    p = panel
    if weights is not None:
        w_series = weights.weights() if isinstance(weights, MatchResult) else weights
        w = p["person_id"].map(w_series).astype(float)
        drop = ~(w > 0)
        if drop.any():
            n_persons = int(p.loc[drop, "person_id"].nunique())
            notes.append(f"{n_persons} person(s) without a positive matching weight left out")
        if (w < 0).any():
            raise InputError(frame_source("weights"), "expected non-negative weights")
        p = p[~drop.to_numpy()]
        w_arr = w[~drop].to_numpy(dtype=float)
    else:
        w_arr = np.ones(len(p))
    if p.empty:
        raise DesignError("no person-months left for the person fixed-effects DiD")
    codes, uniques = pd.factorize(p["person_id"])
    n_groups = len(uniques)
    treated_person = p.groupby("person_id", sort=False)["treated"].first()
    n_treated = int((treated_person == 1).sum())
    n_control = int((treated_person == 0).sum())
    if n_treated == 0 or n_control == 0:
        raise DesignError("the person fixed-effects DiD needs treated and comparison persons")
    x_cols = [p["treated_post"].to_numpy(dtype=float), p["post"].to_numpy(dtype=float)]
    names = ["treated_post", "post"]
    if month_effects:
        months = pd.to_datetime(p["month"])
        levels = np.sort(months.unique())
        for lvl in levels[1:]:
            x_cols.append((months == lvl).to_numpy(dtype=float))
            names.append(str(pd.Timestamp(lvl).date()))
    x = np.column_stack(x_cols)
    y = p[outcome].to_numpy(dtype=float)
    xd = _demean(x, codes, n_groups)
    yd = _demean(y, codes, n_groups)
    if np.sqrt((xd[:, 0] ** 2).sum()) <= 1e-10:
        raise DesignError(
            "treated_post has no within-person variation: no treated person is seen both "
            "before and after entry"
        )
    # keep treated_post, then add each column only if it is not collinear with those kept
    # (e.g. post is collinear with the month effects when everyone enters at once)
    xtx_full = (xd * w_arr[:, None]).T @ xd
    keep = [0]
    for j in range(1, xd.shape[1]):
        trial = [*keep, j]
        sub = xtx_full[np.ix_(trial, trial)]
        if np.linalg.matrix_rank(sub, tol=1e-9 * max(1.0, float(np.trace(sub)))) == len(trial):
            keep = trial
    dropped = [names[j] for j in range(len(names)) if j not in keep]
    if "post" in dropped:
        notes.append("post is collinear with the month effects and was left out")
    xd = xd[:, keep]
    xtx_inv = np.linalg.inv(xtx_full[np.ix_(keep, keep)])
    sw = np.sqrt(w_arr)
    beta = xtx_inv @ ((xd * sw[:, None]).T @ (yd * sw))
    resid = yd - xd @ beta
    scores = xd * (w_arr * resid)[:, None]
    cluster_scores = np.zeros((n_groups, xd.shape[1]))
    np.add.at(cluster_scores, codes, scores)
    meat = cluster_scores.T @ cluster_scores
    n_obs, k = len(y), xd.shape[1] + 1  # + 1: the constant
    factor = n_groups / (n_groups - 1) * (n_obs - 1) / (n_obs - k)
    vcov = factor * xtx_inv @ meat @ xtx_inv
    est = float(beta[0])
    se = float(math.sqrt(vcov[0, 0]))
    df = n_groups - 1
    post_coef = float(beta[keep.index(1)]) if 1 in keep else math.nan
    pval = float(2 * stats.t.sf(abs(est / se), df)) if se > 0 else math.nan
    return EffectResults(
        estimate=est,
        se=se,
        pvalue=pval,
        inference=InferenceInfo(
            method="cluster",
            reason=(
                f"standard errors clustered by person ({n_groups} persons; CR1), "
                f"t reference with {df} df"
            ),
            df=df,
            requested="cluster",
            # notes on the sample, not on the method: they do not make the interval doubtful
            details={"n_clusters": n_groups, "weighted": weights is not None, "notes": notes},
        ),
        n_obs=n_obs,
        n_treated=n_treated,
        n_control=n_control,
        outcome=outcome,
        alpha=alpha,
        warnings=[],
        model="did_person_fe",
        extra={"post": post_coef, "month_effects": month_effects, "dropped": dropped},
    )
