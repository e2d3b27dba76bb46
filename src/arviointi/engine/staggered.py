"""``staggered_did`` (Callaway and Sant'Anna 2021) computed in DuckDB or Spark.

The same estimator and numbers as :func:`arviointi.staggered.staggered_did` (balanced
panel, never-treated or not-yet-treated comparisons, varying or universal base period,
analytic influence-function standard errors), but only per-cohort moments leave the
engine (:mod:`arviointi.engine.staggered_passes`): the number of units, the sum of the
outcome per period and the products of every pair of periods.

Why that is enough: within a cohort ``h`` the influence of unit ``i`` on every ATT(g,t)
is affine in its outcome vector, ``psi_i = L_h y_i + b_h``, and every aggregation adds
terms that depend only on the unit's cohort. Writing each unit in the coordinates
``e_i = (yc_i1, ..., yc_iT, 1 - sum_s yc_is)`` (``yc`` = the outcome centred within the
cohort; the coordinates sum to one, so constants carry over) makes every such influence
``e_i' q_h`` for a per-cohort vector ``q_h``, and ``sum_i psi_i^2`` a quadratic form in the
cohort's centred moments (:func:`arviointi.engine.staggered_cells.sum_of_squares`). The
result therefore holds a small "influence" matrix with ``T + 1`` rows per cohort (not one
per unit): the aggregations of :class:`arviointi.staggered.results.StaggeredResults` run
unchanged on it, and only the sum of squares (``_row``) is evaluated differently.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from arviointi.data.frames import require_columns
from arviointi.engine import staggered_passes as sp
from arviointi.engine.backend import Backend, open_backend
from arviointi.engine.determinism import settle_result
from arviointi.engine.staggered_cells import cells, influence_rows, sum_of_squares
from arviointi.errors import DesignError, InputError, ParamsError, Problem
from arviointi.results.base import InferenceInfo
from arviointi.staggered.results import StaggeredResults

_ids = itertools.count()


class EngineStaggeredResults(StaggeredResults):
    """:class:`StaggeredResults` whose influence rows are per-cohort coordinates.

    ``influence`` has ``T + 1`` rows per cohort (see the module docstring) and
    ``moments`` each cohort's centred outcome moments and units, in row order;
    ``n_units`` divides the standard errors.
    """

    def __init__(
        self, *, moments: list[tuple[np.ndarray, int]], n_units: int, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.moments = moments
        self.n_units = n_units

    def _row(self, label: Any, theta: float, infl: np.ndarray, alpha: float) -> dict[str, Any]:
        row = super()._row(label, theta, infl, alpha)
        se = float(np.sqrt(max(sum_of_squares(infl, self.moments), 0.0)) / self.n_units)
        z = float(stats.norm.ppf(1 - alpha / 2))
        row |= {"se": se, "ci_low": theta - z * se, "ci_high": theta + z * se}
        return row


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
    engine: str = "duckdb",
    spark: Any = None,
) -> EngineStaggeredResults:
    """Group-time ATTs and their simple aggregation, computed by ``engine``.

    Arguments as in :func:`arviointi.staggered.staggered_did`; ``data`` is anything
    :mod:`arviointi.data.frames` accepts, ``engine`` "duckdb" or "spark".
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
    cols = {"unit": unit, "time": time, "first_treated": first_treated, "outcome": outcome}
    require_columns(data, list(cols.values()))
    backend = open_backend(data, engine, spark=spark)
    try:
        return _fit(backend, cols, control, base_period, alpha)
    finally:
        backend.close()


def _view(backend: Backend, cols: dict[str, str]) -> str:
    q = backend.quote
    return backend.view_of_input(
        f"{q(cols['unit'])} AS u, {q(cols['time'])} AS t, "
        f"CAST({q(cols['outcome'])} AS DOUBLE) AS y, {q(cols['first_treated'])} AS g"
    )


def _missing_warning(total: pd.Series, cols: dict[str, str], label: str) -> list[str]:
    n_all = int(total["n_all"])
    if n_all == 0:
        raise InputError(label, "the data have no rows")
    if int(total["null_y"]) == n_all:
        raise InputError(
            label, [Problem(f"column {cols['outcome']!r}", "the outcome is missing on every row")]
        )
    dropped = n_all - int(total["n_clean"])
    if not dropped:
        return []
    keys = {"u": "unit", "t": "time", "y": "outcome"}
    counts = {cols[c]: int(total[f"null_{k}"]) for k, c in keys.items()}
    detail = ", ".join(f"{c!r}: {n}" for c, n in counts.items() if n)
    return [f"dropped {dropped} of {n_all} rows with missing values ({detail})"]


def _check_units(groups: pd.DataFrame, cols: dict[str, str], label: str) -> None:
    unit, time, ft = cols["unit"], cols["time"], cols["first_treated"]
    for flag, location, what in (
        ("dup", f"columns {[unit, time]!r}", f"expected one row per {unit} x {time}; "),
        ("conflict", f"column {ft!r}", "several first-treated values, expected one per unit; "),
    ):
        bad = groups[groups[flag] == 1]
        if len(bad):
            example = bad["example"].iloc[0]
            raise InputError(
                label,
                [
                    Problem(
                        location,
                        f"{what}{int(bad['cnt'].sum())} unit(s), e.g. {unit} {example!r}",
                    )
                ],
            )


def _cohorts(
    groups: pd.DataFrame, times: list[Any], cols: dict[str, str], label: str
) -> tuple[dict[Any, float], list[str]]:
    """Position of each first-treated value of the balanced units (inf = never), warnings."""
    T = len(times)
    pos = {t: i for i, t in enumerate(times)}
    warnings: list[str] = []
    incomplete = int(groups.loc[groups["nt"] != T, "cnt"].sum())
    if incomplete:
        warnings.append(
            f"dropped {incomplete} unit(s) without an outcome in every period "
            "(the estimator needs a balanced panel)"
        )
    place: dict[Any, float] = {}
    late, bad = 0, []
    for rec in groups[groups["nt"] == T].to_dict("records"):
        f = sp._key(rec["g"])
        if f is None or f == 0:
            place[f] = np.inf
        elif f in pos:
            place[f] = float(pos[f])
        elif f > times[-1]:
            place[f] = np.inf
            late += int(rec["cnt"])
        else:
            bad.append(
                Problem(
                    f"column {cols['first_treated']!r}",
                    f"first-treated value {f!r} is not one of the {cols['time']} values "
                    f"(e.g. {cols['unit']} {rec['example']!r})",
                )
            )
    if bad:
        raise InputError(label, bad)
    if late:
        warnings.append(
            f"{late} unit(s) first treated after the last period count as never treated"
        )
    early = int(
        groups.loc[
            (groups["nt"] == T) & groups["g"].map(lambda v: place.get(sp._key(v)) == 0.0), "cnt"
        ].sum()
    )
    if early:
        warnings.append(f"dropped {early} unit(s) treated in the first period (no pre-period)")
    return place, warnings


def _fit(
    backend: Backend, cols: dict[str, str], control: str, base_period: str, alpha: float
) -> EngineStaggeredResults:
    label, tag = backend.label, next(_ids)
    view = _view(backend, cols)
    total, periods, periods_name = sp.period_pass(backend, view, tag)
    warnings = _missing_warning(total, cols, label)
    groups = sp.unit_pass(backend, view)
    _check_units(groups, cols, label)
    times = periods["t"].tolist()
    place, more = _cohorts(groups, times, cols, label)
    warnings += more
    blocks: dict[float, sp.Block] = {}
    for key, blk in sp.moment_pass(backend, view, periods_name, len(times)):
        at = place.get(key)
        if at is None or at == 0.0:
            continue  # an incomplete or early unit's value (not in the balanced sample)
        merged = blocks.setdefault(
            at, sp.Block(0, np.zeros(len(times)), np.zeros((len(times),) * 2))
        )
        merged.n += blk.n
        merged.S += blk.S
        merged.M += blk.M
    return _result(blocks, times, cols, control, base_period, alpha, warnings, backend.name, label)


def _result(
    blocks: dict[float, sp.Block],
    times: list[Any],
    cols: dict[str, str],
    control: str,
    base_period: str,
    alpha: float,
    warnings: list[str],
    engine: str,
    label: str,
) -> EngineStaggeredResults:
    cohorts = sorted(g for g in blocks if np.isfinite(g))
    if not cohorts:
        raise DesignError(f"{label}: no unit with a first-treated period after the first period")
    n_never = blocks[np.inf].n if np.inf in blocks else 0
    if control == "never_treated" and not n_never:
        raise DesignError(
            f"{label}: no never-treated unit in column {cols['first_treated']!r}; "
            "use control='not_yet_treated'"
        )
    n = sum(b.n for b in blocks.values())
    att_gt, defs = cells(blocks, cohorts, times, control, base_period)
    Q, moments, owner = influence_rows(blocks, defs, n)
    z = float(stats.norm.ppf(1 - alpha / 2))
    att_gt["se"] = [np.sqrt(max(sum_of_squares(q, moments), 0.0)) / n for q in Q.T]
    att_gt.loc[att_gt["att"].isna(), "se"] = np.nan
    att_gt["ci_low"] = att_gt["att"] - z * att_gt["se"]
    att_gt["ci_high"] = att_gt["att"] + z * att_gt["se"]
    missing = att_gt["att"].isna() & att_gt["post"]
    if missing.any():
        warnings.append(
            f"{int(missing.sum())} post-period ATT(g,t) have no comparison units and are left out"
        )
    n_treated = n - n_never
    info = InferenceInfo(
        method="cluster",
        reason=(
            "analytic influence-function standard errors of Callaway and Sant'Anna (2021), "
            f"clustered by unit ({n} units), pointwise normal intervals"
        ),
        df=None,
        requested="auto",
        details={"control": control, "base_period": base_period, "n_units": n, "engine": engine},
    )
    if n_treated < 15 or n_never < 15:
        warnings.append(
            f"{n_treated} treated and {n_never} never-treated units: the normal "
            "approximation of the influence-function standard errors is doubtful"
        )
    res = EngineStaggeredResults(
        estimate=np.nan,
        se=None,
        pvalue=None,
        inference=info,
        n_obs=n * len(times),
        n_treated=n_treated,
        n_control=n_never,
        outcome=cols["outcome"],
        alpha=alpha,
        warnings=warnings,
        att_gt=att_gt,
        influence=Q,
        cohort_share={times[int(g)]: blocks[g].n / n for g in cohorts},
        cohort_of_unit=np.array(
            [times[int(g)] if np.isfinite(g) else None for g in owner], dtype=object
        ),
        extra={"engine": engine, "aggregates": {"cohorts": len(cohorts), "periods": len(times)}},
        moments=moments,
        n_units=n,
    )
    simple = res.aggregate("simple")
    res.estimate, res.se, res.pvalue = simple.estimate, simple.se, simple.pvalue
    return settle_result(res)  # reported digits independent of the engine (determinism.py)
