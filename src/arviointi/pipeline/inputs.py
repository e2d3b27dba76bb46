"""The input files of an evaluation with their SHA-256, for the manifest and the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from arviointi.params.schema import Evaluation
from arviointi.pipeline.cache import sha256_file

#: where the shipped StatFin 12r5 panel lives when a source gives no path
STATFIN_DEFAULT_PATH = "data/statfin"


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def input_files(evaluation: Evaluation) -> list[dict[str, Any]]:
    """One entry per input file (directories are listed file by file, sorted).

    Synthetic sources have no file: their entry has ``path`` and ``sha256`` None, the
    generator seed, and ``synthetic`` True.
    """
    root = evaluation.root
    entries: list[dict[str, Any]] = []
    for name, spec in evaluation.data.items():
        base = {
            "source": name,
            "kind": spec.kind,
            "schema": spec.schema_,
            "synthetic": spec.kind == "synthetic",
            "licence": spec.licence,
            "attribution": spec.attribution,
        }
        if spec.kind == "synthetic":
            seed = spec.seed if spec.seed is not None else evaluation.seed
            entries.append({**base, "path": None, "sha256": None, "seed": seed})
            continue
        relative = spec.path or (STATFIN_DEFAULT_PATH if spec.kind == "statfin_12r5" else None)
        if relative is None:
            continue
        target = evaluation.resolve(relative)
        files = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]
        for path in files:
            if path.is_file():
                entries.append({**base, "path": _shown(path, root), "sha256": sha256_file(path)})
    return entries
