"""The results record contract: one definition (arviointi.results.record) from which
results.json's JSON Schema is generated; what the estimators, the emitter, the pipeline and
the synthesis write and read follows it."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from test_pipeline import fake_pdf, make_project  # noqa: F401  (fixture re-used)

from arviointi.cli import main
from arviointi.errors import InputError
from arviointi.params import json_schema as params_schema
from arviointi.pipeline import run_evaluation
from arviointi.pipeline.records import dump_json, results_document
from arviointi.report.emitter import Emitter
from arviointi.report.mime import RECORD_MIME
from arviointi.results import json_schema
from arviointi.results.base import EffectResults, InferenceInfo
from arviointi.results.record import (
    ESTIMATOR_FIELDS,
    REQUIRED_FIELDS,
    SECTION_FIELDS,
    ResultRecord,
    ResultsDocument,
    record_problems,
)
from arviointi.results.sections import ANALYSIS_SECTIONS, REPORT_SECTIONS
from arviointi.sections import costs, synthesis
from arviointi.sections.context import EvaluationContext
from results_contract import SCHEMA_FILE, document_problems, results_files_problems
from section_bundles import collect, records

ROOT = Path(__file__).resolve().parents[2]


def result(**kw: Any) -> EffectResults:
    base: dict[str, Any] = {
        "estimate": -1.2,
        "se": 0.4,
        "pvalue": 0.01,
        "inference": InferenceInfo("cluster", "enough clusters", df=20),
        "n_obs": 100,
        "n_treated": 3,
        "n_control": 20,
        "outcome": "unemployment_rate",
    }
    return EffectResults(**{**base, **kw})


def test_the_estimators_fields_are_the_contracts() -> None:
    record = result().to_record(section="employment", true_effect=None)
    assert set(record) == set(ESTIMATOR_FIELDS)
    assert set(REQUIRED_FIELDS) <= set(record)
    assert not set(SECTION_FIELDS) & set(record)
    parsed, problems = record_problems(record, synthetic=False)
    assert problems == [] and parsed is not None and parsed.to_json() == record


def test_section_names_are_defined_once() -> None:
    from arviointi.params.schema import Outcome
    from arviointi.pipeline import records as pipeline_records
    from arviointi.report.meta import SECTIONS

    assert SECTIONS is REPORT_SECTIONS
    assert pipeline_records.SECTIONS is ANALYSIS_SECTIONS
    assert synthesis.SECTIONS is ANALYSIS_SECTIONS
    outcome = Outcome.model_json_schema()["properties"]["section"]
    assert tuple(outcome["enum"]) == ANALYSIS_SECTIONS
    record = ResultRecord.model_json_schema()["properties"]["section"]
    assert tuple(record["enum"]) == ANALYSIS_SECTIONS
    assert set(ANALYSIS_SECTIONS) < set(REPORT_SECTIONS)


def test_the_committed_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema.schema_text(), (
        "schemas/results.schema.json is out of date: run python -m arviointi.results.json_schema"
    )


@pytest.mark.parametrize(
    ("document", "expected"),
    [("results", json_schema.schema_text), ("params", params_schema.schema_text)],
)
def test_cli_prints_the_schema(document: str, expected: Any) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["schema", document]) == 0
    assert out.getvalue() == expected()
    json.loads(out.getvalue())


def test_the_schema_refuses_what_the_contract_refuses() -> None:
    good = result().to_record(section="employment", true_effect=None)
    document = {"evaluation": "x", "checkpoint": None, "as_of": None, "synthetic": False}
    document |= {"seed": 1, "records": [good]}
    assert document_problems(document) == []
    for change, where in (
        ({"section": "summary"}, "records/0/section"),  # a report section, not an analysis one
        ({"role": "headline"}, "records/0/role"),
        ({"pvalue": 1.5}, "records/0/pvalue"),
        ({"n": "100"}, "records/0/n"),
        ({"label": {"en": "no Finnish"}}, "records/0/label"),
    ):
        bad = {**document, "records": [{**good, **change}]}
        assert any(p.startswith(where) for p in document_problems(bad)), change
        assert record_problems(bad["records"][0], synthetic=False)[0] is None
    with pytest.raises(ValueError, match="true_effect must be null"):
        ResultsDocument.model_validate({**document, "records": [{**good, "true_effect": 1.0}]})
    synthetic = {**document, "synthetic": True, "records": [{**good, "true_effect": 1.0}]}
    assert ResultsDocument.model_validate(synthetic).to_json() == synthetic
    missing = {k: v for k, v in good.items() if k != "estimate"}
    assert document_problems({**document, "records": [missing]})
    assert "missing field 'estimate'" in record_problems(missing, synthetic=False)[1]


def test_the_emitter_refuses_an_undeclared_field() -> None:
    bundles: list[dict[str, Any]] = []
    em = Emitter({}, display=lambda b, raw=True: bundles.append(b))
    em.section("employment")
    em.record(result(), role="primary", level="area", label={"fi": "Työttömyysaste"})
    assert bundles[0][RECORD_MIME]["record"]["label"] == {"fi": "Työttömyysaste"}
    with pytest.raises(InputError, match="field 'rolle': is not a declared record field"):
        em.record(result(), rolle="primary")
    with pytest.raises(InputError, match="level 'district' is not one of"):
        em.record(result(), level="district")
    em.section("methods")  # a report section that holds no records
    with pytest.raises(InputError, match="section 'methods' is not one of"):
        em.record(result())


def test_a_fresh_section_run_follows_the_contract(ctx: EvaluationContext) -> None:
    """The records of a section, assembled as the pipeline does, validate against the
    committed schema (jsonschema) and carry only declared fields."""
    em, bundles = collect(ctx)
    costs.emit_costs(costs.analyse_costs(ctx), em)
    found = [{**r, "notebook": "costs"} for r in records(bundles)]
    assert len(found) >= 4
    document = results_document(
        found, evaluation_id=ctx.evaluation.id, checkpoint=None, as_of=None, synthetic=True, seed=1
    )
    assert document_problems(json.loads(dump_json(document))) == []
    for record in found:
        parsed = ResultRecord.model_validate(record)
        assert parsed.model_extra == {}, parsed.model_extra
        assert parsed.to_json() == record


@pytest.mark.slow
def test_a_pipeline_run_writes_a_results_json_that_follows_the_schema(
    tmp_path: Path,
    fake_pdf: list[Path],  # noqa: F811
) -> None:
    params = make_project(tmp_path, **{"languages: [fi, en]": "languages: [fi]"})
    run = run_evaluation(params, output_root=tmp_path / "out", jobs=1, use_cache=False)
    document = json.loads(run.results_path.read_text(encoding="utf-8"))
    assert document["records"] and document_problems(document) == []
    assert results_files_problems(tmp_path) == []
    # a broken document is found by the same check the session runs on every test's output
    document["records"][0]["section"] = "jobs"
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "results.json").write_text(json.dumps(document), encoding="utf-8")
    problems = results_files_problems(tmp_path)
    assert len(problems) == 1 and "records/0/section" in problems[0]
    (tmp_path / "broken" / "results.json").unlink()  # the session check would find it too
