"""Organisation level: follow-up of agreed measures by theme and responsible body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.organisation.measures import deadline_year, split_responsible, summarise_measures

__all__ = ["deadline_year", "split_responsible", "summarise_measures"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "deadline_year": "arviointi.organisation.measures",
        "split_responsible": "arviointi.organisation.measures",
        "summarise_measures": "arviointi.organisation.measures",
    },
)
