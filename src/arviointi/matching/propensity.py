"""Propensity-score matching: logit model, nearest neighbour on the logit of the score.

Algorithm (greedy, deterministic given ``seed``):

1. Fit ``P(treated | covariates)`` by maximum-likelihood logit (statsmodels). Categorical
   covariates enter as indicators with the first (sorted) level as reference.
2. Caliper = ``caliper`` x pooled SD of the logit score, ``sqrt((s2_t + s2_c) / 2)``
   (Austin 2011 recommends 0.2). ``caliper=None`` switches it off.
3. Treated persons are processed in an order drawn with ``seed``; each takes its ``ratio``
   nearest controls on the logit score within the caliper; ties in distance are broken by
   ``person_id`` (smallest first); distances equal to 9 decimals count as ties. Without
   replacement a control is used once.
4. Weights: treated 1; a control gets ``1 / k_i`` for every treated person i it serves,
   where ``k_i`` is the number of controls matched to i. Control weights then sum to the
   number of matched treated (an ATT weighting).

Treated persons without any control inside the caliper are dropped with a count.
"""

from __future__ import annotations

import warnings as pywarnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from arviointi.errors import DesignError, ParamsError
from arviointi.matching.result import MatchResult, design_matrix
from arviointi.matching.sample import prepare_sample

DEFAULT_COVARIATES = ("age", "language", "education", "unemployment_days_at_entry")


def _logit_design(data: pd.DataFrame, covariates: list[str]) -> tuple[pd.DataFrame, list[str]]:
    full = design_matrix(data, covariates)
    notes: list[str] = []
    drop: list[str] = []
    for col in covariates:
        if not pd.api.types.is_numeric_dtype(data[col]) or pd.api.types.is_bool_dtype(data[col]):
            levels = [c for c in full.columns if c.startswith(f"{col}=")]
            if levels:
                drop.append(levels[0])  # reference level
    x = full.drop(columns=drop)
    constant = [c for c in x.columns if x[c].nunique() <= 1]
    if constant:
        notes.append(f"covariate column(s) without variation left out of the logit: {constant}")
        x = x.drop(columns=constant)
    from statsmodels.tools.tools import add_constant  # loaded on first use (startup time)

    return add_constant(x, has_constant="add"), notes


def fit_propensity(
    data: pd.DataFrame, treated: pd.Series, covariates: list[str]
) -> tuple[pd.Series, list[str]]:
    """Logit propensity model; returns the linear predictor (logit score) per person."""
    from statsmodels.discrete.discrete_model import Logit  # loaded on first use

    x, notes = _logit_design(data, covariates)
    y = treated.astype(float).to_numpy()
    with pywarnings.catch_warnings(record=True) as caught:
        pywarnings.simplefilter("always")
        try:
            fit = Logit(y, x.to_numpy(dtype=float)).fit(disp=0, method="newton", maxiter=200)
        except np.linalg.LinAlgError as exc:
            raise DesignError(
                "the propensity logit cannot be estimated (singular information matrix): "
                f"covariates {covariates} are collinear or separate the groups ({exc})"
            ) from exc
    for w in caught:
        notes.append(f"propensity logit: {w.message}")
    lin = x.to_numpy(dtype=float) @ np.asarray(fit.params, dtype=float)
    if not np.all(np.isfinite(lin)):
        raise DesignError("the propensity logit gave non-finite scores (perfect separation?)")
    return pd.Series(lin, index=data.index, name="logit_ps"), notes


@dataclass
class _Matches:
    """Greedy nearest-neighbour matches: per treated person whether matched, per control
    its total weight, and the (treated, control) pairs in matching order."""

    treated_ok: np.ndarray
    control_weight: np.ndarray
    pairs: list[tuple[int, int]]
    short: int


def _nearest_neighbours(
    score_t: np.ndarray,
    score_c: np.ndarray,
    ids_c: np.ndarray,
    width: float,
    ratio: int,
    replace: bool,
    seed: int,
) -> _Matches:
    """Treated persons in a seeded random order each take their ``ratio`` nearest controls
    within ``width`` (ties broken by control id)."""
    # id rank gives deterministic tie-breaking
    c_rank = np.argsort(np.argsort(ids_c.astype(str), kind="stable"), kind="stable")
    order = np.random.default_rng(seed).permutation(len(score_t))
    available = np.ones(len(ids_c), dtype=bool)
    m = _Matches(np.zeros(len(score_t), dtype=bool), np.zeros(len(ids_c)), [], 0)
    for i in order:
        # rounding makes distances equal up to floating-point noise count as ties
        dist = np.round(np.abs(score_c - score_t[i]), 9)
        cand = np.flatnonzero((dist <= width) & available)
        if cand.size == 0:
            continue
        pick = cand[np.lexsort((c_rank[cand], dist[cand]))][:ratio]
        if pick.size < ratio:
            m.short += 1
        m.treated_ok[i] = True
        m.control_weight[pick] += 1.0 / pick.size
        m.pairs += [(i, int(j)) for j in pick]
        if not replace:
            available[pick] = False
    return m


def _matched_frame(ids_t: np.ndarray, ids_c: np.ndarray, m: _Matches) -> pd.DataFrame:
    """One row per matched person: treated (weight 1, own subclass) and used controls."""
    # a control's subclass: its first matched treated person (for reference only)
    first_t: dict[int, int] = {}
    for i, j in m.pairs:
        first_t.setdefault(j, i)
    used_c = np.flatnonzero(m.control_weight > 0)
    subclass_t = np.where(m.treated_ok, np.arange(len(ids_t)), -1)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "person_id": ids_t[m.treated_ok],
                    "treated": True,
                    "weight": 1.0,
                    "subclass": subclass_t[m.treated_ok],
                }
            ),
            pd.DataFrame(
                {
                    "person_id": ids_c[used_c],
                    "treated": False,
                    "weight": m.control_weight[used_c],
                    "subclass": [first_t[int(j)] for j in used_c],
                }
            ),
        ],
        ignore_index=True,
    )


def _report_losses(m: _Matches, ratio: int, n_dropped: dict[str, int], warn: list[str]) -> None:
    n_unmatched = int((~m.treated_ok).sum())
    if n_unmatched:
        n_dropped["treated: no control within caliper"] = n_unmatched
        warn.append(f"{n_unmatched} treated person(s) had no control within the caliper")
    n_unused = int((m.control_weight == 0).sum())
    if n_unused:
        n_dropped["control: not selected as a match"] = n_unused
    if m.short:
        warn.append(f"{m.short} treated person(s) got fewer than {ratio} controls")
    if not m.treated_ok.any():
        raise DesignError("no treated person has a control within the caliper; widen the caliper")


def propensity_match(
    clients: pd.DataFrame,
    *,
    treatment_col: str = "group",
    treated_value: object = "pilot",
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    caliper: float | None = 0.2,
    ratio: int = 1,
    replace: bool = False,
    seed: int = 0,
) -> MatchResult:
    """Nearest-neighbour matching on the logit propensity score (see module docstring).

    Example::

        m = propensity_match(clients, covariates=["age", "language"], seed=1)
        m.balance()[["smd_before", "smd_after"]]
    """
    if not isinstance(ratio, int) or ratio < 1:
        raise ParamsError("propensity_match", f"ratio: expected an integer >= 1, got {ratio!r}")
    if caliper is not None and not caliper > 0:
        raise ParamsError("propensity_match", f"caliper: expected > 0 or None, got {caliper!r}")
    covs = list(covariates)
    sample = prepare_sample(
        clients, treatment_col=treatment_col, treated_value=treated_value, covariates=covs
    )
    n_t_usable = int(sample.treated.sum())
    n_c_usable = int((~sample.treated).sum())
    if min(n_t_usable, n_c_usable) < 2:
        raise DesignError(
            f"propensity matching needs at least 2 treated and 2 comparison persons; "
            f"got {n_t_usable} and {n_c_usable}"
        )
    logit, notes = fit_propensity(sample.data, sample.treated, covs)
    data = sample.data.assign(logit_ps=logit)
    t_mask = sample.treated.to_numpy()
    score_t = logit.to_numpy()[t_mask]
    score_c = logit.to_numpy()[~t_mask]
    ids_t = data.index.to_numpy()[t_mask]
    ids_c = data.index.to_numpy()[~t_mask]
    pooled_sd = float(np.sqrt((np.var(score_t, ddof=1) + np.var(score_c, ddof=1)) / 2))
    width = np.inf if caliper is None else caliper * pooled_sd

    m = _nearest_neighbours(score_t, score_c, ids_c, width, ratio, replace, seed)
    n_dropped = dict(sample.n_dropped)
    warn = list(sample.warnings) + notes
    _report_losses(m, ratio, n_dropped, warn)
    matched = _matched_frame(ids_t, ids_c, m)
    return MatchResult(
        matched=matched,
        method="propensity",
        covariates=covs,
        n_treated_total=sample.n_treated_total,
        n_control_total=sample.n_control_total,
        n_dropped=n_dropped,
        warnings=warn,
        details={
            "caliper_sd": caliper,
            "caliper_width_logit": float(width),
            "pooled_sd_logit": pooled_sd,
            "ratio": ratio,
            "replace": replace,
            "seed": seed,
        },
        _data=data,
        _treated=sample.treated,
    )
