"""Publishing never loses data: marker files, the run lock, recovery after a kill, disk errors.

A run only replaces ``<output>/<run id>/`` when arviointi wrote it (marker file); a second
run of the same evaluation at once is refused; what a killed run left behind is cleaned up
by the next run; a read-only or full output folder is a clear ``PipelineError``.
These checks run before any notebook, so they need no kernel.
"""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from arviointi.errors import ParamsError, PipelineError
from arviointi.params import load_params
from arviointi.pipeline import atomic, lock, run_evaluation

FIXTURES = Path(__file__).parents[1] / "fixtures"


def make_project(tmp_path: Path, **replace: str) -> Path:
    (tmp_path / "params").mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "params" / "area_panel.csv", tmp_path / "params" / "area_panel.csv")
    shutil.copytree(FIXTURES / "notebooks", tmp_path / "notebooks", dirs_exist_ok=True)
    text = (FIXTURES / "params" / "good.yaml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    target = tmp_path / "params" / "good.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def foreign_folder(path: Path) -> dict[str, bytes]:
    """A folder arviointi did not write (like the project's docs/)."""
    (path / "sub").mkdir(parents=True)
    (path / "README.md").write_text("precious", encoding="utf-8")
    (path / "sub" / "notes.txt").write_text("more", encoding="utf-8")
    return snapshot(path)


def test_output_dot_with_id_docs_does_not_touch_docs(tmp_path: Path) -> None:
    params = make_project(tmp_path, **{"id: fixture-eval": "id: docs"})
    before = foreign_folder(tmp_path / "docs")
    with pytest.raises(PipelineError) as excinfo:
        run_evaluation(params, output_root=tmp_path, jobs=1)
    message = str(excinfo.value)
    assert f"{tmp_path / 'docs'} is a folder that arviointi did not write" in message
    assert "no .arviointi-report marker" in message and "nothing was changed" in message
    assert snapshot(tmp_path / "docs") == before
    # nothing left behind but the project's own cache (validation, notebooks)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != ".cache"]


def test_report_output_dir_naming_a_foreign_folder_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    params = make_project(
        tmp_path, **{"seed: 20130101": f"seed: 20130101\nreport: {{output_dir: {elsewhere}}}"}
    )
    before = foreign_folder(elsewhere / "fixture-eval")
    with pytest.raises(PipelineError, match="arviointi did not write"):
        run_evaluation(params, jobs=1)
    assert snapshot(elsewhere / "fixture-eval") == before
    # a file in the way is refused the same way
    shutil.rmtree(elsewhere / "fixture-eval")
    (elsewhere / "fixture-eval").write_text("a file", encoding="utf-8")
    with pytest.raises(PipelineError, match="is a file or link that arviointi did not write"):
        run_evaluation(params, jobs=1)
    assert (elsewhere / "fixture-eval").read_text(encoding="utf-8") == "a file"


@pytest.mark.parametrize("bad_id", ["../docs", "a/b", "two words", "/abs", "x\\y", "."])
def test_ids_with_separators_or_spaces_are_refused_at_validation(
    tmp_path: Path, bad_id: str
) -> None:
    params = make_project(tmp_path, **{"id: fixture-eval": f"id: {json.dumps(bad_id)}"})
    with pytest.raises(ParamsError) as excinfo:
        load_params(params)
    assert "id (line 2)" in str(excinfo.value)


def test_publish_and_keep_failed_refuse_foreign_folders(tmp_path: Path) -> None:
    final = tmp_path / "reports" / "x"
    before = foreign_folder(final)
    temporary = atomic.temporary_run_dir(tmp_path / "reports", "x")
    with pytest.raises(PipelineError, match="did not write"):
        atomic.publish(temporary, final)
    with pytest.raises(PipelineError, match="did not write"):
        atomic.keep_failed(final, [], "boom")
    assert snapshot(final) == before
    # a marker naming another run does not count either
    (final / atomic.MARKER).write_text('{"written_by": "arviointi", "run_id": "y"}')
    assert not atomic.is_ours(final)
    # a report published before markers existed (manifest and results of this run) does
    (final / atomic.MARKER).unlink()
    (final / "manifest.json").write_text('{"run_id": "x"}')
    (final / "results.json").write_text("{}")
    atomic.publish(temporary, final)
    assert sorted(p.name for p in final.iterdir()) == [atomic.MARKER]


def test_error_txt_holds_the_traceback(tmp_path: Path) -> None:
    notebook = tmp_path / "nb.ipynb"
    error = {
        "output_type": "error",
        "ename": "ValueError",
        "evalue": "boom",
        "traceback": ["\x1b[0;31mTraceback (most recent call last)\x1b[0m", "  line 3", "boom"],
    }
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": [error]}]}))
    failed = atomic.keep_failed(tmp_path / "reports" / "x", [notebook], "nb failed")
    text = (failed / "error.txt").read_text(encoding="utf-8")
    assert text.startswith("nb failed\n\nTraceback in nb.ipynb:\n")
    assert "Traceback (most recent call last)\n  line 3\nboom" in text and "\x1b" not in text


def test_a_second_run_of_the_same_evaluation_is_refused(tmp_path: Path) -> None:
    params = make_project(tmp_path)
    reports = tmp_path / "reports"
    holder = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from arviointi.pipeline.lock import run_lock
        with run_lock(Path({str(reports)!r}), "fixture-eval"):
            print("locked", flush=True)
            time.sleep(60)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
            with pytest.raises(PipelineError) as excinfo:
                run_evaluation(params, jobs=1)
            message = str(excinfo.value)
            assert "another run of this evaluation is writing to" in message
            assert f"(pid {proc.pid}, started " in message and "Nothing was changed" in message
            # a different evaluation id (a checkpoint run) has its own lock
            with lock.run_lock(reports, "fixture-eval--maturity"):
                pass
        finally:
            proc.kill()  # SIGKILL: the operating system releases the lock
            proc.wait()
    with lock.run_lock(reports, "fixture-eval") as notes:
        assert notes == []
    assert not list(reports.iterdir())  # the lock file goes with the run


def test_recovery_after_a_kill_restores_and_cleans(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    root.mkdir()
    # killed between the two renames of publish: the report is aside, the new one in .tmp
    aside = root / ".old-x-0123abcd"
    aside.mkdir()
    (aside / "results.json").write_text("last good")
    atomic.write_marker(aside, "x")
    stale = root / ".tmp-x-89abcdef"
    stale.mkdir()
    (stale / "half.html").write_text("half")
    other = root / ".tmp-x--maturity-89abcdef"  # another run id's folder: not ours to clean
    other.mkdir()
    with lock.run_lock(root, "x") as notes:
        assert notes == [
            f"restored the last good report {root / 'x'} left aside by a killed run",
            f"removed 1 folder(s) left behind by a killed run in {root}",
        ]
    assert (root / "x" / "results.json").read_text() == "last good"
    assert sorted(p.name for p in root.iterdir()) == [".tmp-x--maturity-89abcdef", "x"]
    (root / "x" / ".failed-0123abcd").mkdir()
    with lock.run_lock(root, "x") as notes:
        assert notes == []
    assert not (root / "x" / ".failed-0123abcd").exists()


@pytest.mark.parametrize(
    ("code", "cause"),
    [
        (errno.EACCES, "permission denied: the folder is not writable for this user"),
        (errno.EROFS, "the folder is on a read-only file system"),
        (errno.ENOSPC, "the disk is full (no space left on the device)"),
    ],
)
def test_unwritable_or_full_output_folder_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, cause: str
) -> None:
    # the tests run as root, which ignores permissions: the OS error is simulated
    params = make_project(tmp_path)
    final = tmp_path / "reports" / "fixture-eval"
    final.mkdir(parents=True)
    (final / "results.json").write_text("last good")
    atomic.write_marker(final, "fixture-eval")
    before = snapshot(final)
    target = str(tmp_path / "reports" / ".tmp-fixture-eval-0")

    def refuse(root: Path, run_id: str) -> Path:
        raise OSError(code, "simulated", target)

    monkeypatch.setattr(atomic, "temporary_run_dir", refuse)
    with pytest.raises(PipelineError) as excinfo:
        run_evaluation(params, jobs=1)
    message = str(excinfo.value)
    assert f"fixture-eval: writing the report into {tmp_path / 'reports'} failed" in message
    assert f"({target}): {cause}; the last good report in {final} is unchanged" in message
    assert snapshot(final) == before
