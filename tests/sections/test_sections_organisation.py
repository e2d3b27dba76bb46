"""Organisation section on the real Turku 2016 measures file: counts against its README,
overdue measures against a by-hand reading of the schedules, and the no-data branch."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from arviointi.report.mime import RECORD_MIME, REPORT_MIME
from arviointi.sections import open_evaluation, organisation
from arviointi.sections.context import EvaluationContext
from section_bundles import TAMPERE, collect

MEASURES = Path(__file__).parents[2] / "data" / "measures" / "turku_2016_measures.csv"


@pytest.fixture(scope="module")
def analysis(ctx: EvaluationContext) -> organisation.OrganisationAnalysis:
    return organisation.analyse_organisation(ctx)


def test_counts_match_the_readme(analysis: organisation.OrganisationAnalysis) -> None:
    # data/measures/README.md: 13 done, 33 under way, 2 postponed, 3 not done
    o = analysis.overall.iloc[0]
    assert (o["done"], o["under_way"], o["postponed"], o["not_done"], o["n"]) == (
        13,
        33,
        2,
        3,
        51,
    )
    assert o["share_done_pct"] == pytest.approx(100 * 13 / 51)
    assert int(analysis.by_theme["n"].sum()) == 51
    fig = analysis.figure
    assert fig["status"].value_counts().to_dict() == {
        "in_progress": 33,
        "done": 13,
        "not_started": 5,
    }


def test_overdue_by_hand(analysis: organisation.OrganisationAnalysis) -> None:
    """Status year 2016 (window ends 2015-12): overdue = latest year in the schedule
    < 2016, not open-ended, and not done. Read from the raw file with a plain regex."""
    assert analysis.status_year == 2016
    raw = pd.read_csv(MEASURES, keep_default_na=False)
    open_ended = re.compile(r"onwards|ongoing|continuous|alkaen|lähtien|jatkuva", re.I)
    expected = []
    for _, r in raw.iterrows():
        years = [int(y) for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", str(r["schedule"]))]
        if not years or open_ended.search(str(r["schedule"])):
            continue
        if max(years) < 2016 and r["status"] != "done":
            expected.append(int(r["measure_id"]))
    assert sorted(analysis.overdue["measure_id"].astype(int)) == sorted(expected)


def test_emitted_content(
    ctx: EvaluationContext, analysis: organisation.OrganisationAnalysis
) -> None:
    em, bundles = collect(ctx)
    organisation.emit_organisation(analysis, em)
    kinds = [b[REPORT_MIME]["kind"] for b in bundles if REPORT_MIME in b]
    assert kinds.count("table") == 2 and kinds.count("figure") == 1
    en = "\n".join(b[REPORT_MIME]["html"]["en"] for b in bundles if REPORT_MIME in b)
    fi = "\n".join(b[REPORT_MIME]["html"]["fi"] for b in bundles if REPORT_MIME in b)
    assert "Of the 51 measures, 13 were done" in en
    assert "Toimenpiteitä oli 51" in fi and "Maahanmuuttajat" in fi
    assert "Immigrants" in en and "immigrants" not in en.split("<svg")[0]


def test_no_measures_source_says_so() -> None:
    ctx = open_evaluation(params_file=TAMPERE)
    analysis = organisation.analyse_organisation(ctx)
    assert not analysis.available
    em, bundles = collect(ctx)
    organisation.emit_organisation(analysis, em)
    assert not any(RECORD_MIME in b for b in bundles)
    assert len(bundles) == 2  # heading and one sentence
    assert "no follow-up data" in bundles[1][REPORT_MIME]["html"]["en"]


@pytest.mark.parametrize("name", ["employment_clients", "costs", "wellbeing", "organisation"])
def test_notebooks_are_thin_and_stripped(name: str) -> None:
    import ast

    import nbformat

    path = Path(__file__).parents[2] / "notebooks" / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown"
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assigned = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(params[0].source).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert assigned == {
        "params": {},
        "run_dir": "",
        "as_of": None,
        "params_file": "params/varissuo.yaml",
    }
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            )
