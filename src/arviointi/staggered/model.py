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

from arviointi.column_checks import require_columns
from arviointi.data.frames import as_pandas
from arviointi.errors import DesignError, InputError, ParamsError, Problem
from arviointi.event_study.panel import (
    drop_missing,
    require_numeric,
    require_unique,
)
from arviointi.results.base import InferenceInfo
from arviointi.staggered.results import StaggeredResults


def _never(value: Any) -> bool:
    return bool(pd.isna(value)) or value == 0


def _check_options(control: str, base_period: str) -> None:
    if control not in ("never_treated", "not_yet_treated"):
        raise ParamsError(
            "staggered_did",
            [Problem("control", f"expected 'never_treated' or 'not_yet_treated', got {control!r}")],
        )
    if base_period not in ("varying", "universal"):
        raise ParamsError(
            "staggered_did", [Problem("base_period", "expected 'varying' or 'universal'")]
        )


def _one_first_treated(clean: pd.DataFrame, unit: str, first_treated: str, source: str) -> None:
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


def _balanced_wide(
    clean: pd.DataFrame, unit: str, time: str, outcome: str, warnings: list[str]
) -> pd.DataFrame:
    """Units x periods outcome table; units without every period are dropped (warned)."""
    y_wide = clean.pivot(index=unit, columns=time, values=outcome)
    incomplete = y_wide.isna().any(axis=1)
    if incomplete.any():
        warnings.append(
            f"dropped {int(incomplete.sum())} unit(s) without an outcome in every period "
            "(the estimator needs a balanced panel)"
        )
        y_wide = y_wide.loc[~incomplete]
    return y_wide


def _cohort_index(
    first: pd.Series,
    times: list[Any],
    clean: pd.DataFrame,
    names: tuple[str, str, str],
    source: str,
    warnings: list[str],
) -> np.ndarray:
    """Per unit, the index of its first treated period (inf: never treated in the data)."""
    unit, time, first_treated = names
    pos = {t: i for i, t in enumerate(times)}
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
    return g_idx


def _base(t: int, gi: int, base_period: str) -> int | None:
    """The base period of ATT(g, t) (None: the cell is the base itself)."""
    if t >= gi or base_period != "varying":
        b = gi - 1
        return None if t < gi and t == b else b
    return t - 1


def _group_time_cells(
    y: np.ndarray, g_idx: np.ndarray, times: list[Any], control: str, base_period: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """Every ATT(g, t) with its influence function (units x cells)."""
    n, n_t = y.shape
    never = ~np.isfinite(g_idx)
    records: list[dict[str, Any]] = []
    influences: list[np.ndarray] = []
    for g in sorted(set(g_idx[np.isfinite(g_idx)])):
        gi = int(g)
        d = g_idx == g
        for t in range(1, n_t):
            b = _base(t, gi, base_period)
            if b is None:
                continue
            later = (g_idx > max(t, b)) & (g_idx != g)
            c = never if control == "never_treated" else never | later
            n_g, n_c = int(d.sum()), int(c.sum())
            dy = y[:, t] - y[:, b]
            psi = np.zeros(n)
            att = np.nan
            if n_c:
                mu_g, mu_c = dy[d].mean(), dy[c].mean()
                psi[d] = (n / n_g) * (dy[d] - mu_g)
                psi[c] = -(n / n_c) * (dy[c] - mu_c)
                att = float(mu_g - mu_c)
            records.append(
                {
                    "group": times[gi],
                    "time": times[t],
                    "event_time": t - gi,
                    "att": att,
                    "n_group": n_g,
                    "n_control": n_c,
                    "post": t >= gi,
                }
            )
            influences.append(psi)
    return pd.DataFrame(records), np.column_stack(influences)


def _add_intervals(
    att_gt: pd.DataFrame, infl: np.ndarray, alpha: float, warnings: list[str]
) -> None:
    n = infl.shape[0]
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
    _check_options(control, base_period)
    data, source = as_pandas(data, [unit, time, first_treated, outcome], source)
    require_columns(data, [unit, time, first_treated, outcome], source)
    require_numeric(data, outcome, source)
    clean, warnings = drop_missing(data, [unit, time, outcome], source, outcome=outcome)
    require_unique(clean, [unit, time], source)
    _one_first_treated(clean, unit, first_treated, source)
    times = sorted(clean[time].unique())
    y_wide = _balanced_wide(clean, unit, time, outcome, warnings)
    first = clean.groupby(unit)[first_treated].first().reindex(y_wide.index)
    g_idx = _cohort_index(first, times, clean, (unit, time, first_treated), source, warnings)
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
    att_gt, infl = _group_time_cells(y, g_idx, times, control, base_period)
    _add_intervals(att_gt, infl, alpha, warnings)
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
