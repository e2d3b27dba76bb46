"""Survey attrition: who answered each wave, completers against drop-outs at baseline, and
inverse-probability-of-response weights as a sensitivity analysis.

Completers are baseline (``wave_from``) respondents who also answered ``wave_to``;
drop-outs answered only the baseline. Differences at baseline are tested with Welch's
t-test (numeric variables) and a chi-square test of independence (categorical ones).

The response weights come from a logit of completion on the baseline covariates and scale
values among baseline respondents; each completer gets ``1 / p_hat``. The weighted mean
change is then compared with the unweighted one: if they differ much, the complete-case
change depends on who stayed. This is valid only if response depends on observed
baseline values (missing at random); the weights are person-level and stay in memory.
"""

from __future__ import annotations

import math
import warnings as pywarnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from arviointi.matching.frame_checks import require_columns, require_frame
from arviointi.matching.result import design_matrix
from arviointi.wellbeing.survey_checks import check_survey

DEFAULT_SCALES = ("life_management", "work_ability", "wellbeing")
DEFAULT_COVARIATES = ("age", "language", "education", "unemployment_days_at_entry")


def _is_numeric(s: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s))


def _compare(base: pd.DataFrame, completed: np.ndarray, variables: list[str]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for v in variables:
        col = base[v]
        ok = col.notna().to_numpy()
        c, d = col[ok & completed], col[ok & ~completed]
        if _is_numeric(col):
            p = math.nan
            if len(c) >= 2 and len(d) >= 2:
                p = float(stats.ttest_ind(c, d, equal_var=False).pvalue)
            rows.append(
                {
                    "variable": v,
                    "level": "",
                    "n_completers": len(c),
                    "n_dropouts": len(d),
                    "mean_completers": float(c.mean()) if len(c) else math.nan,
                    "mean_dropouts": float(d.mean()) if len(d) else math.nan,
                    "test": "Welch t",
                    "pvalue": p,
                }
            )
        else:
            table = pd.crosstab(col[ok].astype(str), completed[ok])
            p = math.nan
            if table.shape == (table.shape[0], 2) and table.shape[0] >= 2:
                p = float(stats.chi2_contingency(table.to_numpy(), correction=False).pvalue)
            for level in table.index:
                rows.append(
                    {
                        "variable": v,
                        "level": level,
                        "n_completers": int((c.astype(str) == level).sum()),
                        "n_dropouts": int((d.astype(str) == level).sum()),
                        "mean_completers": float((c.astype(str) == level).mean())
                        if len(c)
                        else math.nan,
                        "mean_dropouts": float((d.astype(str) == level).mean())
                        if len(d)
                        else math.nan,
                        "test": "chi-square",
                        "pvalue": p,
                    }
                )
    out = pd.DataFrame(rows)
    out["difference"] = out["mean_completers"] - out["mean_dropouts"]
    return out


#: the columns of the ``ipw`` table
IPW_COLUMNS = (
    "scale",
    "n_pairs",
    "mean_change",
    "mean_change_ipw",
    "weight_min",
    "weight_max",
    "ess",
)


def _response_by_wave(sv: pd.DataFrame, clients: pd.DataFrame, group_col: str) -> pd.DataFrame:
    n_by_group = clients.groupby(group_col)["person_id"].nunique()
    resp = (
        sv.merge(clients[["person_id", group_col]], on="person_id")
        .groupby([group_col, "wave"])["person_id"]
        .nunique()
        .rename("n_responded")
        .reset_index()
    )
    resp["n_clients"] = resp[group_col].map(n_by_group).astype(int)
    resp["response_rate"] = resp["n_responded"] / resp["n_clients"]
    return resp[[group_col, "wave", "n_clients", "n_responded", "response_rate"]]


def _response_probability(
    b: pd.DataFrame, y: np.ndarray, model_vars: list[str], notes: list[str]
) -> np.ndarray | None:
    """Fitted probability of completing (logit on ``model_vars``), or None (with a note)."""
    if not 0 < y.sum() < y.size:
        notes.append("everyone or no one completed: no response model")
        return None
    x = design_matrix(b, model_vars)
    # drop one level of each categorical (reference) and constant columns
    for v in model_vars:
        if not _is_numeric(b[v]):
            levels = [c for c in x.columns if c.startswith(f"{v}=")]
            x = x.drop(columns=levels[:1])
    x = x.loc[:, x.nunique() > 1]
    # statsmodels is loaded on first use (startup time)
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.tools import add_constant

    x = add_constant(x, has_constant="add")
    p_hat: np.ndarray | None = None
    with pywarnings.catch_warnings(record=True) as caught:
        pywarnings.simplefilter("always")
        try:
            fit = Logit(y, x.to_numpy(dtype=float)).fit(disp=0, maxiter=200)
            p_hat = np.asarray(fit.predict(x.to_numpy(dtype=float)), dtype=float)
        except np.linalg.LinAlgError as exc:
            notes.append(f"response model could not be fitted: {exc}")
    notes += [f"response model: {w.message}" for w in caught]
    return p_hat


def _ipw_rows(
    b: pd.DataFrame,
    y: np.ndarray,
    p_hat: np.ndarray,
    after_rows: pd.DataFrame,
    scales: Sequence[str],
) -> list[dict[str, Any]]:
    """Per scale: complete-case and response-weighted mean change of the completers."""
    w_all = np.where(y == 1, 1 / np.clip(p_hat, 1e-6, 1), 0.0)
    rows = []
    for s in scales:
        after = b["person_id"].map(after_rows[s]).to_numpy(dtype=float)
        before = b[s].to_numpy(dtype=float)
        ok = (y == 1) & np.isfinite(after) & np.isfinite(before)
        if not ok.any():
            continue
        change, w = after[ok] - before[ok], w_all[ok]
        rows.append(
            {
                "scale": s,
                "n_pairs": int(ok.sum()),
                "mean_change": float(change.mean()),
                "mean_change_ipw": float(np.average(change, weights=w)),
                "weight_min": float(w.min()),
                "weight_max": float(w.max()),
                "ess": float(w.sum() ** 2 / np.sum(w**2)),
            }
        )
    return rows


def _ipw(
    base: pd.DataFrame,
    completed: np.ndarray,
    model_vars: list[str],
    after_rows: pd.DataFrame,
    scales: Sequence[str],
    notes: list[str],
) -> list[dict[str, Any]]:
    usable = base[model_vars].notna().all(axis=1).to_numpy()
    if (~usable).any():
        notes.append(
            f"{int((~usable).sum())} baseline respondent(s) with a missing covariate or "
            "scale left out of the response model"
        )
    b = base[usable]
    y = completed[usable].astype(float)
    p_hat = _response_probability(b, y, model_vars, notes)
    return [] if p_hat is None else _ipw_rows(b, y, p_hat, after_rows, scales)


def attrition_table(
    survey: pd.DataFrame,
    clients: pd.DataFrame,
    *,
    scales: Sequence[str] = DEFAULT_SCALES,
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    wave_from: int = 0,
    wave_to: int = 1,
    group_col: str = "group",
    ipw: bool = True,
) -> dict[str, Any]:
    """Attrition diagnostics (aggregates only).

    Returns a dict with

    * ``response_by_wave``: per group and wave, ``n_clients``, ``n_responded`` and
      ``response_rate`` (share of the group's clients);
    * ``completers_vs_dropouts``: per baseline variable (and level), counts and means of
      completers and drop-outs, the difference and a test p-value;
    * ``ipw``: per scale, ``n_pairs``, ``mean_change`` (complete cases),
      ``mean_change_ipw``, ``weight_min``, ``weight_max`` and the Kish effective sample
      size ``ess``; empty when ``ipw`` is False or the response model cannot be fitted;
    * ``notes``: plain-English notes (persons only in the survey, model problems).

    Example::

        a = attrition_table(survey, clients, wave_from=0, wave_to=1)
        a["completers_vs_dropouts"], a["ipw"]
    """
    scales = list(scales)
    covariates = list(covariates)
    check_survey(survey, scales)
    require_frame(clients, "clients")
    require_columns(clients, ["person_id", group_col, *covariates], "clients", purpose="clients")
    notes: list[str] = []
    waves = pd.to_numeric(survey["wave"])
    known = survey["person_id"].isin(clients["person_id"])
    if (~known).any():
        n_unknown = int(survey.loc[~known, "person_id"].nunique())
        notes.append(f"{n_unknown} survey respondent(s) not in clients were left out")
    sv = survey[known].assign(wave=waves[known])
    resp = _response_by_wave(sv, clients, group_col)

    # completers against drop-outs at baseline
    base = sv[sv["wave"] == wave_from][["person_id", *scales]].merge(
        clients[["person_id", group_col, *covariates]], on="person_id"
    )
    later = set(sv.loc[sv["wave"] == wave_to, "person_id"])
    completed = base["person_id"].isin(later).to_numpy()
    compare = _compare(base, completed, [group_col, *covariates, *scales])
    ipw_rows: list[dict[str, Any]] = []
    if ipw:
        after_rows = sv[sv["wave"] == wave_to].set_index("person_id")
        model_vars = [group_col, *covariates, *scales]
        ipw_rows = _ipw(base, completed, model_vars, after_rows, scales, notes)
    return {
        "response_by_wave": resp,
        "completers_vs_dropouts": compare,
        "ipw": pd.DataFrame(ipw_rows, columns=list(IPW_COLUMNS)),
        "notes": notes,
    }
