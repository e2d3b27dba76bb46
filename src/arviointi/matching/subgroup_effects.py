"""Matched effects for the subgroups the plans single out (over 500 days, under 25,
over 50, foreign-language), re-matching within each subgroup.

Matching is redone inside each subgroup (so treated and controls share the subgroup
definition exactly); subgroups with too few persons for the matching are reported with
their counts and an empty estimate, never dropped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from arviointi.errors import ArviointiError, ParamsError
from arviointi.matching.matched_effect import matched_effect
from arviointi.matching.outcomes import SUBGROUPS, subgroup_masks
from arviointi.matching.propensity import propensity_match
from arviointi.matching.result import MatchResult


def subgroup_effects(
    clients: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    outcome: str = "share_employed",
    obs_weight: str | None = None,
    subgroups: Sequence[str] = ("all", *SUBGROUPS),
    match: Callable[..., MatchResult] = propensity_match,
    treatment_col: str = "group",
    treated_value: object = "pilot",
    alpha: float = 0.05,
    **match_kwargs: Any,
) -> pd.DataFrame:
    """One row per subgroup: the matched effect, its interval and the counts.

    Columns: ``subgroup``, ``definition``, ``n_treated``, ``n_control`` (in the subgroup),
    ``n_treated_matched``, ``n_control_matched``, ``estimate``, ``se``, ``ci_low``,
    ``ci_high``, ``pvalue``, ``inference``, ``max_abs_smd_after`` and ``note`` (why an
    estimate is missing). ``match_kwargs`` go to ``match`` (e.g. ``covariates``, ``seed``
    for propensity_match, ``coarsening`` for coarsened_exact_match).

    Example::

        subgroup_effects(clients, client_outcomes(clients, panel), outcome="exit_to_work",
                         seed=1)
    """
    masks = subgroup_masks(clients)
    masks.insert(0, "all", True)
    rows: list[dict[str, Any]] = []
    for name in subgroups:
        if name not in masks.columns:
            raise ParamsError(
                "subgroup_effects",
                f"subgroups: unknown subgroup {name!r}; expected one of {list(masks.columns)}",
            )
        sub = clients[masks[name].to_numpy()]
        is_t = sub[treatment_col] == treated_value
        row: dict[str, Any] = {
            "subgroup": name,
            "definition": "all clients" if name == "all" else SUBGROUPS[name],
            "n_treated": int(is_t.sum()),
            "n_control": int((~is_t).sum()),
            "n_treated_matched": 0,
            "n_control_matched": 0,
            "estimate": math.nan,
            "se": math.nan,
            "ci_low": math.nan,
            "ci_high": math.nan,
            "pvalue": math.nan,
            "inference": "",
            "max_abs_smd_after": math.nan,
            "note": "",
        }
        try:
            m = match(sub, treatment_col=treatment_col, treated_value=treated_value, **match_kwargs)
            res = matched_effect(outcomes, m, outcome=outcome, obs_weight=obs_weight, alpha=alpha)
        except ArviointiError as exc:
            row["note"] = str(exc).splitlines()[0]
            rows.append(row)
            continue
        lo, hi = res.conf_int()
        row.update(
            {
                "n_treated_matched": res.n_treated,
                "n_control_matched": res.n_control,
                "estimate": res.estimate,
                "se": res.se,
                "ci_low": lo,
                "ci_high": hi,
                "pvalue": res.pvalue,
                "inference": res.inference.method,
                "max_abs_smd_after": float(m.balance()["smd_after"].abs().max()),
                "note": "; ".join(res.warnings),
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)
