"""manifest.json: how a run was made (parameters, inputs, code, versions, timings)."""

from __future__ import annotations

import functools
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

#: distributions whose versions are recorded
KEY_PACKAGES = (
    "arviointi",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "linearmodels",
    "pyfixest",
    "matplotlib",
    "pydantic",
    "PyYAML",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "jinja2",
    "openpyxl",
    "pyarrow",
)


#: recorded in the manifest but used only by tests and validation scripts (the ``dev``
#: extra): their versions cannot change what a notebook computes, so they are not in the
#: notebook cache key
TEST_ONLY_PACKAGES = ("linearmodels", "pyfixest")


@functools.cache
def _versions() -> tuple[tuple[str, str | None], ...]:
    found: list[tuple[str, str | None]] = []
    for name in KEY_PACKAGES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, None))
    return tuple(found)


def package_versions(*, runtime_only: bool = False) -> dict[str, str | None]:
    """Installed versions of :data:`KEY_PACKAGES` (None when not installed).

    ``runtime_only`` leaves out :data:`TEST_ONLY_PACKAGES` (for the notebook cache key).
    """
    return {
        name: version
        for name, version in _versions()
        if not (runtime_only and name in TEST_ONLY_PACKAGES)
    }


def git_state(directory: Path) -> dict[str, Any]:
    """The git commit of ``directory`` and whether the work tree had changes (None outside git)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=directory,
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def build_manifest(
    *,
    params: dict[str, Any],
    params_file: str,
    run_id: str,
    checkpoint: dict[str, Any] | None,
    as_of: str | None,
    inputs: list[dict[str, Any]],
    notebooks: list[dict[str, Any]],
    timings: dict[str, float],
    git: dict[str, Any],
    reports: list[str],
    notes: list[str],
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "params_file": params_file,
        "params": params,
        "checkpoint": checkpoint,
        "as_of": as_of,
        "inputs": inputs,
        "notebooks": notebooks,
        "reports": reports,
        "git": git,
        "python": platform.python_version(),
        "packages": package_versions(),
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "notes": notes,
    }
