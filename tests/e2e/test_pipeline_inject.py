"""Parameters reach notebooks as literals: any text round-trips and nothing executes."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arviointi.errors import PipelineError
from arviointi.pipeline.inject import LiteralTranslator, parameters_source

PWNED = Path("/tmp/arviointi-pwned")

HOSTILE = [
    '"); import os; os.system("touch /tmp/arviointi-pwned")#',
    "'); __import__('os').system('touch /tmp/arviointi-pwned') #",
    '"""\nimport os; os.system(\'touch /tmp/arviointi-pwned\')\n"""',
    "'''\nimport os\n'''",
    "\\",
    "\\'",
    "line\nbreak\r\nand\x00nul",
    "<script>alert('x')</script>",
    "{params} ${HOME} %s {0}",
    "\u2028\u2029 ä € 𝔘",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def run_cell(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<injected>", "exec"), {"__builtins__": {}}, namespace)
    return namespace


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_are_plain_assignments_of_the_same_text(text: str) -> None:
    PWNED.unlink(missing_ok=True)
    source = parameters_source({"params": {"title": {"fi": text}, "authors": [text]}})
    tree = ast.parse(source)
    assert all(isinstance(node, ast.Assign) for node in tree.body)
    assert not any(isinstance(node, ast.Call) for node in ast.walk(tree))
    assert run_cell(source)["params"] == {"title": {"fi": text}, "authors": [text]}
    assert not PWNED.exists()


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_any_json_value_round_trips(value: Any) -> None:
    source = parameters_source({"params": value, "as_of": None})
    namespace = run_cell(source)
    assert namespace == {"params": value, "as_of": None}


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), {1: "x"}, Path("/etc"), {"a": {"b": object()}}]
)
def test_values_that_are_not_plain_data_are_refused(value: Any) -> None:
    with pytest.raises(PipelineError, match="parameter params"):
        parameters_source({"params": value})


def test_bad_parameter_name_is_refused() -> None:
    with pytest.raises(PipelineError, match="not a Python identifier"):
        parameters_source({"x; import os": 1})


def test_translator_is_what_papermill_uses() -> None:
    from papermill.translators import papermill_translators

    from arviointi.pipeline import inject

    inject.register()
    assert papermill_translators.find_translator("python3", "python") is LiteralTranslator
    assert LiteralTranslator.codify({"a": 'x"y'}) == parameters_source({"a": 'x"y'})
