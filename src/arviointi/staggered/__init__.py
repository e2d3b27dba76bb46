"""Staggered adoption: Callaway-Sant'Anna group-time ATTs and aggregations."""

from arviointi.staggered.model import staggered_did
from arviointi.staggered.results import AggregatedResults, StaggeredResults

__all__ = ["AggregatedResults", "StaggeredResults", "staggered_did"]
