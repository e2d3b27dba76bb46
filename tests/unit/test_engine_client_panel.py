"""The client sections' person-FE DiD on a Parquet client panel = the in-memory one (1e-9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from arviointi.data.synthetic import generate_turku
from arviointi.errors import InputError
from arviointi.sections.client_effects import (
    DEFAULT_COVARIATES,
    cem_match,
    cut_at_window_end,
    fe_did,
    window_months,
)

REL = 1e-9
START, END = pd.Timestamp("2024-01-01"), pd.Timestamp("2025-06-01")


@pytest.fixture(scope="module")
def turku(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    s = generate_turku(1)
    path = tmp_path_factory.mktemp("clients") / "client_panel.parquet"
    s.client_panel.to_parquet(path, coerce_timestamps="us")
    return {"clients": s.clients, "panel": s.client_panel, "path": path}


def in_memory_and_engine(turku: dict[str, Any], outcome: str, **kw: Any) -> tuple[Any, Any]:
    clients, panel = cut_at_window_end(turku["clients"], turku["panel"], END)
    match = cem_match(clients, list(DEFAULT_COVARIATES))
    months = window_months(START, END)
    ref = fe_did(clients, panel, match, 0.05, months, outcome=outcome)
    ours = fe_did(clients, turku["path"], match, 0.05, months, outcome=outcome, end=END, **kw)
    return ours, ref


@pytest.mark.parametrize("outcome", ["employed", "municipal_share_eur"])
def test_parquet_client_panel_equals_in_memory(turku: dict[str, Any], outcome: str) -> None:
    ours, ref = in_memory_and_engine(turku, outcome)
    assert ours.estimate == pytest.approx(ref.estimate, rel=REL, abs=0)
    assert ours.se == pytest.approx(ref.se, rel=REL, abs=0)
    assert (ours.n_obs, ours.n_treated, ours.n_control) == (ref.n_obs, ref.n_treated, ref.n_control)
    assert ours.inference.df == ref.inference.df
    assert ours.inference.details["engine"] == "duckdb"
    assert ours.to_record(section="clients")["model"] == ref.to_record(section="clients")["model"]


def test_bad_statuses_and_duplicates_named(turku: dict[str, Any], tmp_path: Path) -> None:
    bad = turku["panel"].copy()
    bad.loc[bad.index[:3], "status"] = "retired"
    bad = pd.concat([bad, bad.iloc[[10]]])
    bad.to_parquet(tmp_path / "bad.parquet")
    clients, _ = cut_at_window_end(turku["clients"], turku["panel"], END)
    match = cem_match(clients, list(DEFAULT_COVARIATES))
    with pytest.raises(InputError) as err:
        fe_did(clients, tmp_path / "bad.parquet", match, 0.05, 18, end=END)
    text = str(err.value)
    assert "column 'status'" in text and "3 rows" in text
    assert "one row per (person_id, month)" in text and "bad.parquet" in text
