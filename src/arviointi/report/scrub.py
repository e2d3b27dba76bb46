"""Clean executed notebooks before they are kept: only arviointi bundles survive.

An executed notebook is an output too. :func:`scrub_notebook` removes every output that is
not an arviointi bundle (report content or result record): printed frames, streams,
warnings, tracebacks, reprs. The kept bundles were built by the Emitter (aggregated,
disclosure-controlled), so no person-level row or identifier printed by a notebook survives.

    nb = nbformat.read(path, as_version=4); scrub_notebook(nb); nbformat.write(nb, path)
"""

from __future__ import annotations

from typing import Any

from arviointi.report.mime import RECORD_MIME, REPORT_MIME

_KEEP = (REPORT_MIME, RECORD_MIME)


def scrub_notebook(nb: Any) -> int:
    """Drop non-arviointi outputs of ``nb`` in place; return how many were dropped."""
    dropped = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if output.get("output_type") in ("display_data", "execute_result") and any(
                k in data for k in _KEEP
            ):
                kept.append(output)
            else:
                dropped += 1
        cell.outputs = kept
    return dropped
