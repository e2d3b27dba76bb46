"""Staggered adoption: Callaway-Sant'Anna group-time ATTs and aggregations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.staggered.model import staggered_did
    from arviointi.staggered.results import AggregatedResults, StaggeredResults

__all__ = ["AggregatedResults", "StaggeredResults", "staggered_did"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "AggregatedResults": "arviointi.staggered.results",
        "StaggeredResults": "arviointi.staggered.results",
        "staggered_did": "arviointi.staggered.model",
    },
)
