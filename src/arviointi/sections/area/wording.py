"""Values for the report text of the employment_area section (per language)."""

from __future__ import annotations

from typing import Any

from arviointi.params.schema import Outcome
from arviointi.report import formatting as fm
from arviointi.sections.area.results import OutcomeResults

#: placebo gaps drawn only for comparison areas fitted at most this many times worse
PLACEBO_FIT_LIMIT = 5.0


def pvalue_text(p: float | None) -> dict[str, str]:
    """A p-value written per language ("p = 0,79" / "p = 0.79")."""
    return {lang: fm.fmt_pvalue(p, lang) for lang in ("fi", "en")}


def numbers_text(value: float, decimals: int) -> dict[str, str]:
    """A number written per language."""
    return {lang: fm.fmt_number(value, lang, decimals) for lang in ("fi", "en")}


SCALE_UNIT = {
    "level": "area.unit.pp",
    "log": "area.unit.log",
    "per_labour_force": "area.unit.per100",
}


def label_values(outcome: Outcome) -> dict[str, Any]:
    """The outcome's label from the params, per language (a placeholder value)."""
    fi = outcome.label.fi
    return {"label": {"fi": fi, "en": outcome.label.en or fi}}


def verdict_args(res: OutcomeResults) -> dict[str, Any]:
    """Verdict in persons for per-labour-force outcomes, otherwise on the analysis scale."""
    panel = res.panel
    if panel.scale == "per_labour_force" and panel.persons_per_unit:
        return {"unit_key": "area.unit.persons", "scale": panel.persons_per_unit, "decimals": 0}
    decimals = 1 if panel.scale == "log" else 2
    return {"unit_key": SCALE_UNIT[panel.scale], "scale": 1.0, "decimals": decimals}


#: inference methods with their own explanation in the report
INFERENCE_TEXT = ("donald_lang", "cluster", "wild", "permutation", "conley_taber", "none")
