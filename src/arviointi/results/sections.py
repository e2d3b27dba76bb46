"""The report's sections, named once.

Every other place takes the names from here: the params schema (an outcome's ``section``),
the results record contract (:mod:`arviointi.results.record`), the pipeline's record check,
the emitter (``Emitter.section``), the renderer (order and numbering), the synthesis (the
order of the headline table, the sections without results) and the catalogue test (every
section has a title ``section.<name>`` in every language).

This module imports nothing, so any layer may use it.
"""

from __future__ import annotations

from typing import Literal, get_args

#: the sections that hold analyses: an outcome in params and a results record belong to one
AnalysisSection = Literal["employment", "costs", "wellbeing", "organisation"]

#: :data:`AnalysisSection` as a tuple, in report order
ANALYSIS_SECTIONS: tuple[str, ...] = get_args(AnalysisSection)

#: every section of the report, in its fixed order: the summary, the analyses, then the
#: methods, the limitations and the appendix
REPORT_SECTIONS: tuple[str, ...] = (
    "summary",
    *ANALYSIS_SECTIONS,
    "methods",
    "limitations",
    "appendix",
)

#: the sections printed as major parts of the report (the limitations are a sub-part)
MAJOR_SECTIONS: tuple[str, ...] = tuple(s for s in REPORT_SECTIONS if s != "limitations")


def section_order(name: object) -> int:
    """The position of an analysis section in the report (unknown names last)."""
    return ANALYSIS_SECTIONS.index(name) if name in ANALYSIS_SECTIONS else len(ANALYSIS_SECTIONS)
