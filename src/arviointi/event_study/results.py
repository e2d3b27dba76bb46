"""Results of the event study."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from numpy.typing import NDArray

from arviointi.results.base import EffectResults


class EventStudyResults(EffectResults):
    """Leads and lags relative to treatment start.

    ``estimate`` is the equally weighted mean of the post coefficients (relative time
    0 .. last lag in the window). Adds:

    * ``coefficients``: DataFrame indexed by relative time with coef, se, ci_low, ci_high,
      pvalue, n_treated_obs (the reference period is a row with coef 0 and no se);
      intervals are pointwise unless ``bands == "uniform"`` (sup-t, simulated);
    * ``pretrend``: dict with statistic, df, pvalue and method of the joint test that all
      leads are zero (Wald F, Hotelling T^2 under Donald-Lang, or permutation of the sum
      of squared leads);
    * ``vcov``: covariance of the non-reference coefficients (None for permutation;
      under Donald-Lang the cross-unit covariance of the unit contrast vectors);
    * ``reference``, ``bands``.
    """

    model = "event_study"

    def __init__(
        self,
        *,
        coefficients: pd.DataFrame,
        pretrend: dict[str, Any],
        vcov: NDArray[np.float64] | None,
        reference: int,
        bands: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.coefficients = coefficients
        self.pretrend = pretrend
        self.vcov = vcov
        self.reference = int(reference)
        self.bands = bands

    def plot(self, ax: Axes | None = None) -> Axes:
        """Coefficients with their intervals by relative time (no ``plt.show``)."""
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(7, 4))
        c = self.coefficients
        x = c.index.to_numpy()
        ax.axhline(0, color="0.5", lw=0.8)
        ax.axvline(self.reference + 0.5, color="0.5", ls="--", lw=0.8)
        has_ci = c["ci_low"].notna()
        ax.vlines(x[has_ci], c.loc[has_ci, "ci_low"], c.loc[has_ci, "ci_high"], color="0.3")
        ax.plot(x, c["coef"], "o", color="black")
        ax.set_xlabel("periods relative to treatment start")
        ax.set_ylabel(f"effect on {self.outcome}" if self.outcome else "effect")
        ax.set_title(f"{self.bands} {100 * (1 - self.alpha):g}% intervals")
        return ax
