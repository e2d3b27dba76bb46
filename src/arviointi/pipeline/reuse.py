"""Which parameters a notebook reads, and why a cached notebook was reused or not.

A notebook may declare in its metadata the parameter paths it reads::

    "metadata": {"arviointi": {"reads": ["outcomes", "inference", "models.event_study"]}}

Its cache key then covers only those paths plus :data:`ALWAYS_READ` (what every section
notebook reads through ``open_evaluation`` and the Emitter), so changing, say,
``models.event_study.leads`` re-executes only the notebooks that read
``models.event_study``. A notebook without the declaration reads all parameters.

Each cache entry keeps the digests of its parts (notebook, each parameter path, as-of
month, inputs, code, package versions) in ``<cache>/latest/<notebook>.json``; on a miss
:func:`explain` names the parts that changed since the notebook's last cached run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: parameter paths that every notebook declaring ``reads`` depends on anyway
ALWAYS_READ = ("id", "base_dir", "languages", "data", "design", "disclosure", "seed")


def declared_reads(notebook: Path) -> list[str] | None:
    """The ``reads`` list of the notebook's metadata (None when not declared)."""
    meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
    reads = meta.get("arviointi", {}).get("reads")
    if reads is None:
        return None
    if not isinstance(reads, list) or not all(isinstance(r, str) and r for r in reads):
        from arviointi.errors import PipelineError

        raise PipelineError(
            f"{notebook}: metadata.arviointi.reads must be a list of parameter paths "
            f"such as 'outcomes' or 'models.did', got {reads!r}"
        )
    return sorted(set(ALWAYS_READ) | set(reads))


def _lookup(params: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    value: Any = params
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return True, value


def select(params: Mapping[str, Any], paths: Sequence[str] | None) -> dict[str, Any]:
    """The part of ``params`` under ``paths`` (dotted), nested as in ``params``.

    ``None`` selects everything. A path that is not in ``params`` is left out.
    """
    if paths is None:
        return dict(params)
    out: dict[str, Any] = {}
    for path in paths:
        found, value = _lookup(params, path)
        if not found:
            continue
        *parents, last = path.split(".")
        target = out
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return out


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def key_parts(
    notebook: Path,
    params: Mapping[str, Any],
    reads: Sequence[str] | None,
    input_hashes: Sequence[str],
    as_of: str | None,
    code: str,
    versions: Mapping[str, Any],
) -> dict[str, str]:
    """Digest of every part of a notebook's cache key, by name (``params.<path>``, ...)."""
    parts = {"notebook": hashlib.sha256(notebook.read_bytes()).hexdigest()}
    for path in reads if reads is not None else sorted(params):
        found, value = _lookup(params, path)
        parts[f"params.{path}"] = _digest({"value": value} if found else {})
    parts["as_of"] = _digest(as_of)
    parts["inputs"] = _digest(sorted(input_hashes))
    parts["code"] = code
    parts["versions"] = _digest(dict(versions))
    return parts


def remember(directory: Path, name: str, key: str, parts: Mapping[str, str]) -> None:
    """Record the parts of the notebook's latest cached run (for :func:`explain`)."""
    latest = directory / "latest"
    latest.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"key": key, "parts": dict(parts)}, sort_keys=True, indent=1)
    (latest / f"{name}.json").write_text(text, encoding="utf-8")


def explain(
    directory: Path, name: str, parts: Mapping[str, str], *, hit: bool, use_cache: bool
) -> str:
    """Why notebook ``name`` was reused or executed, in one sentence for the manifest."""
    if hit:
        scope = [p for p in parts if p.startswith("params.")]
        return (
            "reused: notebook, the parameters it reads "
            f"({', '.join(p.removeprefix('params.') for p in scope)}), inputs, as-of month, "
            "code and package versions are those of the cached run"
        )
    if not use_cache:
        return "executed: --no-cache"
    record = directory / "latest" / f"{name}.json"
    try:
        before = json.loads(record.read_text(encoding="utf-8"))["parts"]
    except (OSError, ValueError, KeyError, TypeError):
        return "executed: no cached run of this notebook"
    changed = [p for p in sorted(set(parts) | set(before)) if parts.get(p) != before.get(p)]
    if not changed:
        return "executed: the cached copy was missing"
    return f"executed: changed since the cached run: {', '.join(changed)}"
