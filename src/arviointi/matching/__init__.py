"""Client-level analyses: matched comparison groups, client outcomes, person-FE DiD.

Person-level frames go in; aggregates come out (``MatchResult.matched`` and the per-person
outcome frame stay in memory and are never reported).
"""

from arviointi.matching.cem import coarsened_exact_match
from arviointi.matching.propensity import propensity_match
from arviointi.matching.result import MatchResult

__all__ = ["MatchResult", "coarsened_exact_match", "propensity_match"]
