"""Fixtures shared by several test modules (each opened or built once per test module)."""

from __future__ import annotations

from typing import Any

import pytest

from arviointi.sections import open_evaluation
from arviointi.sections.context import EvaluationContext
from report_demo import report_demo
from section_bundles import SMALL


@pytest.fixture(scope="module")
def ctx() -> EvaluationContext:
    """The small synthetic Varissuo evaluation (tests/fixtures/params/sections_clients.yaml)."""
    return open_evaluation(params_file=SMALL)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo report built into a temporary folder (HTML in Finnish and English)."""
    return report_demo().build(tmp_path_factory.mktemp("demo-report"))
