"""Load one data source declared in params: read, map columns, validate, keep areas.

A spec is a Mapping or an object (the params model) with the fields ``kind`` ("file",
"statfin_12r5" or "synthetic"), ``schema``, ``path`` (relative to ``base_dir``),
``format``, ``sep``, ``decimal``, ``encoding``, ``sheet``, ``columns`` (SOURCE column name ->
schema column name), ``areas`` (optional list to keep) and, for StatFin, optionally
``level``. The returned frame carries ``attrs["sources"]`` = ``[{"path", "sha256"}]`` of every
file read and ``attrs["synthetic"]``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from arviointi.data.readers import read_table
from arviointi.data.schemas import AREA_PANEL, SCHEMAS
from arviointi.data.statfin import load_statfin_12r5
from arviointi.data.validate import check_areas, validate
from arviointi.errors import InputError

__all__ = ["KINDS", "file_digest", "load_source"]

KINDS = ("file", "statfin_12r5", "synthetic")


def file_digest(path: str | Path) -> str:
    """SHA-256 (hex) of a file's bytes, for the run manifest."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _field(spec: Any, name: str, default: Any = None) -> Any:
    if isinstance(spec, Mapping):
        return spec.get(name, default)
    return getattr(spec, name, default)


def _is_dataset(file: Path, path: str) -> bool:
    return file.is_dir() or any(ch in path for ch in "*?[")


def _large_parquet(file: Path) -> bool:
    """A readable single Parquet file too large for ``auto`` to keep in memory."""
    if file.suffix.lower() not in (".parquet", ".pq") or not file.is_file():
        return False
    from arviointi.data.frames import row_count
    from arviointi.engine.choice import PANDAS_MAX_ROWS

    try:
        rows = row_count(file)
    except InputError:
        return False  # read_table names what is wrong with the file
    return rows is not None and rows > PANDAS_MAX_ROWS


def _load_dataset(spec: Any, file: Path, engine: str, schema_name: str, areas: Any) -> pd.DataFrame:
    """A Parquet file, directory or glob: the engine is chosen and recorded in attrs.

    The pipeline's sections take in-memory frames, so a source that ``engine`` (or
    ``auto``, by size) sends to DuckDB or Spark is refused here with the way to estimate
    on it directly; it is never loaded into pandas behind the user's back.
    """
    from arviointi.data.frames import columns_of, expand_files, to_pandas
    from arviointi.engine.choice import choose_engine

    chosen, reason = choose_engine(str(file), engine)
    if chosen != "pandas":
        raise InputError(
            str(file),
            f"{reason}; the report pipeline reads its sources into memory: estimate on this "
            f"source directly (arviointi.did.did({str(file)!r}, ..., engine={chosen!r})) or "
            "set engine: pandas for an extract that fits in memory",
        )
    files, _ = expand_files(file)
    raw = to_pandas(str(file), columns_of(str(file)))
    columns = _field(spec, "columns") or {}
    out = validate(raw, schema_name, source=str(file), column_map=dict(columns))
    if areas is not None:
        out = check_areas(out, list(areas), source=str(file))
    out.attrs["sources"] = [{"path": str(f), "sha256": file_digest(f)} for f in files]
    out.attrs["synthetic"] = False
    out.attrs["engine"] = {"engine": chosen, "reason": reason}
    return out


def load_source(spec: Any, *, base_dir: Path) -> pd.DataFrame:
    """Load, map and validate the source described by ``spec``.

    Raises InputError for unreadable or invalid data (naming file, line, column) and for
    a spec that cannot be served (unknown kind or schema, missing path).
    """
    kind = _field(spec, "kind", "file")
    schema_name = _field(spec, "schema")
    label = f"data source ({kind})"
    if kind not in KINDS:
        raise InputError(label, f"kind={kind!r}; expected one of {list(KINDS)}")
    if schema_name not in SCHEMAS:
        raise InputError(label, f"schema={schema_name!r}; expected one of {sorted(SCHEMAS)}")
    areas = _field(spec, "areas")

    if kind == "synthetic":
        module = importlib.import_module("arviointi.data.synthetic")
        loader = getattr(module, "load_synthetic", None)
        if loader is None:
            raise InputError(label, "arviointi.data.synthetic has no load_synthetic(spec)")
        frame: pd.DataFrame = loader(spec)
        if areas is not None and "area" in frame.columns:
            frame = check_areas(frame, list(areas), source=f"synthetic {schema_name}")
        frame.attrs.setdefault("sources", [])
        frame.attrs["synthetic"] = True
        return frame

    if kind == "statfin_12r5":
        if schema_name != "area_panel":
            raise InputError(
                label, f"schema={schema_name!r}; the StatFin 12r5 source is an 'area_panel'"
            )
        path = _field(spec, "path")
        panel = load_statfin_12r5(
            areas=areas,
            level=_field(spec, "level"),
            path=(Path(base_dir) / path) if path else None,
        )
        # Names repeat across levels (Turku is a municipality and a sub-region): key by code.
        schema = dataclasses.replace(AREA_PANEL, key=("area_code", "month"))
        attrs = dict(panel.attrs)
        out = validate(panel, schema, source=attrs["sources"][0]["path"])
        out.attrs.update(attrs)
        return out

    path = _field(spec, "path")
    if not path:
        raise InputError(label, "path is missing; expected a file path relative to the params")
    file = Path(base_dir) / Path(path)
    engine = _field(spec, "engine", "auto") or "auto"
    if _is_dataset(file, str(path)) or engine != "auto" or _large_parquet(file):
        return _load_dataset(spec, file, engine, schema_name, areas)
    raw = read_table(
        file,
        format=_field(spec, "format"),
        sep=_field(spec, "sep"),
        decimal=_field(spec, "decimal"),
        encoding=_field(spec, "encoding"),
        sheet=_field(spec, "sheet"),
    )
    columns = _field(spec, "columns") or {}
    out = validate(raw, schema_name, source=str(file), column_map=dict(columns))
    if areas is not None:
        if "area" not in out.columns:
            raise InputError(
                str(file), f"areas are given but the {schema_name} table has no 'area' column"
            )
        out = check_areas(out, list(areas), source=str(file))
    out.attrs["sources"] = [{"path": str(file), "sha256": file_digest(file)}]
    out.attrs["synthetic"] = False
    return out
