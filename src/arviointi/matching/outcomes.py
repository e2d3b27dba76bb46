"""Client outcomes from the client panel (person x month) and subgroup masks.

Outputs of :func:`client_outcomes` and :func:`did_panel` are person-level and stay in
memory; :func:`outcome_summary` turns them into aggregates with counts for the report.

Months are counted as calendar-month differences: the entry month has relative month 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from arviointi.errors import InputError, ParamsError, Problem
from arviointi.matching.frame_checks import (
    bad_rows_problem,
    check_numeric,
    check_values_in,
    frame_source,
    raise_if_problems,
    require_columns,
    require_frame,
)

STATUSES = ("unemployed", "employed", "services", "outside")
LANGUAGES = ("fi", "sv", "other")

#: subgroup name -> plain-English definition (also used as report row labels)
SUBGROUPS = {
    "over500": "unemployment_days_at_entry > 500 (the 'Kela list')",
    "under25": "age < 25",
    "over50": "age >= 50",
    "foreign_language": "language 'other' (mother tongue not Finnish or Swedish)",
}


def subgroup_masks(clients: pd.DataFrame) -> pd.DataFrame:
    """Boolean masks of the subgroups the plans single out, one column per subgroup.

    ``over500``: unemployment_days_at_entry > 500; ``under25``: age < 25; ``over50``:
    age >= 50 (as in the statistics' "over 50" groups); ``foreign_language``: language
    ``other``. Index and row order follow ``clients``.
    """
    require_frame(clients, "clients")
    require_columns(
        clients,
        ["age", "language", "unemployment_days_at_entry"],
        "clients",
        purpose="subgroups",
    )
    raise_if_problems(
        [
            *check_numeric(clients, "age", minimum=0),
            *check_numeric(clients, "unemployment_days_at_entry", minimum=0),
            check_values_in(clients, "language", LANGUAGES, "clients"),
        ],
        "clients",
    )
    age = pd.to_numeric(clients["age"])
    days = pd.to_numeric(clients["unemployment_days_at_entry"])
    return pd.DataFrame(
        {
            "over500": days > 500,
            "under25": age < 25,
            "over50": age >= 50,
            "foreign_language": clients["language"] == "other",
        },
        index=clients.index,
    )


def _month_index(values: pd.Series) -> np.ndarray:
    dt = pd.to_datetime(values)
    return (dt.dt.year * 12 + dt.dt.month - 1).to_numpy(dtype=np.int64)


def check_client_panel(panel: pd.DataFrame, argument: str = "panel") -> None:
    """person_id, month (dates), status; optional benefit_days / municipal_share_eur."""
    require_frame(panel, argument)
    require_columns(panel, ["person_id", "month", "status"], argument, purpose="client panel")
    problems: list[Problem | None] = [
        bad_rows_problem(panel["person_id"].isna().to_numpy(), "person_id", "a person id"),
        check_values_in(panel, "status", STATUSES, argument),
        bad_rows_problem(
            pd.to_datetime(panel["month"], errors="coerce").isna().to_numpy(),
            "month",
            "a date (first day of the month)",
        ),
        bad_rows_problem(
            panel.duplicated(["person_id", "month"], keep=False).to_numpy(),
            "person_id/month",
            "one row per (person_id, month)",
        ),
    ]
    if "benefit_days" in panel.columns:
        problems += check_numeric(panel, "benefit_days", minimum=0, maximum=31)
    if "municipal_share_eur" in panel.columns:
        problems += check_numeric(panel, "municipal_share_eur", minimum=0)
    raise_if_problems(problems, argument)


def _check_clients(
    clients: pd.DataFrame, entry_col: str, extra: Sequence[str] = (), argument: str = "clients"
) -> None:
    require_frame(clients, argument)
    require_columns(clients, ["person_id", entry_col, *extra], argument, purpose="clients")
    ids = clients["person_id"]
    raise_if_problems(
        [
            bad_rows_problem(ids.isna().to_numpy(), "person_id", "a person id"),
            bad_rows_problem(
                (ids.duplicated(keep=False) & ids.notna()).to_numpy(),
                "person_id",
                "one row per person",
            ),
            bad_rows_problem(
                pd.to_datetime(clients[entry_col], errors="coerce").isna().to_numpy(),
                entry_col,
                "a date (the entry month)",
            ),
        ],
        argument,
    )


def _relative(
    clients: pd.DataFrame, panel: pd.DataFrame, entry_col: str
) -> tuple[pd.DataFrame, list[str]]:
    notes: list[str] = []
    known = panel["person_id"].isin(clients["person_id"])
    if (~known).any():
        n = int(panel.loc[~known, "person_id"].nunique())
        notes.append(f"{n} person(s) in the panel but not in clients were left out")
    p = panel[known].copy()
    entry = pd.Series(_month_index(clients[entry_col]), index=clients["person_id"].to_numpy())
    p["rel_month"] = _month_index(p["month"]) - p["person_id"].map(entry).to_numpy()
    return p, notes


def client_outcomes(
    clients: pd.DataFrame,
    panel: pd.DataFrame,
    *,
    entry_col: str = "entry_month",
    window_months: int | None = 12,
) -> pd.DataFrame:
    """Per-person outcomes in the window ``[entry, entry + window_months)`` (in memory only).

    ``window_months=None`` uses every month from entry on.

    Columns: ``person_id``, ``group`` (when in clients), ``months_observed``,
    ``months_employed``, ``share_employed`` (= months_employed / months_observed),
    ``exit_to_work`` (1 if employed in any month of the window),
    ``time_to_employment`` (relative month of the first employed month, or of the last
    observed month when censored), ``event`` (1 employed, 0 censored), the sums
    ``benefit_days`` and ``municipal_share_eur`` when the panel has them (plus
    ``municipal_share_eur_per_month``), and the subgroup
    flags when the clients carry age, language and unemployment days. Persons without panel
    rows in the window get ``months_observed = 0`` and missing outcomes; their number is in
    ``attrs["notes"]``.

    Example::

        out = client_outcomes(clients, panel, window_months=12)
        outcome_summary(out)
    """
    if window_months is not None and not (isinstance(window_months, int) and window_months >= 1):
        raise ParamsError("client_outcomes", f"window_months: expected >= 1, got {window_months}")
    _check_clients(clients, entry_col)
    check_client_panel(panel)
    p, notes = _relative(clients, panel, entry_col)
    upper = np.inf if window_months is None else window_months
    p = p[(p["rel_month"] >= 0) & (p["rel_month"] < upper)]
    p = p.assign(employed=(p["status"] == "employed").astype(int))
    g = p.groupby("person_id")
    out = pd.DataFrame({"months_observed": g.size(), "months_employed": g["employed"].sum()})
    first_emp = p[p["employed"] == 1].groupby("person_id")["rel_month"].min()
    last_obs = g["rel_month"].max()
    out["share_employed"] = out["months_employed"] / out["months_observed"]
    out["exit_to_work"] = (out["months_employed"] > 0).astype(float)
    out["event"] = out.index.isin(first_emp.index).astype(float)
    out["time_to_employment"] = first_emp.reindex(out.index).fillna(last_obs).astype(float)
    for col in ("benefit_days", "municipal_share_eur"):
        if col in p.columns:
            out[col] = g[col].sum().astype(float)
    return finish_client_outcomes(out, clients, notes, window_months)


def finish_client_outcomes(
    out: pd.DataFrame, clients: pd.DataFrame, notes: list[str], window_months: int | None
) -> pd.DataFrame:
    """Per-client outcomes (indexed by person) completed the same way on every path (in
    memory and in the engine): cost per month, one row per client in the clients' order
    (noting those without panel rows), the group and the subgroup flags."""
    if "municipal_share_eur" in out.columns:
        out["municipal_share_eur_per_month"] = out["municipal_share_eur"] / out["months_observed"]
    ids = clients["person_id"].to_numpy()
    out = out.reindex(ids)
    out.index.name = "person_id"
    out["months_observed"] = out["months_observed"].fillna(0).astype(int)
    n_none = int((out["months_observed"] == 0).sum())
    if n_none:
        notes.append(f"{n_none} client(s) have no panel rows in the outcome window")
    out = out.reset_index()
    if "group" in clients.columns:
        out.insert(1, "group", clients["group"].to_numpy())
    if {"age", "language", "unemployment_days_at_entry"} <= set(clients.columns):
        masks = subgroup_masks(clients)
        for c in masks.columns:
            out[c] = masks[c].to_numpy()
    out.attrs["notes"] = notes
    out.attrs["window_months"] = window_months
    return out


def outcome_summary(
    outcomes: pd.DataFrame, *, by: str = "group", subgroups: Sequence[str] = tuple(SUBGROUPS)
) -> pd.DataFrame:
    """Aggregate outcomes by ``by`` for everyone and each subgroup present (with counts).

    Rows: (subgroup, group). Columns ``n_persons``, ``n_with_data`` (months observed > 0),
    ``months_employed_mean``, ``n_exit_to_work``, ``exit_to_work_pct``.
    """
    require_frame(outcomes, "outcomes")
    require_columns(
        outcomes,
        [by, "months_observed", "months_employed", "exit_to_work"],
        "outcomes",
        purpose="output of client_outcomes",
    )
    rows: list[dict[str, Any]] = []
    parts = [("all", pd.Series(True, index=outcomes.index))]
    parts += [(s, outcomes[s].astype(bool)) for s in subgroups if s in outcomes.columns]
    for name, mask in parts:
        sub = outcomes[mask]
        for key, grp in sub.groupby(by, sort=True):
            has = grp[grp["months_observed"] > 0]
            rows.append(
                {
                    "subgroup": name,
                    by: key,
                    "n_persons": len(grp),
                    "n_with_data": len(has),
                    "months_employed_mean": float(has["months_employed"].mean())
                    if len(has)
                    else np.nan,
                    "n_exit_to_work": int(has["exit_to_work"].sum()),
                    "exit_to_work_pct": 100 * float(has["exit_to_work"].mean())
                    if len(has)
                    else np.nan,
                }
            )
    return pd.DataFrame(rows)


def did_panel(
    clients: pd.DataFrame,
    panel: pd.DataFrame,
    *,
    entry_col: str = "entry_month",
    pre_months: int = 12,
    post_months: int = 12,
    treatment_col: str = "group",
    treated_value: object = "pilot",
) -> pd.DataFrame:
    """Person-month panel for DiD with person fixed effects (in memory only).

    Keeps months ``entry - pre_months <= month < entry + post_months`` and adds
    ``rel_month``, ``employed`` (0/1), ``post`` (rel_month >= 0), ``treated`` (0/1) and
    ``treated_post``. Carries ``benefit_days`` and ``municipal_share_eur`` when present.
    """
    for name, v in (("pre_months", pre_months), ("post_months", post_months)):
        if not (isinstance(v, int) and v >= 1):
            raise ParamsError("did_panel", f"{name}: expected an integer >= 1, got {v!r}")
    _check_clients(clients, entry_col, [treatment_col])
    check_client_panel(panel)
    p, notes = _relative(clients, panel, entry_col)
    p = p[(p["rel_month"] >= -pre_months) & (p["rel_month"] < post_months)].copy()
    treated = pd.Series(
        (clients[treatment_col] == treated_value).astype(int).to_numpy(),
        index=clients["person_id"].to_numpy(),
    )
    p["month"] = pd.to_datetime(p["month"])
    p["employed"] = (p["status"] == "employed").astype(int)
    p["post"] = (p["rel_month"] >= 0).astype(int)
    p["treated"] = p["person_id"].map(treated).astype(int)
    p["treated_post"] = p["treated"] * p["post"]
    keep = ["person_id", "month", "rel_month", "status", "employed", "post", "treated"]
    keep += ["treated_post"]
    keep += [c for c in ("benefit_days", "municipal_share_eur") if c in p.columns]
    out = p[keep].sort_values(["person_id", "month"]).reset_index(drop=True)
    out.attrs["notes"] = notes
    if out.empty:
        raise InputError(frame_source("panel"), "no panel rows inside the DiD window")
    return out


def employment_curve(
    clients: pd.DataFrame,
    panel: pd.DataFrame,
    *,
    entry_col: str = "entry_month",
    max_months: int = 24,
    group_col: str = "group",
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Share employed by month since entry and group (aggregate, for a figure).

    Rows: (``group``, ``rel_month`` 0..max_months-1) with ``n_persons`` (observed that
    month), ``n_employed`` and ``share_employed``; with ``weights`` (person_id -> weight,
    e.g. ``MatchResult.weights()``) also ``share_employed_weighted`` over persons with a
    positive weight and their count ``n_persons_weighted``.

    Example::

        employment_curve(clients, panel, weights=propensity_match(clients).weights())
    """
    if not (isinstance(max_months, int) and max_months >= 1):
        raise ParamsError("employment_curve", f"max_months: expected >= 1, got {max_months!r}")
    _check_clients(clients, entry_col, [group_col])
    check_client_panel(panel)
    p, _ = _relative(clients, panel, entry_col)
    p = p[(p["rel_month"] >= 0) & (p["rel_month"] < max_months)]
    groups = pd.Series(clients[group_col].to_numpy(), index=clients["person_id"].to_numpy())
    p = p.assign(
        group=p["person_id"].map(groups).to_numpy(),
        employed=(p["status"] == "employed").astype(float).to_numpy(),
    )
    g = p.groupby(["group", "rel_month"])
    out = pd.DataFrame({"n_persons": g.size(), "n_employed": g["employed"].sum().astype(int)})
    out["share_employed"] = out["n_employed"] / out["n_persons"]
    if weights is not None:
        w = p["person_id"].map(weights).fillna(0.0).astype(float).to_numpy()
        pw = p.assign(_w=w, _wy=w * p["employed"].to_numpy())
        pw = pw[pw["_w"] > 0]
        gw = pw.groupby(["group", "rel_month"])
        out["n_persons_weighted"] = gw.size().reindex(out.index).fillna(0).astype(int)
        out["share_employed_weighted"] = (gw["_wy"].sum() / gw["_w"].sum()).reindex(out.index)
    return out.reset_index().rename(columns={"group": group_col})
