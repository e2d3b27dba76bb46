"""Before-after comparisons: pre-post means and interrupted time series (ITS)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.before_after.model import before_after
    from arviointi.before_after.results import BeforeAfterResults

__all__ = ["BeforeAfterResults", "before_after"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "BeforeAfterResults": "arviointi.before_after.results",
        "before_after": "arviointi.before_after.model",
    },
)
