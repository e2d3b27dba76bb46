"""Validation of the client survey frame (person x wave)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from arviointi.errors import Problem
from arviointi.matching.frame_checks import (
    bad_rows_problem,
    check_numeric,
    raise_if_problems,
    require_columns,
    require_frame,
)

#: documented ranges of the survey scales (docs/data-schemas.md, "Survey")
SCALE_RANGES: dict[str, tuple[float, float]] = {
    "life_management": (1, 10),
    "work_ability": (0, 10),
    "wellbeing": (14, 70),
}


def check_survey(survey: pd.DataFrame, scales: Sequence[str], argument: str = "survey") -> None:
    """person_id and wave present, one row per (person, wave), scales numeric and in range."""
    require_frame(survey, argument)
    require_columns(survey, ["person_id", "wave", *scales], argument, purpose="survey")
    problems: list[Problem | None] = []
    problems += check_numeric(survey, "wave", minimum=0)
    problems.append(
        bad_rows_problem(survey["person_id"].isna().to_numpy(), "person_id", "a person id")
    )
    problems.append(
        bad_rows_problem(
            survey.duplicated(["person_id", "wave"], keep=False).to_numpy(),
            "person_id/wave",
            "one row per (person_id, wave)",
        )
    )
    for s in scales:
        lo, hi = SCALE_RANGES.get(s, (None, None))
        problems += check_numeric(survey, s, allow_missing=True, minimum=lo, maximum=hi)
    raise_if_problems(problems, argument)
