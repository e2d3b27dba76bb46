"""Cost analyses: budget against actual with the grant, cost per client, cost-effectiveness,
net savings and progress against a target.

The municipal share of the labour market subsidy is computed from benefit days under a
rule set chosen by parameter in :mod:`arviointi.costs.share_from_days`. Effects on the
municipal-share euros: :func:`arviointi.matching.matched_effect` (client level, matched),
:func:`arviointi.matching.person_fe_did` with ``outcome="municipal_share_eur"`` (client
panel with a pre-period) or :mod:`arviointi.did` (area level, invoices).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.costs.budget import budget_vs_actual, cost_per_client
    from arviointi.costs.effectiveness import cost_effectiveness, net_savings
    from arviointi.costs.share_from_days import RULE_SETS, municipal_share_from_days
    from arviointi.costs.target import target_progress

__all__ = [
    "RULE_SETS",
    "budget_vs_actual",
    "cost_effectiveness",
    "cost_per_client",
    "municipal_share_from_days",
    "net_savings",
    "target_progress",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "RULE_SETS": "arviointi.costs.share_from_days",
        "budget_vs_actual": "arviointi.costs.budget",
        "cost_effectiveness": "arviointi.costs.effectiveness",
        "cost_per_client": "arviointi.costs.budget",
        "municipal_share_from_days": "arviointi.costs.share_from_days",
        "net_savings": "arviointi.costs.effectiveness",
        "target_progress": "arviointi.costs.target",
    },
)
