"""Coarsened exact matching (Iacus, King and Porro 2012).

Each covariate is coarsened: ``"exact"`` keeps its values, a list of cut points makes
left-closed intervals ``[c_0, c_1), [c_1, c_2), ...`` (values outside the cut points are
dropped with a count; pass ``float("inf")`` as the last cut point to keep everything), an
integer ``k`` makes ``k`` equal-width intervals over the observed range (last one closed).
Persons are grouped into strata by their coarsened values; strata without both a treated
and a control person are dropped.

Weights (ATT, Iacus-King-Porro): matched treated persons get 1; a matched control in stratum
s gets ``(m_C / m_T) * (m_T^s / m_C^s)``, where ``m_T``, ``m_C`` are the numbers of matched
treated and control persons and ``m_T^s``, ``m_C^s`` those in stratum s. Control weights
then sum to ``m_C`` and, within a stratum, are proportional to its treated count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from arviointi.errors import DesignError, ParamsError
from arviointi.matching.result import MatchResult
from arviointi.matching.sample import prepare_sample

Coarsening = Mapping[str, str | int | Sequence[float]]


def _coarsen(values: pd.Series, rule: str | int | Sequence[float], key: str) -> pd.Series:
    if isinstance(rule, str):
        if rule != "exact":
            raise ParamsError(
                "coarsened_exact_match",
                f"coarsening.{key}: expected 'exact', an integer or a list of cut points, "
                f"got {rule!r}",
            )
        return values.astype(str)
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise ParamsError(
            "coarsened_exact_match",
            f"coarsening.{key}: column is not numeric; use 'exact' for categorical covariates",
        )
    x = values.astype(float)
    if isinstance(rule, int | np.integer):
        k = int(rule)
        if k < 1:
            raise ParamsError("coarsened_exact_match", f"coarsening.{key}: expected k >= 1")
        lo, hi = float(x.min()), float(x.max())
        if hi == lo:
            return pd.Series("0", index=values.index)
        edges = np.linspace(lo, hi, k + 1)
        codes = np.clip(np.searchsorted(edges, x.to_numpy(), side="right") - 1, 0, k - 1)
        return pd.Series(codes.astype(str), index=values.index)
    edges = np.asarray(list(rule), dtype=float)
    if edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ParamsError(
            "coarsened_exact_match",
            f"coarsening.{key}: expected at least two strictly increasing cut points",
        )
    codes = np.searchsorted(edges, x.to_numpy(), side="right") - 1
    inside = (x.to_numpy() >= edges[0]) & (x.to_numpy() < edges[-1])
    out = pd.Series(codes.astype(str), index=values.index)
    out[~inside] = np.nan
    return out


def coarsened_exact_match(
    clients: pd.DataFrame,
    *,
    treatment_col: str = "group",
    treated_value: object = "pilot",
    coarsening: Coarsening,
) -> MatchResult:
    """Coarsened exact matching with Iacus-King-Porro weights (see module docstring).

    Example::

        m = coarsened_exact_match(clients, coarsening={"age": [18, 25, 50, 70],
                                                      "language": "exact"})
        m.balance()
    """
    if not coarsening:
        raise ParamsError("coarsened_exact_match", "coarsening: expected at least one covariate")
    covs = list(coarsening)
    sample = prepare_sample(
        clients, treatment_col=treatment_col, treated_value=treated_value, covariates=covs
    )
    coarse = pd.DataFrame(
        {c: _coarsen(sample.data[c], coarsening[c], c) for c in covs}, index=sample.data.index
    )
    n_dropped = dict(sample.n_dropped)
    warn = list(sample.warnings)
    outside = coarse.isna().any(axis=1)
    if outside.any():
        n_dropped["outside coarsening cut points"] = int(outside.sum())
        warn.append(f"{int(outside.sum())} person(s) fall outside the coarsening cut points")
    stratum_key = coarse.fillna("").astype(str).agg("|".join, axis=1)
    stratum_key[outside] = np.nan
    treated = sample.treated
    frame = pd.DataFrame({"stratum": stratum_key, "treated": treated})
    frame = frame[frame["stratum"].notna()]
    counts = frame.groupby("stratum")["treated"].agg(n_t="sum", n="size")
    counts["n_c"] = counts["n"] - counts["n_t"]
    good = counts[(counts["n_t"] > 0) & (counts["n_c"] > 0)]
    in_good = frame["stratum"].isin(good.index)
    n_t_un = int((~in_good & frame["treated"]).sum())
    n_c_un = int((~in_good & ~frame["treated"]).sum())
    if n_t_un:
        n_dropped["treated: stratum without controls"] = n_t_un
        warn.append(f"{n_t_un} treated person(s) are in strata without controls")
    if n_c_un:
        n_dropped["control: stratum without treated"] = n_c_un
    if good.empty:
        raise DesignError("no coarsened stratum holds both treated and control persons")
    m = frame[in_good].copy()
    m_t = int(m["treated"].sum())
    m_c = int((~m["treated"]).sum())
    stratum_nt = m["stratum"].map(good["n_t"]).astype(float)
    stratum_nc = m["stratum"].map(good["n_c"]).astype(float)
    weight = np.where(m["treated"], 1.0, (m_c / m_t) * (stratum_nt / stratum_nc))
    codes = {s: i for i, s in enumerate(sorted(good.index))}
    matched = pd.DataFrame(
        {
            "person_id": m.index.to_numpy(),
            "treated": m["treated"].to_numpy(dtype=bool),
            "weight": weight,
            "subclass": m["stratum"].map(codes).to_numpy(),
        }
    )
    return MatchResult(
        matched=matched,
        method="cem",
        covariates=covs,
        n_treated_total=sample.n_treated_total,
        n_control_total=sample.n_control_total,
        n_dropped=n_dropped,
        warnings=warn,
        details={"n_strata": len(counts), "n_strata_matched": len(good)},
        _data=sample.data,
        _treated=treated,
    )
