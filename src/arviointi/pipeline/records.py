"""Collect the results records that executed notebooks displayed, and write results.json.

A notebook records an estimate by displaying a bundle with MIME type ``RECORD_MIME`` holding
``{"record": {...}}`` (``Emitter.record`` does this). Records keep the order of the
notebooks in the parameters and, within a notebook, the order they were displayed in; the
JSON is written with sorted keys and no timestamps, so the same run gives the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat

from arviointi.errors import PipelineError
from arviointi.report.mime import RECORD_MIME
from arviointi.results.record import REQUIRED_FIELDS, ResultsDocument, record_problems
from arviointi.results.sections import ANALYSIS_SECTIONS as SECTIONS

__all__ = ["REQUIRED_FIELDS", "SECTIONS", "collect_records", "dump_json", "results_document"]


def _check(record: Any, where: str, synthetic: bool) -> list[str]:
    """Problems of one record against the record contract (arviointi.results.record)."""
    return [f"{where}: {p}" for p in record_problems(record, synthetic=synthetic)[1]]


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
    """The content of results.json: run identity (no timestamps) and the records, built
    through the contract (:class:`arviointi.results.record.ResultsDocument`)."""
    document = {
        "evaluation": evaluation_id,
        "checkpoint": checkpoint,
        "as_of": as_of,
        "synthetic": synthetic,
        "seed": seed,
        "records": records,
    }
    return ResultsDocument.model_validate(document).to_json()


def dump_json(document: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, fixed indentation, UTF-8, final newline."""
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")
