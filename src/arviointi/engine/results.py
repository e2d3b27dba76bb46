"""The result of an engine fit: a :class:`DiDResults` whose rows stayed in the engine."""

from __future__ import annotations

from typing import Any

import pandas as pd

from arviointi.did.results import DiDResults
from arviointi.errors import DesignError
from arviointi.inference import Design
from arviointi.results.base import EffectResults


class EngineDiDResults(DiDResults):
    """Result of :func:`arviointi.engine.did` (the same numbers as :func:`arviointi.did.did`).

    ``coef_table`` holds the treatment and covariate coefficients with their SEs,
    ``design`` the facts that chose the inference, ``engine`` "duckdb" or "spark" and
    ``aggregates`` the sizes of what the engine returned (periods, observation
    patterns, clusters): no person-level row leaves the engine. The per-cluster
    diagnostics of the in-memory result (pre-trend test, placebos, leave-one-out) need
    the rows and raise DesignError here; run :func:`arviointi.did.did` on an extract.
    """

    def __init__(
        self,
        *,
        coef_table: pd.DataFrame,
        design: Design,
        engine: str,
        aggregates: dict[str, int],
        **kwargs: Any,
    ) -> None:
        EffectResults.__init__(self, **kwargs)
        self.coef_table = coef_table
        self.design = design
        self.contrasts = pd.Series(dtype=float)
        self.engine = engine
        self.aggregates = dict(aggregates)

    def _rows_needed(self, what: str) -> DesignError:
        return DesignError(
            f"{what} needs the person-level rows, which stayed in the {self.engine} engine; "
            "run arviointi.did.did on a pandas extract (engine: pandas) for it"
        )

    def pretrend_test(self) -> dict[str, Any]:
        raise self._rows_needed("the pre-trend test")

    def placebo_in_time(self, shift: int) -> DiDResults:
        raise self._rows_needed("the placebo in time")

    def leave_one_out(self, *, estimates_only: bool = False) -> pd.DataFrame:
        raise self._rows_needed("leave-one-out")
