"""Parameters travel into notebooks as Python literals, never as code.

papermill writes the injected parameters cell with a translator. This module replaces the
Python translator with one that only accepts plain JSON data (dict, list, str, int, float,
bool, None) and writes each value with :func:`repr`, which for these types is always a
literal that :func:`ast.literal_eval` reads back to the same value. A title such as
``"); import os; os.system("...")#`` therefore arrives as that exact string and runs
nothing. Every generated assignment is parsed and checked before the cell is written.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from typing import Any

from papermill.translators import PythonTranslator, papermill_translators

from arviointi.errors import PipelineError


def _check_plain(value: Any, where: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PipelineError(f"parameter {where}: {value!r} is not a finite number")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_plain(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise PipelineError(f"parameter {where}: key {key!r} is not text")
            _check_plain(item, f"{where}.{key}")
        return
    raise PipelineError(
        f"parameter {where}: {type(value).__name__} cannot be passed to a notebook "
        "(only text, numbers, true/false, null, lists and mappings)"
    )


def literal(value: Any, name: str = "value") -> str:
    """``value`` as Python source that evaluates to an equal value and executes nothing."""
    _check_plain(value, name)
    source = repr(value)
    if ast.literal_eval(source) != value:  # pragma: no cover - repr of plain data round-trips
        raise PipelineError(f"parameter {name} does not survive the round trip to a notebook")
    return source


def parameters_source(parameters: Mapping[str, Any]) -> str:
    """The source of an injected parameters cell: one literal assignment per name."""
    lines = ["# Parameters (injected by arviointi as literals)"]
    for name, value in parameters.items():
        if not name.isidentifier():
            raise PipelineError(f"parameter name {name!r} is not a Python identifier")
        lines.append(f"{name} = {literal(value, name)}")
    source = "\n".join(lines) + "\n"
    for statement in ast.parse(source).body:
        is_literal_assignment = (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        )
        if not is_literal_assignment:  # pragma: no cover - guarded by construction
            raise PipelineError("the injected parameters cell is not plain assignments")
        assert isinstance(statement, ast.Assign)
        ast.literal_eval(statement.value)
    return source


class LiteralTranslator(PythonTranslator):
    """papermill translator that writes :func:`parameters_source`."""

    @classmethod
    def codify(cls, parameters: Mapping[str, Any], comment: str = "Parameters") -> str:
        return parameters_source(parameters)


def register() -> None:
    """Use :class:`LiteralTranslator` for the ``python3`` kernel and the Python language."""
    papermill_translators.register("python3", LiteralTranslator)
    papermill_translators.register("python", LiteralTranslator)
