"""The plain-language verdict on one estimate: direction, size, interval and certainty.

    verdict_text(result, "fi", outcome_key="outcome.unemployment_rate", unit_key="unit.pp")

The change is called a rise or a fall only when the interval excludes zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypedDict

from arviointi.errors import InputError, Problem
from arviointi.report import formatting as fm
from arviointi.report.i18n import t


class VerdictStyle(TypedDict, total=False):
    """How an estimate is written (the keyword arguments of :func:`verdict_text`)."""

    unit_key: str
    decimals: int
    scale: float
    true_effect: float | None


def _scaled(value: Any, scale: float) -> float | None:
    return None if value is None else float(value) * scale


def _certainty(record: Mapping[str, Any], alpha: float, has_ci: bool, lang: str) -> list[str]:
    pvalue = record.get("pvalue")
    if pvalue is not None:
        strong = float(pvalue) < alpha
        key = "verdict.certainty_strong" if strong else "verdict.certainty_weak"
        return [t(key, lang, pvalue=fm.fmt_pvalue(pvalue, lang))]
    return [] if has_ci else [t("verdict.certainty_none", lang)]


def verdict_text(
    result: Any,
    lang: str,
    *,
    outcome_key: str,
    unit_key: str = "unit.pp",
    decimals: int = 1,
    scale: float = 1.0,
    true_effect: float | None = None,
) -> str:
    """The sentence(s) for ``result`` (an EffectResults or its ``to_record()`` dict) in
    ``lang``; ``scale`` multiplies the estimate and the interval (e.g. 100 for shares)."""
    record = result if isinstance(result, Mapping) else result.to_record(section="")
    estimate = record.get("estimate")
    if estimate is None or not math.isfinite(float(estimate)):
        raise InputError(
            "<result>", [Problem("estimate", f"expected a finite number, got {estimate!r}")]
        )
    est = float(estimate) * scale
    lo, hi = _scaled(record.get("ci_low"), scale), _scaled(record.get("ci_high"), scale)
    alpha = float(record.get("alpha", 0.05))
    has_ci = lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi)
    if has_ci and lo is not None and hi is not None and (lo > 0 or hi < 0):
        key = "verdict.increase" if est > 0 else "verdict.decrease"
        amount = fm.fmt_number(abs(est), lang, decimals)
    elif not has_ci:
        # no valid interval: the estimate only, and no verdict ("no clear change" would
        # be a conclusion the design cannot support)
        key = "verdict.estimate_only"
        amount = fm.fmt_number(est, lang, decimals)
    else:
        key = "verdict.no_change"
        amount = fm.fmt_number(est, lang, decimals)
    unit = t(unit_key, lang)
    sentences = [
        t(
            key,
            lang,
            outcome=t(outcome_key, lang),
            amount=amount,
            unit=unit,
            level=fm.fmt_number(100 * (1 - alpha), lang, 0),
            interval=fm.fmt_interval(lo, hi, lang, decimals),
        ),
        *_certainty(record, alpha, has_ci, lang),
    ]
    if true_effect is not None:
        amount = fm.fmt_number(true_effect * scale, lang, decimals)
        sentences.append(t("verdict.true_effect", lang, amount=amount, unit=unit))
    return " ".join(sentences)
