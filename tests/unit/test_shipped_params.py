"""Every params file the project ships (the default evaluations and the valid fixtures) is
valid against the schema and its data (tests/unit/test_params.py checks params/schema.json)."""

from __future__ import annotations

from pathlib import Path

import pytest

from arviointi.errors import ParamsError
from arviointi.params import load_params, validate_params
from factories import FIXTURE_PARAMS, GOOD, SHIPPED_PARAMS, params_file

#: fixtures that are broken on purpose (the bad-input tests use them)
BROKEN = {"broken.yaml", "not_yaml.yaml", "top_list.yaml"}
SHIPPED = sorted(SHIPPED_PARAMS.glob("*.yaml"))
FIXTURES = sorted(p for p in FIXTURE_PARAMS.glob("*.yaml") if p.name not in BROKEN)


def test_the_project_ships_the_two_default_evaluations() -> None:
    assert {p.stem for p in SHIPPED} >= {"tampere-2017", "varissuo"}


@pytest.mark.parametrize("path", SHIPPED + FIXTURES, ids=lambda p: p.name)
def test_shipped_params_file_validates_with_its_data(path: Path) -> None:
    evaluation, frames = validate_params(path)
    assert evaluation.id
    assert set(frames) == set(evaluation.data)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_fixtures_really_are_broken(name: str) -> None:
    path = FIXTURE_PARAMS / name
    assert path.exists()
    with pytest.raises(ParamsError):
        load_params(path)


def test_factory_copy_with_an_override_is_read(tmp_path: Path) -> None:
    path = params_file(tmp_path, GOOD, {"id": "copied-eval"})
    assert load_params(path).id == "copied-eval"
