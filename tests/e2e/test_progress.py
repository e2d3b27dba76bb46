"""Progress: silent by default; plain lines, a live table or nothing for `arviointi run`."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from arviointi import cli, progress
from arviointi.pipeline import execute
from arviointi.pipeline.execute import NotebookJob, NotebookOutcome
from arviointi.pipeline.progress import (
    LiveTable,
    PlainLog,
    notebook_state,
    run_display,
)


class Recorder:
    """A listener that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, label: str, done: int, total: int | None) -> None:
        self.calls.append((label, done, total))


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_steps_are_silent_and_transparent_without_a_listener() -> None:
    assert not progress.active()
    assert list(progress.steps(range(5), "loop")) == [0, 1, 2, 3, 4]


def test_steps_report_start_and_end_to_the_listener(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "MIN_INTERVAL_S", 0.0)
    heard = Recorder()
    with progress.listening(heard):
        assert progress.active()
        assert list(progress.steps(["a", "b", "c"], "leave one out")) == ["a", "b", "c"]
    assert not progress.active()
    assert heard.calls == [("leave one out", i, 3) for i in range(4)]


def test_steps_throttle_but_always_report_the_last_step() -> None:
    heard = Recorder()
    with progress.listening(heard):
        list(progress.steps(iter(range(1000)), "draws"))  # no len(): total unknown
    assert heard.calls[0] == ("draws", 0, None)
    assert heard.calls[-1] == ("draws", 1000, 1000)
    assert len(heard.calls) < 20  # 1000 fast steps: throttled to start, end and a few more


def test_line_listener_and_shown_outside_a_notebook() -> None:
    stream = io.StringIO()
    with progress.shown(stream):
        list(progress.steps(range(2), "placebos"))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "placebos: 0/2" and lines[-1] == "placebos: 2/2"


def test_notebook_state_rejects_unknown_states_and_ignores_plain_callables() -> None:
    lines: list[str] = []
    notebook_state(lines.append, "costs", "done", 1.0)  # a plain callable: nothing happens
    notebook_state(None, "costs", "queued")
    assert lines == []
    with pytest.raises(ValueError, match="unknown notebook state"):
        notebook_state(None, "costs", "finished")


def test_plain_log_is_one_timed_line_per_step() -> None:
    stream = io.StringIO()
    log = PlainLog(stream)
    log("validating params/x.yaml ...")
    notebook_state(log, "costs", "running")  # no table in plain mode
    log("done: reports/x")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("s] validating params/x.yaml ...") and lines[0].startswith("[")


def test_live_table_shows_every_notebook_state_and_the_total() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    with LiveTable(console) as table:
        for name in ("data_quality", "employment_area", "costs", "synthesis"):
            notebook_state(table, name, "queued")
        notebook_state(table, "data_quality", "cached")
        notebook_state(table, "employment_area", "running")
        notebook_state(table, "costs", "failed", 2.5)
        table("rendering report-fi.html ...")
        notebook_state(table, "employment_area", "done", 12.25)
    text = out.getvalue()
    final = text[text.rindex("arviointi run") :]  # the last frame drawn
    for expected in (
        "data_quality",
        "cached",
        "employment_area",
        "12.2 s",
        "costs",
        "failed",
        "2.5 s",
        "synthesis",
        "queued",
        "3/4 notebooks",
        "total",
        "rendering report-fi.html",
    ):
        assert expected in final, expected
    assert "\x1b[" in text  # drawn as a live display (cursor control), not plain lines


def test_run_display_modes() -> None:
    with run_display(quiet=True, stdout=FakeTerminal(), stderr=FakeTerminal()) as shown:
        assert shown is None
    with run_display(stdout=io.StringIO(), stderr=FakeTerminal()) as shown:
        assert isinstance(shown, PlainLog)
    with run_display(stdout=FakeTerminal(), stderr=FakeTerminal()) as shown:
        assert isinstance(shown, LiveTable)


def test_execute_all_reports_running_then_done_or_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failure = execute.NotebookFailure("b", 2, "ValueError", "bad", "x = 1")

    def fake_one(job: NotebookJob, kernel: object = None) -> NotebookOutcome:
        return NotebookOutcome(
            job.name, job.output, 0.5, False, failure if job.name == "b" else None
        )

    monkeypatch.setattr(execute, "execute_one", fake_one)
    states: list[tuple[str, str, float | None]] = []

    class Shown:
        def __call__(self, message: str) -> None:
            pass

        def notebook(self, name: str, state: str, seconds: float | None) -> None:
            states.append((name, state, seconds))

    jobs = [NotebookJob(n, tmp_path / f"{n}.ipynb", tmp_path / n, {}, tmp_path) for n in "ab"]
    execute.execute_all(jobs, workers=1, progress=Shown())
    assert states == [
        ("a", "running", None),
        ("a", "done", 0.5),
        ("b", "running", None),
        ("b", "failed", 0.5),
    ]


def _fake_run(project: Path, seen: dict[str, Any]) -> Any:
    import arviointi.pipeline.run as run

    def fake(path: Path, **kwargs: Any) -> run.RunResult:
        seen.update(kwargs)
        say = kwargs["progress"]
        if say is not None:
            notebook_state(say, "costs", "running")
            say("validating ...")
        out = project / "out" / "e"
        return run.RunResult("e", "e", out, out, out, [], [], [], {})

    return fake


@pytest.mark.parametrize(("extra", "plain"), [([], True), (["--quiet"], False)])
def test_cli_plain_lines_when_not_a_terminal_and_nothing_when_quiet(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    plain: bool,
) -> None:
    import shutil

    import arviointi.pipeline.run as run

    fixtures = Path(__file__).parents[1] / "fixtures"
    shutil.copytree(fixtures / "params", tmp_path / "params")
    monkeypatch.chdir(tmp_path)
    seen: dict[str, Any] = {}
    monkeypatch.setattr(run, "run_evaluation", _fake_run(tmp_path, seen))
    assert cli.main(["run", "good", *extra]) == 0
    err = capsys.readouterr().err
    if plain:
        assert isinstance(seen["progress"], PlainLog)
        assert err.splitlines() == [err.splitlines()[0]] and "validating ..." in err
    else:
        assert seen["progress"] is None and err == ""


def test_did_leave_one_out_reports_each_refit(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from arviointi.did.model import did
    from arviointi.did.simulation import simulate_panel

    monkeypatch.setattr(progress, "MIN_INTERVAL_S", 0.0)
    panel = simulate_panel(np.random.default_rng(9), n_control=4, n_pre=20, n_post=6, rho=0.5)
    result = did(panel, "y", unit="unit", time="period", treatment="treated")
    heard = Recorder()
    with progress.listening(heard):
        loo = result.leave_one_out()
    assert len(loo) == 4
    assert heard.calls == [("leave one out", i, 4) for i in range(5)]


def test_notebook_listener_updates_one_line_per_task(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display

    shown: list[str] = []

    class Handle:
        def update(self, bundle: dict[str, str], raw: bool) -> None:
            shown.append(bundle["text/plain"])

    def fake_display(bundle: dict[str, str], raw: bool, display_id: bool) -> Handle:
        assert raw and display_id
        shown.append("new: " + bundle["text/plain"])
        return Handle()

    monkeypatch.setattr(IPython.display, "display", fake_display)
    listener = progress.NotebookListener()
    listener("placebos", 0, 4)
    listener("placebos", 2, 4)
    listener("bootstrap", 1, None)
    assert shown == [
        "new: .................... placebos: 0/4",
        "##########.......... placebos: 2/4",
        "new: bootstrap: 1",
    ]
