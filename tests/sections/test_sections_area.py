"""Area-level employment and city context (sections.area, sections.comparison,
sections.context_cities): unit checks against independent computations and the planted
truth, and the notebooks run end to end on small params files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import pytest

from arviointi.data.statfin import load_statfin_12r5
from arviointi.errors import ParamsError
from arviointi.report.emitter import Emitter
from arviointi.report.mime import RECORD_MIME, REPORT_MIME
from arviointi.sections import area, context_cities, open_evaluation
from arviointi.sections.comparison import resolve_comparison

ROOT = Path(__file__).resolve().parents[2]
SYNTH = ROOT / "tests/fixtures/params/sections_area.yaml"
REAL = ROOT / "tests/fixtures/params/sections_area_tampere.yaml"


@pytest.fixture(scope="module")
def synth_ctx() -> Any:
    return open_evaluation(params_file=SYNTH)


@pytest.fixture(scope="module")
def real_ctx() -> Any:
    return open_evaluation(params_file=REAL)


@pytest.fixture(scope="module")
def synth_analysis(synth_ctx: Any) -> area.AreaAnalysis:
    return area.analyse_area(synth_ctx)


@pytest.fixture(scope="module")
def real_analysis(real_ctx: Any) -> area.AreaAnalysis:
    return area.analyse_area(real_ctx)


def _collect(ctx: Any) -> tuple[Emitter, list[dict[str, Any]]]:
    out: list[dict[str, Any]] = []
    em = Emitter(
        ctx.evaluation.to_params(),
        languages=("fi", "en"),
        display=lambda bundle, raw=True: out.append(bundle),
    )
    return em, out


def _did_by_hand(frame: pd.DataFrame, y: pd.Series, pilots: list[str], start: str) -> float:
    """Two-way FE DiD on a balanced panel = change of the pilot mean minus change of the
    comparison mean (exact algebra, no regression)."""
    post = pd.to_datetime(frame["month"]) >= pd.Timestamp(start)
    pilot = frame["area"].isin(pilots)
    means = y.groupby([pilot, post]).mean()
    return float(
        (means[True, True] - means[True, False]) - (means[False, True] - means[False, False])
    )


# -- comparison rules -------------------------------------------------------------------


def test_comparison_rule_matches_an_independent_reading(real_ctx: Any) -> None:
    comp = resolve_comparison(real_ctx.evaluation, real_ctx.frames)
    key = pd.read_csv(ROOT / "data/statfin/region_key_kunta.csv", dtype=str)
    panel = load_statfin_12r5(areas=list(real_ctx.evaluation.data["municipalities"].areas))
    lf2016 = panel[panel["month"].dt.year == 2016].groupby("area")["labour_force"].mean()
    region = key.set_index("area")
    expected = []
    for name in sorted(panel["area"].unique()):
        if name in ("Tampere", "Nokia", "Ylöjärvi", "Turku", "Raisio"):
            continue
        if region.loc[name, "maakunta_name"] == "Pirkanmaa":
            continue
        if region.loc[name, "seutukunta_name"] == "Kuopio":
            continue
        if lf2016[name] < 1000:
            continue
        expected.append(name)
    assert comp.areas == sorted(expected)
    reasons = comp.excluded.set_index("area")["reason"]
    assert reasons["Akaa"] == "region" and reasons["Siilinjärvi"] == "subregion"
    assert reasons["Turku"] == "listed" and reasons["Luhanka"] == "small"
    counts = comp.excluded_counts().set_index("reason")["n"]
    assert counts["pilot"] == 3 and counts["listed"] == 2


def test_unknown_rule_key_names_the_key(real_ctx: Any) -> None:
    ev = real_ctx.evaluation.model_copy(deep=True)
    ev.design.comparison.rule = {**(ev.design.comparison.rule or {}), "exclude_provinces": ["X"]}
    with pytest.raises(ParamsError, match=r"design\.comparison\.rule\.exclude_provinces"):
        resolve_comparison(ev, real_ctx.frames)


def test_unknown_region_name_and_empty_result_are_errors(real_ctx: Any) -> None:
    ev = real_ctx.evaluation.model_copy(deep=True)
    ev.design.comparison.rule = {"source": "municipalities", "exclude_regions": ["Pirkanmaaa"]}
    with pytest.raises(ParamsError, match=r"exclude_regions.*Pirkanmaaa"):
        resolve_comparison(ev, real_ctx.frames)
    ev.design.comparison.rule = {"source": "municipalities", "min_labour_force": 10**9}
    with pytest.raises(ParamsError, match="leaves no comparison area"):
        resolve_comparison(ev, real_ctx.frames)


# -- synthetic: estimates against algebra and the planted truth --------------------------


def test_did_equals_the_difference_of_mean_changes(synth_ctx: Any, synth_analysis: Any) -> None:
    frame = synth_ctx.frames["districts"]
    months = pd.to_datetime(frame["month"])
    window = frame[(months >= "2009-01-01") & (months <= "2014-12-01")]
    res = {r.outcome.name: r for r in synth_analysis.results}
    rate = _did_by_hand(window, window["unemployment_rate"], ["Varissuo"], "2013-01-01")
    assert res["unemployment_rate"].did.estimate == pytest.approx(rate, abs=1e-9)
    per100 = 100 * window["kela_list"] / window["labour_force"]
    kela = _did_by_hand(window, per100, ["Varissuo"], "2013-01-01")
    assert res["kela_list"].did.estimate == pytest.approx(kela, abs=1e-9)
    assert res["unemployment_rate"].did.inference.method in ("donald_lang", "scaled_dl")


def test_truth_matches_the_generators_own_truth(synth_ctx: Any, synth_analysis: Any) -> None:
    """The counterfactual-panel route to the truth agrees with Truth's realised table."""
    realised = synth_ctx.frames["districts"].attrs["true_effects"]["realised"]

    def yearly(outcome: str) -> float:
        vals = [
            r["value"]
            for r in realised
            if r["level"] == "area"
            and r["outcome"] == outcome
            and r["window"].startswith(("2013 ", "2014 "))
        ]
        assert len(vals) == 2
        return float(np.mean(vals))  # two full years: the mean of the yearly means

    res = {r.outcome.name: r for r in synth_analysis.results}
    assert res["unemployment_rate"].true_effect == pytest.approx(
        yearly("unemployment_rate"), abs=1e-4
    )
    kela = res["kela_list"]
    persons = kela.true_effect * kela.panel.persons_per_unit
    assert persons == pytest.approx(yearly("kela_list"), rel=0.03)  # labour force varies by year


def test_intervals_cover_the_planted_truth(synth_analysis: Any) -> None:
    for res in synth_analysis.results:
        lo, hi = res.did.conf_int()
        assert lo <= res.true_effect <= hi, res.outcome.name
        assert res.true_effect < 0  # planted effects lower both outcomes


def test_event_study_truth_bins_the_last_lag() -> None:
    panel = area.AreaPanel(
        outcome="y",
        scale="level",
        data=pd.DataFrame(),
        pilot_series=pd.DataFrame(),
        pilot_areas=["A"],
        comparison_areas=[],
        pilot_start=pd.Timestamp("2020-01-01"),
        n_pre=0,
        n_post=5,
        persons_per_unit=None,
        truth=pd.Series([1.0, 2.0, 3.0, 4.0, 5.0]),
        dropped={},
        zero_months={},
    )
    assert panel.true_mean() == 3.0
    assert panel.true_event_mean(2) == pytest.approx((1 + 2 + 4) / 3)


def test_leave_one_out_range_equals_refitting_every_area(
    synth_analysis: Any, real_analysis: Any, synth_ctx: Any, real_ctx: Any
) -> None:
    """Only the areas at both ends of the contrasts are refitted; the range (all that is
    reported) is that of dropping every comparison area in turn with the design's own
    inference, estimate for estimate."""
    checked = 0
    runs = [(synth_analysis, synth_ctx), (real_analysis, real_ctx)]
    for res, args in [(r, area._did_args(c.evaluation)) for a, c in runs for r in a.results]:
        loo = res.leave_one_out
        if loo is None:
            continue
        controls = res.panel.comparison_areas
        data = res.panel.data
        every = {a: area._fit_did(data.loc[data["area"] != a], args).estimate for a in controls}
        assert loo["estimate"].min() == min(every.values())
        assert loo["estimate"].max() == max(every.values())
        assert loo.attrs["refitted_all"] == (len(loo) == len(controls))
        for dropped, estimate in zip(loo["dropped"], loo["estimate"], strict=True):
            assert estimate == every[dropped]
        checked += int(len(loo) < len(controls))
    assert checked  # at least one outcome had more areas than were refitted


def test_records_carry_truth_roles_and_labels(synth_ctx: Any, synth_analysis: Any) -> None:
    em, out = _collect(synth_ctx)
    area.emit_area(synth_analysis, em)
    recs = [b[RECORD_MIME]["record"] for b in out if RECORD_MIME in b]
    assert {r["section"] for r in recs} == {"employment"}
    primary = [r for r in recs if r["role"] == "primary"]
    assert [r["outcome"] for r in primary] == ["unemployment_rate", "kela_list"]
    assert all(r["true_effect"] is not None and r["label"]["fi"] for r in primary)
    models = {r["model"] for r in recs if r["role"] == "diagnostic"}
    assert {
        "pretrend_test",
        "placebo_in_time",
        "leave_one_out",
        "inference_choice",
        "mde",
    } <= models
    loo = next(r for r in recs if r["model"] == "leave_one_out")
    assert loo["range_low"] <= loo["estimate"] <= loo["range_high"]
    html = " ".join(b[REPORT_MIME]["html"]["fi"] for b in out if REPORT_MIME in b)
    assert "Todellinen vaikutus" in html and "P0000" not in html


# -- real data -------------------------------------------------------------------------


def test_real_data_design_log_scale_and_null_truth(real_ctx: Any, real_analysis: Any) -> None:
    res = {r.outcome.name: r for r in real_analysis.results}
    frame = res["unemployed"].panel.data
    raw = real_ctx.frames["municipalities"]
    raw = raw[raw["area"].isin(frame["area"].unique())]
    months = pd.to_datetime(raw["month"])
    raw = raw[(months >= "2015-01-01") & (months <= "2018-12-01")]
    by_hand = _did_by_hand(
        raw, 100 * np.log(raw["unemployed"]), ["Tampere", "Nokia", "Ylöjärvi"], "2017-08-01"
    )
    assert res["unemployed"].did.estimate == pytest.approx(by_hand, abs=1e-9)
    assert res["unemployed"].panel.scale == "log"
    rate = res["unemployment_rate"]
    assert rate.did.n_treated == 3 and rate.did_weighted is not None
    assert rate.did_weighted.inference.method == "wild"
    assert rate.true_effect is None
    # the synthetic control uses the pilot municipalities added up (pooled rate)
    pilot = (
        raw[raw["area"].isin(["Tampere", "Nokia", "Ylöjärvi"])]
        .groupby("month")[["unemployed", "labour_force"]]
        .sum()
    )
    pooled = 100 * pilot["unemployed"] / pilot["labour_force"]
    series = rate.panel.pilot_series.set_index("month")["y"]
    np.testing.assert_allclose(series.to_numpy(), pooled.to_numpy())
    em, out = _collect(real_ctx)
    area.emit_area(real_analysis, em)
    recs = [b[RECORD_MIME]["record"] for b in out if RECORD_MIME in b]
    assert all(r["true_effect"] is None for r in recs)


def test_context_cities_against_algebra(synth_ctx: Any) -> None:
    ctx_an = context_cities.analyse_context(synth_ctx)
    cities = synth_ctx.frames["cities"]
    months = pd.to_datetime(cities["month"])
    cities = cities[(months >= "2009-01-01") & (months <= "2014-12-01")]
    by_hand = _did_by_hand(cities, cities["unemployment_rate"], ["Turku"], "2013-01-01")
    assert ctx_an.did.estimate == pytest.approx(by_hand, abs=1e-9)
    assert ctx_an.cities == ["Lahti", "Oulu", "Pori", "Tampere"]
    assert ctx_an.pilot_share is not None and 3.0 < ctx_an.pilot_share < 6.0
    em, out = _collect(synth_ctx)
    context_cities.emit_context(ctx_an, em)
    recs = [b[RECORD_MIME]["record"] for b in out if RECORD_MIME in b]
    assert {r["model"] for r in recs} == {"city_did", "city_its"}
    assert all(r["true_effect"] is None and r["role"] == "context" for r in recs)


# -- notebooks end to end --------------------------------------------------------------


def _run(params: Path, tmp_path: Path) -> tuple[dict[str, Any], list[Path]]:
    from arviointi.pipeline.run import run_evaluation

    result = run_evaluation(params, output_root=tmp_path, jobs=1, use_cache=False)
    doc = json.loads(result.results_path.read_text(encoding="utf-8"))
    return doc, list(result.notebooks)


def _no_person_rows(notebooks: list[Path]) -> None:
    for path in notebooks:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bP\d{5}\b", text), f"person id in {path.name}"
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                plain = output.get("data", {}).get("text/plain", "")
                assert "person_id" not in plain, path.name


@pytest.mark.slow
def test_notebooks_end_to_end_synthetic(tmp_path: Path) -> None:
    doc, notebooks = _run(SYNTH, tmp_path)
    recs = doc["records"]
    assert {r["notebook"] for r in recs} == {"employment_area", "employment_context"}
    primary = [r for r in recs if r.get("role") == "primary"]
    assert len(primary) == 2
    for r in primary:
        assert r["true_effect"] is not None and r["ci_low"] <= r["true_effect"] <= r["ci_high"]
    _no_person_rows(notebooks)


@pytest.mark.slow
def test_notebooks_end_to_end_real(tmp_path: Path) -> None:
    doc, notebooks = _run(REAL, tmp_path)
    recs = doc["records"]
    assert recs and all(r["true_effect"] is None for r in recs)
    did = next(r for r in recs if r["role"] == "primary" and r["outcome"] == "unemployment_rate")
    assert (
        did["inference"] in ("donald_lang", "scaled_dl") and "3 treated" in did["inference_reason"]
    )
    _no_person_rows(notebooks)


@pytest.mark.slow
def test_did_intervals_cover_the_truth_across_synthetic_seeds(synth_ctx: Any) -> None:
    """Coverage over 100 generated data sets: the headline DiD interval (Donald-Lang, one
    pilot district) holds the planted truth at least at about the nominal 95 % rate
    (P(fewer than 88 of 100 | 95 %) < 0.002)."""
    from arviointi.params.load import load_frames

    base = synth_ctx.evaluation
    covered = {"unemployment_rate": 0, "kela_list": 0}
    n = 100
    for seed in range(1000, 1000 + n):
        ev = base.model_copy(deep=True)
        ev.data["districts"].seed = seed
        frames = load_frames(ev.model_copy(update={"data": {"districts": ev.data["districts"]}}))
        comp = resolve_comparison(ev, frames)
        for outcome in ev.outcomes:
            panel = area.build_panel(ev, outcome, frames["districts"], "districts", comp.areas)
            res = area._fit_did(panel.data, area._did_args(ev))
            lo, hi = res.conf_int()
            truth = panel.true_mean()
            assert truth is not None
            covered[outcome.name] += int(lo <= truth <= hi)
    assert all(c >= 88 for c in covered.values()), covered
