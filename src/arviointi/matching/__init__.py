"""Client-level analyses: matched comparison groups, client outcomes, person-FE DiD,
time to employment.

Person-level frames go in; aggregates come out (``MatchResult.matched``, the per-person
outcome frame and the DiD panel stay in memory and are never reported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.matching.cem import coarsened_exact_match
    from arviointi.matching.fe_did import person_fe_did
    from arviointi.matching.matched_effect import matched_effect
    from arviointi.matching.outcomes import (
        SUBGROUPS,
        client_outcomes,
        did_panel,
        employment_curve,
        outcome_summary,
        subgroup_masks,
    )
    from arviointi.matching.propensity import propensity_match
    from arviointi.matching.result import MatchResult
    from arviointi.matching.subgroup_effects import subgroup_effects
    from arviointi.matching.survival import kaplan_meier, kaplan_meier_by

__all__ = [
    "SUBGROUPS",
    "MatchResult",
    "client_outcomes",
    "coarsened_exact_match",
    "did_panel",
    "employment_curve",
    "kaplan_meier",
    "kaplan_meier_by",
    "matched_effect",
    "outcome_summary",
    "person_fe_did",
    "propensity_match",
    "subgroup_effects",
    "subgroup_masks",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "SUBGROUPS": "arviointi.matching.outcomes",
        "MatchResult": "arviointi.matching.result",
        "client_outcomes": "arviointi.matching.outcomes",
        "coarsened_exact_match": "arviointi.matching.cem",
        "did_panel": "arviointi.matching.outcomes",
        "employment_curve": "arviointi.matching.outcomes",
        "kaplan_meier": "arviointi.matching.survival",
        "kaplan_meier_by": "arviointi.matching.survival",
        "matched_effect": "arviointi.matching.matched_effect",
        "outcome_summary": "arviointi.matching.outcomes",
        "person_fe_did": "arviointi.matching.fe_did",
        "propensity_match": "arviointi.matching.propensity",
        "subgroup_effects": "arviointi.matching.subgroup_effects",
        "subgroup_masks": "arviointi.matching.outcomes",
    },
)
