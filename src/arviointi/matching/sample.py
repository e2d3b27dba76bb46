"""The analysis sample of a matching: one row per person, a treatment flag and covariates.

Rows with a missing covariate are dropped with a count (never silently).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from arviointi.errors import InputError, Problem
from arviointi.matching.frame_checks import (
    bad_rows_problem,
    frame_source,
    require_columns,
    require_frame,
)


@dataclass
class MatchingSample:
    data: pd.DataFrame  # index = person_id; covariates (+ later logit_ps)
    treated: pd.Series  # bool, index = person_id
    n_treated_total: int
    n_control_total: int
    n_dropped: dict[str, int]
    warnings: list[str]


def prepare_sample(
    clients: pd.DataFrame,
    *,
    treatment_col: str,
    treated_value: object,
    covariates: Sequence[str],
    argument: str = "clients",
) -> MatchingSample:
    """Validate ``clients`` and return the usable sample.

    Raises InputError when columns are missing, ``person_id`` is missing or repeated, or
    when either group is empty.
    """
    require_frame(clients, argument)
    covs = list(covariates)
    if not covs:
        raise InputError(frame_source(argument), "no covariates given to match on")
    require_columns(clients, ["person_id", treatment_col, *covs], argument, purpose="matching")
    ids = clients["person_id"]
    problems: list[Problem | None] = [
        bad_rows_problem(ids.isna().to_numpy(), "person_id", "a person id (missing)"),
        bad_rows_problem(
            (ids.duplicated(keep=False) & ids.notna()).to_numpy(),
            "person_id",
            "one row per person (repeated person_id)",
        ),
        bad_rows_problem(
            clients[treatment_col].isna().to_numpy(),
            treatment_col,
            f"a group value such as {treated_value!r} (missing)",
        ),
    ]
    found = [p for p in problems if p is not None]
    if found:
        raise InputError(frame_source(argument), found)

    treated_all = (clients[treatment_col] == treated_value).to_numpy()
    n_t, n_c = int(treated_all.sum()), int((~treated_all).sum())
    if n_t == 0 or n_c == 0:
        which = "treated" if n_t == 0 else "comparison"
        raise InputError(
            frame_source(argument),
            [
                Problem(
                    f"column {treatment_col!r}",
                    f"no {which} persons (treated value {treated_value!r}); expected both groups",
                )
            ],
        )
    missing = clients[covs].isna().any(axis=1).to_numpy()
    n_dropped: dict[str, int] = {}
    warnings: list[str] = []
    if missing.any():
        n_dropped["missing covariate"] = int(missing.sum())
        warnings.append(
            f"{int(missing.sum())} person(s) dropped because a covariate "
            f"({', '.join(covs)}) is missing"
        )
    keep = ~missing
    data = clients.loc[keep, covs].copy()
    data.index = pd.Index(clients.loc[keep, "person_id"].astype(str), name="person_id")
    treated = pd.Series(treated_all[keep], index=data.index, name="treated")
    if treated.sum() == 0 or (~treated).sum() == 0:
        raise InputError(
            frame_source(argument),
            "after dropping persons with missing covariates one group is empty",
        )
    return MatchingSample(data, treated, n_t, n_c, n_dropped, warnings)
