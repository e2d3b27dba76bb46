"""The report's metadata (title, sources, provenance, checkpoint, headline findings) that
the renderer needs, built from the validated params and the run's inputs and records."""

from __future__ import annotations

import calendar
import datetime as dt
import importlib
from collections.abc import Sequence
from typing import Any

from arviointi.params.schema import Evaluation
from arviointi.pipeline.manifest import git_state, package_versions


def report_meta(
    evaluation: Evaluation,
    as_of: str | None,
    checkpoint_entry: dict[str, Any] | None,
    inputs: list[dict[str, Any]],
    records: Sequence[dict[str, Any]] | None,
) -> Any:
    """The report's metadata: title, sources, provenance, checkpoint, findings (none
    when ``records`` is None: that metadata keys the HTML cache together with the records,
    see :func:`~arviointi.pipeline.html_cache.html_key`)."""
    meta_module = importlib.import_module("arviointi.report.meta")
    sources = [
        {
            "name": entry["source"],
            "path": entry["path"],
            "sha256": entry["sha256"],
            "licence": entry["licence"],
            "attribution": entry["attribution"],
        }
        for entry in inputs
    ]
    title = {k: v for k, v in evaluation.title.model_dump().items() if v}
    checkpoint = None
    if as_of is not None:
        # the report shows the last day of the as-of month: the data run up to it
        year, month = (int(part) for part in as_of.split("-"))
        last_day = dt.date(year, month, calendar.monthrange(year, month)[1]).isoformat()
        label = {"fi": "Tilanne", "en": "Status"}
        if checkpoint_entry is not None:
            label = {k: v for k, v in checkpoint_entry["label"].items() if v}
        checkpoint = {"name": label, "date": last_day}
    return meta_module.ReportMeta(
        evaluation_id=evaluation.id,
        title=title,
        authors=list(evaluation.authors),
        date=dt.date.today().isoformat(),
        checkpoint=checkpoint,
        synthetic=evaluation.synthetic,
        sources=sources,
        params=evaluation.to_params(),
        provenance={
            "git_commit": git_state(evaluation.root)["commit"],
            "packages": package_versions(),
            "input_hashes": {e["path"]: e["sha256"] for e in inputs if e["path"]},
        },
        disclosure_threshold=evaluation.disclosure.threshold,
        publication=evaluation.report.model_dump(mode="json", exclude={"output_dir"}),
        description=(
            {k: v for k, v in evaluation.description.model_dump().items() if v}
            if evaluation.description is not None
            else {}
        ),
        findings=[] if records is None else findings(evaluation, records),
        confidence=round(100 * (1 - evaluation.inference.alpha)),
        report_languages=list(evaluation.languages),
    )


def findings(evaluation: Evaluation, records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The headline findings for the description sheets, with the params' Swedish labels."""
    synthesis = importlib.import_module("arviointi.sections.synthesis")
    found: list[dict[str, Any]] = synthesis.headline_findings(
        records, alpha=evaluation.inference.alpha, threshold=evaluation.disclosure.threshold
    )
    swedish = {o.name: o.label.sv for o in evaluation.outcomes if o.label.sv}
    for finding in found:
        if finding["outcome"] in swedish:
            finding["label"] = {**finding["label"], "sv": swedish[finding["outcome"]]}
    return found
