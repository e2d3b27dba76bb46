"""Cost analyses: budget against actual with the grant, cost per client, cost-effectiveness,
net savings and progress against a target.

The municipal-share rule sets (pre-2015 and 2015) live in
``arviointi.costs.municipal_share`` (written with the synthetic-data generator); DiD on the
municipal-share euros uses :func:`arviointi.matching.fe_did.person_fe_did` with
``outcome="municipal_share_eur"`` (client level) or :mod:`arviointi.did` (area level).
"""

from arviointi.costs.budget import budget_vs_actual, cost_per_client
from arviointi.costs.effectiveness import cost_effectiveness, net_savings
from arviointi.costs.target import target_progress

__all__ = [
    "budget_vs_actual",
    "cost_effectiveness",
    "cost_per_client",
    "net_savings",
    "target_progress",
]
