"""Check results.json documents against the committed JSON Schema (with jsonschema, an
implementation independent of the pydantic models the schema is generated from)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schemas" / "results.schema.json"


@functools.cache
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def document_problems(document: Any) -> list[str]:
    """Every way ``document`` breaks the schema (empty when it follows it)."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<document>'}: {error.message}"
        for error in validator().iter_errors(document)
    ]


def results_files_problems(root: Path) -> list[str]:
    """Problems of every results.json under ``root`` that is a results document (an object
    with ``records``; placeholders such as "last good" written by the tests are left alone)."""
    out = []
    for path in sorted(root.rglob("results.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(document, dict) and "records" in document:
            out += [f"{path}: {p}" for p in document_problems(document)]
    return out
