"""Reruns: notebooks keyed on the parameters they read, reasons in the manifest, PDFs reused."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from arviointi.pipeline import reuse, run_evaluation

FIXTURES = Path(__file__).parents[1] / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ROOT / "src" / "arviointi" / "sections"


def test_select_keeps_only_the_declared_paths() -> None:
    params = {"a": 1, "models": {"did": {"x": 1}, "synth": {"y": 2}}, "b": [1]}
    assert reuse.select(params, None) == params
    assert reuse.select(params, ["a", "models.did", "missing.key"]) == {
        "a": 1,
        "models": {"did": {"x": 1}},
    }


def test_key_parts_and_explanations(tmp_path: Path) -> None:
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text('{"cells": [], "metadata": {}}', encoding="utf-8")
    params = {"seed": 1, "models": {"did": {"inference": "auto"}}}
    reads = ["models.did", "seed"]
    before = reuse.key_parts(notebook, params, reads, ["h"], None, "code", {"pandas": "3"})
    reuse.remember(tmp_path, "nb", "key1", before)
    changed = {**params, "models": {"did": {"inference": "wild"}}}
    after = reuse.key_parts(notebook, changed, reads, ["h"], None, "code", {"pandas": "3"})
    assert reuse.explain(tmp_path, "nb", after, hit=False, use_cache=True) == (
        "executed: changed since the cached run: params.models.did"
    )
    other = reuse.key_parts(notebook, params, reads, ["h2"], "2014-09", "code", {})
    assert reuse.explain(tmp_path, "nb", other, hit=False, use_cache=True) == (
        "executed: changed since the cached run: as_of, inputs, versions"
    )
    assert reuse.explain(tmp_path, "nb", before, hit=False, use_cache=False) == (
        "executed: --no-cache"
    )
    assert reuse.explain(tmp_path, "new", before, hit=False, use_cache=True) == (
        "executed: no cached run of this notebook"
    )
    assert "models.did, seed" in reuse.explain(tmp_path, "nb", before, hit=True, use_cache=True)


def test_a_bad_reads_declaration_is_a_clear_error(tmp_path: Path) -> None:
    from arviointi.errors import PipelineError

    notebook = tmp_path / "nb.ipynb"
    notebook.write_text('{"metadata": {"arviointi": {"reads": "outcomes"}}}', encoding="utf-8")
    with pytest.raises(PipelineError, match=r"nb.ipynb: metadata.arviointi.reads must be a list"):
        reuse.declared_reads(notebook)


# -- the declarations of the shipped notebooks cover what their section code reads ---------
#: parameter references in section code -> the path a notebook must declare
PATTERNS = {
    r"\bmodels\.(\w+)": "models.{0}",
    r"\bcost_rules\b": "cost_rules",
    r"\b(?:evaluation|ev)\.inference\b|\binference_seed\b": "inference",
    r"\b(?:evaluation|ev)\.outcomes\b|\barea_outcomes\b": "outcomes",
    r"\b(?:evaluation|ev)\.(title|authors|description|report|notebooks|final_notebooks)\b": "{0}",
    r"\bctx\.params\b|\bcontext\.params\b": "ALL",
}


def _module_files(name: str) -> list[Path]:
    """The source files of section module ``name`` (a module or a package)."""
    if (SECTIONS / f"{name}.py").is_file():
        return [SECTIONS / f"{name}.py"]
    return sorted((SECTIONS / name).glob("*.py")) if (SECTIONS / name).is_dir() else []


def _module_text(name: str) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in _module_files(name))


def _section_modules(notebook: Path) -> set[str]:
    """The arviointi.sections modules a notebook imports, directly or through each other."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    found: set[str] = set()
    for match in re.finditer(r"from arviointi\.sections import ([\w, ]+)", code):
        found |= {n.strip() for n in match.group(1).split(",")}
    found = {n for n in found if _module_files(n)}
    todo = list(found)
    while todo:
        text = _module_text(todo.pop())
        for match in re.finditer(r"from arviointi\.sections(?:\.(\w+))? import (\w+)", text):
            name = match.group(1) or match.group(2)
            if name not in found and _module_files(name):
                found.add(name)
                todo.append(name)
    return found


def _referenced(modules: set[str]) -> set[str]:
    paths: set[str] = set()
    for module in modules:
        text = _module_text(module)
        for pattern, path in PATTERNS.items():
            paths |= {path.format(*m.groups()) for m in re.finditer(pattern, text)}
    return paths


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=str)
def test_shipped_notebooks_declare_what_their_sections_read(notebook: Path) -> None:
    declared = reuse.declared_reads(notebook)
    assert declared is not None, f"{notebook.name}: no metadata.arviointi.reads"
    modules = _section_modules(notebook)
    assert modules, notebook.name  # the scan found the section code
    missing = _referenced(modules) - set(declared)
    assert not missing, f"{notebook.name} reads {sorted(missing)} but does not declare it"


def test_the_scan_can_fail() -> None:
    assert "models.event_study" in _referenced({"area"})
    assert "cost_rules" in _referenced({"costs"})


def test_html_key_follows_the_report_bundles_not_the_execution(tmp_path: Path) -> None:
    import dataclasses

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from arviointi.pipeline.html_cache import html_key
    from arviointi.report.meta import ReportMeta
    from arviointi.report.mime import REPORT_MIME

    def notebook(name: str, html: str, count: int) -> Path:
        bundle = {"kind": "paragraph", "section": "employment", "html": {"fi": html}}
        output = new_output("display_data", data={REPORT_MIME: bundle, "text/plain": "x"})
        cell = new_code_cell(f"run_dir = '/tmp/run{count}'", execution_count=count)
        cell.outputs = [output]
        cell.metadata["papermill"] = {"duration": float(count)}
        path = tmp_path / f"{name}-{count}" / f"{name}.ipynb"
        path.parent.mkdir()
        nbformat.write(new_notebook(cells=[cell]), path)
        return path

    meta = ReportMeta(evaluation_id="e", title={"fi": "T"}, authors=[], date="2026-12-04")
    first = html_key([notebook("a", "<p>1</p>", 1)], "fi", meta)
    assert first == html_key([notebook("a", "<p>1</p>", 2)], "fi", meta)
    assert first != html_key([notebook("a", "<p>2</p>", 3)], "fi", meta)
    assert first != html_key([notebook("a", "<p>1</p>", 4)], "en", meta)
    later = dataclasses.replace(meta, date="2026-12-05")
    assert first != html_key([notebook("a", "<p>1</p>", 5)], "fi", later)


# -- end to end: one changed parameter, one notebook re-executed ----------------------------
def _project(tmp_path: Path) -> Path:
    (tmp_path / "params").mkdir()
    shutil.copy(FIXTURES / "params" / "area_panel.csv", tmp_path / "params" / "area_panel.csv")
    shutil.copytree(FIXTURES / "notebooks", tmp_path / "notebooks")
    target = tmp_path / "params" / "good.yaml"
    shutil.copy(FIXTURES / "params" / "good.yaml", target)
    return target


@pytest.mark.slow
def test_changed_parameter_re_executes_only_the_notebook_that_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import arviointi.report.pdf as pdf

    printed: list[str] = []

    def fake(html_path: Path, pdf_path: Path) -> None:
        printed.append(html_path.name)
        pdf_path.write_bytes(b"%PDF-fake " + html_path.read_bytes()[:64])

    monkeypatch.setattr(pdf, "html_to_pdf", fake)
    import arviointi.report.render as render

    rendered = 0
    real_render = render.render_report

    def counting_render(*args: object, **kwargs: object) -> str:
        nonlocal rendered
        rendered += 1
        return real_render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "render_report", counting_render)
    import arviointi.report.docx_export as word

    written: list[str] = []
    real_docx = word.html_to_docx

    def counting_docx(html_path: Path, *args: object, **kwargs: object) -> object:
        written.append(html_path.name)
        return real_docx(html_path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(word, "html_to_docx", counting_docx)
    import arviointi.sections.synthesis as synthesis

    findings = 0
    real_findings = synthesis.headline_findings

    def counting_findings(*args: object, **kwargs: object) -> object:
        nonlocal findings
        findings += 1
        return real_findings(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(synthesis, "headline_findings", counting_findings)
    params = _project(tmp_path)
    first = run_evaluation(params, jobs=1)
    assert first.cache_hits == [] and printed == ["report-fi.html", "report-en.html"]

    # the title is read by echo_params only (emit_records declares seed and outcomes)
    text = params.read_text(encoding="utf-8")
    params.write_text(text.replace("en: Test evaluation", "en: Renamed"), encoding="utf-8")
    second = run_evaluation(params, jobs=1)
    assert second.cache_hits == ["emit_records"]
    manifest = json.loads(second.manifest_path.read_text(encoding="utf-8"))
    reasons = {n["name"]: n["reason"] for n in manifest["notebooks"]}
    assert reasons["emit_records"].startswith("reused: ")
    assert reasons["echo_params"] == "executed: changed since the cached run: params.title"
    assert printed[2:] == ["report-fi.html", "report-en.html"]  # the title page changed

    # nothing changed: every notebook and every PDF reused, same bytes
    before = {p.name: p.read_bytes() for p in second.output_dir.glob("report-*")}
    results = second.results_path.read_bytes()
    third = run_evaluation(params, jobs=1)
    assert third.cache_hits == ["emit_records", "echo_params"]
    assert len(printed) == 4
    assert rendered == 4  # the HTML was not rendered again either
    assert len(written) == 4  # nor the Word copies
    assert findings == 2  # the headline findings are computed only for a rendered HTML
    assert {p.name: p.read_bytes() for p in third.output_dir.glob("report-*")} == before
    assert third.results_path.read_bytes() == results

    # --no-cache executes and prints everything again
    fourth = run_evaluation(params, jobs=1, use_cache=False)
    assert fourth.cache_hits == [] and len(printed) == 6
    manifest = json.loads(fourth.manifest_path.read_text(encoding="utf-8"))
    assert {n["reason"] for n in manifest["notebooks"]} == {"executed: --no-cache"}
