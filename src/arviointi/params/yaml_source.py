"""Read a parameters file as YAML, keeping the line number of every key.

The line numbers come from the YAML node marks, so that a problem at ``design.pilot_start``
can be reported as "line 17". Duplicate keys (which plain YAML loading silently resolves by
keeping the last one) are reported as problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from arviointi.errors import ParamsError, Problem

KeyPath = tuple[str | int, ...]


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[KeyPath, int], list[Problem]]:
    """Parse ``path``; return (data, line of each key path (1-based), duplicate-key problems).

    Raises :class:`ParamsError` when the file is missing, unreadable, not YAML, or not a
    mapping at the top level.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(str(path), "file not found") from None
    except UnicodeDecodeError as exc:
        raise ParamsError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ParamsError(str(path), f"cannot read the file: {exc.strerror}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParamsError(str(path), [_yaml_problem(exc)]) from None
    if node is None or data is None:
        raise ParamsError(str(path), "the file is empty: expected a YAML mapping of parameters")
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        raise ParamsError(
            str(path),
            [Problem("line 1", "expected a YAML mapping (key: value lines) at the top level")],
        )
    lines: dict[KeyPath, int] = {}
    problems: list[Problem] = []
    _walk(node, (), lines, problems)
    return data, lines, problems


def _yaml_problem(exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    what = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    detail = f"{context}: {what}" if context else str(what)
    return Problem(where, f"not valid YAML ({detail})")


def _walk(
    node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], problems: list[Problem]
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            child = (*path, key)
            if key in seen:
                dotted = ".".join(str(p) for p in child)
                problems.append(
                    Problem(
                        f"{dotted} (line {line})",
                        f"duplicate key: '{key}' is already given on line {seen[key]}",
                    )
                )
            seen[key] = line
            lines.setdefault(child, line)
            _walk(value_node, child, lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines.setdefault(child, item.start_mark.line + 1)
            _walk(item, child, lines, problems)
