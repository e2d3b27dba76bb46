"""What the employment_area section estimates: per-outcome results and the section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from arviointi.params.schema import Outcome
from arviointi.sections.area.panel import AreaPanel

#: leave-one-out refits only for this many comparison areas at each end of the contrasts
#: (the reported range is attained there, see analysis._leave_one_out)
LOO_EXTREMES = 5
#: permutations for the event study's randomisation inference (each one refits the model)
EVENT_STUDY_PERMUTATIONS_MAX = 199
#: smoothness bounds: slope changes M per month, in multiples of the pre-period SD of y
SENSITIVITY_M = (0.0, 0.005, 0.01, 0.02)


@dataclass
class OutcomeResults:
    """Everything estimated for one area-level outcome (results objects and frames)."""

    outcome: Outcome
    panel: AreaPanel
    did: Any
    did_weighted: Any | None
    its: Any | None
    event_study: Any | None
    synth: Any | None
    pretrend: dict[str, Any] | None
    placebo: Any | None
    leave_one_out: pd.DataFrame | None
    mde: Any | None
    sensitivity: pd.DataFrame | None
    notes: list[str]

    @property
    def true_effect(self) -> float | None:
        return self.panel.true_mean()

    def table(self) -> pd.DataFrame:
        """One row per method: estimate, interval, p-value, inference, truth."""
        rows = []
        for role, res, truth in self._estimates():
            lo, hi = res.conf_int()
            rows.append(
                {
                    "model": res.model,
                    "role": role,
                    "estimate": res.estimate,
                    "ci_low": lo,
                    "ci_high": hi,
                    "pvalue": res.pvalue,
                    "inference": res.inference.method,
                    "true_effect": truth,
                }
            )
        return pd.DataFrame(rows)

    def _estimates(self) -> list[tuple[str, Any, float | None]]:
        truth = self.true_effect
        out: list[tuple[str, Any, float | None]] = [("primary", self.did, truth)]
        if self.did_weighted is not None:
            out.append(("robustness", self.did_weighted, truth))
        if self.its is not None:
            out.append(("robustness", self.its, truth))
        if self.event_study is not None:
            last = int(max(self.event_study.coefficients.index))
            out.append(("robustness", self.event_study, self.panel.true_event_mean(last)))
        if self.synth is not None:
            out.append(("robustness", self.synth, truth))
        return out


@dataclass
class AreaAnalysis:
    """The employment_area section: comparison set, per-outcome results, summary tables."""

    comparison: Any
    results: list[OutcomeResults]
    synthetic: bool
    table: pd.DataFrame
    diagnostics: pd.DataFrame
    skipped: list[str]
