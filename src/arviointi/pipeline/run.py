"""``run_evaluation``: parameters -> data check -> notebooks -> results.json -> reports.

Stages (each timed in manifest.json): validate (parameters and data, all problems at once),
hash inputs, execute notebooks (cache, then papermill in parallel), collect records, render
reports (HTML per language, then PDF and Word), publish (atomic move into ``reports/<run id>/``).
"""

from __future__ import annotations

import hashlib
import importlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arviointi.data.results import RECORDS_FILE
from arviointi.errors import ArviointiError, PipelineError
from arviointi.params.schema import Evaluation
from arviointi.pipeline import atomic, execute, kernels, reuse, validated
from arviointi.pipeline.cache import (
    NotebookCache,
    code_fingerprint,
    notebook_key,
    runtime_versions,
)
from arviointi.pipeline.execute import (
    KERNEL_START_TIMEOUT_S,
    NotebookJob,
    NotebookOutcome,
    execute_all,
)
from arviointi.pipeline.html_cache import HtmlCache, html_key
from arviointi.pipeline.lock import run_lock
from arviointi.pipeline.manifest import build_manifest, git_state
from arviointi.pipeline.output_errors import output_error
from arviointi.pipeline.pdf_cache import PdfCache, docx_key, pdf_key
from arviointi.pipeline.progress import notebook_state
from arviointi.pipeline.records import collect_records, dump_json, results_document
from arviointi.pipeline.report_meta import report_meta

Progress = Callable[[str], None]


@dataclass
class RunResult:
    """What a successful run produced."""

    evaluation_id: str
    run_id: str
    output_dir: Path
    results_path: Path
    manifest_path: Path
    reports: list[Path]
    notebooks: list[Path]
    cache_hits: list[str]
    timings: dict[str, float]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunPoint:
    """Which data cut a run shows: the checkpoint (if any) and the as-of month."""

    checkpoint: dict[str, Any] | None
    as_of: str | None
    suffix: str | None


def run_point(evaluation: Evaluation) -> RunPoint:
    """Resolve ``design.as_of`` (checkpoint id or month) to a checkpoint and a month."""
    requested = evaluation.design.as_of
    if requested is None:
        return RunPoint(None, None, None)
    checkpoint = evaluation.checkpoint(requested)
    if checkpoint is not None:
        return RunPoint(checkpoint.model_dump(mode="json"), checkpoint.date, checkpoint.id)
    from arviointi.params.months import parse_month

    month = parse_month(requested)
    return RunPoint(None, month, month)


def run_evaluation(
    params_path: str | Path,
    *,
    output_root: Path | None = None,
    jobs: int = 2,
    use_cache: bool = True,
    as_of: str | None = None,
    progress: Progress | None = None,
    fresh_kernels: bool = False,
) -> RunResult:
    """Run one evaluation end to end; outputs land in ``<output_root>/<run id>/``.

    ``output_root`` defaults to the parameters' ``report.output_dir`` (``reports`` under
    ``base_dir``). ``as_of`` (checkpoint id or ``YYYY-MM``) overrides ``design.as_of``; a
    run at a checkpoint goes to ``<id>--<checkpoint id>`` so the final report is kept.
    Notebooks share one warm kernel per worker (namespace reset in between) unless
    ``fresh_kernels``. Raises ``ParamsError`` before anything runs when the parameters or
    data are wrong, and ``PipelineError`` (naming notebook, cell and error) when a notebook fails.
    """
    say: Progress = progress or (lambda _message: None)
    timings: dict[str, float] = {}
    notes: list[str] = []
    stage = _stage_timer(timings)
    total_started = time.perf_counter()
    with stage("validate"):
        say(f"validating {params_path} ...")
        # unchanged parameters, inputs and code: the data are not loaded again (validated.py)
        evaluation, inputs, reused = validated.validate(
            params_path, as_of=as_of, use_cache=use_cache
        )
    if reused:
        say("parameters, input files and code as in the last validation: data not reloaded")
    point = run_point(evaluation)
    run_id = evaluation.id if point.suffix is None else f"{evaluation.id}--{point.suffix}"
    root = output_root or evaluation.resolve(evaluation.report.output_dir)
    final = root / run_id

    params = evaluation.to_params()
    notebooks = evaluation.notebook_paths()
    for notebook in notebooks:
        notebook_state(say, notebook.stem, "queued")
    previous = _previous(final)
    lock, temporary = _claim_output(root, run_id, final, previous, notes)
    run = _Run(evaluation, params, inputs, point, temporary, final, previous, jobs, use_cache, say)
    run.fresh_kernels = fresh_kernels
    # two stages: the analyses (independent, run in parallel), then the final notebooks
    # (the synthesis), which read the analyses' records from <run_dir>/records.json
    last = [n for n in notebooks if n.stem in evaluation.final_notebooks]
    first = [n for n in notebooks if n not in last]
    _begin_workers(jobs, fresh_kernels)
    try:
        reasons: dict[str, str] = {}
        outcomes, records, hits = _execute_stages(run, first, last, stage, reasons)
        with stage("collect"):
            _write_results(run, records)
        with stage("render"):
            reports = _render(
                evaluation,
                [o.output for o in outcomes],
                point,
                inputs,
                temporary,
                notes,
                say,
                records=records,
                use_cache=use_cache,
            )
        timings["total_before_publish"] = time.perf_counter() - total_started
        manifest = _manifest(
            evaluation, params, run_id, point, inputs, outcomes, reasons, timings, reports, notes
        )
        (temporary / "manifest.json").write_bytes(dump_json(manifest))
        atomic.publish(temporary, final)
    except OSError as exc:
        raise output_error(exc, root, run_id, previous) from exc
    finally:
        execute.end_pool()
        kernels.end_session()
        atomic.discard(temporary)
        lock.close()
    say(f"done: {final}")
    return RunResult(
        evaluation_id=evaluation.id,
        run_id=run_id,
        output_dir=final,
        results_path=final / "results.json",
        manifest_path=final / "manifest.json",
        reports=[final / p.name for p in reports],
        notebooks=[final / "notebooks" / o.output.name for o in outcomes],
        cache_hits=hits,
        timings=timings,
        notes=notes,
    )


def _begin_workers(jobs: int, fresh_kernels: bool) -> None:
    """Warm kernels for the whole run: one in this process for notebooks run one at a
    time, and with ``jobs`` > 1 one pool of workers for both stages (the synthesis then
    runs in a worker whose kernel is warm)."""
    if not fresh_kernels:
        kernels.begin_session(KERNEL_START_TIMEOUT_S)
    if jobs > 1:
        execute.begin_pool(jobs)


def _previous(final: Path) -> str:
    """What a failed run leaves in ``final`` (for its error message)."""
    if (final / "results.json").is_file():
        return f"the last good report in {final} is unchanged"
    return f"no report was published in {final}"


def _stage_timer(timings: dict[str, float]) -> Callable[[str], Any]:
    """``with stage(name):`` adds the block's wall time to ``timings[name]``."""

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started

    return stage


def _claim_output(
    root: Path, run_id: str, final: Path, previous: str, notes: list[str]
) -> tuple[ExitStack, Path]:
    """Take the run lock and make the temporary run directory (released on failure)."""
    lock = ExitStack()
    try:
        notes += lock.enter_context(run_lock(root, run_id))
        atomic.check_ours(final)
        temporary = atomic.temporary_run_dir(root, run_id)
    except OSError as exc:
        lock.close()
        raise output_error(exc, root, run_id, previous) from exc
    except BaseException:
        lock.close()
        raise
    return lock, temporary


@dataclass
class _Run:
    """What every stage of one run needs."""

    evaluation: Evaluation
    params: dict[str, Any]
    inputs: list[dict[str, Any]]
    point: RunPoint
    temporary: Path
    final: Path
    previous: str
    jobs: int
    use_cache: bool
    say: Progress
    fresh_kernels: bool = False


def _execute_stages(
    run: _Run,
    first: list[Path],
    last: list[Path],
    stage: Callable[[str], Any],
    reasons: dict[str, str],
) -> tuple[list[NotebookOutcome], list[dict[str, Any]], list[str]]:
    """The analyses, then the final notebooks (the synthesis), which read the analyses'
    records from ``<run_dir>/records.json``; returns outcomes, records and cache hits."""
    outcomes: list[NotebookOutcome] = []
    records: list[dict[str, Any]] = []
    hits: list[str] = []
    for stage_notebooks in (first, last):
        if not stage_notebooks:
            continue
        extra = [hashlib.sha256(dump_json(records)).hexdigest()] if stage_notebooks is last else []
        with stage("execute" if stage_notebooks is first else "execute_final"):
            stage_outcomes, stage_hits = _execute(
                run.evaluation,
                stage_notebooks,
                run.params,
                run.inputs,
                run.point,
                run.temporary,
                run.jobs,
                run.use_cache,
                run.say,
                extra_hashes=extra,
                reasons=reasons,
                fresh_kernels=run.fresh_kernels,
            )
        outcomes += stage_outcomes
        hits += stage_hits
        failures = [o for o in stage_outcomes if o.failure is not None]
        if failures:
            message = "\n".join(f"  - {o.failure}" for o in failures)
            kept = atomic.keep_failed(run.final, [o.output for o in failures], message)
            raise PipelineError(
                f"{run.evaluation.id}: {len(failures)} notebook(s) failed; {run.previous}; "
                f"failed notebooks kept in {kept}\n{message}"
            )
        with stage("collect"):
            records += _collect(run, stage_outcomes, outcomes)
            (run.temporary / RECORDS_FILE).write_bytes(dump_json(records))
    return outcomes, records, hits


def _collect(
    run: _Run, stage_outcomes: list[NotebookOutcome], outcomes: list[NotebookOutcome]
) -> list[dict[str, Any]]:
    """The records of the executed notebooks (a bad record keeps the notebooks)."""
    try:
        return [
            record
            for outcome in stage_outcomes
            for record in collect_records(
                outcome.output, outcome.name, synthetic=run.evaluation.synthetic
            )
        ]
    except PipelineError as exc:
        kept = atomic.keep_failed(run.final, [o.output for o in outcomes], str(exc))
        raise PipelineError(
            f"{run.evaluation.id}: {exc}\n{run.previous}; the executed notebooks are kept in {kept}"
        ) from exc


def _write_results(run: _Run, records: list[dict[str, Any]]) -> None:
    """results.json in the temporary run directory (records.json was for the synthesis)."""
    evaluation, point = run.evaluation, run.point
    document = results_document(
        records,
        evaluation_id=evaluation.id,
        checkpoint=point.checkpoint["id"] if point.checkpoint else None,
        as_of=point.as_of,
        synthetic=evaluation.synthetic,
        seed=evaluation.seed,
    )
    (run.temporary / "results.json").write_bytes(dump_json(document))
    # the analyses' records were for the final notebooks; results.json holds them all
    (run.temporary / RECORDS_FILE).unlink(missing_ok=True)


def _manifest(
    evaluation: Evaluation,
    params: dict[str, Any],
    run_id: str,
    point: RunPoint,
    inputs: list[dict[str, Any]],
    outcomes: list[NotebookOutcome],
    reasons: dict[str, str],
    timings: dict[str, float],
    reports: list[Path],
    notes: list[str],
) -> dict[str, Any]:
    return build_manifest(
        params=params,
        params_file=str(evaluation.source_path),
        run_id=run_id,
        checkpoint=point.checkpoint,
        as_of=point.as_of,
        inputs=inputs,
        notebooks=[
            {
                "name": o.name,
                "seconds": round(o.seconds, 3),
                "cached": o.cached,
                "reason": reasons.get(o.name),
            }
            for o in outcomes
        ],
        timings=timings,
        git=git_state(evaluation.root),
        reports=[p.name for p in reports],
        notes=notes,
    )


def _execute(
    evaluation: Evaluation,
    notebooks: list[Path],
    params: dict[str, Any],
    inputs: list[dict[str, Any]],
    point: RunPoint,
    temporary: Path,
    jobs: int,
    use_cache: bool,
    say: Progress,
    *,
    extra_hashes: Sequence[str] = (),
    reasons: dict[str, str] | None = None,
    fresh_kernels: bool = False,
) -> tuple[list[NotebookOutcome], list[str]]:
    cache = NotebookCache(evaluation.root / ".cache" / "arviointi")
    hashes = [entry["sha256"] for entry in inputs if entry["sha256"]] + list(extra_hashes)
    outcomes: dict[str, NotebookOutcome] = {}
    to_run: list[NotebookJob] = []
    keys: dict[str, str] = {}
    parts: dict[str, dict[str, str]] = {}
    reasons = {} if reasons is None else reasons
    hits: list[str] = []
    total = len(notebooks)
    for notebook in notebooks:
        name = notebook.stem
        output = temporary / "notebooks" / notebook.name
        # the key covers only the parameters the notebook declares it reads (reuse.py)
        reads = reuse.declared_reads(notebook)
        key = notebook_key(notebook, reuse.select(params, reads), hashes, point.as_of)
        keys[name] = key
        parts[name] = reuse.key_parts(
            notebook, params, reads, hashes, point.as_of, code_fingerprint(), runtime_versions()
        )
        hit = use_cache and cache.fetch(key, output)
        reasons[name] = reuse.explain(
            cache.directory, name, parts[name], hit=hit, use_cache=use_cache
        )
        if hit:
            hits.append(name)
            outcomes[name] = NotebookOutcome(name, output, 0.0, cached=True)
            notebook_state(say, name, "cached")
            say(f"[{len(hits)}/{total}] cached {name}")
            continue
        parameters = {"params": params, "run_dir": str(temporary), "as_of": point.as_of}
        log = temporary / "logs" / f"{name}.log"
        to_run.append(NotebookJob(name, notebook, output, parameters, evaluation.root, log))
    for outcome in execute_all(
        to_run,
        workers=jobs,
        progress=say,
        done_before=len(hits),
        total=total,
        fresh_kernels=fresh_kernels,
    ):
        outcomes[outcome.name] = outcome
        if outcome.failure is None and use_cache:
            cache.store(keys[outcome.name], outcome.output)
            reuse.remember(cache.directory, outcome.name, keys[outcome.name], parts[outcome.name])
    return [outcomes[n.stem] for n in notebooks], hits


def _render(
    evaluation: Evaluation,
    notebooks: list[Path],
    point: RunPoint,
    inputs: list[dict[str, Any]],
    temporary: Path,
    notes: list[str],
    say: Progress,
    *,
    records: Sequence[dict[str, Any]] = (),
    use_cache: bool = True,
) -> list[Path]:
    """HTML, PDF and Word copies of the report in every language (cached where unchanged)."""
    keyed = report_meta(evaluation, point.as_of, point.checkpoint, inputs, None)
    full: list[Any] = []  # the metadata with findings, made on the first HTML cache miss

    def meta() -> Any:
        if not full:
            full.append(report_meta(evaluation, point.as_of, point.checkpoint, inputs, records))
        return full[0]

    written: list[Path] = []
    for lang in evaluation.languages:
        page = html_key(notebooks, lang, keyed, records) if use_cache else None
        written += _render_language(
            evaluation, notebooks, lang, meta, page, temporary, notes, say, use_cache=use_cache
        )
    return written


def _render_language(
    evaluation: Evaluation,
    notebooks: list[Path],
    lang: str,
    meta: Callable[[], Any],
    page: str | None,
    temporary: Path,
    notes: list[str],
    say: Progress,
    *,
    use_cache: bool,
) -> list[Path]:
    # imported here so that `arviointi validate` does not load nbconvert
    pdf = importlib.import_module("arviointi.report.pdf")
    word = importlib.import_module("arviointi.report.docx_export")
    description = importlib.import_module("arviointi.report.description")
    info = word.DocxInfo(authors=list(evaluation.authors), comments=evaluation.id)
    written: list[Path] = []
    pdf_cache = PdfCache(evaluation.root / ".cache" / "arviointi" / "pdf")
    rendered = HtmlCache(evaluation.root / ".cache" / "arviointi" / "html")
    word_cache = PdfCache(evaluation.root / ".cache" / "arviointi" / "docx", ".docx")
    say(f"rendering report-{lang}.html ...")
    html_path = temporary / f"report-{lang}.html"
    pdf_path = temporary / f"report-{lang}.pdf"
    docx_path = temporary / f"report-{lang}.docx"
    try:
        # the same bundles, metadata, records and package give the same HTML (html_cache.py)
        if page is None or not rendered.fetch(page, html_path):
            render = importlib.import_module("arviointi.report.render")
            text = render.render_report(notebooks, lang=lang, meta=meta())
            html_path.write_text(text, "utf-8")
            if page is not None:
                rendered.store(page, html_path)
    except ArviointiError:
        raise
    except Exception as exc:
        raise PipelineError(
            f"{evaluation.id}: exporting report-{lang} failed ({type(exc).__name__}: {exc}); "
            "nothing was published"
        ) from exc
    written.append(html_path)
    # an unchanged HTML is not printed again (pdf_cache.py)
    key = pdf_key(html_path, pdf.html_to_pdf, pdf) if use_cache else None
    printed: str | None = None
    if key is not None and pdf_cache.fetch(key, pdf_path):
        say(f"report-{lang}.pdf unchanged: reused")
    else:
        say(f"printing report-{lang}.pdf ...")
        printed = _print_pdf(pdf, html_path, pdf_path)
        if printed is None and key is not None:
            pdf_cache.store(key, pdf_path)
    if printed is None:
        written.append(pdf_path)
        pages = pdf.page_count(pdf_path)
        if pages:  # the description sheets name the PDF's page count
            text = html_path.read_text(encoding="utf-8")
            html_path.write_text(description.fill_pages(text, pages), "utf-8")
    else:
        notes.append(printed)
        say(f"warning: {printed}")
    # the same final HTML gives the same Word copy (pdf_cache.py)
    word_key = docx_key(html_path, info) if use_cache else None
    if word_key is not None and word_cache.fetch(word_key, docx_path):
        say(f"report-{lang}.docx unchanged: reused")
        written.append(docx_path)
        return written
    say(f"writing report-{lang}.docx ...")
    try:
        word.html_to_docx(html_path, docx_path, info)
    except ArviointiError:
        raise
    except Exception as exc:
        raise PipelineError(
            f"{evaluation.id}: exporting report-{lang}.docx failed "
            f"({type(exc).__name__}: {exc}); nothing was published"
        ) from exc
    if word_key is not None:
        word_cache.store(word_key, docx_path)
    written.append(docx_path)
    return written


def _print_pdf(pdf: Any, html_path: Path, pdf_path: Path) -> str | None:
    """Print the PDF; a failure (timeout, crash) keeps the good HTML and returns a note."""
    try:
        pdf.html_to_pdf(html_path, pdf_path)
    except Exception as exc:  # the HTML report is complete without its PDF copy
        pdf_path.unlink(missing_ok=True)
        detail = str(exc) if isinstance(exc, ArviointiError) else f"{type(exc).__name__}: {exc}"
        return (
            f"{pdf_path.name} was not made ({detail.splitlines()[0] if detail else ''}); "
            f"the HTML report {html_path.name} is published without it"
        )
    return None
