"""Fixtures shared by several test modules (each opened or built once per test module), and
the tier markers: every test carries the marker of its folder (unit, sections, e2e; see
tests/README.md), so ``pytest -m unit`` runs one tier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from arviointi.sections import open_evaluation
from arviointi.sections.context import EvaluationContext
from report_demo import report_demo
from results_contract import results_files_problems
from section_bundles import SMALL

TIERS = ("unit", "sections", "e2e")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        tier = Path(str(item.path)).parent.name
        if tier not in TIERS:
            raise pytest.UsageError(
                f"{item.path}: a test module belongs in one tier folder: tests/{'|'.join(TIERS)}/"
            )
        item.add_marker(getattr(pytest.mark, tier))


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
