"""Read a parameters file as YAML, keeping the line number of every key.

The line numbers come from the YAML node marks, so that a problem at ``design.pilot_start``
can be reported as "line 17". Duplicate keys (which plain YAML loading silently resolves by
keeping the last one) are reported as problems.

Limits are checked before the file is parsed into objects, so a hostile or accidental file
is refused in milliseconds instead of exhausting memory: its size (:data:`MAX_BYTES`), its
nesting depth (:data:`MAX_DEPTH`) and the number of values it expands to once YAML aliases
(``*anchor``) are resolved (:data:`MAX_NODES`; ten nested anchors of a few hundred bytes
would otherwise expand to billions).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from arviointi.errors import ParamsError, Problem

KeyPath = tuple[str | int, ...]

#: a parameters file is a few kilobytes; anything over this is not one
MAX_BYTES = 1_000_000
#: nesting of mappings and lists (the schema needs 5)
MAX_DEPTH = 32
#: values (keys, scalars, lists, mappings) after aliases are expanded
MAX_NODES = 200_000


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[KeyPath, int], list[Problem]]:
    """Parse ``path``; return (data, line of each key path (1-based), duplicate-key problems).

    Raises :class:`ParamsError` when the file is missing, unreadable, not YAML, or not a
    mapping at the top level.
    """
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ParamsError(
                str(path),
                f"the file is {size:,} bytes; a parameters file is at most {MAX_BYTES:,} bytes "
                "(they are a few kilobytes); was the wrong file given?",
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(str(path), "file not found") from None
    except UnicodeDecodeError as exc:
        raise ParamsError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ParamsError(str(path), f"cannot read the file: {exc.strerror}") from None
    try:
        _check_structure(text, path)
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


def _check_structure(text: str, path: Path) -> None:
    """Refuse deep nesting and alias expansion from the event stream (nothing is built)."""
    depth = 0
    total = 0
    sizes: dict[str, int] = {}
    # per open collection: (anchor or None, number of values expanded so far)
    open_nodes: list[tuple[str | None, int]] = []

    def add(count: int, event: yaml.Event) -> None:
        nonlocal total
        total += count
        if open_nodes:
            anchor, inner = open_nodes[-1]
            open_nodes[-1] = (anchor, inner + count)
        if total > MAX_NODES:
            raise ParamsError(
                str(path),
                [
                    Problem(
                        _line(event),
                        f"the file expands to more than {MAX_NODES:,} values once its YAML "
                        "aliases (*name) are resolved; expected a plain parameters file",
                    )
                ],
            )

    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ParamsError(
                    str(path),
                    [
                        Problem(
                            _line(event),
                            f"nested more than {MAX_DEPTH} levels deep; expected the few levels "
                            "of the parameters schema",
                        )
                    ],
                )
            open_nodes.append((event.anchor, 1))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            anchor, count = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = count
            add(count, event)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            add(1, event)
        elif isinstance(event, yaml.AliasEvent):
            add(sizes.get(str(event.anchor), 1), event)


def _line(event: yaml.Event) -> str:
    mark = event.start_mark
    return f"line {mark.line + 1}" if mark is not None else ""


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
