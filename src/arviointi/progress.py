"""Progress of long computations: silent unless someone listens.

Long loops (leave-one-out refits, placebo enumeration, bootstrap draws, one analysis per
outcome) wrap their iterable in :func:`steps`; by default that costs one context-variable
look-up and shows nothing. A caller who wants to see progress installs a listener for a
block of code::

    from arviointi import progress
    with progress.shown():                # JupyterLab: one updating line per task
        analysis = area.analyse_area(ctx)

    with progress.listening(my_listener):  # any callable (label, done, total)
        ...

A listener is called with the task's label, the number of steps done and the total
(``None`` when unknown): once with ``done == 0`` when the task starts, then at most every
:data:`MIN_INTERVAL_S` seconds, and always after the last step. Listeners are held in a
:class:`contextvars.ContextVar`, so threads and notebook cells do not see each other's.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol, TextIO, TypeVar

T = TypeVar("T")

#: listeners hear from a task at most this often (plus its start and its end)
MIN_INTERVAL_S = 0.2


class Listener(Protocol):
    def __call__(self, label: str, done: int, total: int | None) -> None: ...


_listener: ContextVar[Listener | None] = ContextVar("arviointi_progress", default=None)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send the progress of every task run inside the block to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def active() -> bool:
    """Whether anyone listens (a caller can skip preparing labels when not)."""
    return _listener.get() is not None


def steps(iterable: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``iterable`` and report each step to the current listener, if any."""
    listener = _listener.get()
    if listener is None:
        yield from iterable
        return
    if total is None and isinstance(iterable, Sized):
        total = len(iterable)
    listener(label, 0, total)
    last = time.monotonic()
    done = 0
    for item in iterable:
        yield item
        done += 1
        now = time.monotonic()
        if now - last >= MIN_INTERVAL_S or done == total:
            listener(label, done, total)
            last = now
    if done != total:
        listener(label, done, done)


def describe(label: str, done: int, total: int | None) -> str:
    """``"leave one out: 3/8"`` (``"... 3"`` when the total is unknown)."""
    return f"{label}: {done}/{total}" if total is not None else f"{label}: {done}"


class LineListener:
    """Plain text lines (``label: done/total``) on a stream, e.g. a log or stderr."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def __call__(self, label: str, done: int, total: int | None) -> None:
        stream = self.stream if self.stream is not None else sys.stderr
        print(describe(label, done, total), file=stream, flush=True)


class NotebookListener:
    """One line per task in a Jupyter output area, updated in place (like tqdm)."""

    def __init__(self) -> None:
        self._handles: dict[str, Any] = {}

    def __call__(self, label: str, done: int, total: int | None) -> None:
        from IPython.display import display

        text = describe(label, done, total)
        if total:
            filled = round(20 * done / total)
            text = f"{'#' * filled}{'.' * (20 - filled)} {text}"
        handle = self._handles.get(label)
        if handle is None:
            self._handles[label] = display({"text/plain": text}, raw=True, display_id=True)
        else:
            handle.update({"text/plain": text}, raw=True)


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython with a ZMQ shell)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except AttributeError:
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


@contextmanager
def shown(stream: TextIO | None = None) -> Iterator[None]:
    """Show progress inside the block: updating lines in a notebook, text lines elsewhere."""
    listener: Listener = NotebookListener() if in_notebook() else LineListener(stream)
    with listening(listener):
        yield
