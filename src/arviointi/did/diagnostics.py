"""Diagnostics that travel with a DiD estimate.

* :func:`pretrend_test`: per-cluster pre-period linear trend of the outcome, compared
  between treated and control clusters with the Donald-Lang aggregated t test (exact under
  normal, equal-variance cluster slopes, any serial correlation);
* :func:`placebo_in_time`: the same estimator on pre-period data with a fake start;
* :func:`leave_one_out`: the estimate dropping each comparison cluster in turn.

The treated unit's noise relative to the controls' (the equal-variance assumption behind
one-treated-unit inference) is :func:`arviointi.inference.scaled.variance_check`, reported
with every few-cluster estimate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from arviointi import progress
from arviointi.did.data import Prepared, prepare_spec
from arviointi.did.fit import fit_twfe
from arviointi.errors import DesignError
from arviointi.estimation import demean
from arviointi.inference import donald_lang

#: ``refit(data, spec, sizes=..., cross_check=...)``: the DiD estimator on other rows (a
#: frame, or validated inputs :class:`Prepared`), with the same arguments
Refit = Callable[..., Any]


def _need_panel(prep: Prepared, what: str) -> None:
    if prep.form != "panel":
        raise DesignError(f"{what} needs the panel form (unit=, time=, treatment=) of did()")


def pretrend_test(prep: Prepared, spec: dict[str, Any]) -> dict[str, Any]:
    """Equal pre-trends test: slope of each cluster's pre-period outcome on the period index.

    Returns a dict: ``slope_difference`` (treated minus control mean slope per period),
    ``se``, ``statistic`` (t), ``df``, ``pvalue``, ``n_pre`` and ``method``.
    """
    _need_panel(prep, "pretrend_test()")
    if prep.n_pre < 3:
        raise DesignError(f"pretrend_test() needs at least 3 pre-periods, got {prep.n_pre}")
    assert prep.cluster is not None
    pre = prep.post == 0
    t = prep.fe[1][pre].astype(float)
    g = prep.cluster[pre]
    frame = pd.DataFrame({"g": g, "t": t, "y": prep.y[pre]})
    if prep.X.shape[1]:
        # covariates enter the trend model as in the main model: partial them out (FWL)
        tilde = demean(np.column_stack([prep.y[pre], prep.X[pre]]), [g, prep.fe[1][pre]])
        gam = np.linalg.lstsq(tilde[:, 1:], tilde[:, 0], rcond=None)[0]
        frame["y"] = prep.y[pre] - prep.X[pre] @ gam
    # per-cluster OLS slope: cov(t, y) / var(t), from grouped sums (no per-group fitting)
    frame["tt"], frame["ty"] = frame.t * frame.t, frame.t * frame.y
    s = frame.groupby("g")[["t", "y", "tt", "ty"]].sum()
    cnt = frame.groupby("g").size()
    sxx = s.tt - s.t**2 / cnt
    sxy = s.ty - s.t * s.y / cnt
    slopes = (sxy / sxx).where(sxx > 0)
    ok = slopes.notna()
    treated = prep.cluster_treated[slopes.index.to_numpy()]
    out = donald_lang(slopes[ok].to_numpy(), treated[ok.to_numpy()])
    est = float(out.details.get("aggregated_estimate", np.nan))
    stat = est / out.se if out.se else float("nan")
    return {
        "slope_difference": est,
        "se": out.se,
        "statistic": stat,
        "df": out.df,
        "pvalue": out.pvalue,
        "n_pre": prep.n_pre,
        "method": "Donald-Lang t test on per-cluster pre-period linear slopes",
    }


def placebo_in_time(prep: Prepared, spec: dict[str, Any], shift: int, refit: Refit) -> Any:
    """Estimate on pre-period rows only, pretending the treatment began ``shift`` periods
    before the real start. Returns a DiD result (same inference request as the original)."""
    _need_panel(prep, "placebo_in_time()")
    if not isinstance(shift, int | np.integer) or not 1 <= shift < prep.n_pre:
        raise DesignError(
            f"placebo_in_time(shift={shift!r}): shift must be an integer in 1..{prep.n_pre - 1} "
            f"(the number of pre-periods is {prep.n_pre})"
        )
    frame = prep.frame
    tcol, dcol = spec["time"], spec["treatment"]
    pre = frame.loc[frame[tcol] < prep.treatment_start].copy()
    times = np.sort(pre[tcol].unique())
    fake = times[len(times) - shift]
    ever = frame.groupby(spec["unit"])[dcol].max()
    treated_units = set(ever.index[ever == 1])
    pre[dcol] = (pre[spec["unit"]].isin(treated_units) & (pre[tcol] >= fake)).astype(int)
    return refit(pre, spec)


def _reusable(prep: Prepared) -> bool:
    """Whether the kept rows need no new checks: the panel form with >= 2 comparison
    clusters (so one is left after dropping one); else ``did()``'s checks run again and
    say what is wrong."""
    return prep.form == "panel" and int((~prep.cluster_treated).sum()) >= 2


def _estimate_only(prep: Prepared, keep: np.ndarray, spec: dict[str, Any]) -> dict[str, Any]:
    """The coefficient on the kept rows as ``did()`` fits it, without inference."""
    sub = prep.rows(keep) if _reusable(prep) else prepare_spec(prep.frame.loc[keep], spec)
    return {"estimate": fit_twfe(sub, spec["group"]).estimate}


def _with_inference(
    prep: Prepared,
    keep: np.ndarray,
    spec: dict[str, Any],
    refit: Refit,
    sizes: np.ndarray | None,
) -> dict[str, Any]:
    if _reusable(prep):
        assert prep.cluster is not None
        sub_sizes = None if sizes is None else sizes[np.unique(prep.cluster[keep])]
        res = refit(prep.rows(keep), spec, sizes=sub_sizes, cross_check=False)
    else:
        res = refit(prep.frame.loc[keep], spec, cross_check=False)
    columns = ["estimate", "se", "ci_low", "ci_high", "pvalue", "inference"]
    return dict(res.to_frame().iloc[0][columns])


def leave_one_out(
    prep: Prepared,
    spec: dict[str, Any],
    refit: Refit,
    *,
    estimates_only: bool = False,
    sizes: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per comparison cluster: the estimate and inference without that cluster.

    Each refit applies the same inference request as the original (its Donald-Lang
    permutation cross-check, not part of the table, is skipped). ``estimates_only=True``
    gives only the ``estimate`` column (the same numbers), without inference.
    """
    if prep.cluster is None:
        raise DesignError("leave_one_out() needs clusters (unit= or cluster=)")
    rows = []
    controls = [
        (code, label)
        for code, label in enumerate(prep.cluster_labels)
        if not prep.cluster_treated[code]
    ]
    for code, label in progress.steps(controls, "leave one out"):
        keep = prep.cluster != code
        try:
            if estimates_only:
                row = _estimate_only(prep, keep, spec)
            else:
                row = _with_inference(prep, keep, spec, refit, sizes)
        except DesignError as err:
            rows.append({"dropped": label, "estimate": np.nan, "error": str(err)})
            continue
        rows.append({"dropped": label, **row})
    return pd.DataFrame(rows)
