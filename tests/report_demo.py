"""The demo report of tests/fixtures/report/demo_report.py, loaded once as a module (the
render, PDF and browser tests build their report from it)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

DEMO = Path(__file__).parent / "fixtures" / "report" / "demo_report.py"


def report_demo() -> Any:
    """The demo report module (imported from its file on first use, then reused)."""
    name = "arviointi_report_demo_fixture"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, DEMO)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
