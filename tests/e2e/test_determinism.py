"""Same inputs, params and seed: byte-identical results.json and the same report.

The end-to-end test runs tests/fixtures/robustness/determinism.yaml (seeded synthetic
districts, wild-bootstrap inference with a seed, synthetic control, event study) three times from
scratch into three output roots (``jobs=1`` twice, then ``jobs=2``), then once more reusing
the cache, and compares the bytes. The only line of the HTML reports
allowed to differ is the report date ("Date" / "Päivämäärä" on the title page, the day the
report was made), which the test finds and strips exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from arviointi.pipeline.run import run_evaluation
from arviointi.report import Emitter, figures
from arviointi.report import formatting as fm
from arviointi.report.i18n import t
from arviointi.report.mime import REPORT_MIME

ROOT = Path(__file__).parents[2]
ROBUST = Path(__file__).parents[1] / "fixtures" / "robustness"
NOTEBOOKS = ("data_quality", "employment_area")


def event_study_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rel_time": [-2, -1, 0, 1],
            "estimate": [0.1, 0.0, -0.5, -1.0],
            "ci_low": [-0.4, -0.5, -1.0, -1.6],
            "ci_high": [0.6, 0.5, 0.0, -0.4],
        }
    )


def emitted_figures(frame: pd.DataFrame) -> list[dict[str, str]]:
    shown: list[dict[str, Any]] = []
    em = Emitter({"disclosure": {"threshold": 5}}, display=lambda obj, raw=False: shown.append(obj))
    em.figure(
        figures.event_study_figure,
        "caption.event_study",
        "alt.event_study",
        caption_values={"outcome": "y"},
        frame=frame,
    )
    return [b[REPORT_MIME]["html"] for b in shown]


def test_figures_are_the_same_bytes_from_two_emitters() -> None:
    # each notebook has its own Emitter: the figure markup (element ids included) must not
    # depend on a random token, or two runs of the same notebook give different reports
    first, second = emitted_figures(event_study_frame()), emitted_figures(event_study_frame())
    assert first == second
    # ...while different figures on one page still get different element ids
    other = event_study_frame().assign(estimate=lambda f: f["estimate"] * 2)
    ids_a = set(re.findall(r'id="([^"]+)"', first[0]["fi"]))
    ids_b = set(re.findall(r'id="([^"]+)"', emitted_figures(other)[0]["fi"]))
    assert ids_a and ids_b and not ids_a & ids_b


def project(tmp_path: Path) -> Path:
    """determinism.yaml in a directory outside git (so no commit id enters the report)."""
    (tmp_path / "params").mkdir()
    (tmp_path / "notebooks").mkdir()
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", tmp_path / "notebooks")
    text = (ROBUST / "determinism.yaml").read_text(encoding="utf-8")
    assert "base_dir: ../../..\n" in text
    params = tmp_path / "params" / "determinism.yaml"
    params.write_text(text.replace("base_dir: ../../..\n", "base_dir: ..\n"), encoding="utf-8")
    return params


def without_date(html: str, lang: str) -> str:
    """The report without its one date line; fails unless exactly one is found."""
    label = re.escape(t("report.date", lang))
    today = dt.date.today()
    days = {fm.fmt_date(d.isoformat(), lang) for d in (today, today - dt.timedelta(days=1))}
    dates = "|".join(re.escape(d) for d in days)
    pattern = re.compile(rf"^\s*<dt>{label}</dt><dd>(?:{dates})</dd>\n", re.M)
    stripped, n = pattern.subn("", html)
    assert n == 1, f"expected one date line in the {lang} report, found {n}"
    return stripped


@pytest.mark.slow
def test_two_runs_give_identical_results_and_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import arviointi.report.pdf as pdf

    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, out: out.write_bytes(b"%PDF-fake"))
    params = project(tmp_path)
    # a rerun from scratch, and --jobs 1 against --jobs 2: the parallel workers must not
    # change a byte
    runs = [
        run_evaluation(params, output_root=tmp_path / f"run{k}", jobs=jobs, use_cache=False)
        for k, jobs in enumerate((1, 1, 2))
    ]
    first, rerun, second = (r.output_dir for r in runs)
    assert (first / "results.json").read_bytes() == (rerun / "results.json").read_bytes()
    assert (first / "results.json").read_bytes() == (second / "results.json").read_bytes()
    # ...and a rerun that reuses the cached notebooks publishes the same bytes too
    cached = run_evaluation(params, output_root=tmp_path / "run0", jobs=2, use_cache=True)
    assert (cached.output_dir / "results.json").read_bytes() == (
        second / "results.json"
    ).read_bytes()
    for lang in ("fi", "en"):
        a = (first / f"report-{lang}.html").read_text(encoding="utf-8")
        b = (second / f"report-{lang}.html").read_text(encoding="utf-8")
        assert without_date(a, lang) == without_date(b, lang)
    # the seed matters: the recorded estimates use random draws (wild bootstrap)
    records = json.loads((first / "results.json").read_text(encoding="utf-8"))["records"]
    wild = [r for r in records if r.get("inference") == "wild"]
    assert wild, "no wild-bootstrap estimate was recorded; the test would not test seeding"
    assert all(np.isfinite(r["ci_low"]) and np.isfinite(r["ci_high"]) for r in wild)
