"""The synthetic register for the scale benchmarks: deterministic, unbalanced, planted effect."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from arviointi.data.synthetic.register import PILOT_START, write_register
from arviointi.engine import did


def test_same_seed_same_rows_and_the_truth_is_recorded(tmp_path: Path) -> None:
    a = write_register(tmp_path / "a", 120_000, seed=5)
    b = write_register(tmp_path / "b", 120_000, seed=5)
    assert a == b and a.files == 1 and abs(a.rows - 120_000) < 6_000
    ta = pq.read_table(tmp_path / "a" / "part-00000.parquet")
    assert ta.equals(pq.read_table(tmp_path / "b" / "part-00000.parquet"))
    truth = json.loads((tmp_path / "a" / "_truth.json").read_text())
    assert truth["effect"] == 150.0 and truth["rows"] == a.rows


def test_unbalanced_with_entry_exit_and_gaps(tmp_path: Path) -> None:
    write_register(tmp_path, 120_000, seed=6)
    df = pd.read_parquet(tmp_path)
    df["month"] = pd.to_datetime(df["month"])  # Parquet date32 arrives as datetime.date
    per_person = df.groupby("person_id")["month"].agg(["min", "max", "count"])
    span = (per_person["max"].dt.year * 12 + per_person["max"].dt.month) - (
        per_person["min"].dt.year * 12 + per_person["min"].dt.month
    )
    assert per_person["count"].nunique() > 30  # spells of many lengths
    assert (per_person["count"] < span + 1).mean() > 0.2  # months missing inside spells
    assert df.duplicated(["person_id", "month"]).sum() == 0
    starts = df.loc[df["pilot"] == 1].groupby("person_id")["month"].min()
    assert starts.nunique() == 1  # common start (did)
    assert (starts.dt.year * 12 + starts.dt.month - (2020 * 12 + 1)).iloc[0] == PILOT_START


def test_planted_effect_is_recovered(tmp_path: Path) -> None:
    write_register(tmp_path, 200_000, seed=8)
    res = did(tmp_path, "income", unit="person_id", time="month", treatment="pilot")
    lo, hi = res.conf_int()
    assert lo < 150.0 < hi and hi - lo < 60


def test_staggered_cohorts(tmp_path: Path) -> None:
    write_register(tmp_path, 120_000, seed=9, staggered=True)
    df = pd.read_parquet(tmp_path)
    first = df.loc[df["pilot"] == 1].groupby("person_id")["month"].min()
    assert first.nunique() >= 4
    marked = df.dropna(subset=["first_treated"]).groupby("person_id")["first_treated"].first()
    assert (marked.reindex(first.index) == first).all()
