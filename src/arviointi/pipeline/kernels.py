"""One warm Jupyter kernel for the notebooks a worker runs one after another.

Starting a kernel and importing pandas, scipy, matplotlib and the package costs several
seconds per notebook, more than most notebooks compute. A :class:`WarmKernel` starts one
kernel and hands it to papermill for each notebook in turn; before every notebook after
the first, the kernel's namespace is reset (IPython ``reset(new_session=True)``: the
variables of the previous notebook are gone and execution counts restart at 1), so a
notebook cannot use a name another notebook defined. Imported modules (and their
caches of read-only files) stay loaded, which is the point. A kernel that died or does
not answer the reset is replaced by a fresh one.

Each notebook is still executed by papermill with its own injected parameters, as the
unit users see. ``arviointi run --fresh-kernels`` starts one kernel per notebook instead.
"""

from __future__ import annotations

import contextlib
import multiprocessing.util
from pathlib import Path
from typing import Any

#: time allowed for the namespace reset between two notebooks (seconds)
RESET_TIMEOUT_S = 60.0
_RESET = "get_ipython().reset(new_session=True, aggressive=False)"


class WarmKernel:
    """A kernel manager kept alive between notebooks (in one process)."""

    def __init__(self, start_timeout: float) -> None:
        self.start_timeout = start_timeout
        self._km: Any = None
        self._cwd: Path | None = None
        self._used = False

    def manager(self, cwd: Path, log: Path | None) -> Any:
        """A started kernel manager with an empty namespace, running in ``cwd``."""
        if self._km is not None and (self._cwd != cwd or not self._km.is_alive()):
            self.shutdown()
        if self._km is not None and self._used and not self._reset():
            self.shutdown()
        if self._km is None:
            self._start(cwd, log)
        self._used = True
        return self._km

    def release(self) -> None:
        """Close the clients papermill opened on the kernel (the kernel stays up)."""
        if self._km is not None:
            self._km.close_clients()

    def _start(self, cwd: Path, log: Path | None) -> None:
        from jupyter_client.manager import KernelManager

        class TrackingKernelManager(KernelManager):
            """Remembers its clients: nbclient leaves open the ones of a kernel it does
            not own."""

            def __init__(self, **kwargs: Any) -> None:
                super().__init__(**kwargs)
                self.opened: list[Any] = []

            def client(self, **kwargs: Any) -> Any:
                made = super().client(**kwargs)
                self.opened.append(made)
                return made

            def close_clients(self) -> None:
                while self.opened:
                    self.opened.pop().stop_channels()

        km = TrackingKernelManager(kernel_name="python3")
        kernel_log = None if log is None else log.with_name("kernel.log")
        if kernel_log is None:
            km.start_kernel(cwd=str(cwd))
        else:
            kernel_log.parent.mkdir(parents=True, exist_ok=True)
            with kernel_log.open("ab") as handle:
                km.start_kernel(cwd=str(cwd), stderr=handle)
        self._km, self._cwd, self._used = km, cwd, False

    def _reset(self) -> bool:
        client = self._km.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=self.start_timeout)
            reply = client.execute_interactive(
                _RESET, store_history=False, timeout=RESET_TIMEOUT_S, output_hook=lambda _m: None
            )
            return bool(reply["content"]["status"] == "ok")
        except Exception:  # a kernel that does not answer is replaced, not trusted
            return False
        finally:
            client.stop_channels()

    def shutdown(self) -> None:
        """Stop the kernel (idempotent)."""
        km, self._km, self._cwd, self._used = self._km, None, None, False
        if km is not None:
            km.close_clients()
            with contextlib.suppress(Exception):  # already gone
                km.shutdown_kernel(now=True)


_worker_kernel: WarmKernel | None = None


def worker_kernel(start_timeout: float) -> WarmKernel:
    """This process's warm kernel (created on first use, stopped when the process exits)."""
    global _worker_kernel
    if _worker_kernel is None:
        _worker_kernel = WarmKernel(start_timeout)
        # pool workers leave through multiprocessing's exit path, which runs finalizers
        multiprocessing.util.Finalize(_worker_kernel, _worker_kernel.shutdown, exitpriority=10)
    return _worker_kernel


_session: WarmKernel | None = None


def begin_session(start_timeout: float) -> None:
    """From now on, notebooks run one at a time in this process share one warm kernel
    (also across the stages of a run) until :func:`end_session`."""
    global _session
    end_session()
    _session = WarmKernel(start_timeout)


def session() -> WarmKernel | None:
    """The warm kernel of the current session, if one was begun."""
    return _session


def end_session() -> None:
    """Stop the session's kernel (idempotent)."""
    global _session
    kernel, _session = _session, None
    if kernel is not None:
        kernel.shutdown()
