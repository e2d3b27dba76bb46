"""Collect the results records that executed notebooks displayed, and write results.json.

A notebook records an estimate by displaying a bundle with MIME type ``RECORD_MIME`` holding
``{"record": {...}}`` (``Emitter.record`` does this). Records keep the order of the
notebooks in the parameters and, within a notebook, the order they were displayed in; the
JSON is written with sorted keys and no timestamps, so the same run gives the same bytes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import nbformat

from arviointi.errors import PipelineError
from arviointi.report.mime import RECORD_MIME

REQUIRED_FIELDS = (
    "section",
    "outcome",
    "model",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "pvalue",
    "inference",
    "n",
    "true_effect",
)
SECTIONS = ("employment", "costs", "wellbeing", "organisation")


def _check(record: Any, where: str, synthetic: bool) -> list[str]:
    if not isinstance(record, dict):
        return [f"{where}: a record must be a mapping, got {type(record).__name__}"]
    problems = [f"{where}: missing field '{key}'" for key in REQUIRED_FIELDS if key not in record]
    section = record.get("section")
    if "section" in record and section not in SECTIONS:
        problems.append(f"{where}: section {section!r} is not one of {', '.join(SECTIONS)}")
    if not synthetic and record.get("true_effect") is not None:
        problems.append(f"{where}: true_effect must be null, the data are not synthetic")
    for key, value in record.items():
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{where}: field '{key}' is {value} (write null instead)")
    return problems


def collect_records(notebook: Path, name: str, *, synthetic: bool) -> list[dict[str, Any]]:
    """The records displayed by one executed notebook, each with ``notebook`` added."""
    executed = nbformat.read(notebook, as_version=4)
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    number = 0
    for cell in executed.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags or "papermill-error-cell-tag" in tags:
            continue
        number += 1
        for output in cell.get("outputs", []):
            bundle = output.get("data", {}).get(RECORD_MIME)
            if bundle is None:
                continue
            where = f"notebook {name}.ipynb, cell {number}"
            record = bundle.get("record") if isinstance(bundle, dict) else None
            found = _check(record, where, synthetic)
            problems += found
            if not found and isinstance(record, dict):
                records.append({**record, "notebook": name})
    if problems:
        raise PipelineError("invalid results records:\n  - " + "\n  - ".join(problems))
    return records


def results_document(
    records: list[dict[str, Any]],
    *,
    evaluation_id: str,
    checkpoint: str | None,
    as_of: str | None,
    synthetic: bool,
    seed: int,
) -> dict[str, Any]:
    """The content of results.json: run identity (no timestamps) and the records."""
    return {
        "evaluation": evaluation_id,
        "checkpoint": checkpoint,
        "as_of": as_of,
        "synthetic": synthetic,
        "seed": seed,
        "records": records,
    }


def dump_json(document: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, fixed indentation, UTF-8, final newline."""
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")
