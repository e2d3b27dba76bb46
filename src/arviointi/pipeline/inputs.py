"""The input files of an evaluation with their SHA-256, for the manifest and the cache."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arviointi.params.schema import Evaluation
from arviointi.pipeline.cache import sha256_file

if TYPE_CHECKING:
    import pandas as pd


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def input_files(
    evaluation: Evaluation, frames: Mapping[str, pd.DataFrame] | None = None
) -> list[dict[str, Any]]:
    """One entry per input file, in the order of the data sources.

    The files come from each loaded frame's ``attrs["sources"]`` (what the data layer
    actually read; hashed again here); without a frame, from the source's ``path``
    (a directory is listed file by file). Synthetic sources have no file: their entry has
    ``path`` and ``sha256`` None, the generator seed and ``synthetic`` True.
    """
    root = evaluation.root
    frames = frames or {}
    entries: list[dict[str, Any]] = []
    for name, spec in evaluation.data.items():
        attrs = frames[name].attrs if name in frames else {}
        base = {
            "source": name,
            "kind": spec.kind,
            "schema": spec.schema_,
            "synthetic": spec.kind == "synthetic",
            "licence": spec.licence or attrs.get("licence"),
            "attribution": spec.attribution
            or (attrs.get("source") if spec.kind == "statfin_12r5" else None),
        }
        if "engine" in attrs:  # which engine a Parquet source chose, and why
            base["engine"] = attrs["engine"]
        if spec.kind == "synthetic":
            seed = spec.seed if spec.seed is not None else evaluation.seed
            entries.append({**base, "path": None, "sha256": None, "seed": seed})
            continue
        read = [Path(s["path"]) for s in attrs.get("sources", []) if s.get("path")]
        if not read and spec.path:
            target = evaluation.resolve(spec.path)
            read = (
                sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]
            )
        for path in read:
            full = path if path.is_absolute() else root / path
            if full.is_file():
                entries.append({**base, "path": _shown(full, root), "sha256": sha256_file(full)})
    return entries
