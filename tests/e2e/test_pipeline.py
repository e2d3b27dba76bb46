"""Pipeline: outputs, determinism, cache, checkpoints, hostile values, atomicity.

The end-to-end tests execute the tiny fixture notebooks in tests/fixtures/notebooks with
real kernels. PDF printing (Chromium, ~5 s per language) is replaced by a writer of a
marker file in all but one test (``test_real_pdf_export``, marked slow/browser).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from arviointi.errors import ParamsError, PipelineError
from arviointi.params import load_params
from arviointi.pipeline import atomic, run_evaluation
from arviointi.pipeline.records import collect_records
from arviointi.report.mime import RECORD_MIME

FIXTURES = Path(__file__).parents[1] / "fixtures"
PWNED = Path("/tmp/arviointi-pwned")


def make_project(
    tmp_path: Path, params: str = "good.yaml", as_name: str | None = None, **replace: str
) -> Path:
    """A project in tmp_path: params/<as_name or params>, its CSV, the fixture notebooks."""
    (tmp_path / "params").mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "params" / "area_panel.csv", tmp_path / "params" / "area_panel.csv")
    if not (tmp_path / "notebooks").exists():
        shutil.copytree(FIXTURES / "notebooks", tmp_path / "notebooks")
    text = (FIXTURES / "params" / params).read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    target = tmp_path / "params" / (as_name or params)
    target.write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def fake_pdf(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Replace Chromium printing by a marker file; returns the HTML files 'printed'."""
    import arviointi.report.pdf as pdf

    printed: list[Path] = []

    def fake(html_path: Path, pdf_path: Path) -> None:
        printed.append(html_path)
        pdf_path.write_bytes(b"%PDF-fake " + html_path.name.encode())

    monkeypatch.setattr(pdf, "html_to_pdf", fake)
    return printed


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and "failed" not in p.relative_to(directory).parts
    }


# -- end to end ------------------------------------------------------------------------------
@pytest.mark.slow
def test_run_outputs_cache_and_byte_identical_results(
    tmp_path: Path, fake_pdf: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import arviointi.pipeline.execute as execute

    monkeypatch.setattr(execute, "HEARTBEAT_S", 0.2)
    params = make_project(tmp_path)
    lines: list[str] = []
    first = run_evaluation(params, jobs=2, progress=lines.append)
    assert any(
        line.startswith("still executing (2 left): emit_records, echo_params") for line in lines
    )
    assert sum(line.startswith(("[1/2] done ", "[2/2] done ")) for line in lines) == 2
    out = tmp_path / "reports" / "fixture-eval"
    assert first.output_dir == out
    names = {p.name for p in out.iterdir()}
    assert {
        "results.json",
        "manifest.json",
        "notebooks",
        "report-fi.html",
        "report-en.html",
        "report-fi.pdf",
        "report-en.pdf",
        "report-fi.docx",
        "report-en.docx",
    } <= names
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == [
        "echo_params.ipynb",
        "emit_records.ipynb",
    ]
    assert [p.name for p in fake_pdf] == ["report-fi.html", "report-en.html"]
    assert not [p for p in (tmp_path / "reports").iterdir() if p.name.startswith(".")]

    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    records = results["records"]
    assert [(r["notebook"], r["section"]) for r in records] == [
        ("emit_records", "employment"),
        ("emit_records", "costs"),
        ("echo_params", "organisation"),
    ]
    # the fixture notebook's estimate, recomputed here from the seed in good.yaml
    sample = np.random.default_rng(20130101).normal(loc=2.0, scale=1.0, size=40)
    assert records[0]["estimate"] == pytest.approx(sample.mean(), rel=1e-15)
    assert records[0]["se"] == pytest.approx(sample.std(ddof=1) / np.sqrt(40), rel=1e-15)
    assert records[1]["estimate"] == pytest.approx(sample.mean() + 1.0, rel=1e-15)
    assert results["synthetic"] is False and results["checkpoint"] is None
    assert all(r["true_effect"] is None for r in records)

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    csv = tmp_path / "params" / "area_panel.csv"
    assert manifest["inputs"][0]["path"] == "params/area_panel.csv"
    assert manifest["inputs"][0]["sha256"] == hashlib.sha256(csv.read_bytes()).hexdigest()
    assert manifest["params"] == load_params(params).to_params()
    assert manifest["git"] == {"commit": None, "dirty": None}  # tmp_path is not a repository
    assert {"validate", "execute", "collect", "render"} <= set(manifest["timings_s"])
    assert manifest["packages"]["pandas"] is not None
    assert "timings" not in (out / "results.json").read_text(encoding="utf-8")
    reference = (out / "results.json").read_bytes()

    # second run: both notebooks come from the cache, same bytes
    second = run_evaluation(params, jobs=2)
    assert second.cache_hits == ["emit_records", "echo_params"]
    assert (out / "results.json").read_bytes() == reference

    # third run: executed afresh, one worker: still the same bytes
    third = run_evaluation(params, jobs=1, use_cache=False)
    assert third.cache_hits == []
    assert (out / "results.json").read_bytes() == reference

    # a changed parameter is a cache miss
    changed = make_project(tmp_path, as_name="changed.yaml", **{"seed: 20130101": "seed: 7"})
    fourth = run_evaluation(changed, jobs=2)
    assert fourth.cache_hits == []
    assert (out / "results.json").read_bytes() != reference


def test_checkpoint_run_uses_the_checkpoint_month_and_keeps_the_final_report(
    tmp_path: Path, fake_pdf: list[Path]
) -> None:
    params = make_project(
        tmp_path, **{"notebooks: [emit_records, echo_params]": "notebooks: [echo_params]"}
    )
    result = run_evaluation(params, as_of="maturity", jobs=1)
    assert result.run_id == "fixture-eval--maturity"
    assert result.output_dir == tmp_path / "reports" / "fixture-eval--maturity"
    results = json.loads(result.results_path.read_text(encoding="utf-8"))
    assert results["checkpoint"] == "maturity" and results["as_of"] == "2014-09"
    assert results["records"][0]["as_of"] == "2014-09"  # what the notebook received
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert manifest["checkpoint"]["label"]["en"] == "Maturity of the model"
    assert manifest["params"]["design"]["as_of"] == "maturity"
    # the report says which checkpoint it shows (label and the last day of the month)
    html_en = (result.output_dir / "report-en.html").read_text(encoding="utf-8")
    html_fi = (result.output_dir / "report-fi.html").read_text(encoding="utf-8")
    assert "Maturity of the model (30 September 2014)" in html_en
    assert "Mallin kypsyys (30.9.2014)" in html_fi


def test_hostile_parameter_values_arrive_as_plain_data(
    tmp_path: Path, fake_pdf: list[Path]
) -> None:
    PWNED.unlink(missing_ok=True)
    params = make_project(tmp_path, "hostile.yaml")
    evaluation = load_params(params)
    result = run_evaluation(params, jobs=1)
    assert not PWNED.exists()
    record = json.loads(result.results_path.read_text(encoding="utf-8"))["records"][0]
    assert record["outcome"] == evaluation.title.fi
    assert record["outcome"].startswith('"); import os; os.system(')
    assert record["authors"] == evaluation.authors
    assert "\r\n" in record["authors"][2] and "\\x41" in record["authors"][2]
    # the report shows the hostile text escaped, never as markup
    html_en = (result.output_dir / "report-en.html").read_text(encoding="utf-8")
    assert "<script>alert('x')</script>" not in html_en
    assert "<img src=x onerror" not in html_en


@pytest.mark.slow
def test_failed_notebook_keeps_last_good_report_byte_for_byte(
    tmp_path: Path, fake_pdf: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    params = make_project(tmp_path)
    good = run_evaluation(params, jobs=2)
    before = snapshot(good.output_dir)

    broken = make_project(
        tmp_path,
        as_name="broken.yaml",
        **{"notebooks: [emit_records, echo_params]": "notebooks: [emit_records, fails]"},
    )
    with pytest.raises(PipelineError) as excinfo:
        run_evaluation(broken, jobs=2)
    message = str(excinfo.value)
    assert "notebook fails.ipynb, cell 3" in message
    assert "ValueError: boom from the fixture notebook" in message
    assert "raise ValueError" in message  # the failing line
    failed = good.output_dir / "failed"
    assert str(failed) in message
    assert f"the last good report in {good.output_dir} is unchanged" in message
    assert snapshot(good.output_dir) == before
    kept = nbformat.read(failed / "fails.ipynb", as_version=4)
    errors = [o for c in kept.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors and errors[0]["evalue"] == "boom from the fixture notebook"
    assert "boom from the fixture notebook" in (failed / "error.txt").read_text(encoding="utf-8")
    assert not [p for p in (tmp_path / "reports").iterdir() if p.name.startswith(".")]

    # an export that fails is atomic too (the notebooks come from the cache here)
    import arviointi.report.pdf as pdf

    def broken_printer(html_path: Path, pdf_path: Path) -> None:
        raise RuntimeError("chromium crashed")

    # a PDF that cannot be printed keeps the good HTML (published, with a note)
    monkeypatch.setattr(pdf, "html_to_pdf", broken_printer)
    partial = run_evaluation(params, jobs=2)
    # (the Word copy is made from the HTML, so it is still written)
    names = [p.name for p in partial.reports]
    assert names == ["report-fi.html", "report-fi.docx", "report-en.html", "report-en.docx"]
    assert partial.notes[0] == (
        "report-fi.pdf was not made (RuntimeError: chromium crashed); "
        "the HTML report report-fi.html is published without it"
    )
    assert not (good.output_dir / "report-fi.pdf").exists()
    assert (good.output_dir / "report-fi.html").read_bytes() == before["report-fi.html"]
    manifest = json.loads((good.output_dir / "manifest.json").read_text(encoding="utf-8"))
    assert partial.notes[0] in manifest["notes"]

    # a failed Word export publishes nothing: the report just published stays as it is
    import arviointi.report.docx_export as word

    before = snapshot(good.output_dir)

    def broken_word(html_path: Path, docx_path: Path, info: Any) -> None:
        docx_path.write_bytes(b"half a document")
        raise OSError("disk full")

    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, out: out.write_bytes(b"%PDF-fake"))
    monkeypatch.setattr(word, "html_to_docx", broken_word)
    with pytest.raises(PipelineError, match=r"exporting report-fi\.docx failed .*disk full"):
        # without the cache: its Word copy of this very HTML would be reused
        run_evaluation(params, jobs=2, use_cache=False)
    assert snapshot(good.output_dir) == before


def test_bad_areas_fail_before_any_notebook_runs(tmp_path: Path) -> None:
    params = make_project(tmp_path, **{"pilot_areas: [Varissuo]": "pilot_areas: [Varisuo]"})
    with pytest.raises(ParamsError, match="'Varisuo' is not in the data"):
        run_evaluation(params)
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow
@pytest.mark.browser
def test_real_pdf_export(tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("Debian chromium is not installed")
    params = make_project(
        tmp_path,
        **{
            "languages: [fi, en]": "languages: [fi]",
            "notebooks: [emit_records, echo_params]": "notebooks: [emit_records]",
        },
    )
    result = run_evaluation(params, jobs=1)
    pdf_path = result.output_dir / "report-fi.pdf"
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert [p.name for p in result.reports] == ["report-fi.html", "report-fi.pdf", "report-fi.docx"]


# -- records ---------------------------------------------------------------------------------
def _notebook_with(tmp_path: Path, records: list[Any]) -> Path:
    cells = [new_code_cell("x = 1")]
    for record in records:
        cell = new_code_cell("emit()")
        cell.outputs = [
            new_output("display_data", data={RECORD_MIME: {"record": record}, "text/plain": "r"})
        ]
        cells.append(cell)
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


def _record(**change: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "section": "employment",
        "outcome": "unemployed",
        "model": "did",
        "estimate": -1.5,
        "se": 0.5,
        "ci_low": -2.5,
        "ci_high": -0.5,
        "pvalue": 0.01,
        "inference": "cluster",
        "n": 120,
        "true_effect": None,
    }
    return {**base, **change}


def test_records_keep_display_order_and_name_their_notebook(tmp_path: Path) -> None:
    path = _notebook_with(tmp_path, [_record(model="b"), _record(model="a")])
    records = collect_records(path, "nb", synthetic=False)
    assert [r["model"] for r in records] == ["b", "a"]
    assert all(r["notebook"] == "nb" for r in records)
    synthetic = _notebook_with(tmp_path, [_record(true_effect=-2.0)])
    assert collect_records(synthetic, "nb", synthetic=True)[0]["true_effect"] == -2.0


def test_invalid_records_name_notebook_cell_and_field(tmp_path: Path) -> None:
    bad = {k: v for k, v in _record().items() if k != "pvalue"}
    path = _notebook_with(
        tmp_path, [_record(), bad, _record(section="summary"), _record(true_effect=1.0)]
    )
    with pytest.raises(PipelineError) as excinfo:
        collect_records(path, "nb", synthetic=False)
    text = str(excinfo.value)
    assert "notebook nb.ipynb, cell 3: missing field 'pvalue'" in text
    assert "notebook nb.ipynb, cell 4: section 'summary' is not one of" in text
    assert "notebook nb.ipynb, cell 5: true_effect must be null" in text


# -- atomic moves ------------------------------------------------------------------------------
def test_publish_replaces_and_keep_failed_touches_only_failed(tmp_path: Path) -> None:
    final = tmp_path / "reports" / "x"
    first = atomic.temporary_run_dir(tmp_path / "reports", "x")
    (first / "a.txt").write_text("one")
    atomic.publish(first, final)
    assert (final / "a.txt").read_text() == "one" and not first.exists()
    notebook = tmp_path / "n.ipynb"
    notebook.write_text("{}")
    atomic.keep_failed(final, [notebook], "boom")
    assert (final / "a.txt").read_text() == "one"
    assert (final / "failed" / "n.ipynb").is_file()
    second = atomic.temporary_run_dir(tmp_path / "reports", "x")
    (second / "b.txt").write_text("two")
    atomic.publish(second, final)
    assert sorted(p.name for p in final.iterdir()) == [atomic.MARKER, "b.txt"]
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["x"]


# -- cache -------------------------------------------------------------------------------------
def test_cache_key_changes_with_every_input_and_hits_copy_the_notebook(tmp_path: Path) -> None:
    from arviointi.pipeline.cache import NotebookCache, notebook_key

    notebook = tmp_path / "a.ipynb"
    notebook.write_text('{"cells": []}', encoding="utf-8")
    params = {"seed": 1, "title": {"fi": "x"}}
    key = notebook_key(notebook, params, ["h1", "h2"], None)
    assert key == notebook_key(notebook, {"title": {"fi": "x"}, "seed": 1}, ["h2", "h1"], None)
    variants = {
        notebook_key(notebook, {**params, "seed": 2}, ["h1", "h2"], None),
        notebook_key(notebook, params, ["h1", "h3"], None),
        notebook_key(notebook, params, ["h1", "h2"], "2014-09"),
    }
    notebook.write_text('{"cells": [1]}', encoding="utf-8")
    variants.add(notebook_key(notebook, params, ["h1", "h2"], None))
    assert key not in variants and len(variants) == 4

    cache = NotebookCache(tmp_path / "cache")
    destination = tmp_path / "out" / "a.ipynb"
    assert cache.fetch(key, destination) is False and not destination.exists()
    cache.store(key, notebook)
    assert cache.fetch(key, destination) is True
    assert destination.read_bytes() == notebook.read_bytes()


def test_invalid_records_fail_the_run_and_keep_the_notebooks(
    tmp_path: Path, fake_pdf: list[Path]
) -> None:
    params = make_project(
        tmp_path, **{"notebooks: [emit_records, echo_params]": "notebooks: [bad_record]"}
    )
    with pytest.raises(PipelineError) as excinfo:
        run_evaluation(params, jobs=1)
    message = str(excinfo.value)
    assert "notebook bad_record.ipynb, cell 2: missing field 'pvalue'" in message
    assert "notebook bad_record.ipynb, cell 2: section 'jobs' is not one of" in message
    out = tmp_path / "reports" / "fixture-eval"
    assert f"no report was published in {out}" in message
    assert sorted(p.name for p in out.iterdir()) == [atomic.MARKER, "failed"]  # no report
    assert (out / "failed" / "bad_record.ipynb").is_file()


def test_cache_key_uses_only_runtime_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tomllib

    from arviointi.pipeline import cache

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
    deps = project["project"]
    runtime = {cache._normalised(re.split(r"[<>=!~;\[ ]", d)[0]) for d in deps["dependencies"]}
    groups = [*deps.get("optional-dependencies", {}).values()]
    groups += project.get("dependency-groups", {}).values()  # PEP 735 groups, if any
    dev = {
        cache._normalised(re.split(r"[<>=!~;\[ ]", d)[0])
        for group in groups
        for d in group
        if isinstance(d, str)
    } - runtime
    keyed = set(cache.runtime_versions()) - {"arviointi"}
    assert keyed == runtime  # every runtime dependency, from the installed metadata
    assert {"pyfixest", "linearmodels", "mypy", "ruff", "pytest"} <= dev
    assert not keyed & dev
    # requirements of an extra (dev, lab) are not runtime, whatever their spelling
    parsed = cache.runtime_requirements(
        ["numpy==2.4.*", "PyYAML>=6", "pyfixest>=0.30; extra == 'dev'", 'mypy ; extra=="dev"']
    )
    assert parsed == ["numpy", "pyyaml"]
    # a new version of a test-only tool keeps every cached notebook, of numpy does not
    notebook = tmp_path / "a.ipynb"
    notebook.write_text('{"cells": []}', encoding="utf-8")
    key = cache.notebook_key(notebook, {"seed": 1}, ["h"], None)
    real = cache.metadata.version
    bumped: set[str] = {"pyfixest", "mypy", "pytest", "ruff", "linearmodels"}

    def version(name: str) -> str:
        return "999.0" if cache._normalised(name) in bumped else real(name)

    monkeypatch.setattr(cache.metadata, "version", version)
    cache.runtime_versions.cache_clear()
    try:
        assert cache.notebook_key(notebook, {"seed": 1}, ["h"], None) == key
        bumped.add("numpy")
        cache.runtime_versions.cache_clear()
        assert cache.notebook_key(notebook, {"seed": 1}, ["h"], None) != key
    finally:
        monkeypatch.undo()
        cache.runtime_versions.cache_clear()
