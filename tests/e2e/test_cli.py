"""CLI: exit codes, messages without tracebacks (unless --debug), list, validate, version."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import arviointi
from arviointi import cli
from arviointi.errors import PipelineError

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory (params/, notebooks/) as the working directory."""
    shutil.copytree(FIXTURES / "params", tmp_path / "params")
    shutil.copytree(FIXTURES / "notebooks", tmp_path / "notebooks")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_validate_ok_and_by_id(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", "params/good.yaml"]) == 0
    assert cli.main(["validate", "good", "--no-data"]) == 0
    out = capsys.readouterr().out
    assert "ok: params/good.yaml (fixture-eval; parameters and 1 source(s))" in out
    assert "parameters only" in out


def test_validate_broken_lists_every_problem_without_traceback(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["validate", "params/broken.yaml"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("error: params/broken.yaml: 7 problem(s)")
    assert "did you mean 'title'" in err and "'Varisuo' is not in the data" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "code", "expected"),
    [
        (["validate", "params/not_yaml.yaml"], 4, "not valid YAML"),
        (["run", "nosuch"], 4, "no evaluation with this id"),
        (["run", "goood"], 4, "did you mean 'good'"),
        (["validate", "good", "--as-of", "2099-01"], 4, "after the experiment ends"),
    ],
)
def test_errors_exit_non_zero_with_a_message(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, expected: str
) -> None:
    assert cli.main(argv) == code
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_every_params_file_is_reported_and_the_first_code_returned(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["validate", "params/not_yaml.yaml", "params/broken.yaml", "good", "--no-data"]
    assert cli.main(argv) == 4
    captured = capsys.readouterr()
    assert captured.err.count("error: ") == 2
    assert "params/not_yaml.yaml" in captured.err and "params/broken.yaml" in captured.err
    assert "ok: params/good.yaml" in captured.out


def test_pipeline_error_exit_code_and_debug_traceback(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import arviointi.pipeline.run as run

    def failing(*args: object, **kwargs: object) -> None:
        raise PipelineError("notebook fails.ipynb, cell 3: ValueError: boom")

    monkeypatch.setattr(run, "run_evaluation", failing)
    assert cli.main(["run", "good"]) == PipelineError.exit_code
    err = capsys.readouterr().err
    assert "notebook fails.ipynb, cell 3: ValueError: boom" in err and "Traceback" not in err
    assert cli.main(["run", "good", "--debug"]) == PipelineError.exit_code
    assert "Traceback" in capsys.readouterr().err


def test_internal_error_hides_traceback_unless_debug(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import arviointi.pipeline.run as run

    def buggy(*args: object, **kwargs: object) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(run, "run_evaluation", buggy)
    assert cli.main(["run", "good"]) == 1
    err = capsys.readouterr().err
    assert "internal error: KeyError" in err and "--debug" in err and "Traceback" not in err
    assert cli.main(["--debug", "run", "good"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_run_passes_options_through(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import arviointi.pipeline.run as run

    seen: dict[str, object] = {}

    def fake(path: Path, **kwargs: object) -> run.RunResult:
        seen.update(kwargs, path=path)
        out = project / "out" / "fixture-eval--startup"
        return run.RunResult(
            "fixture-eval",
            "fixture-eval--startup",
            out,
            out / "results.json",
            out / "manifest.json",
            [out / "report-fi.html"],
            [],
            [],
            {},
        )

    monkeypatch.setattr(run, "run_evaluation", fake)
    argv = ["run", "good", "--as-of", "startup", "--jobs", "1", "--no-cache", "--output", "out"]
    assert cli.main(argv) == 0
    assert seen["path"] == Path("params/good.yaml")
    assert seen["as_of"] == "startup" and seen["jobs"] == 1 and seen["use_cache"] is False
    assert seen["output_root"] == Path("out")
    assert "fixture-eval--startup" in capsys.readouterr().out


def test_list_shows_ids_titles_checkpoints_and_invalid_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "fixture-eval\tTestiarviointi\t[startup 2013-06, maturity 2014-09, final 2015-12]" in out
    # list checks the parameters only (6 problems), not the data (7 with the area check)
    assert (
        "fixture-eval\t\t[startup 2013-06]\tINVALID (6 problem(s); see: arviointi validate" in out
    )
    assert "not_yaml\t\t[no checkpoints]\tINVALID (1 problem(s)" in out
    assert "hostile-eval\t" in out


def test_version_and_module_entry_point(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"arviointi {arviointi.__version__}"
    done = subprocess.run(
        [sys.executable, "-m", "arviointi", "validate", "params/not_yaml.yaml"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 4
    assert "not valid YAML" in done.stderr and "Traceback" not in done.stderr
