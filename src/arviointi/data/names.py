"""Names in a data file: header fields shown in messages, and areas spelled twice.

``describe_columns`` lists a file's columns in an error message without repeating header
fields that are not column names (a password file read as CSV is not echoed).
``check_area_spellings`` finds one area under two spellings ("Pohjola" and "pohjola"),
which would otherwise be counted as two areas.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

import pandas as pd

from arviointi.errors import Problem

#: spellings listed per problem before the rest are counted
_SHOWN = 5

_COLUMN_NAME = re.compile(r"^[^\W\d][\w .,%()/+-]{0,79}$")


def describe_columns(columns: Sequence[object]) -> str:
    """ "the file has columns [...]", without echoing header fields that are not names.

    A file that is not a data file (a password file read as CSV, a log) has a first line
    of content, not of column names: it is not repeated in the message.
    """
    names = [str(c) for c in columns]
    plausible = [n for n in names if _COLUMN_NAME.match(n)]
    if len(plausible) == len(names):
        return f"the file has columns {names}"
    hidden = len(names) - len(plausible)
    shown = f"columns {plausible} and " if plausible else ""
    return (
        f"the file has {shown}{hidden} header field(s) that do not look like column names "
        "(not shown); is it a data file whose first line names the columns?"
    )


def _spelling_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def check_area_spellings(
    frame: pd.DataFrame, where: Callable[[int], str], shown: str, problems: list[Problem]
) -> None:
    """Two spellings of one area ("Pohjola" and "pohjola") would become two areas."""
    names = frame["area"]
    first: dict[str, int] = {}
    for i, value in enumerate(names):
        if isinstance(value, str) and value not in first:
            first[value] = i
    spellings: dict[str, list[str]] = {}
    for name in first:
        spellings.setdefault(_spelling_key(name), []).append(name)
    clashes = [group for group in spellings.values() if len(group) > 1]
    for group in clashes[:_SHOWN]:
        listed = " and ".join(f"{n!r} ({where(first[n])})" for n in group[:4])
        problems.append(
            Problem(
                shown,
                f"{listed} differ only in letter case, spacing or Unicode form; expected one "
                "spelling per area (they would be counted as different areas)",
            )
        )
    if len(clashes) > _SHOWN:
        problems.append(Problem(shown, f"... and {len(clashes) - _SHOWN} more areas spelled twice"))
