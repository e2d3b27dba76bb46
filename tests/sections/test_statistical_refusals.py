"""Designs where no valid inference exists (issue 16, item 6): the estimate, a plain reason,
and no interval, in the API and in the report; never a verdict.

* 1 treated and 1 comparison unit: DiD, the event study and the synthetic control give
  their point estimate with ``inference == "none"`` (or no placebo distribution), a reason
  naming the design, and a NaN interval and p-value (the event study permutes the adoption
  time over the two units: its p-value cannot fall below 1/2);
* two pre-periods (1 treated, 3 comparisons): too few periods to measure any unit's noise,
  so neither Donald-Lang nor its unit-scaled form can be used: the same;
* a treated unit that is its own only comparison: there is nothing to compare with, so
  there is no estimate either: DiD says so, and params listing the pilot area as a
  comparison are refused (tests/e2e/test_fault_catalogue.py, "the pilot area as its only
  comparison");
* in the report, the verdict sentence gives the estimate and says there is no interval, not
  "no clear change"; the summary's conclusion is "Uncertainty cannot be assessed" (slow).
"""

from __future__ import annotations

import json
import math
import re
import warnings
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import arviointi as av
from arviointi.errors import DesignError
from arviointi.report import Emitter

ROBUST = Path(__file__).parents[1] / "fixtures" / "robustness"


def panel(units: list[str], months: int, start: int, seed: int = 1) -> pd.DataFrame:
    """Monthly outcome of ``units``; unit "A" treated from month ``start`` (effect -1)."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2015-01-01", periods=months, freq="MS")
    rows = [
        {
            "area": u,
            "month": m,
            "y": 10 + rng.normal() - (1.0 if u == "A" and k >= start else 0.0),
            "treated": int(u == "A" and k >= start),
        }
        for u in units
        for k, m in enumerate(index)
    ]
    return pd.DataFrame(rows)


def assert_refused(res: object, *phrases: str, p_floor: float | None = None) -> None:
    """A finite estimate, a NaN interval, no p-value (or, for a permutation over all units,
    one that cannot fall below ``p_floor``), and the reason naming the design."""
    assert math.isfinite(res.estimate)  # type: ignore[attr-defined]
    lo, hi = res.conf_int()  # type: ignore[attr-defined]
    assert math.isnan(lo) and math.isnan(hi)
    pvalue = res.pvalue  # type: ignore[attr-defined]
    if p_floor is None:
        assert pvalue is None or math.isnan(pvalue)
    else:
        assert pvalue is None or math.isnan(pvalue) or pvalue >= p_floor
    reason = res.inference.reason  # type: ignore[attr-defined]
    for phrase in phrases:
        assert phrase in reason, reason


def test_one_treated_and_one_comparison_did() -> None:
    data = panel(["A", "B"], 24, 12)
    res = av.did(data, "y", unit="area", time="month", treatment="treated")
    assert res.inference.method == "none"
    assert_refused(res, "1 treated and 1 control clusters", "too few clusters for any valid")
    # the point estimate is still the plain difference in differences
    a, b = (data[data["area"] == u] for u in "AB")
    post = data["month"] >= pd.Timestamp("2016-01-01")
    expected = (
        a.loc[post[a.index], "y"].mean()
        - a.loc[~post[a.index], "y"].mean()
        - (b.loc[post[b.index], "y"].mean() - b.loc[~post[b.index], "y"].mean())
    )
    assert res.estimate == pytest.approx(expected)


def test_one_treated_and_one_comparison_event_study_and_synthetic_control() -> None:
    data = panel(["A", "B"], 24, 12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = av.event_study(data, "y", unit="area", time="month", treatment="treated")
    # permuting the adoption time over two units: a p-value of at least 1/2, never a finding
    assert_refused(es, "too few clusters for any valid inference", p_floor=0.5)
    sc = av.synthetic_control(data, "y", unit="area", time="month", treatment="treated")
    assert_refused(sc, "fewer than 2 donors")


def test_two_pre_periods() -> None:
    data = panel(["A", "B", "C", "D"], 8, 2)
    res = av.did(data, "y", unit="area", time="month", treatment="treated")
    assert res.inference.method == "none"
    assert_refused(res, "2 pre and 6 post periods", "too few periods")


def test_a_treated_unit_that_is_its_own_only_comparison() -> None:
    data = panel(["A"], 24, 12)
    with pytest.raises(DesignError, match="needs never-treated comparison units"):
        av.did(data, "y", unit="area", time="month", treatment="treated")


def test_the_verdict_without_an_interval_is_the_estimate_and_no_conclusion() -> None:
    em = Emitter({"languages": ["fi", "en"]}, display=lambda obj, raw=False: None)
    record = {"estimate": -1.29, "ci_low": None, "ci_high": None, "pvalue": None}
    en = em.verdict_text(record, "en", outcome_key="outcome.unemployment_rate")
    fi = em.verdict_text(record, "fi", outcome_key="outcome.unemployment_rate")
    assert "-1.3 percentage points" in en.replace("\u2212", "-")
    assert "no confidence interval" in en and "could not be assessed" in en
    assert "no clear change" not in en and "rose" not in en and "fell" not in en
    assert "Luottamusväliä ei ole" in fi and "selvää muutosta" not in fi
    nan = em.verdict_text(
        {**record, "ci_low": math.nan, "ci_high": math.nan},
        "en",
        outcome_key="outcome.unemployment_rate",
    )
    assert nan == en


def visible_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.slow
def test_one_comparison_area_in_the_report(tmp_path: Path) -> None:
    import arviointi.report.pdf as pdf
    from arviointi.pipeline.run import run_evaluation

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pdf, "html_to_pdf", lambda html, out: out.write_bytes(b"%PDF-fake"))
        run = run_evaluation(
            ROBUST / "refusal_one_comparison.yaml", output_root=tmp_path, jobs=1, use_cache=False
        )
    records = json.loads(run.results_path.read_text(encoding="utf-8"))["records"]
    primary = [r for r in records if r.get("role") == "primary"]
    assert len(primary) == 1
    rec = primary[0]
    assert rec["inference"] == "none" and math.isfinite(rec["estimate"])
    assert rec["ci_low"] is None and rec["ci_high"] is None and rec["pvalue"] is None
    assert "too few clusters for any valid inference" in rec["inference_reason"]
    estimate = f"{rec['estimate']:.2f}"
    checks = {
        "en": (
            "Uncertainty cannot be assessed",
            "There is no confidence interval, so it cannot be said whether the pilot",
            "There are too few areas for any valid measure of uncertainty",
        ),
        "fi": (
            "Luottamusväliä ei ole, joten ei voida sanoa",
            "Alueita on liian vähän mihinkään pätevään epävarmuuden arvioon",
        ),
    }
    for lang, phrases in checks.items():
        text = visible_text(run.output_dir / f"report-{lang}.html")
        shown = estimate.replace("-", "\u2212").replace(".", ",") if lang == "fi" else estimate
        assert shown in text, (lang, shown)
        for phrase in phrases:
            assert phrase in text, (lang, phrase)
        # no verdict in words for the headline outcome
        for word in (
            "no clear change was found",
            "selvää muutosta ei havaittu",
            "fell by an estimated",
            "rose by an estimated",
        ):
            assert word not in text, (lang, word)
