"""The bad-input catalogue as the user meets it: ``arviointi validate`` and ``arviointi run``.

Each case copies tests/fixtures/robustness/base.yaml (a valid evaluation on panel.csv) into
a temporary project, changes one thing (a broken data file from
tests/fixtures/robustness/cli/, see its README, or one params value) and runs the CLI.
Each must exit non-zero, print no traceback, name the file and the row/column or params
key and what was expected, and leave an existing ``reports/robust-eval/`` byte for byte.
The data layer's own catalogue (every reader problem in detail) is tests/unit/test_bad_inputs.py;
here the point is that the same problems reach the user through params and the CLI.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from arviointi import cli

ROBUST = Path(__file__).parents[1] / "fixtures" / "robustness"
BAD = ROBUST / "cli"
NOTEBOOKS = Path(__file__).parents[1] / "fixtures" / "notebooks"
BASE = (ROBUST / "base.yaml").read_text(encoding="utf-8")
PROGRESS = re.compile(r"^\[\s*\d+\.\d s\] ")
PANEL_SOURCE = '    path: data/panel.csv\n    format: csv\n    sep: ";"\n'


@dataclass
class Project:
    root: Path
    params: Path
    report: Path
    before: dict[str, bytes] = field(default_factory=dict)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def make_project(tmp_path: Path, replace: dict[str, str], data: str | None = None) -> Project:
    """params/robust-eval.yaml with ``replace`` applied; data/ holds panel.csv and ``data``."""
    (tmp_path / "params").mkdir()
    (tmp_path / "data").mkdir()
    shutil.copy(ROBUST / "panel.csv", tmp_path / "data" / "panel.csv")
    if data is not None:
        shutil.copy(BAD / data, tmp_path / "data" / data)
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks")
    text = BASE
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    params = tmp_path / "params" / "robust-eval.yaml"
    params.write_text(text, encoding="utf-8")
    # the "last good report": any directory will do, its bytes must not change
    report = tmp_path / "reports" / "robust-eval"
    shutil.copytree(BAD, report)
    return Project(tmp_path, params, report, snapshot(report))


def source(data: str, **read: str) -> dict[str, str]:
    """Replace the panel source's path/format/sep by ``data`` with these read options."""
    fmt = "parquet" if data.endswith(".parquet") else "csv"
    lines = f"    path: data/{data}\n    format: {fmt}\n"
    lines += "".join(f'    {k}: "{v}"\n' for k, v in read.items())
    return {PANEL_SOURCE: lines}


def cli_error(
    project: Project,
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    target: str = "params/robust-eval.yaml",
) -> tuple[int, str]:
    monkeypatch.chdir(project.root)
    code = cli.main([command, target])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    # `run` reports progress ("[   0.0 s] validating ...") before the error
    err = "".join(
        line for line in captured.err.splitlines(keepends=True) if not PROGRESS.match(line)
    )
    assert err.startswith("error: "), captured.err
    assert snapshot(project.report) == project.before
    assert sorted(p.name for p in (project.root / "reports").iterdir()) == ["robust-eval"]
    return code, err


@dataclass(frozen=True)
class Case:
    """One bad input: what to change and what the message must say."""

    name: str
    replace: dict[str, str]
    expected: tuple[str, ...]
    data: str | None = None
    code: int = 4


CASES = [
    Case(
        "empty CSV",
        source("empty.csv", sep=";"),
        ("data.panel (line 9)", "data/empty.csv", "the file is empty (0 bytes)", "header line"),
        data="empty.csv",
    ),
    Case(
        "wrong delimiter",
        source("comma.csv", sep=";"),
        ("data/comma.csv", "line 1 has 1 field with sep=';'", "looks ','-separated (4 fields)"),
        data="comma.csv",
    ),
    Case(
        "wrong decimal mark",
        source("decimal_comma.csv", sep=";", decimal="."),
        (
            "data/decimal_comma.csv",
            "line 2, column 'unemployment_rate' holds '12,4'",
            "expected decimal points",
        ),
        data="decimal_comma.csv",
    ),
    Case(
        "wrong encoding",
        source("latin9.csv", sep=";", encoding="utf-8"),
        ("data/latin9.csv", "line 3: byte 0xe4", "ISO-8859-15"),
        data="latin9.csv",
    ),
    Case(
        "misspelled mapped column",
        {"unemployed: unemployed, labour": "unemploeyd: unemployed, labour"},
        (
            "data/panel.csv",
            "columns.unemploeyd: source column 'unemploeyd' is not in the file",
            "closest: 'unemployed'",
        ),
    ),
    Case(
        "missing column",
        {", labour_force: labour_force}": ", labour_force: labour_force, kela: kela_list}"},
        ("data/panel.csv", "columns.kela", "'kela' is not in the file"),
    ),
    Case(
        "duplicated (area, month) rows",
        source("duplicate.csv", sep=";"),
        ("data/duplicate.csv", "line 4 and line 8", "expected one row per (area, month)"),
        data="duplicate.csv",
    ),
    Case(
        "negative count",
        source("negative.csv", sep=";"),
        (
            "data/negative.csv",
            "line 4, column 'unemployed'",
            "expected a whole number >= 0; found -3",
        ),
        data="negative.csv",
    ),
    Case(
        "non-numeric count",
        source("non_numeric.csv", sep=";"),
        (
            "data/non_numeric.csv",
            "line 3, column 'unemployed'",
            "expected a whole number",
            "'n/a'",
            "line 5, column 'unemployed'",
        ),
        data="non_numeric.csv",
    ),
    Case(
        "rate over 100 %",
        source("rate_over_100.csv", sep=";"),
        (
            "data/rate_over_100.csv",
            "line 4, column 'unemployment_rate': expected a number in 0..100; found 126.9",
        ),
        data="rate_over_100.csv",
    ),
    Case(
        "date out of range",
        source("date_out_of_range.csv", sep=";"),
        ("data/date_out_of_range.csv", "line 4, column 'month'", "'1899-12'", "expected years"),
        data="date_out_of_range.csv",
    ),
    Case(
        "mixed date formats",
        source("mixed_dates.csv", sep=";"),
        (
            "data/mixed_dates.csv",
            "mixed date formats",
            "line 3: '2012M01'",
            "line 4: '1.1.2012'",
            "expected a single format",
        ),
        data="mixed_dates.csv",
    ),
    Case(
        "truncated CSV",
        source("truncated.csv", sep=";"),
        ("data/truncated.csv", "line 7: has 2 field(s)", "expected 4", "looks truncated"),
        data="truncated.csv",
    ),
    Case(
        "truncated Parquet",
        source("truncated.parquet"),
        ("data/truncated.parquet", "not a readable Parquet file", "truncated or corrupted"),
        data="truncated.parquet",
    ),
    Case(
        "corrupted Parquet",
        source("corrupted.parquet"),
        ("data/corrupted.parquet", "not a readable Parquet file", "truncated or corrupted"),
        data="corrupted.parquet",
    ),
    Case(
        "pilot area absent from the data",
        {"pilot_areas: [Varissuo]": "pilot_areas: [Varisuo]"},
        ("design.pilot_areas[0] (line 17)", "area 'Varisuo' is not in the data", "'Varissuo'"),
    ),
    Case(
        "comparison area absent from the data",
        {"areas: [Runosmäki, Halinen, Lauste]": "areas: [Runosmaki, Halinen, Lauste]"},
        ("design.comparison.areas[0] (line 19)", "'Runosmaki' is not in the data", "'Runosmäki'"),
    ),
    Case(
        "empty comparison list",
        {"areas: [Runosmäki, Halinen, Lauste]": "areas: []"},
        ("design.comparison (line 18)", "give the comparison areas as 'areas: [...]'"),
    ),
    Case(
        "comparison rule that excludes everything",
        {
            "areas: [Runosmäki, Halinen, Lauste]": (
                "rule: {all_other_areas: true}\n"
                "    exclude: [Runosmäki, Halinen, Lauste]\n"
                "    reason: every other district"
            )
        },
        ("design.comparison (line 18)", "the rule leaves no comparison area in source 'panel'"),
    ),
    Case(
        "no pre-period (pilot starts before any data)",
        {
            "start: 2012-01": "start: 2011-01",
            "pilot_start: 2013-01": "pilot_start: 2011-06",
            "pre_window: [2012-01, 2012-12]": "pre_window: [2011-01, 2011-05]",
            "post_window: [2013-01, 2013-12]": "post_window: [2011-06, 2013-12]",
        },
        (
            "design.pre_window (line 23)",
            "no 'unemployed' value of the pilot area(s) in the pre window 2011-01..2011-05",
            "its months run 2012-01..2013-12",
            "expected data before the pilot start",
        ),
    ),
    Case(
        "no pre-period, outcome without a source",
        {
            "start: 2012-01": "start: 2011-01",
            "pilot_start: 2013-01": "pilot_start: 2011-06",
            "pre_window: [2012-01, 2012-12]": "pre_window: [2011-01, 2011-05]",
            "post_window: [2013-01, 2013-12]": "post_window: [2011-06, 2013-12]",
            "    source: panel\n": "",
        },
        ("design.pre_window (line 23)", "source 'panel' has no 'unemployed' value"),
    ),
    Case(
        "all-missing outcome",
        source("all_missing.csv", sep=";"),
        ("data/all_missing.csv", "column 'unemployed'", "all 4 values are missing"),
        data="all_missing.csv",
    ),
    Case(
        "params typo",
        {"disclosure:": "disclosre:"},
        ("disclosre (line 33)", "unknown key 'disclosre'", "did you mean 'disclosure'"),
    ),
    Case(
        "params wrong type",
        {"seed: 20130101": "seed: twenty"},
        ("seed (line 34)", "expected a whole number, got 'twenty' (text)"),
    ),
    Case(
        "params impossible month",
        {"pilot_start: 2013-01": "pilot_start: 2013-13"},
        ("design.pilot_start (line 21)", "'2013-13' is not a real month", "01..12"),
    ),
    Case(
        "params not YAML",
        {"title: {fi: Robustisuustesti, en: Robustness test}": "title: {fi: [Robustisuustesti"},
        ("params/robust-eval.yaml", "line 5, column 8: not valid YAML", "expected ',' or ']'"),
    ),
]


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_reported_by_the_cli(
    case: Case,
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project(tmp_path, case.replace, case.data)
    code, err = cli_error(project, command, capsys, monkeypatch)
    assert code == case.code
    assert err.startswith("error: params/robust-eval.yaml: "), err
    for text in case.expected:
        assert text in err, f"{text!r} not in:\n{err}"


def test_the_base_evaluation_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # guards the catalogue: each case fails because of its one change, not the base
    project = make_project(tmp_path, {})
    monkeypatch.chdir(project.root)
    assert cli.main(["validate", "params/robust-eval.yaml"]) == 0
    assert "ok: params/robust-eval.yaml (robust-eval; parameters and 1 source(s))" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize("command", ["validate", "run"])
def test_unknown_evaluation_id(
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project(tmp_path, {})
    code, err = cli_error(project, command, capsys, monkeypatch, target="no-such-id")
    assert code == 4
    assert "error: no-such-id: " in err
    assert "no evaluation with this id (known ids: robust-eval)" in err


def test_debug_keeps_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path, source("empty.csv", sep=";"), "empty.csv")
    monkeypatch.chdir(project.root)
    assert cli.main(["validate", "params/robust-eval.yaml", "--debug"]) == 4
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "ParamsError" in err


def test_console_script_exit_code_and_stderr(tmp_path: Path) -> None:
    # the same at process level, as a shell or a CI job sees it
    project = make_project(tmp_path, source("corrupted.parquet"), "corrupted.parquet")
    done = subprocess.run(
        [sys.executable, "-m", "arviointi", "run", "params/robust-eval.yaml"],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 4
    assert done.stdout == ""
    assert PROGRESS.match(done.stderr)  # "[   0.0 s] validating ..."
    assert "\nerror: params/robust-eval.yaml: 1 problem(s)" in done.stderr
    assert "data/corrupted.parquet" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(project.report) == project.before
