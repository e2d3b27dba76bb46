"""Checked unit x time outcome matrix for synthetic control and synthetic DiD."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from arviointi.column_checks import require_columns
from arviointi.errors import DesignError
from arviointi.event_study.panel import (
    binary_treatment,
    drop_missing,
    first_treated,
    require_numeric,
    require_unique,
)


@dataclass
class OutcomeMatrix:
    """Balanced outcome matrix with the treatment timing.

    y : units x times (treated units last is NOT assumed; use ``treated`` / ``controls``)
    treated, controls : unit labels
    start : first treated time (common to all treated units)
    pre, post : time labels before / from ``start``
    """

    y: pd.DataFrame
    treated: list[Any]
    controls: list[Any]
    start: object
    pre: list[Any]
    post: list[Any]
    n_obs: int
    warnings: list[str] = field(default_factory=list)
    data: pd.DataFrame | None = None


def outcome_matrix(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str,
    time: str,
    treatment: str,
    extra: Sequence[str] = (),
    source: str = "<DataFrame>",
) -> OutcomeMatrix:
    """Validate a panel and pivot the outcome; drop incomplete donors with a warning.

    Raises InputError / DesignError for missing columns, a non-binary or switching-off
    treatment, staggered adoption, no pre-period, no treated or no control unit, or a
    treated unit with a missing outcome.
    """
    require_columns(data, [unit, time, treatment, outcome, *extra], source)
    require_numeric(data, outcome, source)
    clean, warnings = drop_missing(data, [unit, time, treatment, outcome], source, outcome=outcome)
    clean[treatment] = binary_treatment(clean, treatment, source)
    require_unique(clean, [unit, time], source)
    first = first_treated(clean, unit=unit, time=time, treatment=treatment, source=source)
    treated: list[Any] = [u for u, s in first.items() if s is not None and not pd.isna(s)]
    controls: list[Any] = [u for u, s in first.items() if s is None or pd.isna(s)]
    if not treated:
        raise DesignError(f"{source}: column {treatment!r} is 0 on every row; no treated unit")
    starts = {first[u] for u in treated}
    if len(starts) > 1:
        raise DesignError(
            f"{source}: treated units start at different times ({sorted(map(str, starts))}) in "
            f"column {treatment!r}; expected one common start (use staggered_did for staggered "
            "adoption)"
        )
    if not controls:
        raise DesignError(
            f"{source}: every unit in column {unit!r} is treated at some time; "
            "expected at least one never-treated control unit"
        )
    start = next(iter(starts))
    y = clean.pivot(index=unit, columns=time, values=outcome).sort_index(axis=1)
    times = list(y.columns)
    pre = [t for t in times if t < start]
    post = [t for t in times if t >= start]
    if not pre:
        raise DesignError(f"{source}: no period before the treatment start {start!r}")
    for u in treated:
        missing = y.loc[u].isna()
        if missing.any():
            raise DesignError(
                f"{source}: treated unit {u!r} has no {outcome!r} value at {time}="
                f"{missing.index[missing][0]!r}; expected a complete series for treated units"
            )
    incomplete = [u for u in controls if y.loc[u].isna().any()]
    if incomplete:
        warnings.append(
            f"dropped {len(incomplete)} control unit(s) with an incomplete {outcome!r} "
            f"series: {', '.join(map(str, incomplete[:10]))}"
        )
        controls = [u for u in controls if u not in incomplete]
        if not controls:
            raise DesignError(f"{source}: no control unit has a complete {outcome!r} series")
    y = y.loc[treated + controls]
    return OutcomeMatrix(
        y=y.astype(np.float64),
        treated=treated,
        controls=controls,
        start=start,
        pre=pre,
        post=post,
        n_obs=int(y.size),
        warnings=warnings,
        data=clean,
    )
