"""Kaplan-Meier curves of time to employment (discrete months, right censoring).

At each time t with events: ``n_at_risk`` = persons with time >= t, ``n_events`` =
employed at t; persons censored at t count as at risk at t (they are known to be
unemployed through t). Survival S(t) = product of (1 - d/n); Greenwood's variance
``S(t)^2 * sum d / (n (n - d))``. ``employed_pct`` = 100 * (1 - S(t)).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from arviointi.matching.frame_checks import (
    bad_rows_problem,
    check_numeric,
    raise_if_problems,
    require_columns,
    require_frame,
)


def kaplan_meier(
    time: npt.ArrayLike, event: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> pd.DataFrame:
    """One Kaplan-Meier table: ``time``, ``n_at_risk``, ``n_events``, ``n_censored``,
    ``survival``, ``se`` (Greenwood), ``employed_pct`` and ``n_persons_at_risk``. One row
    per distinct time.

    ``weights`` (e.g. the CEM weights of matched comparison persons) make the counts at
    risk, events and censorings weighted sums, as in lifelines' ``KaplanMeierFitter(
    weights=)``; ``n_persons_at_risk`` stays the unweighted number of persons.
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    w = np.ones_like(t) if weights is None else np.asarray(weights, dtype=float)
    rows = []
    surv, green = 1.0, 0.0
    for tt in np.unique(t):
        risk = t >= tt
        at_risk = float(w[risk].sum())
        d = float(w[(t == tt) & (e == 1)].sum())
        c = float(w[(t == tt) & (e == 0)].sum())
        if d:
            surv *= 1 - d / at_risk
            green = green + d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
        se = surv * math.sqrt(green) if math.isfinite(green) else 0.0
        rows.append(
            {
                "time": tt,
                "n_at_risk": int(at_risk) if weights is None else at_risk,
                "n_events": int(d) if weights is None else d,
                "n_censored": int(c) if weights is None else c,
                "survival": surv,
                "se": se,
                "employed_pct": 100 * (1 - surv),
                "n_persons_at_risk": int(risk.sum()),
            }
        )
    return pd.DataFrame(rows)


def kaplan_meier_by(
    outcomes: pd.DataFrame, *, by: str = "group", weights: pd.Series | None = None
) -> pd.DataFrame:
    """Kaplan-Meier tables per ``by`` value from :func:`client_outcomes` output.

    Persons without data (missing ``time_to_employment``) are left out; the number per
    group is in ``attrs["n_without_data"]``. ``weights`` (indexed by ``person_id``, e.g.
    ``MatchResult.weights()``) weight each person; persons without a weight count 0.
    Example::

        km = kaplan_meier_by(client_outcomes(clients, panel))
    """
    require_frame(outcomes, "outcomes")
    require_columns(
        outcomes, [by, "time_to_employment", "event"], "outcomes", purpose="client_outcomes"
    )
    usable = outcomes["time_to_employment"].notna()
    ok = outcomes[usable]
    raise_if_problems(
        [
            *check_numeric(ok, "time_to_employment", minimum=0),
            bad_rows_problem(~ok["event"].isin([0, 1]).to_numpy(), "event", "0 or 1"),
        ],
        "outcomes",
    )
    parts = []
    for key, grp in ok.groupby(by, sort=True):
        w = None
        if weights is not None:
            w = grp["person_id"].map(weights).fillna(0.0).to_numpy(dtype=float)
        km = kaplan_meier(grp["time_to_employment"], grp["event"], w)
        km.insert(0, by, key)
        parts.append(km)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    out.attrs["n_without_data"] = outcomes[~usable].groupby(by).size().to_dict()
    return out
