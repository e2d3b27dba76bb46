"""What ``arviointi run`` shows while it works: a live table, plain lines, or nothing.

The pipeline reports through one callable, ``progress(message)``, for its steps
(validating, rendering, printing). A progress object may also have a method
``notebook(name, state, seconds)``; :func:`notebook_state` calls it when a notebook
changes state, and does nothing for a plain callable. States: ``queued``, ``running``,
``cached``, ``done``, ``failed``.

* :class:`PlainLog`: one line per step on a stream, with the elapsed time (for logs,
  CI and pipes);
* :class:`LiveTable`: a rich live display on a terminal: every notebook with its state
  and time, the current step and the total elapsed time;
* ``None`` (``--quiet``): nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TextIO

STATES = ("queued", "running", "cached", "done", "failed")
_STYLE = {
    "queued": "dim",
    "running": "bold yellow",
    "cached": "cyan",
    "done": "green",
    "failed": "bold red",
}


def notebook_state(
    progress: Callable[[str], None] | None, name: str, state: str, seconds: float | None = None
) -> None:
    """Tell ``progress`` that notebook ``name`` is now in ``state`` (if it tracks states)."""
    if state not in STATES:
        raise ValueError(f"unknown notebook state {state!r}; expected one of {STATES}")
    handler = getattr(progress, "notebook", None)
    if callable(handler):
        handler(name, state, seconds)


class PlainLog:
    """``[  12.3 s] message`` lines on ``stream`` (stderr by default); no notebook table."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        stream = self.stream if self.stream is not None else sys.stderr
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:6.1f} s] {message}", file=stream, flush=True)


@dataclass
class _Row:
    state: str
    since: float
    seconds: float | None = None


class LiveTable:
    """A live table of the run's notebooks on a rich console (use it as a context manager).

    ``console`` defaults to stderr, so stdout keeps only the run's one-line summary.
    """

    def __init__(self, console: Any = None, title: str = "arviointi run") -> None:
        from rich.console import Console
        from rich.live import Live

        self.console = console if console is not None else Console(stderr=True)
        self.title = title
        self.rows: dict[str, _Row] = {}
        self.step = ""
        self.started = time.perf_counter()
        self._live = Live(
            self, console=self.console, refresh_per_second=4, transient=False, auto_refresh=True
        )

    def __enter__(self) -> LiveTable:
        self.started = time.perf_counter()
        self._live.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._live.stop()

    def __call__(self, message: str) -> None:
        self.step = message
        self._live.refresh()

    def notebook(self, name: str, state: str, seconds: float | None = None) -> None:
        self.rows[name] = _Row(state, time.perf_counter(), seconds)
        self._live.refresh()

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        now = time.perf_counter()
        table = Table(title=self.title, title_justify="left", expand=False)
        table.add_column("notebook")
        table.add_column("state")
        table.add_column("time", justify="right")
        for name, row in self.rows.items():
            if row.seconds is not None:
                shown = f"{row.seconds:.1f} s"
            elif row.state == "running":
                shown = f"{now - row.since:.0f} s"
            else:
                shown = ""
            table.add_row(name, f"[{_STYLE[row.state]}]{row.state}[/]", shown)
        finished = sum(1 for r in self.rows.values() if r.state in ("cached", "done", "failed"))
        step = f" | {self.step}" if self.step else ""
        status = f"{finished}/{len(self.rows)} notebooks | total {now - self.started:.1f} s{step}"
        return Group(table, Text(status))


@contextmanager
def run_display(
    *, quiet: bool = False, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> Iterator[Callable[[str], None] | None]:
    """The display ``arviointi run`` uses: none when ``quiet``, a live table when stdout
    and stderr are both terminals, plain lines on stderr otherwise."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    if quiet:
        yield None
    elif _is_terminal(out) and _is_terminal(err):
        from rich.console import Console

        with LiveTable(Console(file=err)) as table:
            yield table
    else:
        yield PlainLog(err)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real file
        return False
