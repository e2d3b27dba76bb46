"""The fault catalogue: each case is one thing a careless or hostile user can do.

Every case starts from tests/fixtures/robustness/base.yaml in a temporary project (as in
tests/e2e/test_bad_inputs_cli.py), changes one thing (a params value, or a data file written
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
FORMATS_DIR = Path(__file__).parents[1] / "fixtures" / "formats"


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


def formula_workbook() -> bytes:
    """panel.csv as .xlsx with one formula cell whose value was never computed."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    rows = [line.split(";") for line in PANEL.decode("utf-8").splitlines()]
    sheet.append(rows[0])
    for i, row in enumerate(rows[1:]):
        count: object = f"=C{i + 1}+1" if i == 4 else int(row[2])
        sheet.append([row[0], row[1], count, int(row[3])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def base_params(edit: Callable[[str], bytes]) -> Callable[[], bytes]:
    return lambda: edit((ROBUST / "base.yaml").read_text(encoding="utf-8"))


def csv_source(extra: str = "") -> dict[str, str]:
    return {PANEL_SOURCE: PANEL_SOURCE + extra}


@dataclass(frozen=True)
class Case:
    """One fault: what to change, which files to write and what the message must say."""

    name: str
    replace: dict[str, str]
    expected: tuple[str, ...]
    files: dict[str, Callable[[], bytes]] = field(default_factory=dict)
    params: Callable[[], bytes] | None = None
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
    # -- more damaged or wrong files -----------------------------------------------------------
    Case(
        "Excel formula cells without saved values",
        excel_source("panel.xlsx"),
        (
            "data/panel.xlsx",
            "1 formula cell(s) without a saved value (sheet row 6, column 'unemployed': =C5+1)",
            "they would be read as missing",
        ),
        files={"panel.xlsx": formula_workbook},
    ),
    Case(
        "a NUL byte inside a CSV",
        csv_source(),
        ("data/panel.csv", "line 8: binary data (NUL byte at byte offset 200)"),
        files={"panel.csv": lambda: PANEL[:200] + b"\x00" + PANEL[200:]},
    ),
    Case(
        "a title line above the header",
        csv_source(),
        ("data/panel.csv", "line 1: the first line has 1 field", "may start with a title line"),
        files={"panel.csv": lambda: b"Tyottomat 2012\n" + PANEL},
    ),
    Case(
        "a header without data rows",
        csv_source(),
        ("data/panel.csv", "the file has a header (line 1) but no data rows"),
        files={"panel.csv": lambda: PANEL.split(b"\n")[0] + b"\n"},
    ),
    Case(
        "an unknown encoding name",
        csv_source("    encoding: klingon\n"),
        ("data/panel.csv", "unknown encoding 'klingon'", "expected e.g. 'utf-8'"),
    ),
    Case(
        "a data file that does not exist",
        {PANEL_SOURCE: "    path: data/nope.csv\n    format: csv\n"},
        ("data.panel.path (line 12)", "file not found", "data/nope.csv"),
    ),
    Case(
        "a folder without data files given as the data source",
        {PANEL_SOURCE: "    path: data\n    format: csv\n"},
        ("data.panel (line 9)", "the path or glob matches no Parquet or CSV files"),
    ),
    Case(
        "an unknown data format",
        {PANEL_SOURCE: "    path: data/panel.csv\n    format: xml\n"},
        ("data.panel.format (line 13)", "expected one of 'csv', 'excel'", "got 'xml'"),
    ),
    Case(
        "more unemployed than the labour force",
        csv_source(),
        (
            "data/panel.csv",
            "line 3, column 'unemployed' (unemployed) vs column 'labour_force'",
            "expected unemployed <= labour_force",
        ),
        files={"panel.csv": lambda: panel_text(replace_line(3, "Varissuo;2012-02;9020;7200"))},
    ),
    Case(
        "a negative labour force",
        csv_source(),
        (
            "data/panel.csv",
            "line 3, column 'labour_force' (labour_force): expected a whole number >= 0",
            "(a negative count)",
        ),
        files={"panel.csv": lambda: panel_text(replace_line(3, "Varissuo;2012-02;902;-7200"))},
    ),
    Case(
        "a column mapped to a name outside the schema",
        {"unemployed: unemployed, labour": "unemployed: unemployd, labour"},
        (
            "data/panel.csv",
            "columns.unemployed: maps to 'unemployd', which is not a column of the area_panel",
            "did you mean 'unemployed'",
        ),
    ),
    # -- designs the data cannot carry ---------------------------------------------------
    Case(
        "a single pre-period month",
        {
            "start: 2012-01": "start: 2012-12",
            "pre_window: [2012-01, 2012-12]": "pre_window: [2012-12, 2012-12]",
        },
        (
            "design.pre_window (line 23)",
            "has 1 month(s) of 'unemployed' of the pilot area(s) before the pilot start 2013-01",
            "need at least 4",
        ),
    ),
    Case(
        "a post window without data",
        {
            "end: 2013-12": "end: 2015-12",
            "pilot_start: 2013-01": "pilot_start: 2014-01",
            "pre_window: [2012-01, 2012-12]": "pre_window: [2012-01, 2013-12]",
            "post_window: [2013-01, 2013-12]": "post_window: [2014-01, 2015-12]",
        },
        (
            "design.post_window (line 24)",
            "no 'unemployed' value of the pilot area(s) from the pilot start 2014-01 to 2015-12",
        ),
    ),
    Case(
        "the pilot area also a comparison area",
        {"areas: [Runosmäki, Halinen, Lauste]": "areas: [Runosmäki, Halinen, Varissuo]"},
        ("design.comparison.areas[2] (line 19)", "'Varissuo' is a pilot area, not a comparison"),
    ),
    Case(
        "the pilot area as its only comparison",
        {"areas: [Runosmäki, Halinen, Lauste]": "areas: [Varissuo]"},
        ("design.comparison.areas[0] (line 19)", "'Varissuo' is a pilot area, not a comparison"),
    ),
    Case(
        "a pilot start after the post window starts",
        {"pilot_start: 2013-01": "pilot_start: 2013-05"},
        ("design.post_window (line 24)", "must start at or after the pilot start (2013-05)"),
    ),
    Case(
        "an unknown checkpoint as as_of",
        {"  start: 2012-01\n": "  start: 2012-01\n  as_of: someday\n"},
        ("design.as_of (line 21)", "'someday' is neither a checkpoint id", "nor a YYYY-MM month"),
    ),
    # -- parameters: unknown, missing and wrongly typed keys ------------------------------
    Case(
        "an unknown nested key",
        {"did: {inference: permutation}": "did: {inferenc: permutation}"},
        ("models.did.inferenc (line 32)", "unknown key 'inferenc'", "did you mean 'inference'"),
    ),
    Case(
        "a missing required key",
        {"  pilot_start: 2013-01\n": ""},
        ("design.pilot_start (line 16)", "required key is missing"),
    ),
    Case(
        "a text where a list is expected",
        {"pilot_areas: [Varissuo]": "pilot_areas: Varissuo"},
        ("design.pilot_areas (line 17)", "expected a list", "got 'Varissuo' (text)"),
    ),
    Case(
        "a text where a number is expected",
        {"disclosure: {threshold: 5}": "disclosure: {threshold: five}"},
        ("disclosure.threshold (line 33)", "expected a whole number, got 'five' (text)"),
    ),
    Case(
        "a disclosure threshold of 0",
        {"disclosure: {threshold: 5}": "disclosure: {threshold: 0}"},
        ("disclosure.threshold (line 33)", "greater than or equal to 1", "got 0"),
    ),
    Case(
        "an unknown report language",
        {"languages: [fi, en]": "languages: [fi, xx]"},
        ("languages[1] (line 6)", "expected one of 'fi' or 'en', got 'xx'"),
    ),
    Case(
        "an unknown notebook",
        {"notebooks: [echo_params]": "notebooks: [nope]"},
        ("notebooks[0] (line 35)", "no notebook nope.ipynb in"),
    ),
    Case(
        "a key given twice",
        {SEED: SEED + "\nseed: 1"},
        ("seed (line 35)", "duplicate key: 'seed' is already given on line 34"),
    ),
    Case(
        "a params file that is not UTF-8",
        {},
        ("params/robust-eval.yaml", "not UTF-8 text"),
        params=base_params(lambda text: text.replace("Robustisuustesti", "Työ").encode("latin-1")),
    ),
    Case(
        "an empty params file",
        {},
        ("params/robust-eval.yaml", "the file is empty: expected a YAML mapping of parameters"),
        params=lambda: b"",
    ),
    Case(
        "a params file that is a list",
        {},
        ("line 1: expected a YAML mapping (key: value lines) at the top level",),
        params=lambda: b"- a\n- b\n",
    ),
    Case(
        "a 100 000-character title",
        {
            "title: {fi: Robustisuustesti, en: Robustness test}": "title: {fi: "
            + "x" * 100_000
            + "}"
        },
        ("title.fi (line 4)", "at most 2000 characters"),
    ),
    Case(
        "3 000 unknown keys: listed up to 15, then counted",
        {SEED: SEED + "\n" + "".join(f"junk{i}: {i}\n" for i in range(3000))},
        ("3000 problem(s) in the parameters", "junk0 (line 35): unknown key", "... and 2985 more"),
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
    if case.params is not None:
        project.params.write_bytes(case.params())
    code, err = cli_error(project, command, capsys, monkeypatch)
    assert code == case.code, err
    for text in case.expected:
        assert text in err, f"{text!r} not in:\n{err}"
    assert len(err) < 4000, "the message should summarise"


def test_the_catalogue_has_at_least_40_cases() -> None:
    assert len(CASES) >= 40 and len({c.name for c in CASES}) == len(CASES)


def test_months_out_of_order_give_the_same_estimate(tmp_path: Path) -> None:
    # not a fault: rows in any order are the same data, and the estimators sort them
    from arviointi.data.sources import load_source
    from arviointi.did import did

    lines = PANEL.decode("utf-8").splitlines()
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    estimates = []
    for path in (ROBUST / "panel.csv", shuffled):
        spec = {"kind": "file", "schema": "area_panel", "path": str(path), "sep": ";"}
        frame = load_source(spec, base_dir=tmp_path)
        frame["treated"] = (
            (frame["area"] == "Varissuo") & (frame["month"] >= pd.Timestamp("2013-01-01"))
        ).astype(int)
        fit = did(frame, "unemployed", unit="area", time="month", treatment="treated")
        estimates.append((fit.estimate, fit.se))
    assert estimates[0] == pytest.approx(estimates[1], rel=1e-12)


def test_px_codepage_that_does_not_match_the_bytes_is_refused(tmp_path: Path) -> None:
    from arviointi.data.readers import read_table
    from arviointi.errors import InputError

    px = FORMATS_DIR / "statfin_atp_pxt_11n3.px"
    text = px.read_bytes().decode("iso-8859-15")
    wrong = tmp_path / "utf8_bytes.px"
    wrong.write_bytes(text.encode("utf-8"))  # CODEPAGE still says iso-8859-15
    with pytest.raises(InputError) as excinfo:
        read_table(wrong)
    message = str(excinfo.value)
    assert "CODEPAGE is 'iso-8859-15' but the file's bytes are UTF-8" in message
    assert "line 17" in message and "would be garbled" in message
    assert len(read_table(px)) > 0  # the file as published reads


def test_docs_reliability_lists_every_case() -> None:
    text = (Path(__file__).parents[2] / "docs" / "reliability.md").read_text(encoding="utf-8")
    missing = [c.name for c in CASES if f"| {c.name} |" not in text]
    assert not missing, f"add to docs/reliability.md: {missing}"
