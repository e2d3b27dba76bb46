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
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from arviointi.errors import DesignError, InputError
from arviointi.estimation import demean, indicators, vcov_cr1_wls
from arviointi.matching.frame_checks import (
    check_numeric,
    frame_source,
    raise_if_problems,
    require_columns,
    require_frame,
)
from arviointi.matching.result import MatchResult
from arviointi.results.base import EffectResults, InferenceInfo


def _weights(
    panel: pd.DataFrame, weights: pd.Series | MatchResult | None, notes: list[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """The person-months with a positive matching weight, and those weights."""
    if weights is None:
        return panel, np.ones(len(panel))
    w_series = weights.weights() if isinstance(weights, MatchResult) else weights
    w = panel["person_id"].map(w_series).astype(float)
    drop = ~(w > 0)
    if drop.any():
        n_persons = int(panel.loc[drop, "person_id"].nunique())
        notes.append(f"{n_persons} person(s) without a positive matching weight left out")
    if (w < 0).any():
        raise InputError(frame_source("weights"), "expected non-negative weights")
    return panel[~drop.to_numpy()], w[~drop].to_numpy(dtype=float)


def _regressors(p: pd.DataFrame, month_effects: bool) -> tuple[np.ndarray, list[str]]:
    """treated_post, post and (optionally) calendar-month dummies (the first month left out)."""
    x = np.column_stack([p["treated_post"].to_numpy(dtype=float), p["post"].to_numpy(dtype=float)])
    names = ["treated_post", "post"]
    if month_effects:
        months = pd.to_datetime(p["month"])
        levels = np.sort(months.unique())[1:]
        x = np.column_stack([x, indicators(months.to_numpy(), levels)])
        names += [str(pd.Timestamp(lvl).date()) for lvl in levels]
    return x, names


def _independent_columns(xtx_full: np.ndarray) -> list[int]:
    """treated_post, then each column not collinear with those kept (e.g. post is collinear
    with the month effects when everyone enters at once); ``xtx_full`` is ``X'WX``."""
    keep = [0]
    for j in range(1, len(xtx_full)):
        trial = [*keep, j]
        sub = xtx_full[np.ix_(trial, trial)]
        if np.linalg.matrix_rank(sub, tol=1e-9 * max(1.0, float(np.trace(sub)))) == len(trial):
            keep = trial
    return keep


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
    p, w_arr = _weights(panel, weights, notes)
    if p.empty:
        raise DesignError("no person-months left for the person fixed-effects DiD")
    codes, uniques = pd.factorize(p["person_id"])
    n_groups = len(uniques)
    treated_person = p.groupby("person_id", sort=False)["treated"].first()
    n_treated = int((treated_person == 1).sum())
    n_control = int((treated_person == 0).sum())
    if n_treated == 0 or n_control == 0:
        raise DesignError("the person fixed-effects DiD needs treated and comparison persons")
    x, names = _regressors(p, month_effects)
    y = p[outcome].to_numpy(dtype=float)
    # person effects swept out by the kernel's one-way within-transformation (exact)
    xd = demean(x, [codes])
    yd = demean(y, [codes])[:, 0]
    if np.sqrt((xd[:, 0] ** 2).sum()) <= 1e-10:
        raise DesignError(
            "treated_post has no within-person variation: no treated person is seen both "
            "before and after entry"
        )
    xtx_full = (xd * w_arr[:, None]).T @ xd
    keep = _independent_columns(xtx_full)
    dropped = [names[j] for j in range(len(names)) if j not in keep]
    if "post" in dropped:
        notes.append("post is collinear with the month effects and was left out")
    xd = xd[:, keep]
    xtx_inv = np.linalg.inv(xtx_full[np.ix_(keep, keep)])
    sw = np.sqrt(w_arr)
    beta = xtx_inv @ ((xd * sw[:, None]).T @ (yd * sw))
    # CR1 by person from the kernel; the person effects are nested in the clusters, so K
    # counts the slopes plus one for the constant
    wresid = w_arr * (yd - xd @ beta)
    vcov = vcov_cr1_wls(
        xtx_inv, xd, wresid, codes, n_absorbed_nested=n_groups - 1, n_absorbed=n_groups
    )
    n_obs = len(y)
    return person_fe_result(
        float(beta[0]),
        float(math.sqrt(vcov[0, 0])),
        float(beta[keep.index(1)]) if 1 in keep else math.nan,
        n_groups=n_groups,
        n_obs=n_obs,
        n_treated=n_treated,
        n_control=n_control,
        outcome=outcome,
        alpha=alpha,
        month_effects=month_effects,
        dropped=dropped,
        notes=notes,
        weighted=weights is not None,
    )


def person_fe_result(
    est: float,
    se: float,
    post: float,
    *,
    n_groups: int,
    n_obs: int,
    n_treated: int,
    n_control: int,
    outcome: str,
    alpha: float,
    month_effects: bool,
    dropped: list[str],
    notes: list[str],
    weighted: bool,
    details: dict[str, Any] | None = None,
) -> EffectResults:
    """The person-FE DiD's result from its estimate and CR1 standard error (by person, t with
    persons - 1 df); shared by the in-memory fit and the engine's
    (:func:`arviointi.engine.matched_did.person_fe_did`)."""
    df = n_groups - 1
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
            details={
                "n_clusters": n_groups,
                "weighted": weighted,
                "notes": notes,
                **(details or {}),
            },
        ),
        n_obs=n_obs,
        n_treated=n_treated,
        n_control=n_control,
        outcome=outcome,
        alpha=alpha,
        warnings=[],
        model="did_person_fe",
        extra={"post": post, "month_effects": month_effects, "dropped": dropped},
    )
