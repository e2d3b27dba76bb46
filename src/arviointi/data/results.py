"""Read back the results records of a run (``records.json`` / ``results.json``).

The synthesis notebook runs after the analyses and builds the headline table and the
assumptions log from their records; like every file read, that goes through the data layer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from arviointi.errors import InputError, Problem

#: the analyses' records, written by the pipeline into the run directory
RECORDS_FILE = "records.json"

_REQUIRED = ("section", "outcome", "model", "estimate", "ci_low", "ci_high", "inference")


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """The records in ``path``: a JSON list of records, or a results.json document.

    Raises InputError naming the file and the record index when the file is not JSON or a
    record lacks a required field.
    """
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(str(path), "no such file: the analyses' records are missing") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"not valid UTF-8 JSON ({exc})") from exc
    records = document.get("records") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise InputError(str(path), "expected a list of records or an object with 'records'")
    problems = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            problems.append(Problem(f"record {index}", "expected an object"))
            continue
        missing = [key for key in _REQUIRED if key not in record]
        if missing:
            problems.append(Problem(f"record {index}", f"missing fields {missing}"))
    if problems:
        raise InputError(str(path), problems)
    return records
