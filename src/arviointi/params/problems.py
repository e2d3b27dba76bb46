"""Turn pydantic validation errors into plain-words :class:`Problem` s.

Each problem names the dotted key path (``design.pre_window[1]``), the line in the YAML
file when known, and what was expected; unknown keys get a "did you mean ..." from the keys
allowed at that place.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from arviointi.errors import Problem

KeyPath = tuple[str | int, ...]

_EXPECTED = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "list_type": "expected a list (lines starting with '- ' or [a, b])",
    "dict_type": "expected a mapping (key: value lines)",
    "model_type": "expected a mapping (key: value lines)",
    "model_attributes_type": "expected a mapping (key: value lines)",
    "string_pattern_mismatch": (
        "expected a short name of lowercase letters, digits, '-' or '_' (e.g. turku-varissuo)"
    ),
}


def dotted(path: KeyPath) -> str:
    """``("design", "pre_window", 1)`` -> ``"design.pre_window[1]"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def locate(path: KeyPath, lines: Mapping[KeyPath, int]) -> str:
    """Dotted path plus the line number of the nearest known key."""
    probe = path
    while probe:
        if probe in lines:
            return f"{dotted(path)} (line {lines[probe]})"
        probe = probe[:-1]
    return dotted(path)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int | float):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"{shown!r} (text)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing (null)"
    return f"{type(value).__name__} {value!r}"


def _clean_path(loc: tuple[Any, ...], raw: Any) -> KeyPath:
    """Drop pydantic's union-member tags from ``loc`` by walking the raw data alongside."""
    out: list[str | int] = []
    current = raw
    for part in loc:
        if isinstance(part, int) and isinstance(current, list) and 0 <= part < len(current):
            out.append(part)
            current = current[part]
        elif isinstance(part, str) and isinstance(current, dict):
            out.append(part)
            current = current.get(part)
        # anything else is a union tag such as 'str' or 'int': not a place in the file
    return tuple(out)


def _unwrap(annotation: Any) -> list[Any]:
    """The alternatives of a (possibly Optional/Annotated/Union) annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [alt for arg in typing.get_args(annotation) for alt in _unwrap(arg)]
    return [annotation]


def _model_at(model: type[BaseModel], path: KeyPath) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping found at ``path``."""
    candidates: list[Any] = [model]
    for part in path:
        following: list[Any] = []
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                for name, info in candidate.model_fields.items():
                    if part in (name, info.alias):
                        following += _unwrap(info.annotation)
            else:
                origin = typing.get_origin(candidate)
                args = typing.get_args(candidate)
                if origin is list and isinstance(part, int) and args:
                    following += _unwrap(args[0])
                elif origin is dict and isinstance(part, str) and len(args) == 2:
                    following += _unwrap(args[1])
        candidates = following
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def allowed_keys(model: type[BaseModel], path: KeyPath) -> list[str]:
    """The keys allowed in the mapping at ``path`` (empty when unknown)."""
    found = _model_at(model, path)
    if found is None:
        return []
    return [info.alias or name for name, info in found.model_fields.items()]


def unknown_key_message(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    message = f"unknown key '{key}'"
    if close:
        message += f"; did you mean '{close[0]}'?"
    if allowed:
        message += f" (allowed here: {', '.join(allowed)})"
    return message


def from_validation_error(
    error: ValidationError,
    raw: Any,
    lines: Mapping[KeyPath, int],
    model: type[BaseModel],
) -> list[Problem]:
    """One problem per place in the file (union alternatives are merged)."""
    by_path: dict[KeyPath, list[str]] = {}
    for item in error.errors(include_url=False):
        path = _clean_path(tuple(item["loc"]), raw)
        kind = item["type"]
        value = item.get("input")
        if kind == "extra_forbidden":
            message = unknown_key_message(str(path[-1]), allowed_keys(model, path[:-1]))
        elif kind == "missing":
            message = "required key is missing"
        elif kind in _EXPECTED:
            message = f"{_EXPECTED[kind]}, got {_describe(value)}"
        elif kind == "value_error":
            message = str(item["msg"]).removeprefix("Value error, ")
        elif kind == "literal_error":
            expected = str(item.get("ctx", {}).get("expected", ""))
            message = f"expected one of {expected}, got {_describe(value)}"
        else:
            message = f"{item['msg']}, got {_describe(value)}"
        messages = by_path.setdefault(path, [])
        if message not in messages:
            messages.append(message)
    return [
        Problem(locate(path, lines), " or ".join(messages)) for path, messages in by_path.items()
    ]
