"""Reruns do not load the data again when parameters, input files and code are unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from arviointi.errors import ParamsError
from arviointi.pipeline import validated

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _project(tmp_path: Path) -> Path:
    (tmp_path / "params").mkdir()
    shutil.copy(FIXTURES / "params" / "area_panel.csv", tmp_path / "params" / "area_panel.csv")
    shutil.copytree(FIXTURES / "notebooks", tmp_path / "notebooks")
    target = tmp_path / "params" / "good.yaml"
    shutil.copy(FIXTURES / "params" / "good.yaml", target)
    return target


def test_validation_is_reused_until_an_input_file_changes(tmp_path: Path) -> None:
    params = _project(tmp_path)
    evaluation, inputs, reused = validated.validate(params, as_of=None, use_cache=True)
    assert not reused and inputs[0]["path"] == "params/area_panel.csv"
    again, same_inputs, reused = validated.validate(params, as_of=None, use_cache=True)
    assert reused and same_inputs == inputs and again.to_params() == evaluation.to_params()
    # another as-of month is another validation
    assert not validated.validate(params, as_of="startup", use_cache=True)[2]
    assert validated.validate(params, as_of="startup", use_cache=True)[2]
    # --no-cache always loads
    assert not validated.validate(params, as_of=None, use_cache=False)[2]
    # a changed data file is loaded and checked again
    csv = tmp_path / "params" / "area_panel.csv"
    csv.write_bytes(csv.read_bytes() + b"\n")
    _, changed_inputs, reused = validated.validate(params, as_of=None, use_cache=True)
    assert not reused and changed_inputs[0]["sha256"] != inputs[0]["sha256"]


def test_bad_data_is_never_served_from_the_cache(tmp_path: Path) -> None:
    params = _project(tmp_path)
    validated.validate(params, as_of=None, use_cache=True)
    csv = tmp_path / "params" / "area_panel.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    csv.write_text("\n".join([lines[0], *[ln.replace("Varissuo", "Nowhere") for ln in lines[1:]]]))
    with pytest.raises(ParamsError, match="Varissuo"):
        validated.validate(params, as_of=None, use_cache=True)
