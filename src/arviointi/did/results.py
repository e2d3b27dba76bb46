"""The DiD result: the shared :class:`EffectResults` plus the coefficient table and diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from arviointi.did import diagnostics
from arviointi.results.base import EffectResults

if TYPE_CHECKING:
    from arviointi.did.data import Prepared
    from arviointi.inference import Design


class DiDResults(EffectResults):
    """Result of :func:`arviointi.did.did`.

    Adds ``coef_table`` (treatment and covariate coefficients with standard errors; the
    SE type is in ``coef_table.attrs["se_type"]``), ``design`` (the facts that chose the
    inference), ``contrasts`` (per-cluster post-minus-pre contrasts) and the diagnostics
    :meth:`pretrend_test`, :meth:`placebo_in_time` and :meth:`leave_one_out`.

    ``refit(frame, spec, cross_check=...)`` is the estimator itself, handed in by the model
    (as a statsmodels result holds its model), so the diagnostics can refit without this
    module importing the model.
    """

    model = "did"

    def __init__(
        self,
        *,
        coef_table: pd.DataFrame,
        design: Design,
        prepared: Prepared,
        spec: dict[str, Any],
        contrasts: pd.Series,
        refit: Callable[..., DiDResults] | None = None,
        sizes: np.ndarray | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.coef_table = coef_table
        self.design = design
        self.contrasts = contrasts
        self._prepared = prepared
        self._spec = spec
        self._refit = refit
        self._sizes = sizes

    def _refitter(self) -> Callable[..., DiDResults]:
        if self._refit is None:
            raise TypeError("this DiD result was built without its estimator; refit is unknown")
        return self._refit

    def pretrend_test(self) -> dict[str, Any]:
        """Test of equal pre-period linear trends in treated and control units.

        See :func:`arviointi.did.diagnostics.pretrend_test`.
        """
        return diagnostics.pretrend_test(self._prepared, self._spec)

    def placebo_in_time(self, shift: int) -> DiDResults:
        """Re-estimate on pre-period data only, with a fake start ``shift`` periods earlier."""
        return diagnostics.placebo_in_time(self._prepared, self._spec, shift, self._refitter())

    def leave_one_out(self, *, estimates_only: bool = False) -> pd.DataFrame:
        """Estimates dropping each comparison cluster in turn (one row per dropped cluster).

        ``estimates_only=True`` refits only the coefficient (no inference), which is much
        faster; the estimates are the same. See :func:`arviointi.did.diagnostics.leave_one_out`.
        """
        return diagnostics.leave_one_out(
            self._prepared,
            self._spec,
            self._refitter(),
            estimates_only=estimates_only,
            sizes=self._sizes,
        )
