"""The balanced area x month panel of one outcome on its analysis scale."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from arviointi.errors import DesignError, InputError, Problem
from arviointi.params.schema import Evaluation, Outcome
from arviointi.sections.area.scales import aggregate_pilot, scale_of, transform


@dataclass
class AreaPanel:
    """Balanced area x month panel of one outcome on its analysis scale.

    data : area, month, y, treated (pilot area in the post period), pilot (pilot area),
        post, labour_force (mean over the pre-period, per area; NaN when absent)
    pilot_series : the pilot area(s) as one series (month, y)
    persons_per_unit : persons that one unit of the scale means in the pilot area(s)
        (labour force / 100 for ``per_labour_force``; None otherwise)
    truth : realised true effect by month on the analysis scale (synthetic data), else None
    dropped : areas dropped for gaps in the window, with the number of missing months
    zero_months : areas dropped from a log scale, with the number of months at zero
    """

    outcome: str
    scale: str
    data: pd.DataFrame
    pilot_series: pd.DataFrame
    pilot_areas: list[str]
    comparison_areas: list[str]
    pilot_start: pd.Timestamp
    n_pre: int
    n_post: int
    persons_per_unit: float | None
    truth: pd.Series | None
    dropped: dict[str, int]
    zero_months: dict[str, int]

    def true_mean(self) -> float | None:
        """The truth averaged over the post months in the data (the DiD/ITS/synth target)."""
        if self.truth is None or self.truth.empty:
            return None
        return float(self.truth.mean())

    def true_event_mean(self, last_lag: int) -> float | None:
        """The truth in the event study's terms: equal-weight mean of the post coefficients
        0..last_lag, where the last one bins every later month."""
        if self.truth is None or self.truth.empty:
            return None
        by_k = self.truth.to_numpy(dtype=float)
        parts = [by_k[k] for k in range(min(last_lag, len(by_k)))]
        if len(by_k) > last_lag:
            parts.append(float(by_k[last_lag:].mean()))
        return float(np.mean(parts))


def _months(evaluation: Evaluation) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    d = evaluation.design
    first = pd.Timestamp(f"{d.pre_window[0]}-01")
    last = pd.Timestamp(f"{d.post_window[1]}-01")
    return first, pd.Timestamp(f"{d.pilot_start}-01"), last


def _truth(
    evaluation: Evaluation,
    source: str,
    outcome: str,
    scale: str,
    actual: pd.DataFrame,
    pilots: list[str],
) -> pd.Series | None:
    """Actual minus counterfactual for the pilot areas, by post month, on ``scale``."""
    spec = evaluation.data[source]
    if spec.kind != "synthetic":
        return None
    from arviointi.data.synthetic import load_synthetic

    cf = load_synthetic(
        {"schema": "counterfactual_area_panel", "seed": spec.seed, "generator": spec.generator}
    )
    cf = cf.loc[cf["area"].isin(pilots)]
    months = actual["month"].unique()
    cf = cf.loc[cf["month"].isin(months)]
    a = aggregate_pilot(actual, outcome, scale, source).set_index("month")["y"]
    c = aggregate_pilot(cf, outcome, scale, f"{source} (counterfactual)").set_index("month")["y"]
    diff = (a - c.reindex(a.index)).sort_index()
    return diff.loc[diff.index >= pd.Timestamp(f"{evaluation.design.pilot_start}-01")]


def build_panel(
    evaluation: Evaluation,
    outcome: Outcome,
    frame: pd.DataFrame,
    source: str,
    comparison_areas: list[str],
) -> AreaPanel:
    """The analysis panel of ``outcome`` (see :class:`AreaPanel`)."""
    first, start, last = _months(evaluation)
    pilots = list(evaluation.design.pilot_areas)
    scale = scale_of(outcome.name)
    months = pd.to_datetime(frame["month"])
    keep = frame.loc[
        (months >= first) & (months <= last) & frame["area"].isin(pilots + comparison_areas)
    ].copy()
    # the source's metadata (provenance, planted effects) is not needed here, and pandas
    # deep-copies attrs in every operation on the panel (hundreds of model fits)
    keep.attrs = {}
    keep["month"] = pd.to_datetime(keep["month"])
    if outcome.name not in keep.columns:
        raise InputError(
            source, [Problem(f"column {outcome.name!r}", "missing: the outcome named in params")]
        )
    n_months = keep["month"].nunique()
    counts = keep.dropna(subset=[outcome.name]).groupby("area")["month"].nunique()
    dropped = {
        str(a): int(n_months - counts.get(a, 0))
        for a in comparison_areas
        if counts.get(a, 0) < n_months
    }
    zero_months: dict[str, int] = {}
    short_pilots = [a for a in pilots if counts.get(a, 0) < n_months]
    if short_pilots:
        raise DesignError(
            f"{source}: pilot area(s) {short_pilots} lack {outcome.name!r} in some months of "
            f"{first:%Y-%m}..{last:%Y-%m}; a balanced panel is needed"
        )
    if scale == "log":
        # a log needs a positive count in every month: comparison areas with a zero drop
        zeros = keep.loc[keep[outcome.name] <= 0].groupby("area")["month"].nunique()
        for area, n in zeros.items():
            if area in pilots:
                raise DesignError(
                    f"{source}: pilot area {area!r} has {int(n)} month(s) with {outcome.name} = 0;"
                    " a log scale is impossible"
                )
            dropped.setdefault(str(area), 0)
            zero_months[str(area)] = int(n)
    keep = keep.loc[~keep["area"].isin(list(dropped))]
    keep = keep.sort_values(["area", "month"]).reset_index(drop=True)
    keep["y"] = transform(keep, outcome.name, scale, source)
    keep["pilot"] = keep["area"].isin(pilots).astype(int)
    keep["post"] = (keep["month"] >= start).astype(int)
    keep["treated"] = keep["pilot"] * keep["post"]
    if "labour_force" in keep.columns:
        pre_lf = keep.loc[keep["post"] == 0].groupby("area")["labour_force"].mean()
        keep["lf_weight"] = keep["area"].map(pre_lf).astype("float64")
    else:
        keep["lf_weight"] = math.nan
    n_pre = int(keep.loc[keep["post"] == 0, "month"].nunique())
    n_post = int(keep.loc[keep["post"] == 1, "month"].nunique())
    pilot_rows = keep.loc[keep["pilot"] == 1]
    persons = None
    if scale == "per_labour_force":
        post_lf = pilot_rows.loc[pilot_rows["post"] == 1].groupby("month")["labour_force"].sum()
        persons = float(post_lf.mean()) / 100.0 if len(post_lf) else None
    truth = _truth(evaluation, source, outcome.name, scale, pilot_rows, pilots)
    data = keep[["area", "month", "y", "pilot", "post", "treated", "lf_weight"]]
    return AreaPanel(
        outcome=outcome.name,
        scale=scale,
        data=data,
        pilot_series=aggregate_pilot(pilot_rows, outcome.name, scale, source),
        pilot_areas=pilots,
        comparison_areas=sorted(set(comparison_areas) - set(dropped)),
        pilot_start=start,
        n_pre=n_pre,
        n_post=n_post,
        persons_per_unit=persons,
        truth=truth,
        dropped=dropped,
        zero_months=zero_months,
    )


def describe(panel: AreaPanel) -> dict[str, Any]:
    """Design facts of the panel for the report text."""
    months = panel.data["month"]
    return {
        "first": months.min().strftime("%Y-%m"),
        "last": months.max().strftime("%Y-%m"),
        "n_pre": panel.n_pre,
        "n_post": panel.n_post,
        "n_pilot": len(panel.pilot_areas),
        "n_comparison": len(panel.comparison_areas),
    }
