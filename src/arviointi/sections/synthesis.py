"""The synthesis: headline table, limitations and assumptions log from the analyses' records.

The synthesis notebook runs after every analysis notebook (``final_notebooks`` in the
parameters) and reads their results records. Nothing is estimated here: every number in the
summary was estimated, and recorded, by an analysis. What this module adds is judgement in
words, made by fixed rules that are written down here:

- verdict: "decrease"/"increase" when the interval excludes zero, "no_clear_change" when it
  contains zero, "no_valid_interval" when the design allows no valid interval (no interval,
  or inference "none"), "method_warning" when the estimator warned about its own inference
  (for example cluster-robust errors with one treated area): a warned interval is never
  turned into a confident "fell" or "rose";
- assumptions log: one row per diagnostic record (pre-trend test, placebo in time, leave one
  out, ...) and one per inference choice, with a status from the same kind of rule;
- limitations: the design facts (one treated unit, client selection, synthetic data,
  sections without data) that apply to this evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from arviointi.inference.scaled import EQUIVALENCE
from arviointi.report import formatting as fm
from arviointi.report.disclosure import persons_below_threshold
from arviointi.report.emitter import Emitter
from arviointi.report.i18n import has_message, t
from arviointi.results.record import EFFECT_ROLES
from arviointi.results.sections import ANALYSIS_SECTIONS, section_order
from arviointi.sections.context import EvaluationContext

#: the analysis sections, in report order (arviointi.results.sections)
SECTIONS = ANALYSIS_SECTIONS


def _num(x: Any) -> float | None:
    """``x`` as a finite float, or None (missing, NaN, not a number)."""
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return None
    return float(x)


def _finite(x: Any) -> bool:
    return _num(x) is not None


def verdict_of(record: Mapping[str, Any]) -> str:
    """The verdict category of one estimate (see the module docstring)."""
    lo, hi = _num(record.get("ci_low")), _num(record.get("ci_high"))
    est = _num(record.get("estimate"))
    if lo is None or hi is None or record.get("inference") == "none":
        return "no_valid_interval"
    if record.get("warnings"):
        return "method_warning"
    if lo > 0 or hi < 0:
        return "increase" if est is not None and est > 0 else "decrease"
    return "no_clear_change"


def covers_truth(record: Mapping[str, Any]) -> bool | None:
    """Whether the interval covers the planted true effect (None without truth or interval)."""
    truth = _num(record.get("true_effect"))
    lo, hi = _num(record.get("ci_low")), _num(record.get("ci_high"))
    if truth is None or lo is None or hi is None:
        return None
    return lo <= truth <= hi


def _label(record: Mapping[str, Any]) -> dict[str, str]:
    label = record.get("label")
    if isinstance(label, Mapping) and label.get("fi"):
        return {"fi": str(label["fi"]), "en": str(label.get("en") or label["fi"])}
    key = f"outcome.{record.get('outcome')}"
    if has_message(key, "fi"):
        return {lang: t(key, lang) for lang in ("fi", "en")}
    name = str(record.get("outcome"))
    return {"fi": name, "en": name}


def _method(record: Mapping[str, Any]) -> dict[str, str]:
    """Model and inference in a few words (the methods section explains them in full)."""
    out = {}
    for lang in ("fi", "en"):
        model, inference = str(record.get("model")), str(record.get("inference"))
        words = []
        for short, full, raw in (
            (f"synthesis.method_short.{model}", f"method.{model}", model),
            (f"synthesis.inference_short.{inference}", f"inference.{inference}", inference),
        ):
            key = short if has_message(short, lang) else full
            words.append(t(key, lang) if has_message(key, lang) else raw)
        out[lang] = f"{words[0]} ({words[1]})"
    return out


def _unit(record: Mapping[str, Any]) -> dict[str, str]:
    """The unit of the estimate in words: a catalogue key, a ``unit.<name>`` or a
    ``synthesis.unit.<name>`` message; empty when the record names none."""
    unit = record.get("unit")
    if not unit:
        return {"fi": "", "en": ""}
    for key in (str(unit), f"unit.{unit}", f"synthesis.unit.{unit}"):
        if has_message(key, "fi"):
            return {lang: t(key, lang) for lang in ("fi", "en")}
    return {"fi": str(unit), "en": str(unit)}


def _interval(record: Mapping[str, Any], decimals: int) -> dict[str, str]:
    lo, hi = record.get("ci_low"), record.get("ci_high")
    return {
        lang: fm.fmt_interval(
            lo if _finite(lo) else None, hi if _finite(hi) else None, lang, decimals
        )
        for lang in ("fi", "en")
    }


@dataclass
class SynthesisAnalysis:
    """What the synthesis shows: headline rows, the assumptions log and the limitations."""

    records: list[dict[str, Any]]
    headline: pd.DataFrame
    assumptions: pd.DataFrame
    limitations: list[tuple[str, dict[str, Any]]]
    synthetic: bool
    coverage: tuple[int, int] | None = None
    missing_sections: list[str] = field(default_factory=list)
    alpha: float = 0.05


#: diagnostics whose rejection means the before/after comparison with the comparison
#: areas is not credible for that outcome (trends differed already before the pilot)
TREND_DIAGNOSTICS = ("pretrend_test", "pre_trend_test", "pretrend", "placebo_in_time")


def assumption_failures(
    records: Sequence[Mapping[str, Any]], *, alpha: float
) -> set[tuple[Any, Any]]:
    """(section, outcome) pairs whose pre-trend or placebo-in-time check rejects at ``alpha``."""
    failed = set()
    for r in records:
        if r.get("role") != "diagnostic" or r.get("model") not in TREND_DIAGNOSTICS:
            continue
        p = _num(r.get("pvalue"))
        if p is not None and p < alpha:
            failed.add((r.get("section"), r.get("outcome")))
    return failed


def _primary(records: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    primary = [r for r in records if r.get("role") == "primary"]
    if primary:
        return primary
    # no record marked primary: every effect estimate that is not a diagnostic
    return [r for r in records if r.get("role", "primary") in EFFECT_ROLES]


def _published(
    records: Sequence[Mapping[str, Any]], alpha: float, threshold: int | None
) -> list[dict[str, Any]]:
    """The primary records as the headline publishes them, each with its ``verdict``.

    An outcome whose pre-trend test or placebo-in-time check rejects at ``alpha`` gets the
    verdict ``trends_differ`` whatever its interval says: the comparison is not credible. A
    client-level estimate from fewer persons than the disclosure ``threshold`` (in either
    group) is ``suppressed``: no estimate and no interval, as in the clients' effects table.
    """
    failed = assumption_failures(records, alpha=alpha)
    out = []
    for r in _primary(records):
        row = dict(r)
        row["verdict"] = verdict_of(r)
        if (r.get("section"), r.get("outcome")) in failed:
            row["verdict"] = "trends_differ"
        counts = (r.get("n_treated"), r.get("n_control"))
        if (
            threshold is not None
            and r.get("level") == "client"
            and persons_below_threshold(counts, threshold)
        ):
            row.update(verdict="suppressed", estimate=None, ci_low=None, ci_high=None)
        out.append(row)
    return out


def headline_table(
    records: Sequence[Mapping[str, Any]],
    *,
    synthetic: bool,
    alpha: float = 0.05,
    threshold: int | None = None,
) -> pd.DataFrame:
    """One row per primary outcome: label, estimate, unit, interval, method, verdict (+ truth);
    verdicts as :func:`_published` gives them."""
    rows = []
    for r in _published(records, alpha, threshold):
        estimate = _num(r.get("estimate"))
        verdict = str(r["verdict"])
        row: dict[str, Any] = {
            "section": r.get("section"),
            "outcome": _label(r),
            "estimate": math.nan if estimate is None else estimate,
            "unit": _unit(r),
            "interval": _interval(r, 2),
            "method": _method(r),
            "verdict": verdict,
        }
        if synthetic:
            truth = _num(r.get("true_effect"))
            row["true_effect"] = math.nan if truth is None else truth
        rows.append(row)
    columns = ["section", "outcome", "estimate", "unit", "interval", "method", "verdict"]
    if synthetic:
        columns.append("true_effect")
    frame = pd.DataFrame(rows, columns=columns)
    if not frame.empty:
        frame = frame.sort_values("section", key=lambda s: s.map(section_order), kind="stable")
    return frame.reset_index(drop=True)


def _pvalue_status(p: Any, alpha: float) -> str:
    if not _finite(p):
        return "not_tested"
    return "no_evidence_against" if float(p) >= alpha else "evidence_against"


def _diagnostic_row(r: Mapping[str, Any], alpha: float) -> dict[str, Any] | None:
    """One assumptions-log row for a diagnostic record, or None when it says nothing new."""
    model = str(r.get("model"))
    langs = ("fi", "en")
    est, lo, hi, p = (_num(r.get(k)) for k in ("estimate", "ci_low", "ci_high", "pvalue"))
    if model in ("pretrend_test", "pre_trend_test", "pretrend", "event_study_pretrend"):
        key, status = "parallel_trends", _pvalue_status(p, alpha)
        evidence = {
            lang: t("synthesis.evidence.pvalue", lang, pvalue=fm.fmt_pvalue(p, lang))
            if p is not None
            else t("synthesis.evidence.none", lang)
            for lang in langs
        }
        if model == "event_study_pretrend":
            evidence = {
                lang: t("synthesis.evidence.event_study", lang, test=evidence[lang])
                for lang in langs
            }
    elif model in ("placebo_in_time", "placebo_time"):
        key = "no_anticipation"
        status = {"no_clear_change": "no_evidence_against", "no_valid_interval": "not_tested"}.get(
            verdict_of(r), "evidence_against"
        )
        evidence = {
            lang: t(
                "synthesis.evidence.estimate",
                lang,
                estimate=fm.fmt_number(est, lang, 2),
                interval=_interval(r, 2)[lang],
            )
            for lang in langs
        }
    elif model in ("leave_one_out", "leave_one_out_range"):
        if lo is None or hi is None:
            return None  # no range recorded: nothing to report beyond the estimate itself
        key, status = "no_single_comparison", "information"
        evidence = {
            lang: t(
                "synthesis.evidence.range",
                lang,
                low=fm.fmt_number(lo, lang, 2),
                high=fm.fmt_number(hi, lang, 2),
            )
            for lang in langs
        }
    elif model == "mde":
        if est is None:
            return None
        key, status = "power", "information"
        unit = _unit(r)
        evidence = {
            lang: t(
                "synthesis.evidence.mde", lang, mde=fm.fmt_number(est, lang, 2), unit=unit[lang]
            )
            for lang in langs
        }
    elif model == "balance_max_smd":
        if est is None:
            return None
        key = "matching_balance"
        status = "no_evidence_against" if abs(est) < 0.1 else "evidence_against"
        evidence = {
            lang: t("synthesis.evidence.smd", lang, smd=fm.fmt_number(est, lang, 2))
            for lang in langs
        }
    elif model == "attrition_ipw_shift":
        if est is None:
            return None
        key, status = "ignorable_attrition", "information"
        evidence = {
            lang: t("synthesis.evidence.attrition", lang, shift=fm.fmt_number(est, lang, 2))
            for lang in langs
        }
    else:
        if p is None and (lo is None or hi is None):
            return None  # a check without a test or an interval: kept in results.json only
        key, status = "other_diagnostic", _pvalue_status(p, alpha)
        evidence = {
            lang: f"{model}: "
            + t(
                "synthesis.evidence.estimate",
                lang,
                estimate=fm.fmt_number(est, lang, 2),
                interval=_interval(r, 2)[lang],
            )
            for lang in langs
        }
    return {"assumption": key, "outcome": _label(r), "evidence": evidence, "status": status}


def _noise_row(r: Mapping[str, Any]) -> dict[str, Any] | None:
    """Assumptions-log row for the variance check: is the pilot area noisier than the
    comparisons, and which inference did that lead to (issue: Donald-Lang's common variance)."""
    check = r.get("variance_check")
    if not isinstance(check, Mapping) or check.get("ratio") is None:
        return None
    method = str(r.get("inference"))
    evidence = {
        lang: t(
            "synthesis.evidence.noise",
            lang,
            ratio=fm.fmt_number(check["ratio"], lang, 2),
            interval=fm.fmt_interval(check.get("low"), check.get("high"), lang, 2),
            method=t(f"synthesis.inference_short.{method}", lang)
            if has_message(f"synthesis.inference_short.{method}", lang)
            else method,
        )
        for lang in ("fi", "en")
    }
    low, high = check.get("low"), check.get("high")
    if low is not None and low > 1:
        status = "evidence_against"
    elif high is not None and low is not None and EQUIVALENCE[0] <= low and high <= EQUIVALENCE[1]:
        status = "no_evidence_against"
    else:
        status = "not_tested" if low is None else "information"
    return {
        "assumption": "equal_noise",
        "outcome": _label(r),
        "evidence": evidence,
        "status": status,
    }


def assumptions_log(records: Sequence[Mapping[str, Any]], *, alpha: float) -> pd.DataFrame:
    """The assumptions log: what each diagnostic says about the assumptions behind the
    estimates, and which inference each headline estimate uses and why."""
    rows: list[dict[str, Any]] = []
    for r in records:
        if r.get("role") == "diagnostic" and r.get("model") != "inference_choice":
            row = _diagnostic_row(r, alpha)
            if row is not None:
                rows.append(row)
    for r in _primary(records):
        noise = _noise_row(r)
        if noise is not None:
            rows.append(noise)
        method = str(r.get("inference"))
        reason_key = f"synthesis.inference_reason.{method}"
        if not has_message(reason_key, "fi"):
            reason_key = "synthesis.inference_reason.other"
        n_t, n_c = int(r.get("n_treated") or 0), int(r.get("n_control") or 0)
        rows.append(
            {
                "assumption": "valid_inference",
                "outcome": _label(r),
                "evidence": {
                    lang: t(reason_key, lang, n_treated=n_t, n_control=n_c) for lang in ("fi", "en")
                },
                "status": "no_valid_interval"
                if verdict_of(r) == "no_valid_interval"
                else "information",
            }
        )
        for warning in r.get("warnings") or []:
            rows.append(
                {
                    "assumption": "method_warning",
                    "outcome": _label(r),
                    "evidence": {
                        lang: t("synthesis.evidence.warned", lang, warning=str(warning))
                        for lang in ("fi", "en")
                    },
                    "status": "method_warning",
                }
            )
    return pd.DataFrame(rows, columns=["assumption", "outcome", "evidence", "status"])


def limitations_for(
    records: Sequence[Mapping[str, Any]],
    *,
    synthetic: bool,
    missing_sections: Sequence[str],
    alpha: float = 0.05,
) -> list[tuple[str, dict[str, Any]]]:
    """The limitations that apply to this evaluation: (catalogue key, values)."""
    out: list[tuple[str, dict[str, Any]]] = []
    primary = _primary(records)
    area = [r for r in primary if r.get("level", "area") == "area"]
    if any(int(r.get("n_treated") or 0) == 1 for r in area):
        out.append(("synthesis.limitation.one_treated", {}))
    elif area:
        counts = sorted({int(r.get("n_treated") or 0) for r in area} - {0})
        if counts:
            out.append(("synthesis.limitation.few_treated", {"n": counts[0]}))
    if any(r.get("level") == "client" for r in records):
        out.append(("synthesis.limitation.client_selection", {}))
    failed = assumption_failures(records, alpha=alpha)
    if any((r.get("section"), r.get("outcome")) in failed for r in primary):
        out.append(("synthesis.limitation.trends_differ", {}))
    if any(verdict_of(r) == "no_valid_interval" for r in primary):
        out.append(("synthesis.limitation.no_interval", {}))
    warned = sum(1 for r in records if r.get("warnings"))
    if warned:
        out.append(("synthesis.limitation.warnings", {"n": warned}))
    if missing_sections:
        names = {
            lang: ", ".join(t(f"section.{name}", lang).lower() for name in missing_sections)
            for lang in ("fi", "en")
        }
        out.append(("synthesis.limitation.missing_sections", {"sections": names}))
    if synthetic:
        out.append(("synthesis.limitation.synthetic", {}))
    return out


def analyse_synthesis(ctx: EvaluationContext) -> SynthesisAnalysis:
    """Headline table, assumptions log and limitations from the analyses' records."""
    records = [dict(r) for r in ctx.records()]
    synthetic = ctx.synthetic
    alpha = ctx.evaluation.inference.alpha
    present = {r.get("section") for r in records}
    missing = [s for s in SECTIONS if s not in present]
    primary = _primary(records)
    coverage = None
    if synthetic:
        checked = [c for c in (covers_truth(r) for r in primary) if c is not None]
        coverage = (sum(checked), len(checked)) if checked else None
    return SynthesisAnalysis(
        records=records,
        headline=headline_table(
            records,
            synthetic=synthetic,
            alpha=alpha,
            threshold=ctx.evaluation.disclosure.threshold,
        ),
        assumptions=assumptions_log(records, alpha=alpha),
        limitations=limitations_for(
            records, synthetic=synthetic, missing_sections=missing, alpha=alpha
        ),
        synthetic=synthetic,
        coverage=coverage,
        missing_sections=missing,
        alpha=alpha,
    )


def emit_synthesis(analysis: SynthesisAnalysis, em: Emitter) -> None:
    """The summary (headline findings and table), the assumptions log and the limitations."""
    em.section("summary")
    head = analysis.headline
    if head.empty:
        em.paragraph("synthesis.no_results")
    else:
        counts = head["verdict"].value_counts()
        em.headline(
            "synthesis.overview",
            n=len(head),
            n_clear=int(counts.get("decrease", 0) + counts.get("increase", 0)),
            n_unclear=int(counts.get("no_clear_change", 0)),
        )
        n_invalid = int(counts.get("no_valid_interval", 0))
        if n_invalid:
            em.paragraph("synthesis.no_interval", n=n_invalid)
        n_hidden = int(counts.get("suppressed", 0))
        if n_hidden:
            em.paragraph("synthesis.suppressed", n=n_hidden, threshold=em.threshold)
        n_trends = int(counts.get("trends_differ", 0))
        if n_trends:
            em.paragraph("synthesis.trends_differ", n=n_trends)
        warned = head.loc[head["verdict"] == "method_warning", "outcome"]
        if len(warned):
            names = {
                lang: ", ".join(str(label.get(lang, "")) for label in warned)
                for lang in ("fi", "en")
            }
            em.paragraph("synthesis.method_warning", n=len(warned), outcomes=names)
        shown = head.drop(columns=["section"])
        columns = {
            "outcome": "column.outcome",
            "estimate": "column.estimate",
            "unit": "synthesis.column.unit",
            "interval": "synthesis.column.interval",
            "method": "synthesis.column.method",
            "verdict": "synthesis.column.verdict",
            "true_effect": "synthesis.column.true_effect",
        }
        formats = {
            "outcome": "local",
            "estimate": "number:2",
            "unit": "local",
            "interval": "local",
            "method": "local",
            "true_effect": "number:2",
        }
        em.table(
            shown,
            "synthesis.caption.headline",
            level="area",
            columns=columns,
            formats=formats,
            translate={"verdict": "synthesis.verdict"},
        )
        em.note("synthesis.units_note")
    if analysis.coverage is not None:
        covered, total = analysis.coverage
        em.paragraph(
            "synthesis.truth_coverage",
            covered=covered,
            total=total,
            level=round(100 * (1 - analysis.alpha)),
        )

    em.section("methods")
    em.heading("synthesis.heading.assumptions")
    em.paragraph("synthesis.assumptions_intro")
    log = analysis.assumptions
    if log.empty:
        em.paragraph("synthesis.no_diagnostics")
    else:
        em.table(
            log,
            "synthesis.caption.assumptions",
            level="area",
            columns={
                "assumption": "synthesis.column.assumption",
                "outcome": "column.outcome",
                "evidence": "synthesis.column.evidence",
                "status": "synthesis.column.status",
            },
            formats={"outcome": "local", "evidence": "local"},
            translate={"assumption": "synthesis.assumption", "status": "synthesis.status"},
        )

    em.section("limitations")
    for key, values in analysis.limitations:
        em.paragraph(key, **values)


def headline_findings(
    records: Sequence[Mapping[str, Any]], *, alpha: float = 0.05, threshold: int | None = None
) -> list[dict[str, Any]]:
    """The headline estimates as plain values for the description sheets and the Swedish
    summary (same selection, verdicts and order as :func:`headline_table`)."""
    rows = []
    for r in _published(records, alpha, threshold):
        verdict = r["verdict"]
        rows.append(
            {
                "section": r.get("section"),
                "outcome": r.get("outcome"),
                "label": _label(r),
                "estimate": _num(r.get("estimate")),
                "ci_low": _num(r.get("ci_low")),
                "ci_high": _num(r.get("ci_high")),
                "unit": r.get("unit"),
                "verdict": verdict,
            }
        )
    return sorted(rows, key=lambda row: section_order(row["section"]))
