"""Results of the synthetic control and synthetic difference-in-differences."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from arviointi.results.base import EffectResults


class SynthResults(EffectResults):
    """Synthetic control: ``estimate`` is the average post-period gap (treated - synthetic).

    Adds ``weights`` (Series by donor unit, on the simplex), ``v_weights`` (predictor
    weights), ``predictors`` (treated, synthetic and donor-mean predictor values),
    ``gaps`` (DataFrame: time, observed, synthetic, gap, post), ``placebo_gaps``
    (time x unit, the in-space placebos), ``rmspe`` (pre/post RMSPE and their ratio for
    the treated and every placebo unit) and ``pre_rmspe``.
    """

    model = "synth"

    def __init__(
        self,
        *,
        weights: pd.Series,
        v_weights: pd.Series,
        predictors: pd.DataFrame,
        gaps: pd.DataFrame,
        placebo_gaps: pd.DataFrame,
        rmspe: pd.DataFrame,
        pre_rmspe: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.weights = weights
        self.v_weights = v_weights
        self.predictors = predictors
        self.gaps = gaps
        self.placebo_gaps = placebo_gaps
        self.rmspe = rmspe
        self.pre_rmspe = float(pre_rmspe)

    def plot_gaps(self, ax: Axes | None = None) -> Axes:
        """Gap of the treated unit (thick) over the in-space placebo gaps (grey)."""
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(7, 4))
        t = self.gaps["time"]
        for col in self.placebo_gaps.columns:
            ax.plot(self.placebo_gaps.index, self.placebo_gaps[col], color="0.75", lw=0.8)
        ax.plot(t, self.gaps["gap"], color="black", lw=2, label="treated - synthetic")
        post = self.gaps.loc[self.gaps["post"], "time"]
        if len(post):
            ax.axvline(post.iloc[0], color="0.4", ls="--", lw=1)
        ax.axhline(0, color="0.4", lw=0.8)
        ax.set_ylabel(f"gap in {self.outcome}" if self.outcome else "gap")
        ax.legend(loc="best")
        return ax


class SDIDResults(EffectResults):
    """Synthetic difference-in-differences (Arkhangelsky et al. 2021).

    Adds ``unit_weights`` (Series over control units), ``time_weights`` (Series over
    pre-periods), ``zeta`` (the unit-weight regularisation) and ``placebo_estimates``.
    """

    model = "sdid"

    def __init__(
        self,
        *,
        unit_weights: pd.Series,
        time_weights: pd.Series,
        zeta: float,
        placebo_estimates: pd.Series,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.unit_weights = unit_weights
        self.weights = unit_weights
        self.time_weights = time_weights
        self.zeta = float(zeta)
        self.placebo_estimates = placebo_estimates
