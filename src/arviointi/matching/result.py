"""The result of a matching: matched persons with weights (in memory only) and balance.

``MatchResult.matched`` holds person ids and weights; it is person-level and must never be
reported. Everything else (``balance()``, ``summary()``, the counts) is aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def design_matrix(frame: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """Numeric covariates as they are; categorical ones as 0/1 indicators, one per level.

    Column names of indicators are ``"<covariate>=<level>"``. Levels are sorted so that the
    matrix does not depend on row order.
    """
    parts: list[pd.DataFrame] = []
    for col in covariates:
        values = frame[col]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            parts.append(values.astype(float).to_frame(col))
        else:
            levels = sorted(values.dropna().astype(str).unique())
            text = values.astype(str)
            ind = pd.DataFrame(
                {f"{col}={lvl}": (text == lvl).astype(float) for lvl in levels},
                index=frame.index,
            )
            parts.append(ind)
    return pd.concat(parts, axis=1)


def _weighted_mean_var(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    sw = float(w.sum())
    if sw <= 0:
        return float("nan"), float("nan")
    mean = float(np.sum(w * x) / sw)
    var = float(np.sum(w * (x - mean) ** 2) / sw)
    return mean, var


@dataclass
class MatchResult:
    """Matched sample and diagnostics.

    matched : person-level frame (``person_id``, ``treated`` bool, ``weight`` float,
        ``subclass``: the match set or CEM stratum); only persons with weight > 0. Never report.
    method : "propensity" or "cem"
    covariates : the covariates balanced on
    n_dropped : reason -> number of persons not in the matched sample
    warnings : plain-English notes (convergence, dropped rows, ...)
    """

    matched: pd.DataFrame
    method: str
    covariates: list[str]
    n_treated_total: int
    n_control_total: int
    n_dropped: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    # covariate data of every usable person (index = person_id), for balance()
    _data: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    _treated: pd.Series = field(default_factory=lambda: pd.Series(dtype=bool), repr=False)

    @property
    def n_treated_matched(self) -> int:
        m = self.matched
        return int(((m["treated"]) & (m["weight"] > 0)).sum())

    @property
    def n_control_matched(self) -> int:
        m = self.matched
        return int(((~m["treated"]) & (m["weight"] > 0)).sum())

    def weights(self) -> pd.Series:
        """Matching weight per person_id (0 for usable persons left unmatched). In memory only."""
        w = pd.Series(0.0, index=self._data.index, name="weight")
        w.loc[self.matched["person_id"].to_numpy()] = self.matched["weight"].to_numpy()
        return w

    def balance(self) -> pd.DataFrame:
        """Balance before and after matching, one row per covariate (indicator per level).

        Columns: ``mean_treated_before``, ``mean_control_before``, ``smd_before``,
        ``mean_treated_after``, ``mean_control_after``, ``smd_after``,
        ``var_ratio_before``, ``var_ratio_after`` and the counts ``n_treated_before``,
        ``n_control_before``, ``n_treated_after``, ``n_control_after``.

        The standardised mean difference uses the same denominator before and after:
        ``sqrt((s2_treated + s2_control) / 2)`` from the unmatched sample (Austin 2009), so
        that the two are comparable. Variance ratio = treated / control variance
        (weighted after matching). NaN when a variance is zero.
        """
        x = design_matrix(self._data, self.covariates)
        if "logit_ps" in self._data.columns:
            x["logit_ps"] = self._data["logit_ps"].astype(float)
        t = self._treated.reindex(x.index).to_numpy(dtype=bool)
        w_after = self.weights().reindex(x.index).to_numpy(dtype=float)
        rows = []
        for col in x.columns:
            v = x[col].to_numpy(dtype=float)
            ones_t = np.ones(int(t.sum()))
            ones_c = np.ones(int((~t).sum()))
            mt_b, vt_b = _weighted_mean_var(v[t], ones_t)
            mc_b, vc_b = _weighted_mean_var(v[~t], ones_c)
            # sample variances for the denominator
            st2 = float(np.var(v[t], ddof=1)) if t.sum() > 1 else float("nan")
            sc2 = float(np.var(v[~t], ddof=1)) if (~t).sum() > 1 else float("nan")
            denom = float(np.sqrt((st2 + sc2) / 2))
            mt_a, vt_a = _weighted_mean_var(v[t], w_after[t])
            mc_a, vc_a = _weighted_mean_var(v[~t], w_after[~t])
            rows.append(
                {
                    "covariate": col,
                    "mean_treated_before": mt_b,
                    "mean_control_before": mc_b,
                    "smd_before": (mt_b - mc_b) / denom if denom > 0 else float("nan"),
                    "mean_treated_after": mt_a,
                    "mean_control_after": mc_a,
                    "smd_after": (mt_a - mc_a) / denom if denom > 0 else float("nan"),
                    "var_ratio_before": vt_b / vc_b if vc_b > 0 else float("nan"),
                    "var_ratio_after": vt_a / vc_a if vc_a > 0 else float("nan"),
                    "n_treated_before": int(t.sum()),
                    "n_control_before": int((~t).sum()),
                    "n_treated_after": int(((w_after > 0) & t).sum()),
                    "n_control_after": int(((w_after > 0) & ~t).sum()),
                }
            )
        return pd.DataFrame(rows).set_index("covariate")

    def summary(self) -> pd.DataFrame:
        """Aggregate counts: treated/control before and after, and dropped by reason."""
        rows = [
            ("treated, all", self.n_treated_total),
            ("control, all", self.n_control_total),
            ("treated, matched", self.n_treated_matched),
            ("control, matched", self.n_control_matched),
        ]
        rows += [(f"dropped: {k}", v) for k, v in self.n_dropped.items()]
        return pd.DataFrame(rows, columns=["item", "n"]).set_index("item")
