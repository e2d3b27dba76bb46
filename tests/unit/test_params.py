"""Parameters: schema happy path, every kind of mistake in one error, data checks, schema.json."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arviointi.errors import ParamsError
from arviointi.params import (
    check_against_data,
    load_params,
    resolve_params_path,
    validate_params,
)
from arviointi.params.json_schema import schema_text
from arviointi.params.months import parse_month

FIXTURES = Path(__file__).parents[1] / "fixtures" / "params"
ROOT = Path(__file__).parents[2]


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing ``needle`` (found by plain text search)."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def problems_of(excinfo: pytest.ExceptionInfo[ParamsError]) -> dict[str, str]:
    return {p.location: p.message for p in excinfo.value.problems}


# -- happy path ---------------------------------------------------------------------------
def test_good_params_load_with_defaults_and_resolved_paths() -> None:
    evaluation = load_params(FIXTURES / "good.yaml")
    assert evaluation.id == "fixture-eval"
    assert evaluation.languages == ["fi", "en"]
    assert evaluation.title.en == "Test evaluation"
    assert evaluation.design.pre_window == ["2012-01", "2012-12"]
    assert [c.id for c in evaluation.design.checkpoints] == ["startup", "maturity", "final"]
    assert evaluation.checkpoint("maturity") is not None
    assert evaluation.models.did.inference == "permutation"
    assert evaluation.models.before_after.method == "its"  # default
    assert evaluation.disclosure.threshold == 5
    assert evaluation.root == (FIXTURES.parent).resolve()
    assert [p.name for p in evaluation.notebook_paths()] == [
        "emit_records.ipynb",
        "echo_params.ipynb",
    ]
    params = evaluation.to_params()
    assert params["data"]["panel"]["schema"] == "area_panel"  # written by alias
    assert json.loads(json.dumps(params)) == params  # plain JSON types only
    assert evaluation.line_of(("design", "pilot_start")) == line_of(
        FIXTURES / "good.yaml", "pilot_start:"
    )


def test_validate_params_loads_data_through_the_data_layer() -> None:
    evaluation, frames = validate_params(FIXTURES / "good.yaml")
    assert set(frames) == {"panel"}
    assert set(frames["panel"]["area"]) == {"Varissuo", "Runosmäki", "Halinen"}
    assert evaluation.synthetic is False


# -- every mistake at once ----------------------------------------------------------------
def test_broken_params_report_every_problem_once_with_paths_and_lines() -> None:
    path = FIXTURES / "broken.yaml"
    with pytest.raises(ParamsError) as excinfo:
        validate_params(path)
    found = problems_of(excinfo)
    text = str(excinfo.value)
    assert text.startswith(f"{path}: ")

    def at(key: str, needle: str) -> str:
        return f"{key} (line {line_of(path, needle)})"

    # unknown key with a suggestion, top level and nested
    assert "did you mean 'title'" in found[at("titel", "titel:")]
    assert "did you mean 'inference'" in found[at("models.did.inferense", "inferense")]
    # the missing key that the typo hid
    assert found["title"] == "required key is missing"
    # wrong type
    assert "expected a whole number" in found[at("disclosure.threshold", "threshold")]
    # impossible date
    assert "not a real month" in found[at("design.pilot_start", "pilot_start")]
    # windows out of order
    assert (
        "post window must start after the pre window"
        in found[at("design.post_window", "post_window")]
    )
    # area absent from the data, with the closest name
    message = found[at("design.pilot_areas[0]", "pilot_areas")]
    assert "'Varisuo' is not in the data" in message and "'Varissuo'" in message
    assert len(found) == 7
    # listed in file order
    lines = [int(m) for m in re.findall(r"\(line (\d+)\)", text)]
    assert lines == sorted(lines)


def test_not_yaml_names_file_line_and_column() -> None:
    path = FIXTURES / "not_yaml.yaml"
    with pytest.raises(ParamsError) as excinfo:
        load_params(path)
    text = str(excinfo.value)
    assert str(path) in text and "not valid YAML" in text and "line 2" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "expected a YAML mapping"),
        ("id: x\nid: y\n", "duplicate key: 'id' is already given on line 1"),
    ],
)
def test_files_that_are_not_a_parameters_mapping(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ParamsError, match=re.escape(expected)):
        load_params(path)


def _good_copy(tmp_path: Path) -> Path:
    """good.yaml with its notebooks and data next to it (base_dir .. = tmp_path)."""
    (tmp_path / "params").mkdir()
    shutil.copy(FIXTURES / "good.yaml", tmp_path / "params" / "good.yaml")
    shutil.copy(FIXTURES / "area_panel.csv", tmp_path / "params" / "area_panel.csv")
    shutil.copytree(FIXTURES.parent / "notebooks", tmp_path / "notebooks")
    return tmp_path / "params" / "good.yaml"


@pytest.mark.parametrize(
    ("old", "new", "location", "expected"),
    [
        ("seed: 20130101", "seed: many", "seed", "expected a whole number, got 'many' (text)"),
        ("languages: [fi, en]", "languages: [fi, sv]", "languages[1]", "expected one of 'fi'"),
        ("languages: [fi, en]", "languages: []", "languages", "at least 1 item"),
        ("languages: [fi, en]", "languages: [fi, fi]", "languages", "listed twice"),
        (
            "    path: params/area_panel.csv",
            "    pth: params/area_panel.csv",
            "data.panel.pth",
            "did you mean 'path'",
        ),
        (
            "      date: 2013-06",
            "      dat: 2013-06",
            "design.checkpoints[0].dat",
            "unknown key 'dat'; did you mean 'date'",
        ),
        ("id: fixture-eval", "id: Fixture Eval", "id", "lowercase letters"),
        ("end: 2015-12", "end: 2015-12-31", "design.end", "expected a month written as YYYY-MM"),
        ("end: 2015-12", "end: 2012-06", "design.end", "ends (2012-06) before the pilot"),
        ("date: 2014-09", "date: 2016-09", "design.checkpoints[1].date", "after the experiment"),
        ("    - id: final", "    - id: startup", "design.checkpoints[2].id", "used twice"),
        (
            "  did: {inference: permutation}",
            "  did: {inference: bootstrap}",
            "models.did.inference",
            "expected one of 'auto'",
        ),
        (
            "    areas: [Runosmäki, Halinen]",
            "    areas: [Varissuo]",
            "design.comparison.areas[0]",
            "is a pilot area",
        ),
        (
            "notebooks: [emit_records, echo_params]",
            "notebooks: [emit_record]",
            "notebooks[0]",
            "did you mean 'emit_records'",
        ),
        (
            "    path: params/area_panel.csv",
            "    path: params/nothing.csv",
            "data.panel.path",
            "file not found",
        ),
        (
            "      label: {fi: Mallin kypsyys, en: Maturity of the model}",
            "      label: {fi: Mallin kypsyys}",
            "design.checkpoints[1].label.en",
            "label.en needed",
        ),
    ],
)
def test_single_mistakes_name_key_line_and_expectation(
    tmp_path: Path, old: str, new: str, location: str, expected: str
) -> None:
    path = _good_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ParamsError) as excinfo:
        validate_params(path)
    found = problems_of(excinfo)
    keys = {re.sub(r" \(line \d+\)$", "", k): (k, v) for k, v in found.items()}
    assert location in keys, found
    full_location, message = keys[location]
    assert expected in message
    changed = max(
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.strip() == new.strip()
    )
    assert full_location == f"{location} (line {changed})"


def test_as_of_must_name_a_checkpoint_or_a_month_in_range(tmp_path: Path) -> None:
    path = _good_copy(tmp_path)
    assert load_params(path, as_of="maturity").design.as_of == "maturity"
    assert load_params(path, as_of="2014-01").design.as_of == "2014-01"
    with pytest.raises(ParamsError, match="did you mean 'maturity'"):
        load_params(path, as_of="maturty")
    with pytest.raises(ParamsError, match="before the pilot start"):
        load_params(path, as_of="2010-01")


# -- checks against the data --------------------------------------------------------------
def test_check_against_data_lists_every_missing_area_with_suggestions() -> None:
    evaluation = load_params(FIXTURES / "good.yaml")
    frames = {"panel": pd.DataFrame({"area": ["Varissuo", "Runosmaki", "Hirvensalo"]})}
    with pytest.raises(ParamsError) as excinfo:
        check_against_data(evaluation, frames)
    found = problems_of(excinfo)
    assert len(found) == 2  # Runosmäki and Halinen; Varissuo is there
    messages = " | ".join(found.values())
    assert "'Runosmäki' is not in the data" in messages and "'Runosmaki'" in messages
    assert "'Halinen' is not in the data" in messages
    check_against_data(
        evaluation, {"panel": pd.DataFrame({"area": ["Varissuo", "Runosmäki", "Halinen"]})}
    )


def test_unknown_evaluation_id_lists_known_ids(tmp_path: Path) -> None:
    (tmp_path / "turku-varissuo.yaml").write_text("id: x\n", encoding="utf-8")
    assert resolve_params_path("turku-varissuo", tmp_path) == tmp_path / "turku-varissuo.yaml"
    with pytest.raises(ParamsError, match="did you mean 'turku-varissuo'"):
        resolve_params_path("turku-varisuo", tmp_path)


# -- months -------------------------------------------------------------------------------
@given(st.integers(1900, 2100), st.integers(1, 12))
def test_parse_month_accepts_real_months(year: int, month: int) -> None:
    assert parse_month(f"{year}-{month}") == f"{year:04d}-{month:02d}"


@given(st.integers(1900, 2100), st.integers(13, 99) | st.just(0))
def test_parse_month_rejects_impossible_months(year: int, month: int) -> None:
    with pytest.raises(ValueError, match="not a real month"):
        parse_month(f"{year}-{month:02d}")


# -- the committed JSON Schema ------------------------------------------------------------
def test_committed_json_schema_is_current() -> None:
    committed = (ROOT / "params" / "schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "run: python -m arviointi.params.json_schema"
    schema = json.loads(committed)
    assert schema["additionalProperties"] is False
    assert "schema" in schema["$defs"]["DataSource"]["properties"]


# -- the real data layer: shipped StatFin extract and the synthetic Turku generator -------
def test_real_sources_seed_default_and_area_suggestions(tmp_path: Path) -> None:
    text = f"""
id: real-sources
title: {{fi: Turku}}
base_dir: {ROOT}
data:
  statfin:
    kind: statfin_12r5
    schema: area_panel
    path: data/statfin/tyonv_12r5_monthly.csv.gz
    areas: [Turku, Raisio]
    level: kunta
  districts: {{kind: synthetic, schema: area_panel, generator: turku}}
design:
  pilot_areas: [Varissuo]
  comparison: {{areas: [Runosmaki, Raisio]}}
  pilot_start: 2013-01
  end: 2015-12
  pre_window: [2011-01, 2012-12]
  post_window: [2013-01, 2015-12]
outcomes:
  - {{name: unemployed, section: employment, label: {{fi: Työttömät}}}}
seed: 11
notebooks: []
"""
    path = tmp_path / "real.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as excinfo:
        validate_params(path)
    found = problems_of(excinfo)
    assert list(found) == [f"design.comparison.areas[0] (line {line_of(path, 'Runosmaki')})"]
    assert "'Runosmäki'" in found[next(iter(found))]  # suggested from the synthetic districts

    path.write_text(text.replace("Runosmaki", "Runosmäki"), encoding="utf-8")
    evaluation, frames = validate_params(path)
    assert frames["districts"].attrs["synthetic"] is True
    assert evaluation.synthetic is True
    params = evaluation.to_params()
    assert params["data"]["districts"]["seed"] == 11  # the evaluation's seed
    assert None not in params["data"]["statfin"].values()  # ready for load_source as is


def test_area_outcome_must_be_a_column_of_its_source(tmp_path: Path) -> None:
    path = _good_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  - name: unemployed\n", "  - name: unemployd\n    source: panel\n"),
        encoding="utf-8",
    )
    with pytest.raises(ParamsError) as excinfo:
        validate_params(path)
    found = problems_of(excinfo)
    location = f"outcomes[0].name (line {line_of(path, 'unemployd')})"
    assert list(found) == [location]
    assert "not a column of source 'panel'" in found[location]
    assert "did you mean 'unemployed'" in found[location]


# -- evaluation knowledge lives in params --------------------------------------------------
def _leaf_fields(model: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted path, field name) of every field of ``model`` and of its nested models."""
    import typing

    from pydantic import BaseModel

    out = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{field.alias or name}"
        out.append((path, name))
        for arg in (field.annotation, *typing.get_args(field.annotation)):
            for inner in (arg, *typing.get_args(arg)):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    out += _leaf_fields(inner, path + ".")
    return out


#: fields read by the schema's own methods (Evaluation.notebook_paths)
READ_BY_THE_SCHEMA = {"notebooks", "notebooks_dir"}


def test_every_declared_param_is_read() -> None:
    """Each field of the params schema is read somewhere in the package or the notebooks
    (as an attribute ``.name``, a key ``["name"]`` or a string ``"name"``). An approximation:
    a field named like something else is taken as read, but a new field nobody reads fails."""
    from arviointi.params.schema import Evaluation

    sources = [
        p.read_text(encoding="utf-8")
        for p in [
            *(ROOT / "src" / "arviointi").rglob("*.py"),
            *(ROOT / "notebooks").glob("*.ipynb"),
        ]
        if p.relative_to(ROOT).as_posix()
        not in ("src/arviointi/params/schema.py", "src/arviointi/params/json_schema.py")
    ]
    text = "\n".join(sources)
    unread = [
        path
        for path, name in _leaf_fields(Evaluation)
        if name not in READ_BY_THE_SCHEMA
        and not re.search(rf"\.{name}\b|\[[\"']{name}[\"']\]|[\"']{name}[\"']", text)
    ]
    assert unread == [], f"declared in params/schema.py but never read: {unread}"


def _copy_under_new_id(source: Path, target_dir: Path, new_id: str) -> Path:
    text = source.read_text(encoding="utf-8")
    old_id = re.search(r"^id: (\S+)$", text, re.MULTILINE)
    assert old_id is not None
    text = text.replace(old_id.group(0), f"id: {new_id}", 1)
    text += f"\nbase_dir: {(source.parent / '..').resolve().as_posix()}\n"
    target = target_dir / f"{new_id}.yaml"
    target.write_text(text, encoding="utf-8")
    return target


@pytest.mark.parametrize("name", ["tampere-2017", "varissuo"])
def test_a_copy_under_a_new_id_is_the_same_evaluation(tmp_path: Path, name: str) -> None:
    """Nothing of an evaluation is keyed by its id: a copy under a new id validates to the
    same parameters (targets, city, cost rules and all), and the code names no id."""
    original = load_params(ROOT / "params" / f"{name}.yaml")
    copy = load_params(_copy_under_new_id(ROOT / "params" / f"{name}.yaml", tmp_path, "copy"))
    assert copy.root == original.root
    first, second = original.to_params(), copy.to_params()
    assert {k for k in first if first[k] != second[k]} == {"id", "base_dir"}
    # no lookup by the evaluation's id (a table keyed by it, a comparison with it) and no id
    # spelled in the code ('varissuo' is also a district's key in the generator: not checked)
    ev_id = r"\b(?:ev|evaluation)\.id\b"
    lookup = re.compile(rf"{ev_id}\s*(==|!=|in\b)|\[\s*{ev_id}\s*\]|\.get\(\s*{ev_id}")
    for path in (ROOT / "src" / "arviointi").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not lookup.search(text), f"{path} looks something up by the evaluation id"
        if "-" in name:
            assert f'"{name}"' not in text and f"'{name}'" not in text, f"{path} names {name!r}"


def test_the_shipped_evaluations_state_their_cost_rules_and_city() -> None:
    tampere = load_params(ROOT / "params" / "tampere-2017.yaml")
    varissuo = load_params(ROOT / "params" / "varissuo.yaml")
    assert tampere.cost_rules is not None and tampere.cost_rules.target is not None
    target = tampere.cost_rules.target
    assert target.amount_eur == 966_582 and target.by == "2018-12" and target.base_year == 2016
    assert varissuo.cost_rules is not None and varissuo.cost_rules.target is None
    for ev in (tampere, varissuo):
        assert ev.cost_rules is not None
        assert (ev.cost_rules.daily_subsidy_eur, ev.cost_rules.grant_rate) == (32.50, 0.75)
    assert varissuo.design.city == "Turku" and tampere.design.city is None


def test_schema_defaults_are_documented() -> None:
    """Every field with a default in the JSON Schema of a params section that an evaluation
    tunes (models, inference, cost rules) says what it means."""
    schema = json.loads(schema_text())
    undocumented = [
        f"{name}.{key}"
        for name in ("DidOptions", "InferenceOptions", "CostRules", "CostTarget")
        for key, spec in schema["$defs"][name]["properties"].items()
        if key != "inference" or name != "DidOptions"
        if "description" not in spec
    ]
    assert undocumented == []


def test_removed_did_options_are_refused_by_name() -> None:
    """models.did.cluster and covariates were declared but never used: now they are refused."""
    good = ROOT / "tests" / "fixtures" / "params" / "good.yaml"
    text = good.read_text(encoding="utf-8")
    for removed in ("cluster: area", "covariates: [x]"):
        assert "did: {inference: permutation}" in text
        path = good.parent / f"_removed_{removed.split(':')[0]}.yaml"
        changed = text.replace("did: {inference: permutation}", f"did: {{{removed}}}")
        path.write_text(changed, encoding="utf-8")
        try:
            with pytest.raises(ParamsError) as excinfo:
                load_params(path)
        finally:
            path.unlink()
        assert f"models.did.{removed.split(':')[0]}" in str(excinfo.value)
