"""What the report shell needs besides the notebook content: title page and appendix data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from arviointi.results.sections import REPORT_SECTIONS

#: report sections in their fixed order; every emitted bundle names one of them (defined
#: once, in arviointi.results.sections)
SECTIONS: tuple[str, ...] = REPORT_SECTIONS


@dataclass
class ReportMeta:
    """Title page and appendix of one report.

    evaluation_id : the params id (e.g. ``"turku-varissuo"``)
    title : ``{"fi": ..., "en": ...}``; a missing language falls back to the other one
    authors : names as printed on the title page
    date : ISO date ``YYYY-MM-DD`` (formatted per language) or free text
    checkpoint : e.g. ``{"name": {"fi": "Mallin kypsyys", "en": "Maturity of the model"},
        "date": "2014-06-30"}`` or None
    synthetic : any input synthetic -> banner on every page
    sources : ``[{"name", "path", "sha256", "licence", "attribution"}]``
    params : the validated params as a plain dict (printed in the appendix)
    provenance : ``{"git_commit": str, "packages": {name: version},
        "input_hashes": {path: sha256}}``
    disclosure_threshold : the smallest group size shown (for the limitations text)
    publication : the params' ``report:`` facts for the description sheets (publisher,
        commissioned_by, series, series_number, isbn, issn, urn, date, keywords)
    description : the evaluation's description ``{"fi": ..., "en": ..., "sv": ...}``
    findings : the headline findings (``synthesis.headline_findings``) for the abstract
        and the Swedish summary
    confidence : the confidence level of the intervals, in per cent
    report_languages : the languages the full report is written in
    """

    evaluation_id: str
    title: dict[str, str]
    authors: list[str]
    date: str
    checkpoint: dict[str, Any] | None = None
    synthetic: bool = False
    sources: list[dict[str, str]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    disclosure_threshold: int = 5
    publication: dict[str, Any] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    confidence: int = 95
    report_languages: list[str] = field(default_factory=list)

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (or any available language, or the evaluation id)."""
        if lang in self.title:
            return self.title[lang]
        return next(iter(self.title.values()), self.evaluation_id)
