"""A run killed part way (SIGTERM or SIGKILL) loses nothing and leaves nothing running.

The run executes a fixture notebook that sleeps (tests/fixtures/notebooks/sleeps.ipynb) in
a real ``arviointi run`` process; once the notebook is running the process is killed. The
last good report must be byte for byte unchanged, no worker or kernel may outlive the
run, and what a SIGKILL left behind is removed by the next run (its lock recovery).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from test_publish_safety import make_project, snapshot

from arviointi.pipeline import atomic, lock

pytestmark = pytest.mark.slow


def processes_with(token: str) -> list[int]:
    """Pids of live processes whose environment holds ``token`` (the run and its children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(") ")[-1][:1]
        except OSError:
            continue
        if token.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def start_killable_run(tmp_path: Path, jobs: int) -> tuple[subprocess.Popen[str], str, Path]:
    params = make_project(
        tmp_path, **{"notebooks: [emit_records, echo_params]": "notebooks: [emit_records, sleeps]"}
    )
    final = tmp_path / "reports" / "fixture-eval"
    final.mkdir(parents=True)
    (final / "results.json").write_text("last good", encoding="utf-8")
    atomic.write_marker(final, "fixture-eval")
    token = f"arviointi-kill-test-{uuid.uuid4().hex}"
    env = {**os.environ, "ARVIOINTI_KILL_TEST": token}
    src = str(Path(__file__).parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "arviointi", "run", str(params), "--jobs", str(jobs)]
    proc = subprocess.Popen(
        [*command, "--no-cache"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 300
    while not list((tmp_path / "reports").glob(".tmp-fixture-eval-*/sleeping")):
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the sleeping notebook never started"
        time.sleep(0.5)
    return proc, token, final


def wait_gone(token: str, seconds: float = 30) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := processes_with(token)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


@pytest.mark.parametrize("jobs", [1, 2])
def test_sigterm_cleans_up_and_keeps_the_last_report(tmp_path: Path, jobs: int) -> None:
    proc, token, final = start_killable_run(tmp_path, jobs)
    before = snapshot(final)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert "terminated: nothing was published; the last good report is unchanged" in err
    assert "Traceback" not in err
    assert wait_gone(token) == []
    assert snapshot(final) == before
    assert sorted(p.name for p in final.parent.iterdir()) == ["fixture-eval"]


def test_sigkill_leaves_nothing_running_and_the_next_run_recovers(tmp_path: Path) -> None:
    proc, token, final = start_killable_run(tmp_path, 2)
    before = snapshot(final)
    proc.kill()
    proc.communicate(timeout=60)
    assert wait_gone(token) == []  # workers die with the run, kernels with their worker
    assert snapshot(final) == before
    left = [p.name for p in final.parent.iterdir() if p.name.startswith(".tmp-")]
    assert len(left) == 1
    # what the next run does first, holding the lock (which the kill released)
    with lock.run_lock(final.parent, "fixture-eval") as notes:
        assert notes == [f"removed 1 folder(s) left behind by a killed run in {final.parent}"]
    assert sorted(p.name for p in final.parent.iterdir()) == ["fixture-eval"]
    assert snapshot(final) == before
