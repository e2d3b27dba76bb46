"""Results of the before-after comparisons (pre-post means and interrupted time series)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from arviointi.results.base import EffectResults


class BeforeAfterResults(EffectResults):
    """Pre-post difference of means or interrupted time series (ITS).

    ``estimate`` is the average post-period effect: for "prepost" the post mean minus the
    pre mean; for "its" the mean over post periods of ``level_change + slope_change *
    (t - t0)`` (the observed-minus-counterfactual gap of the fitted model).

    Adds ``coefficients`` (DataFrame: coef, se, t, pvalue over the design columns, HAC
    standard errors), ``path`` (DataFrame: time, observed, fitted, counterfactual, lower,
    upper; the band is the pointwise interval of the counterfactual mean), ``level_change``,
    ``slope_change`` (None for "prepost") and ``hac_lags``.
    """

    model = "its"

    def __init__(
        self,
        *,
        coefficients: pd.DataFrame,
        path: pd.DataFrame,
        level_change: float | None,
        slope_change: float | None,
        hac_lags: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.coefficients = coefficients
        self.path = path
        self.level_change = level_change
        self.slope_change = slope_change
        self.hac_lags = int(hac_lags)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Observed series, fitted line and counterfactual path with its band."""
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(7, 4))
        p = self.path
        ax.plot(p["time"], p["observed"], "o", ms=3, color="0.3", label="observed")
        ax.plot(p["time"], p["fitted"], color="black", lw=1.5, label="fitted")
        post = p["post"]
        ax.plot(
            p.loc[post, "time"],
            p.loc[post, "counterfactual"],
            color="black",
            ls="--",
            lw=1.5,
            label="counterfactual",
        )
        ax.fill_between(
            p.loc[post, "time"], p.loc[post, "lower"], p.loc[post, "upper"], color="0.85"
        )
        ax.set_ylabel(self.outcome)
        ax.legend(loc="best")
        return ax
