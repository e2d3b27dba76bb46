"""What the section tests share: the small evaluations they open and the collection of the
bundles a section's ``emit_*`` function displays (report content and records)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from arviointi.report.emitter import Emitter
from arviointi.report.mime import RECORD_MIME, REPORT_MIME
from arviointi.sections.context import EvaluationContext

PARAMS_FIXTURES = Path(__file__).parent / "fixtures" / "params"
#: the small synthetic Varissuo evaluation
SMALL = PARAMS_FIXTURES / "sections_clients.yaml"
#: the Tampere evaluation, which has no client-level data
TAMPERE = PARAMS_FIXTURES / "sections_clients_tampere.yaml"
#: person ids of the synthetic generator (P00000, C00001, ...)
PERSON_ID = re.compile(r"\b[PC]\d{5}\b")


def collect(ctx: EvaluationContext) -> tuple[Emitter, list[dict[str, Any]]]:
    """An emitter in Finnish and English whose displayed bundles land in the returned list."""
    bundles: list[dict[str, Any]] = []
    em = Emitter(ctx.params, languages=("fi", "en"), display=lambda b, raw=True: bundles.append(b))
    return em, bundles


def records(bundles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results records among the bundles."""
    return [b[RECORD_MIME]["record"] for b in bundles if RECORD_MIME in b]


def report_html(bundles: list[dict[str, Any]]) -> str:
    """The report HTML of the bundles, every language, one piece a line."""
    return "\n".join(
        h for b in bundles if REPORT_MIME in b for h in b[REPORT_MIME]["html"].values()
    )
