"""The one fit of an event study: checked panel, relative times, TWFE on the event dummies.

:func:`fit_event_study` validates the frame, finds each unit's adoption period, bins the
relative times into the window and fits the two-way fixed-effects regression once; the
returned :class:`EventFit` also holds the design facts (``Design``, the Donald-Lang
obstacle, the unit noise scales) that the inference step (:mod:`.inference_step`) reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from arviointi.column_checks import require_columns
from arviointi.data.frames import as_pandas
from arviointi.errors import DesignError
from arviointi.estimation import indicators
from arviointi.event_study.donald_lang import eligibility
from arviointi.event_study.panel import (
    binary_treatment,
    drop_missing,
    first_treated,
    period_index,
    require_numeric,
    require_unique,
)
from arviointi.event_study.twfe import twfe_ols
from arviointi.inference import Design
from arviointi.inference.scaled import UnitNoise, cell_means, unit_noise, variance_check

FloatArray = NDArray[np.float64]


@dataclass
class EventFit:
    """A fitted event study and the facts its inference needs.

    clean : the checked, sorted panel (with the integer period ``_t``)
    levels : the relative times with a coefficient (the reference left out)
    beta, resid, xd : coefficients, residuals and demeaned dummies of the TWFE fit
    start : each treated unit's first treated period (``_t``)
    period_bin : per period, its binned time relative to the common start (NaN when the
        Donald-Lang forms do not apply: ``dl_obstacle`` says why)
    """

    clean: pd.DataFrame
    unit: str
    window: tuple[int, int] | None
    reference: int
    y: FloatArray
    rel: FloatArray
    levels: list[int]
    beta: FloatArray
    resid: FloatArray
    xd: FloatArray
    units_codes: NDArray[np.intp]
    time_codes: NDArray[np.intp]
    unit_labels: Any
    start: pd.Series
    treated_units: list[Any]
    control_units: list[Any]
    dl_obstacle: str | None
    is_treated: NDArray[np.bool_]
    period_bin: FloatArray
    noise: UnitNoise | None
    design: Design
    warnings: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def n_units(self) -> int:
        return len(self.unit_labels)

    @property
    def absorbed(self) -> int:
        return self.n_units + int(self.time_codes.max()) + 1 - 1

    @property
    def post_mask(self) -> NDArray[np.bool_]:
        return np.array([k >= 0 for k in self.levels])

    @property
    def pre_mask(self) -> NDArray[np.bool_]:
        return np.array([k < 0 for k in self.levels])

    @property
    def c_post(self) -> FloatArray:
        post = self.post_mask
        return np.asarray(post / post.sum(), dtype=np.float64)

    @property
    def estimate(self) -> float:
        return float(self.c_post @ self.beta)

    def relative_times(self, e: FloatArray) -> FloatArray:
        """Period minus the adoption period ``e`` per row, binned into the window."""
        return relative_times(self.clean["_t"].to_numpy(np.float64), e, self.window)


def relative_times(t: FloatArray, e: FloatArray, window: tuple[int, int] | None) -> FloatArray:
    rel = t - e
    if window is not None:
        rel = np.where(np.isnan(rel), rel, np.clip(rel, window[0], window[1]))
    return rel


def event_dummies(rel: FloatArray, levels: list[int]) -> FloatArray:
    """One column per relative time with a coefficient (NaN rows: never treated, all 0)."""
    return indicators(rel, levels)


def _checked_panel(
    data: Any, outcome: str, unit: str, time: str, treatment: str, source: str
) -> tuple[pd.DataFrame, list[str]]:
    """The frame checked, without missing rows, sorted, with the integer period ``_t``."""
    data, source = as_pandas(data, [unit, time, treatment, outcome], source)
    require_columns(data, [unit, time, treatment, outcome], source)
    require_numeric(data, outcome, source)
    clean, warnings = drop_missing(data, [unit, time, treatment, outcome], source, outcome=outcome)
    clean[treatment] = binary_treatment(clean, treatment, source)
    require_unique(clean, [unit, time], source)
    clean = clean.sort_values([unit, time]).reset_index(drop=True)
    first_treated(clean, unit=unit, time=time, treatment=treatment, source=source)
    t_idx, gap_warn = period_index(clean[time])
    clean["_t"] = t_idx.to_numpy()
    return clean, warnings + gap_warn


def _adoption(
    clean: pd.DataFrame, unit: str, treatment: str, source: str, warnings: list[str]
) -> tuple[pd.Series, list[Any], list[Any]]:
    """Each treated unit's start, the treated and the never-treated units."""
    start = clean.loc[clean[treatment] == 1].groupby(unit)["_t"].min()
    treated_units = list(start.index)
    control_units = sorted(set(clean[unit]) - set(treated_units), key=str)
    if not treated_units:
        raise DesignError(f"{source}: column {treatment!r} is 0 on every row; no treated unit")
    if start.nunique() > 1:
        warnings.append(
            "staggered adoption: with effects that vary by cohort or over time the TWFE "
            "event-study coefficients mix cohorts (Sun and Abraham 2021); compare with "
            "staggered_did"
        )
    if not control_units:
        warnings.append("no never-treated units: the comparison relies on later-treated units")
    return start, treated_units, control_units


def _levels(rel: FloatArray, reference: int, source: str) -> tuple[list[int], list[int]]:
    """Observed relative times and those with a coefficient (all but the reference)."""
    observed = sorted(int(k) for k in np.unique(rel[~np.isnan(rel)]))
    if reference not in observed:
        raise DesignError(
            f"{source}: no treated observation at relative time {reference} (the reference); "
            f"observed relative times are {observed[0]}..{observed[-1]}"
        )
    levels = [k for k in observed if k != reference]
    if not any(k >= 0 for k in levels) or not levels:
        raise DesignError(f"{source}: no post-treatment observation of a treated unit")
    return observed, levels


def _pre_noise(
    y: FloatArray,
    unit_codes: NDArray[np.intp],
    time_codes: NDArray[np.intp],
    is_treated: NDArray[np.bool_],
    period_bin: FloatArray,
) -> UnitNoise | None:
    """Unit contrasts and pre-period noise scales on a balanced panel (None if unmeasurable)."""
    n_u, n_t = len(is_treated), int(time_codes.max()) + 1
    wide = cell_means(y, unit_codes, time_codes, n_u, n_t)
    post_t = np.asarray(period_bin >= 0, dtype=bool)
    if int((~post_t).sum()) < 3 or (~is_treated).sum() < 2:
        return None
    return unit_noise(wide, is_treated, post_t, pre_only=True)


def fit_event_study(
    data: Any,
    outcome: str,
    *,
    unit: str,
    time: str,
    treatment: str,
    window: tuple[int, int] | None,
    reference: int,
    source: str,
) -> EventFit:
    """Check the panel and fit the event-study regression once."""
    clean, warnings = _checked_panel(data, outcome, unit, time, treatment, source)
    start, treated_units, control_units = _adoption(clean, unit, treatment, source, warnings)
    t_all = clean["_t"].to_numpy(np.float64)
    rel = relative_times(t_all, clean[unit].map(start).to_numpy(np.float64), window)
    observed, levels = _levels(rel, reference, source)
    units_codes, unit_labels = pd.factorize(clean[unit])
    time_codes, time_labels = pd.factorize(clean["_t"])
    y = clean[outcome].to_numpy(np.float64)
    beta, resid, xd = twfe_ols(y, event_dummies(rel, levels), units_codes, time_codes)
    if np.linalg.matrix_rank(xd) < xd.shape[1]:
        raise DesignError(
            f"{source}: the relative-time dummies are collinear with the unit and time effects "
            "(e.g. one adoption date and no never-treated unit); give a window or add controls"
        )
    dl_obstacle = eligibility(
        units_codes, time_codes, n_starts=int(start.nunique()), n_controls=len(control_units)
    )
    is_treated = np.isin(np.asarray(unit_labels, dtype=object), treated_units)
    period_bin = np.full(len(time_labels), np.nan)
    noise = None
    if dl_obstacle is None:
        period_bin[time_codes] = relative_times(
            t_all, np.full(len(y), float(start.iloc[0])), window
        )
        noise = _pre_noise(y, units_codes, time_codes, is_treated, period_bin)
    design = Design(
        n_treated=len(treated_units),
        n_control=len(control_units),
        n_pre=int(sum(k < 0 for k in observed)),
        n_post=int(sum(k >= 0 for k in observed)),
        variance=variance_check(noise) if noise is not None else None,
    )
    return EventFit(
        clean, unit, window, reference, y, rel, levels, beta, resid, xd, units_codes,
        time_codes, unit_labels, start, treated_units, control_units, dl_obstacle, is_treated,
        period_bin, noise, design, warnings,
    )  # fmt: skip
