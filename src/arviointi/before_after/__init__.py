"""Before-after comparisons: pre-post means and interrupted time series (ITS)."""

from arviointi.before_after.model import before_after
from arviointi.before_after.results import BeforeAfterResults

__all__ = ["BeforeAfterResults", "before_after"]
