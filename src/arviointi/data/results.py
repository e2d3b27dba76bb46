"""Read back the results records of a run (``records.json`` / ``results.json``).

The synthesis notebook runs after the analyses and builds the headline table and the
assumptions log from their records; like every file read, that goes through the data layer.
Each record is checked against the record contract
(:class:`arviointi.results.record.ResultRecord`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from arviointi.errors import InputError, Problem

#: the analyses' records, written by the pipeline into the run directory
RECORDS_FILE = "records.json"


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """The records in ``path``: a JSON list of records, or a results.json document.

    Raises InputError naming the file and the record index when the file is not JSON or a
    record does not follow the record contract (a missing field, a wrong type). The
    records are returned as plain JSON mappings, as the file holds them.
    """
    from arviointi.results.record import record_problems

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
    synthetic = document.get("synthetic", True) if isinstance(document, dict) else True
    problems = []
    out: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        parsed, found = record_problems(record, synthetic=synthetic is not False)
        problems += [Problem(f"record {index}", p) for p in found]
        if parsed is not None:
            out.append(parsed.to_json())
    if problems:
        raise InputError(str(path), problems)
    return out
