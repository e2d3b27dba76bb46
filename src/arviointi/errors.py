"""Errors users can meet. Each carries where the problem is and what was expected.

The CLI turns any :class:`ArviointiError` into a one-screen message and a non-zero exit;
other exceptions are bugs and keep their traceback only with ``--debug``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: problems listed in one error message; the rest are counted
MAX_LISTED = 50
#: params problems listed (each may carry a data problem of several lines)
MAX_PARAMS_LISTED = 15


def summarise(items: Sequence[object], shown: int = 5) -> str:
    """The first ``shown`` items, then the count of the rest: errors stay one screen long."""
    head = ", ".join(str(item) for item in items[:shown])
    rest = len(items) - shown
    return f"{head} and {rest:,} more" if rest > 0 else head


class ArviointiError(Exception):
    """Base class of every error the workbench raises on purpose."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is and what was expected.

    ``location`` is free text such as ``"row 14, column 'unemployed'"`` or a params path
    such as ``"design.pilot_start"``.
    """

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class InputError(ArviointiError):
    """A data file that cannot be used as it is.

    Parameters
    ----------
    path : the file (or a description such as ``"<DataFrame>"``)
    problems : every problem found, each naming row/column and what was expected
    """

    exit_code = 3

    def __init__(self, path: str, problems: Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        self.path = str(path)
        self.problems = list(problems)
        super().__init__(self._format())

    def _format(self) -> str:
        head = f"{self.path}: {len(self.problems)} problem(s)"
        lines = [head] + [f"  - {p}" for p in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            lines.append(f"  ... and {len(self.problems) - MAX_LISTED} more")
        return "\n".join(lines)


class ParamsError(ArviointiError):
    """A parameters file that does not validate. Lists every problem with its key path."""

    exit_code = 4

    def __init__(self, path: str, problems: Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        self.path = str(path)
        self.problems = list(problems)
        lines = [f"{self.path}: {len(self.problems)} problem(s) in the parameters"]
        lines += [f"  - {p}" for p in self.problems[:MAX_PARAMS_LISTED]]
        if len(self.problems) > MAX_PARAMS_LISTED:
            lines.append(f"  ... and {len(self.problems) - MAX_PARAMS_LISTED} more")
        super().__init__("\n".join(lines))


class DesignError(ArviointiError):
    """An estimation request the data cannot support (no pre-period, no controls, ...)."""

    exit_code = 5


class PipelineError(ArviointiError):
    """A run that failed: names the notebook and cell, and where the failed copy is kept."""

    exit_code = 6
