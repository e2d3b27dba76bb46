"""Skip loading the data again when nothing a validation depends on changed.

Checking an evaluation against its data means reading and validating every input file
(and importing pandas to do it): most of a rerun that reuses every notebook. A validation
is a function of the validated parameters, the input files, the package code and the
package versions, so its outcome is kept in ``<base_dir>/.cache/arviointi/validated/``
under the SHA-256 of the parameters (as validated, with the as-of month), the path of the
parameters file, the code fingerprint and the versions, together with the input files it
read and their SHA-256. A later run with the same key whose input files all still have
those digests (each file is hashed again) uses the recorded input list instead of
loading the data. Only successful validations are kept; ``--no-cache`` always loads.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from arviointi.params.schema import Evaluation
from arviointi.pipeline.cache import (
    canonical_json,
    code_fingerprint,
    runtime_versions,
    sha256_file,
)


def validation_key(evaluation: Evaluation, as_of: str | None) -> str:
    parts = {
        "params": evaluation.to_params(),
        "file": str(evaluation.source_path),
        "as_of": as_of,
        "code": code_fingerprint(),
        "versions": runtime_versions(),
    }
    return hashlib.sha256(canonical_json(parts).encode()).hexdigest()


class ValidationCache:
    """Input lists of successful validations, stored as ``<directory>/<key>.json``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def fetch(self, key: str, root: Path) -> list[dict[str, Any]] | None:
        """The recorded inputs when every file still has its digest, else None."""
        path = self.directory / f"{key}.json"
        try:
            inputs = json.loads(path.read_text(encoding="utf-8"))["inputs"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        for entry in inputs:
            if entry.get("path") is None:
                continue  # a synthetic source: generated from the seed, no file
            full = Path(entry["path"])
            full = full if full.is_absolute() else root / full
            if not full.is_file() or sha256_file(full) != entry.get("sha256"):
                return None
        return list(inputs)

    def store(self, key: str, inputs: list[dict[str, Any]]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"inputs": inputs}, out, sort_keys=True)
        os.replace(temporary, self.directory / f"{key}.json")


def validate(
    params_path: str | Path, *, as_of: str | None, use_cache: bool
) -> tuple[Evaluation, list[dict[str, Any]], bool]:
    """The evaluation, its input files and whether a recorded validation was reused.

    Bad parameters always get the full validation, so that every problem (parameters and
    data) is reported at once.
    """
    from arviointi.errors import ParamsError
    from arviointi.params.load import load_frames, load_params, validate_params
    from arviointi.pipeline.inputs import input_files

    cache: ValidationCache | None = None
    if use_cache:
        try:
            evaluation = load_params(params_path, as_of=as_of)
        except ParamsError:
            evaluation = None
        if evaluation is not None:
            cache = ValidationCache(evaluation.root / ".cache" / "arviointi" / "validated")
            inputs = cache.fetch(validation_key(evaluation, as_of), evaluation.root)
            if inputs is not None:
                return evaluation, inputs, True
    evaluation, frames = validate_params(params_path, as_of=as_of, loader=load_frames)
    inputs = input_files(evaluation, frames)
    if cache is not None:
        cache.store(validation_key(evaluation, as_of), inputs)
    return evaluation, inputs, False
