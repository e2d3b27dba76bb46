"""Cache of executed notebooks, keyed on everything that can change their outputs.

The key is the SHA-256 of: the notebook file's bytes, the parameters as canonical JSON, the
``as_of`` month, the SHA-256 of every input file, the versions of the key runtime packages
(not of test-only tools such as pyfixest: upgrading them changes no notebook), and a
fingerprint of the arviointi source code (so an edited estimator never serves a stale
result). A hit copies
the cached executed notebook. Entries live in ``<base_dir>/.cache/arviointi/``.

A notebook must not depend on files written to ``run_dir`` by another run for this to be
correct; notebooks emit everything through display bundles, so it is.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import arviointi
from arviointi.pipeline.manifest import package_versions


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace variation: equal data give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 over the arviointi package's Python sources (path and bytes, sorted)."""
    package = Path(arviointi.__file__).resolve().parent
    digest = hashlib.sha256(arviointi.__version__.encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def notebook_key(
    notebook: Path,
    params: Mapping[str, Any],
    input_hashes: Sequence[str],
    as_of: str | None,
) -> str:
    """The cache key of one executed notebook."""
    digest = hashlib.sha256()
    for part in (
        hashlib.sha256(notebook.read_bytes()).hexdigest(),
        canonical_json(params),
        canonical_json(as_of),
        canonical_json(sorted(input_hashes)),
        code_fingerprint(),
        canonical_json(package_versions(runtime_only=True)),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


class NotebookCache:
    """Executed notebooks stored as ``<directory>/<key>.ipynb``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.ipynb"

    def fetch(self, key: str, destination: Path) -> bool:
        """Copy the cached notebook to ``destination``; False on a miss."""
        cached = self.path(key)
        if not cached.is_file():
            return False
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, destination)
        return True

    def store(self, key: str, executed: Path) -> None:
        """Store an executed notebook (written to a temporary file, then renamed)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        os.close(handle)
        shutil.copyfile(executed, temporary)
        os.replace(temporary, self.path(key))
