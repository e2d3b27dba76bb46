"""Fixtures shared by several test modules (each opened or built once per test module)."""

from __future__ import annotations

from typing import Any

import pytest

from arviointi.sections import open_evaluation
from arviointi.sections.context import EvaluationContext
from report_demo import report_demo
from results_contract import results_files_problems
from section_bundles import SMALL


@pytest.fixture(scope="session", autouse=True)
def results_json_follow_the_contract(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every results.json the tests' pipeline runs wrote follows schemas/results.schema.json."""
    yield
    problems = results_files_problems(tmp_path_factory.getbasetemp())
    assert not problems, "results.json breaks the record contract:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def ctx() -> EvaluationContext:
    """The small synthetic Varissuo evaluation (tests/fixtures/params/sections_clients.yaml)."""
    return open_evaluation(params_file=SMALL)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo report built into a temporary folder (HTML in Finnish and English)."""
    return report_demo().build(tmp_path_factory.mktemp("demo-report"))
