"""Client-level employment section: the analysis against independent computations and the
planted truth, disclosure of its report content, the no-data branch, and (slow) the four
section notebooks end to end through the pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from arviointi.matching import did_panel
from arviointi.report.mime import REPORT_MIME
from arviointi.sections import clients, open_evaluation
from arviointi.sections.context import EvaluationContext
from section_bundles import PERSON_ID, SMALL, TAMPERE, collect, records, report_html


@pytest.fixture(scope="module")
def analysis(ctx: EvaluationContext) -> clients.ClientsAnalysis:
    return clients.analyse_clients(ctx)


def test_person_fe_did_equals_dummy_variable_regression(
    ctx: EvaluationContext, analysis: clients.ClientsAnalysis
) -> None:
    """The within estimator equals weighted least squares with person and month dummies."""
    assert analysis.match is not None and analysis.did is not None
    c = ctx.frames["clients"]
    end = pd.Timestamp("2015-12-01")
    p = ctx.frames["client_panel"]
    p = p[p["month"] <= end]
    c = c[c["entry_month"] <= end].reset_index(drop=True)
    dp = did_panel(c, p, pre_months=1, post_months=36)
    weight = dp["person_id"].map(analysis.match.weights()).fillna(0.0)
    dp, w = dp[weight > 0], weight[weight > 0].to_numpy()
    post = (dp["rel_month"] >= 1).astype(float)
    x = pd.concat(
        [
            (dp["treated"] * post).rename("tp"),
            post.rename("post"),
            pd.get_dummies(dp["person_id"], dtype=float),
            pd.get_dummies(dp["month"], dtype=float).iloc[:, 1:],
        ],
        axis=1,
    ).to_numpy()
    y = dp["employed"].to_numpy(dtype=float)
    sw = np.sqrt(w)
    beta = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)[0]
    assert analysis.did.estimate == pytest.approx(beta[0], abs=1e-9)
    assert analysis.did.n_treated == analysis.match.n_treated_matched


def test_estimates_cover_the_planted_truth(analysis: clients.ClientsAnalysis) -> None:
    assert analysis.did is not None and analysis.share is not None
    assert analysis.true_did is not None and analysis.true_share is not None
    lo, hi = analysis.did.conf_int()
    assert lo <= analysis.true_did <= hi
    lo, hi = analysis.share.conf_int()
    assert lo <= analysis.true_share <= hi
    # the truth after the entry month is larger: the entry months carry no effect
    assert analysis.true_did > analysis.true_share > 0


def test_matching_balances_the_covariates(analysis: clients.ClientsAnalysis) -> None:
    assert analysis.max_smd_before > 0.5  # pilot clients are older and longer unemployed
    assert analysis.max_smd_after < 0.25
    bal = clients.balance_table(analysis)
    assert (bal["n_treated"] > 0).all() and (bal["n_control"] > 0).all()


def test_subgroups_are_all_reported_with_counts(analysis: clients.ClientsAnalysis) -> None:
    tab = clients.subgroup_table(analysis)
    assert list(tab["subgroup"]) == ["all", "over500", "under25", "over50", "foreign_language"]
    assert (tab["n_treated"] >= tab["n_treated_matched"]).all()
    ok = tab["estimate"].notna()
    assert (tab.loc[ok, "ci_low"] <= tab.loc[ok, "estimate"]).all()


def test_emitted_content_is_aggregate_and_records_are_complete(
    ctx: EvaluationContext, analysis: clients.ClientsAnalysis
) -> None:
    em, bundles = collect(ctx)
    clients.emit_clients(analysis, em)
    html = report_html(bundles)
    assert not PERSON_ID.search(html)
    recs = records(bundles)
    assert {r["section"] for r in recs} == {"employment"}
    primary = [r for r in recs if r["role"] == "primary"]
    assert len(primary) == 1 and primary[0]["true_effect"] == pytest.approx(analysis.true_did)
    assert primary[0]["label"]["fi"] and primary[0]["level"] == "client"
    models = {r["model"] for r in recs if r["role"] == "diagnostic"}
    assert {"balance_max_smd", "inference_choice"} <= models
    choice = next(r for r in recs if r["model"] == "inference_choice")
    assert "one district" in choice["inference_reason"]
    json.dumps(recs, allow_nan=False)  # plain JSON, no NaN


def test_no_client_data_says_so() -> None:
    ctx = open_evaluation(params_file=TAMPERE)
    analysis = clients.analyse_clients(ctx)
    assert not analysis.available
    em, bundles = collect(ctx)
    clients.emit_clients(analysis, em)
    assert records(bundles) == []
    assert "no client-level data" in report_html(bundles)


@pytest.mark.slow
def test_section_notebooks_end_to_end(tmp_path: Path) -> None:
    """The four notebooks through the pipeline: records per section, truth where the data
    are synthetic, no person identifiers in the executed notebooks."""
    from arviointi.pipeline.run import run_evaluation

    run = run_evaluation(SMALL, output_root=tmp_path / "small", jobs=1, use_cache=False)
    doc = json.loads(run.results_path.read_text(encoding="utf-8"))
    recs = doc["records"]
    by_section = {s: [r for r in recs if r["section"] == s] for s in ("employment", "costs")}
    assert by_section["employment"] and by_section["costs"]
    wellbeing = [r for r in recs if r["section"] == "wellbeing" and r["role"] == "primary"]
    assert {r["outcome"] for r in wellbeing} >= {"wellbeing", "social_assistance_recipients"}
    for r in recs:
        if r["role"] == "primary":
            assert r["true_effect"] is not None or r["model"] == "did_person_fe", r
    for path in run.notebooks:
        text = path.read_text(encoding="utf-8")
        assert not PERSON_ID.search(text), path.name
    nb = nbformat.read(run.notebooks[0], as_version=4)
    assert any(REPORT_MIME in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_section_notebooks_end_to_end_on_real_data(tmp_path: Path) -> None:
    """Real data only (Tampere-like): no truth anywhere, and the sections say what is
    missing instead of inventing numbers."""
    from arviointi.pipeline.run import run_evaluation

    real = run_evaluation(TAMPERE, output_root=tmp_path / "real", jobs=1, use_cache=False)
    doc = json.loads(real.results_path.read_text(encoding="utf-8"))
    assert all(r["true_effect"] is None for r in doc["records"])
    html = next(p for p in real.reports if p.name == "report-en.html").read_text("utf-8")
    assert "966,582" in html and "no follow-up data on agreed measures" in html


def test_early_checkpoint_without_full_follow_up() -> None:
    """At the start-up checkpoint no client has 12 months of follow-up: the exits to work
    are left out with a sentence, the DiD still runs on the months there are."""
    ctx = open_evaluation(params_file=SMALL, as_of="2013-06")
    analysis = clients.analyse_clients(ctx)
    assert analysis.exit_to_work is None and analysis.did is not None
    em, bundles = collect(ctx)
    clients.emit_clients(analysis, em)
    assert "No client has yet been followed for 12 months" in report_html(bundles)
    assert not any(r["outcome"] == "exit_to_work_12m" for r in records(bundles))


def test_time_to_employment_without_censoring_is_the_plain_share(
    ctx: EvaluationContext, analysis: clients.ClientsAnalysis
) -> None:
    """Kaplan-Meier equals the plain share employed by month m when no one is censored
    before m; check it against a direct count on the persons followed 12 months."""
    tab = clients.time_to_employment_table(analysis).set_index("group")
    assert (tab["employed_3"] <= tab["employed_6"]).all()
    assert (tab["employed_6"] <= tab["employed_11"]).all()
    assert analysis.match is not None
    matched = set(analysis.match.matched.loc[analysis.match.matched["weight"] > 0, "person_id"])
    c = ctx.frames["clients"]
    p = ctx.frames["client_panel"]
    p = p[p["month"] <= "2015-12-01"].merge(c[["person_id", "group", "entry_month"]])
    p = p[p["person_id"].isin(matched)]
    rel = (p["month"].dt.year - p["entry_month"].dt.year) * 12 + (
        p["month"].dt.month - p["entry_month"].dt.month
    )
    p = p.assign(rel=rel)
    early = p[p["rel"] <= 3]
    followed = early.groupby("person_id")["rel"].max() == 3  # observed through month 3
    ids = followed[followed].index
    by3 = early[early["person_id"].isin(ids)].groupby(["group", "person_id"])["status"]
    share = by3.apply(lambda s: (s == "employed").any()).groupby("group").mean() * 100
    # censoring before month 3 is rare (moving away): the two agree closely
    for group in ("pilot", "comparison"):
        assert tab.loc[group, "employed_3"] == pytest.approx(share[group], abs=1.5)


def test_source_truth_belongs_to_the_loaded_frames(ctx: EvaluationContext) -> None:
    """The Truth regenerated for a source equals the realised table its frames carry."""
    truth = clients.source_truth(ctx, "client_panel")
    assert truth is not None
    realised = ctx.frames["client_panel"].attrs["true_effects"]["realised"]
    row = next(
        r
        for r in realised
        if r["level"] == "client" and r["outcome"] == "employed" and r["window"].startswith("post")
    )
    first, last = row["window"].split()[1].split("..")
    assert truth.att("employed", "client", first, last) == pytest.approx(row["value"], abs=1e-6)
    assert clients.source_truth(ctx, "measures") is None  # a real file: no truth
