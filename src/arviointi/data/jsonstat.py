"""PxWeb JSON-stat2 dataset responses -> tidy DataFrame.

A JSON-stat 2.0 dataset has ``id`` (dimension ids), ``size`` (categories per dimension),
``dimension[id].category.index`` (code -> position, as a dict or a list of codes) and
``.label`` (code -> label), and ``value`` as a flat list in row-major order of ``id`` (the
last dimension varies fastest) or as a sparse dict ``{"flat position": value}``.
``status`` is a string for every cell, a list, or a dict like ``value``.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from arviointi.errors import InputError

__all__ = ["read_jsonstat2"]


def _categories(dim_id: str, dim: Any, source: str) -> tuple[list[str], dict[str, str]]:
    """Codes in index order and code -> label."""
    if not isinstance(dim, Mapping) or not isinstance(dim.get("category"), Mapping):
        raise InputError(source, f"dimension.{dim_id}.category is missing; expected an object")
    cat = dim["category"]
    index = cat.get("index")
    labels = cat.get("label") or {}
    if not isinstance(labels, Mapping):
        raise InputError(source, f"dimension.{dim_id}.category.label: expected an object")
    if index is None:
        if len(labels) != 1:
            raise InputError(
                source,
                f"dimension.{dim_id}.category.index is missing; expected it whenever there is "
                "more than one category",
            )
        codes = list(labels)
    elif isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, Mapping):
        by_pos = sorted(index.items(), key=lambda kv: kv[1])
        positions = [int(v) for _, v in by_pos]
        if positions != list(range(len(positions))):
            raise InputError(
                source,
                f"dimension.{dim_id}.category.index: positions {positions} are not 0..n-1",
            )
        codes = [str(k) for k, _ in by_pos]
    else:
        raise InputError(source, f"dimension.{dim_id}.category.index: expected an object or list")
    return codes, {str(k): str(v) for k, v in labels.items()}


def _cells(obj: Any, n: int, key: str, source: str) -> list[Any]:
    """Expand a list / sparse dict / scalar to n cells."""
    if isinstance(obj, list):
        if len(obj) != n:
            raise InputError(
                source, f"{key} has {len(obj)} entries; the sizes imply {n} (product of size)"
            )
        return list(obj)
    if isinstance(obj, Mapping):
        out: list[Any] = [None] * n
        for k, v in obj.items():
            try:
                i = int(k)
            except ValueError:
                raise InputError(source, f"{key}[{k!r}]: expected a flat cell position") from None
            if not 0 <= i < n:
                raise InputError(source, f"{key}[{k!r}]: position outside 0..{n - 1}")
            out[i] = v
        return out
    return [obj] * n


def read_jsonstat2(source: str | Path | Mapping[str, Any], *, codes: bool = False) -> pd.DataFrame:
    """Read a JSON-stat2 dataset (a file path or the parsed object) into a tidy frame.

    Columns: one per dimension id (category labels, or codes with ``codes=True``), then
    ``value`` (float, NaN for null) and, when the response has ``status``, ``status``.
    attrs: source, label, updated, ids, sizes.
    """
    if isinstance(source, Mapping):
        name = "<JSON-stat object>"
        doc: Any = source
    else:
        name = str(source)
        try:
            raw = Path(source).read_bytes()
        except OSError as e:
            raise InputError(name, f"cannot read the file ({e})") from None
        if not raw.strip():
            raise InputError(name, "the file is empty; expected a JSON-stat2 dataset")
        try:
            doc = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as e:
            raise InputError(
                name, f"byte offset {e.start}: not UTF-8; expected UTF-8 JSON"
            ) from None
        except json.JSONDecodeError as e:
            raise InputError(
                name, f"line {e.lineno}, column {e.colno}: not valid JSON ({e.msg})"
            ) from None
    if not isinstance(doc, Mapping):
        raise InputError(name, "expected a JSON object with class 'dataset'")
    if doc.get("class") != "dataset":
        raise InputError(
            name, f"class is {doc.get('class')!r}; expected 'dataset' (a JSON-stat2 response)"
        )
    ids = doc.get("id")
    sizes = doc.get("size")
    dims = doc.get("dimension")
    if (
        not isinstance(ids, list)
        or not isinstance(sizes, list)
        or not isinstance(dims, Mapping)
        or len(ids) != len(sizes)
    ):
        raise InputError(
            name, "expected 'id' and 'size' lists of the same length and a 'dimension' object"
        )
    levels: list[list[str]] = []
    for dim_id, size in zip(ids, sizes, strict=True):
        if dim_id not in dims:
            raise InputError(name, f"dimension.{dim_id} is missing; it is listed in 'id'")
        dim_codes, labels = _categories(str(dim_id), dims[dim_id], name)
        if len(dim_codes) != size:
            raise InputError(
                name,
                f"dimension.{dim_id} has {len(dim_codes)} categories but size says {size}",
            )
        levels.append(dim_codes if codes else [labels.get(c, c) for c in dim_codes])
    n = math.prod(int(s) for s in sizes)
    if "value" not in doc:
        raise InputError(name, "'value' is missing; expected the data values")
    raw_values = _cells(doc["value"], n, "value", name)
    values: list[float] = []
    for i, v in enumerate(raw_values):
        if v is None:
            values.append(math.nan)
        elif isinstance(v, bool) or not isinstance(v, int | float):
            raise InputError(name, f"value[{i}] is {v!r}; expected a number or null")
        else:
            values.append(float(v))
    frame = pd.DataFrame(list(itertools.product(*levels)), columns=[str(i) for i in ids])
    frame["value"] = pd.Series(values, dtype="float64")
    if "status" in doc and doc["status"] is not None:
        status = _cells(doc["status"], n, "status", name)
        frame["status"] = pd.Series([None if s is None else str(s) for s in status], dtype=object)
    frame.attrs = {
        "source": name,
        "label": doc.get("label"),
        "updated": doc.get("updated"),
        "ids": [str(i) for i in ids],
        "sizes": [int(s) for s in sizes],
    }
    return frame
