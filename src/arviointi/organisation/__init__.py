"""Organisation level: follow-up of agreed measures by theme and responsible body."""

from arviointi.organisation.measures import deadline_year, split_responsible, summarise_measures

__all__ = ["deadline_year", "split_responsible", "summarise_measures"]
