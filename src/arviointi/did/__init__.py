"""Difference-in-differences for a pilot with one (or few) treated districts.

``did(data, outcome, *, unit, time, treatment | group, post, ...) -> DiDResults``; see
:mod:`arviointi.did.model`. Diagnostics: ``DiDResults.pretrend_test()``,
``.placebo_in_time(shift)``, ``.leave_one_out()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.did.model import did
    from arviointi.did.results import DiDResults

__all__ = ["DiDResults", "did"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "DiDResults": "arviointi.did.results",
        "did": "arviointi.did.model",
    },
)
