"""The clients section on a Parquet client panel (the engine path) = on the pandas frame."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from arviointi.engine import client_outcomes as engine_outcomes
from arviointi.engine.backend import open_backend
from arviointi.matching import client_outcomes, employment_curve
from arviointi.sections import clients, open_evaluation
from arviointi.sections.client_effects import DEFAULT_COVARIATES, cem_match, cut_at_window_end
from arviointi.sections.context import EvaluationContext
from section_bundles import SMALL

REL = 1e-9


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Path]:
    in_memory = open_evaluation(params_file=SMALL)
    on_engine = open_evaluation(params_file=SMALL)
    path = tmp_path_factory.mktemp("register") / "client_panel.parquet"
    name = on_engine.source_for("client_panel")
    assert name is not None
    on_engine.frames[name].to_parquet(path, coerce_timestamps="us")
    on_engine.frames[name] = path  # type: ignore[assignment]  # a register source
    return clients.analyse_clients(in_memory), clients.analyse_clients(on_engine), path


def _same_result(a: Any, b: Any) -> None:
    assert a.estimate == pytest.approx(b.estimate, rel=REL)
    assert a.se == pytest.approx(b.se, rel=REL)
    assert (a.n_obs, a.n_treated, a.n_control) == (b.n_obs, b.n_treated, b.n_control)


def test_clients_section_on_a_parquet_register(both: tuple[Any, Any, Path]) -> None:
    ref, ours, _ = both
    assert ours.available
    for name in ("did", "did_psm", "share", "exit_to_work", "months_employed"):
        _same_result(getattr(ours, name), getattr(ref, name))
    assert ours.did.inference.details["engine"] == "duckdb"
    pd.testing.assert_frame_equal(ours.curve, ref.curve, rtol=1e-12)
    pd.testing.assert_frame_equal(ours.summary, ref.summary, rtol=1e-12)
    pd.testing.assert_frame_equal(ours.time_to_employment, ref.time_to_employment, rtol=1e-12)
    pd.testing.assert_frame_equal(ours.subgroups, ref.subgroups, rtol=1e-9)
    cols = ["model", "measure", "n_obs", "n_treated", "n_control"]
    pd.testing.assert_frame_equal(ours.table[cols], ref.table[cols])
    # the planted truth needs the person-months in memory; a register source has none
    assert ours.true_did is None and ref.true_did is not None


def test_engine_outcomes_and_curve_equal_in_memory(both: tuple[Any, Any, Path]) -> None:
    _, _, path = both
    ctx: EvaluationContext = open_evaluation(params_file=SMALL)
    end = pd.Timestamp("2015-12-01")
    c, p = cut_at_window_end(ctx.frame_for("clients"), ctx.frame_for("client_panel"), end)
    weights = cem_match(c, list(DEFAULT_COVARIATES)).weights()
    backend = open_backend(path, "duckdb")
    try:
        for window in (None, 12):
            ours = engine_outcomes.client_outcomes(
                backend, c, end=end, window_months=window, columns=list(p.columns)
            )
            ref = client_outcomes(c, p, window_months=window)
            pd.testing.assert_frame_equal(ours, ref, rtol=1e-12)
            assert ours.attrs == ref.attrs
        ours = engine_outcomes.employment_curve(backend, c, end=end, max_months=24, weights=weights)
        ref = employment_curve(c, p, max_months=24, weights=weights)
        pd.testing.assert_frame_equal(ours, ref, rtol=1e-12)
    finally:
        backend.close()
