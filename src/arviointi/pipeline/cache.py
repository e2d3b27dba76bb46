"""Cache of executed notebooks, keyed on everything that can change their outputs.

The key is the SHA-256 of: the notebook file's bytes, the parameters as canonical JSON, the
``as_of`` month, the SHA-256 of every input file, the versions of the runtime dependencies
(:func:`runtime_versions`: not of development tools such as pyfixest, mypy or pytest,
whose upgrade changes no notebook), and a fingerprint of the arviointi source code (so an
edited estimator never serves a stale result). A hit copies the cached executed notebook.
Entries live in ``<base_dir>/.cache/arviointi/``.

A notebook must not depend on files written to ``run_dir`` by another run for this to be
correct; notebooks emit everything through display bundles, so it is.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import arviointi
from arviointi.pipeline.manifest import package_versions

_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_requirements(requires: Sequence[str] | None = None) -> list[str]:
    """Names of arviointi's runtime dependencies, from the installed distribution.

    These are the requirements without an ``extra`` marker: the ``dev`` and ``lab`` extras
    (and dependency groups, which are not in the metadata at all) hold the test and
    editor tools. ``requires`` defaults to ``importlib.metadata.requires("arviointi")``;
    without an installed distribution the runtime members of the manifest's key
    packages are used.
    """
    if requires is None:
        try:
            requires = metadata.requires("arviointi")
        except metadata.PackageNotFoundError:
            requires = None
        if requires is None:
            return sorted(n for n in package_versions(runtime_only=True) if n != "arviointi")
    names = set()
    for requirement in requires:
        _, _, marker = requirement.partition(";")
        if re.search(r"\bextra\s*==", marker):
            continue
        match = _REQUIREMENT_NAME.match(requirement)
        if match:
            names.add(_normalised(match.group(1)))
    return sorted(names)


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@functools.cache
def runtime_versions() -> dict[str, str | None]:
    """Installed versions of arviointi and its runtime dependencies (for cache keys)."""
    return {
        "arviointi": arviointi.__version__,
        **{name: _installed(name) for name in runtime_requirements()},
    }


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
        canonical_json(runtime_versions()),
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
