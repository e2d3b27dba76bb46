"""Which areas serve as comparisons: ``design.comparison`` resolved against the data.

The rule lives in the params layer (:mod:`arviointi.params.comparison`), where the checks
before a run use it too; the sections import it from here as before.
"""

from __future__ import annotations

from arviointi.params.comparison import REASONS, RULE_KEYS, ComparisonSet, resolve_comparison

__all__ = ["REASONS", "RULE_KEYS", "ComparisonSet", "resolve_comparison"]
