"""Results of the Callaway-Sant'Anna staggered difference-in-differences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from arviointi.results.base import EffectResults, InferenceInfo

FloatArray = NDArray[np.float64]
KINDS = ("simple", "dynamic", "group", "calendar")


class AggregatedResults(EffectResults):
    """An aggregation of the group-time ATTs.

    ``estimate`` is the overall summary of the aggregation; ``table`` holds the
    components (by event time, cohort or calendar period) with se and pointwise normal
    intervals, ``kind`` says which aggregation it is.
    """

    model = "staggered"

    def __init__(self, *, kind: str, table: pd.DataFrame, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        self.table = table


class StaggeredResults(EffectResults):
    """Callaway and Sant'Anna (2021) group-time average treatment effects.

    ``estimate`` is the "simple" aggregation (post-period ATT(g,t) weighted by cohort
    size). ``att_gt`` holds every ATT(g,t) with its influence-function standard error;
    ``aggregate(kind)`` returns an :class:`AggregatedResults` for "simple", "dynamic"
    (by event time e = t - g; overall = mean over e >= 0), "group" (by cohort; overall
    weighted by cohort size) or "calendar" (by period; overall = mean over periods).
    """

    model = "staggered"

    def __init__(
        self,
        *,
        att_gt: pd.DataFrame,
        influence: FloatArray,
        cohort_share: dict[Any, float],
        cohort_of_unit: NDArray[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.att_gt = att_gt
        self.influence = influence
        self.cohort_share = cohort_share
        self._cohort_of_unit = cohort_of_unit

    # -- aggregation ---------------------------------------------------------------
    def _weighted(self, cells: Any) -> tuple[float, FloatArray]:
        """Cohort-size weighted mean of cells with the weight-estimation term."""
        att = self.att_gt["att"].to_numpy()
        groups = self.att_gt["group"].to_numpy()
        p = np.array([self.cohort_share[g] for g in groups[cells]])
        s = p.sum()
        w = p / s
        theta = float(w @ att[cells])
        infl = self.influence[:, cells] @ w
        # influence of the estimated weights (Callaway and Sant'Anna 2021, "wif")
        ind = np.column_stack([(self._cohort_of_unit == g).astype(float) for g in groups[cells]])
        dp = ind - p
        dw = (dp * s - np.outer(dp.sum(axis=1), p)) / s**2
        infl = infl + dw @ att[cells]
        return theta, infl

    def _row(self, label: Any, theta: float, infl: FloatArray, alpha: float) -> dict[str, Any]:
        se = float(np.sqrt(np.sum(infl**2)) / len(infl))
        z = float(stats.norm.ppf(1 - alpha / 2))
        return {
            "component": label,
            "estimate": theta,
            "se": se,
            "ci_low": theta - z * se,
            "ci_high": theta + z * se,
        }

    def aggregate(self, kind: str = "simple", alpha: float | None = None) -> AggregatedResults:
        """Aggregate the ATT(g,t) ("simple", "dynamic", "group" or "calendar")."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        a = self.alpha if alpha is None else alpha
        gt = self.att_gt
        ok = gt["att"].notna().to_numpy()
        post = gt["post"].to_numpy() & ok
        rows: list[dict[str, Any]] = []
        comps: list[FloatArray] = []
        comp_theta: list[float] = []
        if kind == "simple":
            theta, infl = self._weighted(list(np.flatnonzero(post)))
        elif kind == "dynamic":
            e = (gt["event_time"]).to_numpy()
            for ev in sorted(set(e[ok])):
                cells = list(np.flatnonzero(ok & (e == ev)))
                th, inf = self._weighted(cells)
                rows.append(self._row(int(ev), th, inf, a))
                if ev >= 0:
                    comps.append(inf)
                    comp_theta.append(th)
            theta = float(np.mean(comp_theta))
            infl = np.mean(np.column_stack(comps), axis=1)
        elif kind == "group":
            groups = gt["group"].to_numpy()
            cohorts = sorted(set(groups[post]))
            p = np.array([self.cohort_share[g] for g in cohorts])
            for g in cohorts:
                gcells = np.flatnonzero(post & (groups == g))
                th = float(gt["att"].to_numpy()[gcells].mean())
                inf = self.influence[:, gcells].mean(axis=1)
                rows.append(self._row(g, th, inf, a))
                comps.append(inf)
                comp_theta.append(th)
            s = p.sum()
            w = p / s
            theta = float(w @ np.array(comp_theta))
            ind = np.column_stack([(self._cohort_of_unit == g).astype(float) for g in cohorts])
            dp = ind - p
            dw = (dp * s - np.outer(dp.sum(axis=1), p)) / s**2
            infl = np.column_stack(comps) @ w + dw @ np.array(comp_theta)
        else:
            times = gt["time"].to_numpy()
            for t in sorted(set(times[post])):
                cells = list(np.flatnonzero(post & (times == t)))
                th, inf = self._weighted(cells)
                rows.append(self._row(t, th, inf, a))
                comps.append(inf)
                comp_theta.append(th)
            theta = float(np.mean(comp_theta))
            infl = np.mean(np.column_stack(comps), axis=1)
        overall = self._row("overall", theta, infl, a)
        table = pd.DataFrame(rows) if rows else pd.DataFrame([overall])
        inf_info = InferenceInfo(
            method=self.inference.method,
            reason=self.inference.reason,
            df=None,
            requested=self.inference.requested,
            details={**self.inference.details, "aggregation": kind},
        )
        return AggregatedResults(
            kind=kind,
            table=table,
            estimate=theta,
            se=overall["se"],
            pvalue=float(2 * stats.norm.sf(abs(theta / overall["se"])))
            if overall["se"] > 0
            else None,
            inference=inf_info,
            n_obs=self.n_obs,
            n_treated=self.n_treated,
            n_control=self.n_control,
            outcome=self.outcome,
            alpha=a,
            warnings=list(self.warnings),
            model=f"staggered_{kind}",
        )
