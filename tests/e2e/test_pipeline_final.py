"""The final stage: notebooks named in ``final_notebooks`` run after the analyses and read
their records from ``<run_dir>/records.json``; their own records join results.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_pipeline import fake_pdf, make_project  # noqa: F401  (fixture re-used)

from arviointi.data import read_records
from arviointi.errors import InputError
from arviointi.pipeline import run_evaluation


@pytest.mark.slow
def test_final_notebook_sees_the_analyses_records(tmp_path: Path, fake_pdf: list[Path]) -> None:  # noqa: F811
    params = make_project(
        tmp_path,
        **{
            "notebooks: [emit_records, echo_params]": (
                "notebooks: [final_reads_records, emit_records]\n"
                "final_notebooks: [final_reads_records]"
            )
        },
    )
    result = run_evaluation(params, output_root=tmp_path / "out", jobs=1, use_cache=False)
    records = json.loads(result.results_path.read_text(encoding="utf-8"))["records"]
    analyses = [r for r in records if r["notebook"] == "emit_records"]
    final = [r for r in records if r["notebook"] == "final_reads_records"]
    assert len(analyses) == 2  # emit_records displays two records
    assert len(final) == 1
    # the final notebook ran after the analyses and saw exactly their records
    assert final[0]["estimate"] == float(len(analyses))
    # and its records come after the analyses' in results.json, whatever the params order
    assert records[-1]["notebook"] == "final_reads_records"
    # records.json was an intermediate for the final notebooks: not published
    assert not (result.output_dir / "records.json").exists()


def test_read_records_names_the_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps([{"section": "employment"}]), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_records(path)
    assert "record 0" in str(err.value) and "records.json" in str(err.value)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not valid UTF-8 JSON"):
        read_records(path)


@pytest.mark.slow
def test_published_notebooks_keep_no_printed_rows(tmp_path: Path, fake_pdf: list[Path]) -> None:  # noqa: F811
    """Whatever a notebook printed for the researcher is gone from the executed copies."""
    params = make_project(
        tmp_path,
        **{"notebooks: [emit_records, echo_params]": "notebooks: [prints_persons]"},
    )
    result = run_evaluation(params, output_root=tmp_path / "out", jobs=1, use_cache=False)
    executed = json.loads(
        (result.output_dir / "notebooks" / "prints_persons.ipynb").read_text("utf-8")
    )
    outputs = [
        out
        for cell in executed["cells"]
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
    ]
    assert len(outputs) == 1, "only the record bundle survives"
    assert set(outputs[0]["data"]) == {"application/vnd.arviointi.result+json"}
    assert "P-000123" not in json.dumps(outputs)
