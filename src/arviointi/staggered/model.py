"""Staggered adoption: Callaway and Sant'Anna (2021) group-time ATTs without covariates.

For cohort ``g`` (units first treated in period ``g``) and period ``t``

    ATT(g, t) = E[Y_t - Y_b | G = g] - E[Y_t - Y_b | C]

with base period ``b = g - 1`` for ``t >= g``; for pre-periods ``b = t - 1`` ("varying",
the default of the R ``did`` package) or ``b = g - 1`` ("universal"). The comparison
group ``C`` is the never-treated units (``control="never_treated"``) or, with
``"not_yet_treated"``, the never-treated plus the units first treated after
``max(t, b)`` (other than ``g``). The panel must be balanced (incomplete units are
dropped with a warning).

Standard errors come from the influence function of each ATT(g,t) (unit level, so
clustered by unit): ``psi_i = D_i/p_g (dY_i - mu_g) - C_i/p_C (dY_i - mu_C)`` with
``p = n_group / n``; ``se = sqrt(sum psi_i^2) / n``. Aggregations add the influence of
the estimated cohort-share weights. Intervals are pointwise normal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from arviointi.data.frames import as_pandas
from arviointi.errors import DesignError, InputError, ParamsError, Problem
from arviointi.event_study.panel import (
    drop_missing,
    require_columns,
    require_numeric,
    require_unique,
)
from arviointi.results.base import InferenceInfo
from arviointi.staggered.results import StaggeredResults


def _never(value: Any) -> bool:
    return bool(pd.isna(value)) or value == 0


def staggered_did(
    data: Any,
    outcome: str,
    *,
    unit: str,
    time: str,
    first_treated: str,
    control: str = "never_treated",
    base_period: str = "varying",
    alpha: float = 0.05,
    source: str = "<DataFrame>",
) -> StaggeredResults:
    """Group-time ATTs and their simple aggregation.

    Parameters
    ----------
    first_treated : column with the unit's first treated period (same values as ``time``);
        missing or 0 = never treated
    control : "never_treated" or "not_yet_treated"
    base_period : "varying" or "universal" (only changes the pre-period ATTs)

    Example
    -------
    >>> res = staggered_did(df, "y", unit="area", time="year", first_treated="g")
    >>> res.att_gt; res.aggregate("dynamic").table
    """
    if control not in ("never_treated", "not_yet_treated"):
        raise ParamsError(
            "staggered_did",
            [Problem("control", f"expected 'never_treated' or 'not_yet_treated', got {control!r}")],
        )
    if base_period not in ("varying", "universal"):
        raise ParamsError(
            "staggered_did", [Problem("base_period", "expected 'varying' or 'universal'")]
        )
    data, source = as_pandas(data, [unit, time, first_treated, outcome], source)
    require_columns(data, [unit, time, first_treated, outcome], source)
    require_numeric(data, outcome, source)
    clean, warnings = drop_missing(data, [unit, time, outcome], source, outcome=outcome)
    require_unique(clean, [unit, time], source)
    ft = clean.groupby(unit)[first_treated].nunique(dropna=False)
    if (ft > 1).any():
        u = ft.index[ft > 1][0]
        row = clean.index[clean[unit] == u][0]
        raise InputError(
            source,
            [
                Problem(
                    f"row {row}, column {first_treated!r}",
                    f"unit {u!r} has several first-treated values; expected one per unit",
                )
            ],
        )
    times = sorted(clean[time].unique())
    pos = {t: i for i, t in enumerate(times)}
    y_wide = clean.pivot(index=unit, columns=time, values=outcome)
    incomplete = y_wide.isna().any(axis=1)
    if incomplete.any():
        warnings.append(
            f"dropped {int(incomplete.sum())} unit(s) without an outcome in every period "
            "(the estimator needs a balanced panel)"
        )
        y_wide = y_wide.loc[~incomplete]
    first = clean.groupby(unit)[first_treated].first().reindex(y_wide.index)
    g_idx = np.full(len(first), np.inf)
    bad: list[Problem] = []
    late = 0
    for i, (u, f) in enumerate(first.items()):
        if _never(f):
            continue
        if f in pos:
            g_idx[i] = pos[f]
        elif f > times[-1]:
            late += 1  # first treated after the data end: never treated within the data
        else:
            row = clean.index[clean[unit] == u][0]
            bad.append(
                Problem(
                    f"row {row}, column {first_treated!r}",
                    f"first-treated value {f!r} is not one of the {time} values",
                )
            )
    if bad:
        raise InputError(source, bad)
    if late:
        warnings.append(
            f"{late} unit(s) first treated after the last period count as never treated"
        )
    early = np.isfinite(g_idx) & (g_idx == 0)
    if early.any():
        warnings.append(
            f"dropped {int(early.sum())} unit(s) treated in the first period (no pre-period)"
        )
    keep = ~early
    y = y_wide.to_numpy(np.float64)[keep]
    g_idx = g_idx[keep]
    units = y_wide.index[keep]
    n = len(units)
    cohorts = sorted(set(g_idx[np.isfinite(g_idx)]))
    if not cohorts:
        raise DesignError(f"{source}: no unit with a first-treated period after the first period")
    never = ~np.isfinite(g_idx)
    if control == "never_treated" and not never.any():
        raise DesignError(
            f"{source}: no never-treated unit in column {first_treated!r}; "
            "use control='not_yet_treated'"
        )
    n_t = y.shape[1]
    records: list[dict[str, Any]] = []
    influences: list[np.ndarray] = []
    for g in cohorts:
        gi = int(g)
        d = g_idx == g
        for t in range(1, n_t):
            if t >= gi:
                b = gi - 1
            elif base_period == "varying":
                b = t - 1
            else:
                b = gi - 1
                if t == b:
                    continue
            later = (g_idx > max(t, b)) & (g_idx != g)
            c = never if control == "never_treated" else never | later
            n_g, n_c = int(d.sum()), int(c.sum())
            dy = y[:, t] - y[:, b]
            if n_c == 0:
                records.append(
                    {
                        "group": times[gi],
                        "time": times[t],
                        "event_time": t - gi,
                        "att": np.nan,
                        "n_group": n_g,
                        "n_control": 0,
                        "post": t >= gi,
                    }
                )
                influences.append(np.zeros(n))
                continue
            mu_g, mu_c = dy[d].mean(), dy[c].mean()
            psi = np.zeros(n)
            psi[d] = (n / n_g) * (dy[d] - mu_g)
            psi[c] = -(n / n_c) * (dy[c] - mu_c)
            records.append(
                {
                    "group": times[gi],
                    "time": times[t],
                    "event_time": t - gi,
                    "att": float(mu_g - mu_c),
                    "n_group": n_g,
                    "n_control": n_c,
                    "post": t >= gi,
                }
            )
            influences.append(psi)
    att_gt = pd.DataFrame(records)
    infl = np.column_stack(influences)
    z = float(stats.norm.ppf(1 - alpha / 2))
    att_gt["se"] = np.sqrt((infl**2).sum(axis=0)) / n
    att_gt.loc[att_gt["att"].isna(), "se"] = np.nan
    att_gt["ci_low"] = att_gt["att"] - z * att_gt["se"]
    att_gt["ci_high"] = att_gt["att"] + z * att_gt["se"]
    missing = att_gt["att"].isna() & att_gt["post"]
    if missing.any():
        warnings.append(
            f"{int(missing.sum())} post-period ATT(g,t) have no comparison units and are left out"
        )
    cohort_of_unit = np.array(
        [times[int(g)] if np.isfinite(g) else None for g in g_idx], dtype=object
    )
    shares = {times[int(g)]: float(np.mean(g_idx == g)) for g in cohorts}
    info = InferenceInfo(
        method="cluster",
        reason=(
            "analytic influence-function standard errors of Callaway and Sant'Anna (2021), "
            f"clustered by unit ({n} units), pointwise normal intervals"
        ),
        df=None,
        requested="auto",
        details={"control": control, "base_period": base_period, "n_units": n},
    )
    n_treated = int(np.isfinite(g_idx).sum())
    if n_treated < 15 or int(never.sum()) < 15:
        warnings.append(
            f"{n_treated} treated and {int(never.sum())} never-treated units: the normal "
            "approximation of the influence-function standard errors is doubtful"
        )
    res = StaggeredResults(
        estimate=np.nan,
        se=None,
        pvalue=None,
        inference=info,
        n_obs=int(y.size),
        n_treated=n_treated,
        n_control=int(never.sum()),
        outcome=outcome,
        alpha=alpha,
        warnings=warnings,
        att_gt=att_gt,
        influence=infl,
        cohort_share=shares,
        cohort_of_unit=cohort_of_unit,
        extra={"units": list(units)},
    )
    simple = res.aggregate("simple")
    res.estimate = simple.estimate
    res.se = simple.se
    res.pvalue = simple.pvalue
    return res
