"""The fault catalogue: each case is one thing a careless or hostile user can do.

Every case starts from tests/fixtures/robustness/base.yaml in a temporary project (as in
tests/test_bad_inputs_cli.py), changes one thing (a params value, or a data file written
here) and runs ``arviointi validate`` and ``arviointi run`` through the CLI. Each must exit
with the expected code, print no traceback, name where the problem is (file, key path or
column, row) and what was expected, and leave the last good report byte for byte.
docs/reliability.md lists the cases, what the user sees and the test that checks them.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from test_bad_inputs_cli import PANEL_SOURCE, ROBUST, Project, cli_error, make_project, source

PANEL = (ROBUST / "panel.csv").read_bytes()


def excel_source(data: str) -> dict[str, str]:
    return {PANEL_SOURCE: f"    path: data/{data}\n    format: excel\n"}


def panel_text(edit: Callable[[list[str]], list[str]]) -> bytes:
    """panel.csv (header + 96 rows) with its lines edited."""
    lines = PANEL.decode("utf-8").splitlines()
    return ("\n".join(edit(lines)) + "\n").encode("utf-8")


def replace_line(number: int, text: str) -> Callable[[list[str]], list[str]]:
    """Replace physical line ``number`` (1-based; 1 = header)."""

    def edit(lines: list[str]) -> list[str]:
        return [*lines[: number - 1], text, *lines[number:]]

    return edit


def truncated_gzip() -> bytes:
    packed = gzip.compress(PANEL * 20)
    return packed[: len(packed) // 2]


def damaged_gzip() -> bytes:
    packed = bytearray(gzip.compress(PANEL * 20))
    packed[len(packed) // 2 : len(packed) // 2 + 40] = b"\x00" * 40
    return bytes(packed)


def excel_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


@dataclass(frozen=True)
class Case:
    """One fault: what to change, which files to write and what the message must say."""

    name: str
    replace: dict[str, str]
    expected: tuple[str, ...]
    files: dict[str, Callable[[], bytes]] = field(default_factory=dict)
    code: int = 4
    commands: tuple[str, ...] = ("validate", "run")


def bomb() -> str:
    text = 'x0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, 10):
        text += f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    return text


SEED = "seed: 20130101"
CASES = [
    # -- damaged files -------------------------------------------------------------------------
    Case(
        "truncated gzip CSV",
        source("panel.csv.gz", sep=";"),
        ("data/panel.csv.gz", "this file is damaged", "truncated or corrupted"),
        files={"panel.csv.gz": truncated_gzip},
    ),
    Case(
        "corrupted gzip CSV",
        source("panel.csv.gz", sep=";"),
        ("data/panel.csv.gz", "this file is damaged", "copy or download it again"),
        files={"panel.csv.gz": damaged_gzip},
    ),
    Case(
        "binary file as CSV",
        source("panel.csv", sep=";"),
        ("data/panel.csv", "binary data (NUL byte at byte offset", "expected a text file"),
        files={"panel.csv": lambda: b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4},
    ),
    Case(
        "a password file as CSV: its content is not echoed",
        source("panel.csv", sep=";"),
        (
            "data/panel.csv",
            "required column 'area' (area_panel) is missing",
            "1 header field(s) that do not look like column names (not shown)",
        ),
        files={"panel.csv": lambda: b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\n"},
    ),
    Case(
        "truncated Excel workbook",
        excel_source("panel.xlsx"),
        ("data/panel.xlsx", "not a readable Excel workbook", "expected .xlsx"),
        files={"panel.xlsx": lambda: excel_bytes(pd.read_csv(ROBUST / "panel.csv", sep=";"))[:300]},
    ),
    # -- parameters that would exhaust the parser -------------------------------------------
    Case(
        "YAML anchors expanding without bound",
        {SEED: SEED + "\n" + bomb()},
        ("params/robust-eval.yaml", "expands to more than 200,000 values", "YAML aliases"),
    ),
    Case(
        "5000-deep YAML nesting",
        {SEED: SEED + "\ndeep: " + "[" * 5000 + "]" * 5000},
        ("params/robust-eval.yaml", "line 35: nested more than 32 levels deep"),
    ),
    Case(
        "a 57 MB params file of junk keys",
        {SEED: SEED + "\n" + "".join(f"junk{i}: {i}\n" for i in range(4_000_000))},
        ("params/robust-eval.yaml", "a parameters file is at most 1,000,000 bytes"),
    ),
    # -- silent wrong data ------------------------------------------------------------------
    Case(
        "a count of 1e23 (would overflow to a negative integer)",
        source("panel.csv", sep=";"),
        (
            "data/panel.csv",
            "line 3, column 'unemployed' (unemployed): expected a whole number below "
            "9,007,199,254,740,992",
            "found '1e23'",
        ),
        files={"panel.csv": lambda: panel_text(replace_line(3, "Varissuo;2012-02;1e23;7200"))},
    ),
    Case(
        "an infinite outcome",
        source("panel.csv", sep=";"),
        (
            "data/panel.csv",
            "line 3, column 'unemployed' (unemployed): expected a finite number",
            "'inf'",
        ),
        files={"panel.csv": lambda: panel_text(replace_line(3, "Varissuo;2012-02;inf;7200"))},
    ),
    Case(
        "NaN outcomes of design areas",
        source("panel.csv", sep=";"),
        (
            "data.panel (line 9)",
            "source 'panel': 2 missing 'unemployed' value(s) of the design areas in "
            "2012-01..2013-12: Varissuo 2012-02, Varissuo 2012-03",
            "expected a value for every design area and month",
        ),
        files={
            "panel.csv": lambda: panel_text(
                lambda lines: replace_line(4, "Varissuo;2012-03;NaN;7200")(
                    replace_line(3, "Varissuo;2012-02;;7200")(lines)
                )
            )
        },
    ),
    Case(
        "a gap in the months",
        source("panel.csv", sep=";"),
        (
            "data.panel (line 9)",
            "1 month(s) without a row for a design area in 2012-01..2013-12: Varissuo 2012-05",
            "a gap in the months",
        ),
        files={"panel.csv": lambda: panel_text(lambda lines: lines[:5] + lines[6:])},
    ),
    Case(
        "a constant outcome",
        source("panel.csv", sep=";"),
        ("data.panel (line 9)", "'unemployed' is 500 for every design area and month"),
        files={
            "panel.csv": lambda: panel_text(
                lambda lines: (
                    [lines[0]]
                    + [";".join([*r.split(";")[:2], "500", r.split(";")[3]]) for r in lines[1:]]
                )
            )
        },
    ),
    Case(
        "one area spelled twice ('Varissuo' and 'varissuo')",
        source("panel.csv", sep=";"),
        (
            "data/panel.csv",
            "'Varissuo' (line 2) and 'varissuo' (line 98) differ only in letter case",
            "expected one spelling per area",
        ),
        files={"panel.csv": lambda: panel_text(lambda lines: [*lines, "varissuo;2014-01;1;9"])},
    ),
    Case(
        "duplicate (area, month) after reordering",
        source("panel.csv", sep=";"),
        ("data/panel.csv", "line 2 and line 98", "expected one row per (area, month)"),
        files={"panel.csv": lambda: panel_text(lambda lines: [*lines, lines[1]])},
    ),
    Case(
        "a positive event-study reference",
        {
            "did: {inference: permutation}": "did: {inference: permutation}\n  event_study: "
            "{reference: 2}"
        },
        ("models.event_study.reference (line 33)", "2"),
    ),
    Case(
        "id with a path separator",
        {"id: robust-eval": "id: ../docs"},
        ("id (line 3)", "'../docs'"),
    ),
    Case(
        "id with a space",
        {"id: robust-eval": "id: robust eval"},
        ("id (line 3)", "'robust eval'"),
    ),
]


def write_files(project: Project, files: dict[str, Callable[[], bytes]]) -> None:
    for name, make in files.items():
        (project.root / "data" / name).write_bytes(make())


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault_is_reported_and_the_last_report_kept(
    case: Case,
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if command not in case.commands:
        pytest.skip(f"{case.name}: only {case.commands}")
    project = make_project(tmp_path, case.replace)
    write_files(project, case.files)
    code, err = cli_error(project, command, capsys, monkeypatch)
    assert code == case.code, err
    for text in case.expected:
        assert text in err, f"{text!r} not in:\n{err}"
    assert len(err) < 4000, "the message should summarise"
