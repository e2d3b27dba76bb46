"""Load a report in headless Chromium over the DevTools protocol and record what happens.

Chromium is started with ``--remote-debugging-pipe``: DevTools messages are JSON texts
ended by a NUL byte, read from the browser on file descriptor 4 and written to it on
descriptor 3, so no network port and no websocket library are needed. The page is loaded
from ``file://``; every console message, uncaught exception and network request is
recorded, and screenshots can be taken.

    check = check_page(Path("report.fi.html"), screenshots=[(Path("top.png"), 0, 1400)])
    assert not check.console_errors and check.external_requests() == []
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arviointi.errors import PipelineError
from arviointi.report.pdf import chromium_flags, find_chromium


@dataclass
class PageCheck:
    """What happened while a page loaded."""

    url: str
    console: list[dict[str, str]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    log_entries: list[dict[str, str]] = field(default_factory=list)
    title: str = ""
    content_height: float = 0.0
    screenshots: list[Path] = field(default_factory=list)
    #: axe-core violations (``id``, ``impact``, ``help``, ``targets``) when axe was run
    axe_violations: list[dict[str, Any]] = field(default_factory=list)
    axe_passes: int = 0

    @property
    def console_errors(self) -> list[str]:
        """Console messages and browser log entries of level error or warning."""
        out = [c["text"] for c in self.console if c["level"] in ("error", "warning", "assert")]
        out += [e["text"] for e in self.log_entries if e["level"] in ("error", "warning")]
        return out

    def external_requests(self) -> list[str]:
        """Requests for anything other than ``file:`` and ``data:`` URLs."""
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]


class _Pipe:
    def __init__(self, proc: subprocess.Popen[bytes], write_fd: int, read_fd: int) -> None:
        self.proc = proc
        self.write_fd = write_fd
        self.read_fd = read_fd
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict[str, Any]:  # fmt: skip
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            for msg in self._read(deadline):
                if msg.get("id") == self.next_id:
                    if "error" in msg:
                        raise PipelineError(f"DevTools {method} failed: {msg['error']}")
                    result: dict[str, Any] = msg.get("result", {})
                    return result
                self.events.append(msg)

    def wait_event(self, method: str, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while True:
            for i, msg in enumerate(self.events):
                if msg.get("method") == method:
                    return self.events.pop(i)
            try:
                self.events.extend(self._read(deadline))
            except TimeoutError:
                return None

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.extend(self._read(deadline))
        except TimeoutError:
            return

    def _read(self, deadline: float) -> list[dict[str, Any]]:
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no DevTools message in time")
            ready, _, _ = select.select([self.read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise PipelineError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        *complete, self.buffer = self.buffer.split(b"\0")
        return [json.loads(part) for part in complete if part]


@contextlib.contextmanager
def _chromium(tmp: Path) -> Iterator[_Pipe]:
    """Headless Chromium with its DevTools pipe on fds 3 and 4; closed on exit."""
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()

    def wire_fds() -> None:  # runs in the child before exec: DevTools wants fds 3 and 4
        os.dup2(to_child_r, 3)
        os.dup2(from_child_w, 4)

    proc = subprocess.Popen(
        [find_chromium(), *chromium_flags(tmp), "--remote-debugging-pipe", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(3, 4),
        preexec_fn=wire_fds,
    )
    os.close(to_child_r)
    os.close(from_child_w)
    pipe = _Pipe(proc, to_child_w, from_child_r)
    try:
        yield pipe
        with contextlib.suppress(PipelineError, TimeoutError, OSError):
            pipe.send("Browser.close", timeout=5)
    finally:
        os.close(to_child_w)
        os.close(from_child_r)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _open(pipe: _Pipe, url: str, size: tuple[int, int], timeout: float, name: str) -> str:
    """A new tab of ``size`` (width, height) showing ``url`` (loaded); its session id.
    ``name`` is what an error calls the page."""
    width, height = size
    target = pipe.send("Target.createTarget", {"url": "about:blank"}, timeout=timeout)
    attached = pipe.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
    session: str = attached["sessionId"]
    for domain in ("Runtime", "Log", "Network", "Page"):
        pipe.send(f"{domain}.enable", session=session)
    pipe.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    pipe.send("Page.navigate", {"url": url}, session=session)
    if pipe.wait_event("Page.loadEventFired", timeout) is None:
        raise PipelineError(f"{name}: the page did not finish loading in {timeout} s")
    return session


def _measure(pipe: _Pipe, session: str, check: PageCheck) -> None:
    """The page's title and content height into ``check``."""
    evaluated = pipe.send(
        "Runtime.evaluate",
        {
            "expression": "JSON.stringify([document.title, document.documentElement.scrollHeight])",
            "returnByValue": True,
        },
        session=session,
    )
    title, scroll_height = json.loads(evaluated["result"]["value"])
    check.title = str(title)
    check.content_height = float(scroll_height)


def _screenshot(
    pipe: _Pipe, session: str, png: Path, clip: tuple[int, int, int], timeout: float
) -> Path:
    """A PNG of the page's band ``clip`` = (y, width, height), written to ``png``."""
    y, width, height = clip
    shot = pipe.send(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": y, "width": width, "height": height, "scale": 1},
        },
        session=session,
        timeout=timeout,
    )
    Path(png).write_bytes(base64.b64decode(shot["data"]))
    return Path(png)


def _record(events: Sequence[dict[str, Any]], check: PageCheck) -> None:
    """Console messages, exceptions, log entries and requests among ``events``."""
    for msg in events:
        method = msg.get("method")
        params = msg.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(
                str(a.get("value", a.get("description", ""))) for a in params.get("args", [])
            )
            check.console.append({"level": params.get("type", ""), "text": text})
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            check.exceptions.append(str(details.get("text", details)))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            check.log_entries.append(
                {"level": entry.get("level", ""), "text": entry.get("text", "")}
            )
        elif method == "Network.requestWillBeSent":
            check.requests.append(params.get("request", {}).get("url", ""))
        elif method == "Network.loadingFailed":
            check.failed_requests.append(params.get("errorText", ""))


def check_page(
    html_path: Path,
    *,
    width: int = 1100,
    height: int = 1400,
    screenshots: Sequence[tuple[Path, int, int]] = (),
    timeout: float = 60.0,
    settle: float = 0.5,
    axe_script: Path | None = None,
) -> PageCheck:
    """Load ``html_path`` in headless Chromium; record console, exceptions and requests.

    screenshots : ``(png_path, y, height)`` clips of the page (CSS pixels, full width)
    axe_script : ``axe.min.js`` of axe-core: after loading, run its WCAG 2.1 A and AA rules
        on the page and record the violations (the script is injected over DevTools, so
        the page itself still loads nothing)
    """
    url = Path(html_path).resolve().as_uri()
    check = PageCheck(url=url)
    with tempfile.TemporaryDirectory(prefix="arviointi-cdp-") as tmp, _chromium(Path(tmp)) as pipe:
        session = _open(pipe, url, (width, height), timeout, name=str(html_path))
        pipe.drain(settle)
        _measure(pipe, session, check)
        if axe_script is not None:
            _run_axe(pipe, session, Path(axe_script), check, timeout)
        for png, y, clip_height in screenshots:
            shot = _screenshot(pipe, session, png, (y, width, clip_height), timeout)
            check.screenshots.append(shot)
        pipe.drain(0.1)
        _record(pipe.events, check)
    return check


#: the axe-core rule tags of WCAG 2.1 levels A and AA
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


def axe_script() -> Path:
    """``axe.min.js`` as ``scripts/setup-node.sh`` installs it into the venv (or the file
    named by ``ARVIOINTI_AXE``); it may not exist (see :func:`_run_axe`)."""
    override = os.environ.get("ARVIOINTI_AXE")
    if override:
        return Path(override)
    return Path(sys.prefix) / "node" / "node_modules" / "axe-core" / "axe.min.js"


def _run_axe(pipe: _Pipe, session: str, script: Path, check: PageCheck, timeout: float) -> None:
    if not script.is_file():
        raise PipelineError(
            f"{script}: axe-core is not installed (run `make system-deps`, or "
            "bash scripts/setup-node.sh <venv>)"
        )
    pipe.send(
        "Runtime.evaluate", {"expression": script.read_text(encoding="utf-8")}, session=session
    )
    options = json.dumps({"runOnly": {"type": "tag", "values": list(AXE_TAGS)}})
    expression = (
        f"axe.run(document, {options})"
        ".then(r => JSON.stringify({passes: r.passes.length, violations: r.violations.map("
        "v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.map(n => n.target.join(' '))}))}))"
    )
    evaluated = pipe.send(
        "Runtime.evaluate",
        {"expression": expression, "awaitPromise": True, "returnByValue": True},
        session=session,
        timeout=timeout,
    )
    if "exceptionDetails" in evaluated:
        raise PipelineError(f"axe-core failed on {check.url}: {evaluated['exceptionDetails']}")
    result = json.loads(evaluated["result"]["value"])
    check.axe_violations = list(result["violations"])
    check.axe_passes = int(result["passes"])
