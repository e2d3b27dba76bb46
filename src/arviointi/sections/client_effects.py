"""The client-level design shared by the clients and costs sections: the evaluation window
cut, the primary (coarsened exact) matching, the person fixed-effects DiD with the entry
month as "before", the planted truth over client-months after entry, and the effects table
built from results objects and emitted.

One implementation serves both sections, so the employment effect in the clients section
and the employment effect behind the cost-effectiveness ratio in the costs section come
from the same matching and the same design.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from arviointi.data.synthetic import Truth
from arviointi.matching import (
    MatchResult,
    client_outcomes,
    coarsened_exact_match,
    did_panel,
    employment_curve,
    person_fe_did,
)
from arviointi.report.emitter import Emitter
from arviointi.results.base import EffectResults
from arviointi.sections.context import EvaluationContext

#: coarsening of the primary matching (bands of the benefit rules and the plans' subgroups)
CEM_BANDS: dict[str, Any] = {
    "age": [0, 25, 30, 40, 50, 60, math.inf],
    "unemployment_days_at_entry": [0, 300, 500, 750, 1000, 1500, math.inf],
    "language": "exact",
    "education": "exact",
}
DEFAULT_COVARIATES = ["age", "language", "education", "unemployment_days_at_entry"]


def matching_covariates(ctx: EvaluationContext) -> list[str]:
    """The matching covariates of params ``models.matching.covariates`` (defaults if empty)."""
    covs = list(ctx.evaluation.models.matching.covariates)
    return covs or list(DEFAULT_COVARIATES)


def cem_coarsening(covariates: list[str]) -> dict[str, Any]:
    """The coarsening of :data:`CEM_BANDS` for ``covariates`` (exact for any other)."""
    return {c: CEM_BANDS.get(c, "exact") for c in covariates}


def cem_match(clients: pd.DataFrame, covariates: list[str]) -> MatchResult:
    """The primary matching: coarsened exact matching on :data:`CEM_BANDS`."""
    return coarsened_exact_match(clients, coarsening=cem_coarsening(covariates))


def cut_at_window_end(
    clients: pd.DataFrame, panel: pd.DataFrame, end: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clients who entered by ``end`` and the panel months up to ``end``."""
    panel = panel[pd.to_datetime(panel["month"]) <= end]
    clients = clients[pd.to_datetime(clients["entry_month"]) <= end].reset_index(drop=True)
    return clients, panel


def window_months(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Calendar months from ``start`` to ``end``, both included."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def fe_did(
    clients: pd.DataFrame,
    panel: Any,
    weights: MatchResult,
    alpha: float,
    months: int,
    outcome: str = "employed",
    *,
    end: pd.Timestamp | None = None,
    engine: str = "duckdb",
) -> EffectResults:
    """Person-FE DiD: the entry month is 'before', months 1.. after entry are 'after'.

    ``panel`` is a pandas frame (already cut at the window end) or a register source the
    engine reads (a Parquet path or glob, Arrow, polars, a Spark frame): then the months
    after ``end`` are cut in the engine and the rows never reach pandas
    (:func:`arviointi.engine.client_panel.fe_did`, ``engine`` "duckdb" or "spark").
    """
    if not isinstance(panel, pd.DataFrame):
        from arviointi.engine.client_panel import fe_did as engine_fe_did

        if end is None:
            raise ValueError("fe_did on an engine source needs end= (the window end)")
        return engine_fe_did(
            clients, panel, weights, alpha, months, end=end, outcome=outcome, engine=engine
        )
    dp = did_panel(clients, panel, pre_months=1, post_months=months)
    dp["post"] = (dp["rel_month"] >= 1).astype(int)
    dp["treated_post"] = dp["treated"] * dp["post"]
    return person_fe_did(dp, outcome=outcome, weights=weights, alpha=alpha)


def panel_parts(
    clients: pd.DataFrame,
    panel: Any,
    match: MatchResult,
    psm: MatchResult,
    alpha: float,
    months: int,
    end: pd.Timestamp,
    follow_up: int,
) -> tuple[EffectResults, EffectResults, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What the clients section needs from the person-month panel: the two person-FE DiDs,
    the per-client outcomes (whole window and the first ``follow_up`` months) and the
    employment curve (``2 * follow_up`` months).

    ``panel`` is a pandas frame, or a register source (a Parquet path or glob, Arrow,
    polars, a Spark frame) that :mod:`arviointi.engine` reads without loading it: then only
    aggregates and one row per client come back, and the report's disclosure control
    works on them as on the in-memory ones.
    """
    if isinstance(panel, pd.DataFrame):
        clients, panel = cut_at_window_end(clients, panel, end)
        return (
            fe_did(clients, panel, match, alpha, months),
            fe_did(clients, panel, psm, alpha, months),
            client_outcomes(clients, panel, window_months=None),
            client_outcomes(clients, panel, window_months=follow_up),
            employment_curve(clients, panel, max_months=follow_up * 2, weights=match.weights()),
        )
    from arviointi.data.frames import columns_of
    from arviointi.engine import client_outcomes as engine_outcomes
    from arviointi.engine.backend import open_backend

    did = fe_did(clients, panel, match, alpha, months, end=end)
    did_psm = fe_did(clients, panel, psm, alpha, months, end=end)
    backend = open_backend(panel, "duckdb")
    try:
        cols = columns_of(panel)
        pooled = engine_outcomes.client_outcomes(
            backend, clients, end=end, window_months=None, columns=cols
        )
        year = engine_outcomes.client_outcomes(
            backend, clients, end=end, window_months=follow_up, columns=cols
        )
        curve = engine_outcomes.employment_curve(
            backend, clients, end=end, max_months=follow_up * 2, weights=match.weights()
        )
    finally:
        backend.close()
    return did, did_psm, pooled, year, curve


def truth_after_entry(
    truth: Truth,
    clients: pd.DataFrame,
    panel: pd.DataFrame,
    start: str,
    end: str,
    outcome: str = "employed",
) -> float:
    """Truth over pilot client-months after the entry month (exact algebra: the planted
    effect is zero in the entry month, so the pooled effect is rescaled by the months)."""
    pooled = truth.att(outcome, "client", start, end)
    pilot = set(clients.loc[clients["group"] == "pilot", "person_id"])
    rows = panel[panel["person_id"].isin(pilot)]
    rows = rows[(rows["month"] >= pd.Timestamp(start)) & (rows["month"] <= pd.Timestamp(end))]
    entry = rows["person_id"].map(clients.set_index("person_id")["entry_month"])
    n_all = len(rows)  # every client-month of pilot clients in the window
    n_entry = int((rows["month"] == entry).sum())
    return pooled * n_all / (n_all - n_entry) if n_all > n_entry else math.nan


def effect_rows(named: Iterable[tuple[str, EffectResults | None, float]]) -> pd.DataFrame:
    """One table row per (key, result, scale): the persons behind the estimate and the
    estimate with its interval multiplied by ``scale``; results that are None are skipped."""
    rows = []
    for key, res, scale in named:
        if res is None:
            continue
        lo, hi = res.conf_int()
        rows.append(
            {
                "estimate_key": key,
                "n_treated": res.n_treated,
                "n_control": res.n_control,
                "estimate": res.estimate * scale,
                "ci_low": lo * scale,
                "ci_high": hi * scale,
            }
        )
    return pd.DataFrame(rows)


def emit_effects_table(
    em: Emitter,
    rows: pd.DataFrame,
    caption_key: str,
    *,
    key_column_key: str,
    estimate_column_key: str,
    row_key: str,
    decimals: int,
) -> None:
    """The effects table of :func:`effect_rows` at client level: the persons behind each
    estimate are the counts, the estimate and its interval derive from the treated count."""
    signed = f"signed:{decimals}"
    em.table(
        rows,
        caption_key,
        level="client",
        counts=["n_treated", "n_control"],
        derived={"estimate": "n_treated", "ci_low": "n_treated", "ci_high": "n_treated"},
        columns={
            "estimate_key": key_column_key,
            "n_treated": "clients.col.n_treated",
            "n_control": "clients.col.n_control",
            "estimate": estimate_column_key,
            "ci_low": "column.ci_low",
            "ci_high": "column.ci_high",
        },
        formats={"estimate": signed, "ci_low": signed, "ci_high": signed},
        translate={"estimate_key": row_key},
    )
