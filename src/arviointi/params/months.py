"""Calendar months written as ``YYYY-MM`` in parameter files.

Months stay strings in the validated parameters (they travel to notebooks as JSON), and
compare correctly as strings once normalised to zero-padded ``YYYY-MM``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(value: Any) -> str:
    """Return ``value`` as a normalised ``YYYY-MM`` string or raise ``ValueError``.

    Accepts ``"2013-01"`` and ``"2013-1"``; rejects impossible months (``"2013-13"``),
    full dates and anything that is not a string.
    """
    if isinstance(value, dt.date):
        raise ValueError(
            f"expected a month written as YYYY-MM, got the full date {value.isoformat()} "
            f"(write {value.year:04d}-{value.month:02d})"
        )
    if not isinstance(value, str):
        raise ValueError(
            f"expected a month written as YYYY-MM (for example 2013-01), got {value!r}"
        )
    match = _MONTH_RE.match(value.strip())
    if match is None:
        raise ValueError(
            f"expected a month written as YYYY-MM (for example 2013-01), got {value!r}"
        )
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"{value!r} is not a real month: the month must be 01..12")
    if not 1900 <= year <= 2100:
        raise ValueError(f"{value!r}: year {year} is outside 1900..2100")
    return f"{year:04d}-{month:02d}"


def try_month(value: Any) -> str | None:
    """``parse_month`` that returns None instead of raising (for best-effort checks)."""
    try:
        return parse_month(value)
    except ValueError:
        return None


#: a pydantic field type for ``YYYY-MM`` strings
Month = Annotated[str, BeforeValidator(parse_month), Field(pattern=r"^\d{4}-\d{2}$")]
