"""Before-after comparisons of one series: pre-post means and interrupted time series.

``method="prepost"`` regresses the outcome on a constant and a post indicator (plus the
optional seasonal dummies), so the estimate is the post mean minus the pre mean.
``method="its"`` is the segmented regression

    y_t = b0 + b1 t + b2 post_t + b3 post_t (t - t0) [+ seasonal dummies] + e_t

with ``t`` the period index (months for datetime ``time``), ``t0`` the first post period,
``b2`` the level change and ``b3`` the slope change. The estimate is the average
post-period effect ``b2 + b3 * mean(t - t0 | post)``. Standard errors are Newey-West HAC
(Bartlett kernel, lags ``floor(4 (T/100)^(2/9))`` unless ``hac_lags`` is given) with the
n/(n-k) small-sample factor; intervals use t with n-k degrees of freedom.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from arviointi.before_after.hac import newey_west_lags, ols_hac
from arviointi.before_after.results import BeforeAfterResults
from arviointi.column_checks import require_columns
from arviointi.data.frames import as_pandas
from arviointi.errors import DesignError, InputError, Problem
from arviointi.event_study.panel import drop_missing, period_index, require_numeric
from arviointi.results.base import InferenceInfo


def _as_time(value: Any, column: pd.Series, source: str) -> Any:
    if pd.api.types.is_datetime64_any_dtype(column):
        try:
            return pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise InputError(
                source, [Problem("start", f"expected a date for column {column.name!r}: {exc}")]
            ) from exc
    return value


def _one_series(
    clean: pd.DataFrame,
    outcome: str,
    time: str,
    unit: str | None,
    source: str,
    warnings: list[str],
) -> pd.DataFrame:
    """The series to analyse: the rows themselves, or the mean over units at each time."""
    if unit is not None:
        counts = clean.groupby(time)[unit].nunique()
        if counts.nunique() > 1:
            warnings.append(
                f"the number of units per {time} varies ({counts.min()}..{counts.max()}); "
                "the series is the mean over the units present"
            )
        series = pd.DataFrame(clean.groupby(time, as_index=False)[outcome].mean())
    else:
        dup = clean.duplicated(time, keep=False)
        if dup.any():
            raise InputError(
                source,
                [
                    Problem(
                        f"row {i}, column {time!r}", "expected one row per time (or give unit=)"
                    )
                    for i in clean.index[dup][:5]
                ],
            )
        series = pd.DataFrame(clean.loc[:, [time, outcome]])
    return series.sort_values(time).reset_index(drop=True)


def _seasonal_dummies(
    times: pd.Series, t_idx: pd.Series, seasonality: str | int, time: str, source: str
) -> dict[str, np.ndarray]:
    """Month-of-year (``"month"``) or ``t mod s`` dummies, the first level left out."""
    if seasonality == "month":
        if not pd.api.types.is_datetime64_any_dtype(times):
            raise InputError(
                source,
                [Problem("seasonality", f"'month' needs a datetime column {time!r}")],
            )
        season = times.dt.month.to_numpy()
        levels = range(2, 13)
    elif isinstance(seasonality, int) and seasonality >= 2:
        season = (t_idx.to_numpy() % seasonality).astype(int)
        levels = range(1, seasonality)
    else:
        raise InputError(
            source,
            [Problem("seasonality", f"expected None, 'month' or an int >= 2, got {seasonality!r}")],
        )
    return {f"season_{s}": (season == s).astype(float) for s in levels if (season == s).any()}


def _design(
    t: np.ndarray, post: np.ndarray, method: str, seasonal: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Columns of the pre-post or segmented (ITS) regression."""
    t0 = float(t[post].min())
    columns: dict[str, np.ndarray] = {"const": np.ones(len(t))}
    if method == "its":
        columns["trend"] = t
    columns["level_change"] = post.astype(float)
    if method == "its":
        columns["slope_change"] = post * (t - t0)
    return columns | seasonal


def _counterfactual_path(
    times: pd.Series,
    y: np.ndarray,
    x: np.ndarray,
    names: list[str],
    beta: np.ndarray,
    cov: np.ndarray,
    post: np.ndarray,
    q: float,
) -> pd.DataFrame:
    """Observed, fitted and counterfactual (no level or slope change) series with a band."""
    x_cf = x.copy()
    for name in ("level_change", "slope_change"):
        if name in names:
            x_cf[:, names.index(name)] = 0.0
    cf = x_cf @ beta
    cf_se = np.sqrt(np.einsum("ij,jk,ik->i", x_cf, cov, x_cf))
    return pd.DataFrame(
        {
            "time": times,
            "observed": y,
            "fitted": x @ beta,
            "counterfactual": cf,
            "lower": cf - q * cf_se,
            "upper": cf + q * cf_se,
            "post": post,
        }
    )


def _average_effect(
    names: list[str],
    beta: np.ndarray,
    cov: np.ndarray,
    t: np.ndarray,
    post: np.ndarray,
    df: float,
) -> tuple[float, float, float | None]:
    """The average post-period effect ``b2 + b3 * mean(t - t0 | post)``, its SE and p-value."""
    c = np.zeros(len(names))
    c[names.index("level_change")] = 1.0
    if "slope_change" in names:
        c[names.index("slope_change")] = float(np.mean(t[post] - float(t[post].min())))
    estimate = float(c @ beta)
    est_se = float(np.sqrt(c @ cov @ c))
    tstat = estimate / est_se if est_se > 0 else np.nan
    pvalue = float(2 * stats.t.sf(abs(tstat), df)) if np.isfinite(tstat) else None
    return estimate, est_se, pvalue


def _split_periods(
    times: pd.Series, start: Any, method: str, time: str, source: str
) -> tuple[np.ndarray, int, int]:
    """Post indicator and the numbers of pre and post periods (enough of each)."""
    post = (times >= _as_time(start, times, source)).to_numpy()
    n_pre, n_post = int((~post).sum()), int(post.sum())
    min_pre = 3 if method == "its" else 1
    if n_pre < min_pre:
        raise DesignError(
            f"{source}: {n_pre} period(s) before start={start!r} in column {time!r}; "
            f"{method} needs at least {min_pre}"
        )
    if n_post < 1:
        raise DesignError(f"{source}: no period at or after start={start!r} in column {time!r}")
    return post, n_pre, n_post


def _hac_info(lags: int, plug_in: bool, df: int, n_pre: int, n_post: int) -> InferenceInfo:
    return InferenceInfo(
        method="hac",
        reason=(
            f"one time series: Newey-West HAC standard errors with {lags} lag(s)"
            + (" (plug-in floor(4 (T/100)^(2/9)))" if plug_in else " (given)")
            + f", t reference with {df} df"
        ),
        df=float(df),
        requested="hac",
        details={"lags": lags, "n_pre": n_pre, "n_post": n_post},
    )


def before_after(
    data: Any,
    outcome: str,
    *,
    time: str,
    start: Any,
    unit: str | None = None,
    method: str = "its",
    seasonality: str | int | None = None,
    hac_lags: int | None = None,
    alpha: float = 0.05,
    source: str = "<DataFrame>",
) -> BeforeAfterResults:
    """Before-after estimate of an intervention starting at ``start``.

    Parameters
    ----------
    time : datetime64 month column or integer period column
    start : first post-intervention time (rows with ``time >= start`` are post)
    unit : when given, the series is the mean over units at each time
    method : "its" (segmented regression) or "prepost" (difference of means)
    seasonality : None, "month" (month-of-year dummies; datetime ``time``) or an int
        period ``s`` (dummies for ``t mod s``)
    hac_lags : Newey-West lag length (default ``floor(4 (T/100)^(2/9))``)

    Example
    -------
    >>> res = before_after(df, "unemployed", time="month", start="2021-03-01")
    >>> res.level_change, res.slope_change, res.conf_int()
    """
    if method not in ("its", "prepost"):
        raise InputError(
            source, [Problem("method", f"expected 'its' or 'prepost', got {method!r}")]
        )
    cols = [time, outcome] + ([unit] if unit is not None else [])
    data, source = as_pandas(data, cols, source)
    require_columns(data, cols, source)
    require_numeric(data, outcome, source)
    clean, warnings = drop_missing(data, cols, source, outcome=outcome)
    series = _one_series(clean, outcome, time, unit, source, warnings)
    t_idx, gap_warn = period_index(series[time])
    warnings += gap_warn
    t = t_idx.to_numpy(np.float64)
    post, n_pre, n_post = _split_periods(series[time], start, method, time, source)
    y = series[outcome].to_numpy(np.float64)
    seasonal = (
        {}
        if seasonality is None
        else _seasonal_dummies(series[time], t_idx, seasonality, time, source)
    )
    columns = _design(t, post, method, seasonal)
    x = np.column_stack(list(columns.values()))
    names = list(columns)
    n, k = x.shape
    if n <= k or np.linalg.matrix_rank(x) < k:
        raise DesignError(
            f"{source}: {n} periods cannot identify the {k} coefficients of the {method} model "
            f"({', '.join(names)})"
        )
    lags = newey_west_lags(n) if hac_lags is None else int(hac_lags)
    if lags < 0 or lags >= n:
        raise InputError(source, [Problem("hac_lags", f"expected 0..{n - 1}, got {hac_lags!r}")])
    beta, cov, _ = ols_hac(x, y, lags)
    df = float(n - k)
    se = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        tvals = beta / se
    coef = pd.DataFrame(
        {"coef": beta, "se": se, "t": tvals, "pvalue": 2 * stats.t.sf(np.abs(tvals), df)},
        index=names,
    )
    estimate, est_se, pvalue = _average_effect(names, beta, cov, t, post, df)
    q = float(stats.t.ppf(1 - alpha / 2, df))
    path = _counterfactual_path(series[time], y, x, names, beta, cov, post, q)
    if n_pre < 8 and method == "its":
        warnings.append(f"only {n_pre} pre-periods: the pre-trend is poorly determined")
    inference = _hac_info(lags, hac_lags is None, n - k, n_pre, n_post)
    n_units = int(clean[unit].nunique()) if unit is not None else 1
    return BeforeAfterResults(
        estimate=estimate,
        se=est_se,
        pvalue=pvalue,
        inference=inference,
        n_obs=n,
        n_treated=n_units,
        n_control=0,
        outcome=outcome,
        alpha=alpha,
        warnings=warnings,
        model=method,
        coefficients=coef,
        path=path,
        level_change=float(beta[names.index("level_change")]),
        slope_change=float(beta[names.index("slope_change")]) if method == "its" else None,
        hac_lags=lags,
        extra={"design_columns": names},
    )
