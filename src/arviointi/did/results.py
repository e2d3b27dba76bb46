"""The DiD result: the shared :class:`EffectResults` plus the coefficient table and diagnostics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

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
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.coef_table = coef_table
        self.design = design
        self.contrasts = contrasts
        self._prepared = prepared
        self._spec = spec

    def pretrend_test(self) -> dict[str, Any]:
        """Test of equal pre-period linear trends in treated and control units.

        See :func:`arviointi.did.diagnostics.pretrend_test`.
        """
        from arviointi.did.diagnostics import pretrend_test

        return pretrend_test(self._prepared, self._spec)

    def placebo_in_time(self, shift: int) -> DiDResults:
        """Re-estimate on pre-period data only, with a fake start ``shift`` periods earlier."""
        from arviointi.did.diagnostics import placebo_in_time

        return placebo_in_time(self._prepared, self._spec, shift)

    def leave_one_out(self) -> pd.DataFrame:
        """Estimates dropping each comparison cluster in turn (one row per dropped cluster)."""
        from arviointi.did.diagnostics import leave_one_out

        return leave_one_out(self._prepared, self._spec)
