"""Data-quality section (sections.quality): tables against hand counts, the robust z,
disclosure control of person counts, and the notebook run end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from arviointi.report.emitter import Emitter
from arviointi.report.mime import REPORT_MIME
from arviointi.sections import open_evaluation, quality

ROOT = Path(__file__).resolve().parents[2]
SYNTH = ROOT / "tests/fixtures/params/sections_area.yaml"


def test_robust_z_by_hand() -> None:
    x = pd.Series([0.0, 1.0, -1.0, 0.0, 1.0, -1.0, 10.0])
    z = quality.robust_z(x)
    # median 0, absolute deviations 0,1,1,0,1,1,10 -> MAD 1
    assert z.iloc[-1] == pytest.approx(10 / 1.4826)
    assert quality.robust_z(pd.Series([2.0, 2.0, 2.0])).isna().all()


def test_outliers_flag_a_planted_jump_inside_the_window_only() -> None:
    rng = np.random.default_rng(1)
    months = pd.date_range("2010-01-01", periods=48, freq="MS")
    frames = {}
    rows = []
    for a in ("A", "B"):
        y = 10 + np.cumsum(rng.normal(0, 0.1, 48))
        if a == "B":
            y[30:] += 5.0  # a jump into month 30 only
        rows.append(pd.DataFrame({"area": a, "month": months, "unemployment_rate": y}))
    frames["panel"] = pd.concat(rows, ignore_index=True)
    table, total = quality.outlier_table(frames, ("2010-01", "2013-12"))
    assert total == 1
    assert table.loc[0, "area"] == "B" and table.loc[0, "month"] == months[30].strftime("%Y-%m")
    _, outside = quality.outlier_table(frames, ("2010-01", "2011-12"))
    assert outside == 0


def test_person_months_counts_gaps_and_shows_no_extremes() -> None:
    panel = pd.DataFrame(
        {
            "person_id": ["a", "a", "a", "b", "b", "c"],
            "month": pd.to_datetime(
                ["2020-01-01", "2020-02-01", "2020-04-01", "2020-01-01", "2020-02-01", "2020-05-01"]
            ),
        }
    )
    table = quality.person_months_table({"client_panel": panel})
    row = table.iloc[0]
    assert row["persons"] == 3 and row["with_gaps"] == 1 and row["median"] == 2.0
    assert "min" not in table.columns and "max" not in table.columns


def test_tables_match_hand_counts_and_small_counts_are_hidden() -> None:
    ctx = open_evaluation(params_file=SYNTH)
    analysis = quality.analyse_quality(ctx)
    cov = analysis.coverage.set_index("source")
    districts = ctx.frames["districts"]
    assert cov.loc["districts", "rows"] == len(districts)
    assert cov.loc["districts", "areas"] == districts["area"].nunique() == 33
    assert cov.loc["clients", "persons"] == ctx.frames["clients"]["person_id"].nunique()
    assert cov.loc["cities", "kind"] == "real" and cov.loc["districts", "kind"] == "synthetic"
    bal = analysis.balance.set_index("source")
    assert bool(bal.loc["districts", "balanced"])
    assert analysis.comparison is not None and len(analysis.comparison.areas) == 32
    # a source with 3 persons: the count is hidden in the report table
    analysis.coverage = pd.concat(
        [
            analysis.coverage,
            pd.DataFrame(
                [
                    {
                        "source": "tiny",
                        "rows": 9,
                        "areas": 1,
                        "first": "2020-01",
                        "last": "2020-03",
                        "periods": 3,
                        "persons": 3,
                        "kind": "synthetic",
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    out: list[dict[str, Any]] = []
    em = Emitter(ctx.evaluation.to_params(), display=lambda b, raw=True: out.append(b))
    quality.emit_quality(analysis, em)
    tables = [b[REPORT_MIME] for b in out if b[REPORT_MIME]["kind"] == "table"]
    coverage = next(t for t in tables if t["caption_key"] == "quality.caption.coverage")
    assert coverage["suppressed"] is True and 'class="num suppressed"' in coverage["html"]["fi"]
    # ...and so is its number of rows (person-months of 3 persons), derived from them
    tiny = next(r for r in coverage["html"]["fi"].split("<tr") if ">tiny<" in r)
    assert tiny.count('class="num suppressed"') == 2, tiny
    assert all(b[REPORT_MIME]["section"] == "methods" for b in out)


@pytest.mark.slow
def test_data_quality_notebook_runs_and_records_nothing(tmp_path: Path) -> None:
    from arviointi.pipeline.run import run_evaluation

    result = run_evaluation(SYNTH, output_root=tmp_path, jobs=1, use_cache=False)
    doc = json.loads(result.results_path.read_text(encoding="utf-8"))
    assert not [r for r in doc["records"] if r["notebook"] == "data_quality"]
    html = next(p for p in result.reports if p.name == "report-fi.html").read_text("utf-8")
    assert "Aineistot ja niiden laatu" in html
