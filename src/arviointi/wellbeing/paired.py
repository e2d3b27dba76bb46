"""Before-after change in a survey scale among persons who answered both waves.

For each group: the number of respondents at each wave and of complete pairs, means before
and after, the mean change and its SD, a paired t-test (computed here), the Wilcoxon
signed-rank test (scipy; zero differences dropped, Wilcoxon's method), Cohen's d_z =
mean change / SD of change with an exact interval from the noncentral t distribution, and
Hedges' g_av = mean change / mean of the two SDs x (1 - 3 / (4 (n - 1) - 1)) (Lakens 2013)
with a percentile bootstrap interval over pairs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from arviointi.errors import ParamsError
from arviointi.matching.frame_checks import require_columns
from arviointi.wellbeing.survey_checks import check_survey


def _dz_interval(dz: float, n: int, alpha: float) -> tuple[float, float]:
    """Exact interval for d_z: invert the noncentral t distribution of t = d_z * sqrt(n)."""
    df = n - 1
    t_obs = dz * math.sqrt(n)
    span = 10.0 + 3.0 * abs(t_obs)

    def root(target: float) -> float:
        def f(ncp: float) -> float:
            cdf = float(stats.nct.cdf(t_obs, df, ncp))
            if not math.isfinite(cdf):  # far tails: scipy may give NaN; the limit is 0 or 1
                cdf = 1.0 if ncp < t_obs else 0.0
            return cdf - target

        return float(optimize.brentq(f, t_obs - span, t_obs + span, xtol=1e-10))

    with np.errstate(all="ignore"):
        lo = root(1 - alpha / 2)
        hi = root(alpha / 2)
    return lo / math.sqrt(n), hi / math.sqrt(n)


def _g_av(before: np.ndarray, after: np.ndarray) -> float:
    n = before.size
    sd_avg = (np.std(before, ddof=1) + np.std(after, ddof=1)) / 2
    if sd_avg == 0:
        return math.nan
    correction = 1 - 3 / (4 * (n - 1) - 1)
    return float(np.mean(after - before) / sd_avg * correction)


def _one_group(
    before: np.ndarray,
    after: np.ndarray,
    alpha: float,
    n_boot: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    n = before.size
    d = after - before
    out: dict[str, Any] = {
        "n_pairs": n,
        "mean_before": float(before.mean()) if n else math.nan,
        "mean_after": float(after.mean()) if n else math.nan,
        "mean_change": float(d.mean()) if n else math.nan,
    }
    nan_keys = [
        "sd_change",
        "t",
        "df",
        "p_ttest",
        "p_wilcoxon",
        "d_z",
        "d_z_ci_low",
        "d_z_ci_high",
        "g_av",
        "g_av_ci_low",
        "g_av_ci_high",
    ]
    out.update(dict.fromkeys(nan_keys, math.nan))
    if n < 2:
        return out
    sd = float(np.std(d, ddof=1))
    out["sd_change"] = sd
    out["df"] = n - 1
    if sd > 0:
        t = float(d.mean() / (sd / math.sqrt(n)))
        out["t"] = t
        out["p_ttest"] = float(2 * stats.t.sf(abs(t), n - 1))
        dz = float(d.mean() / sd)
        out["d_z"] = dz
        out["d_z_ci_low"], out["d_z_ci_high"] = _dz_interval(dz, n, alpha)
    if np.any(d != 0):
        out["p_wilcoxon"] = float(stats.wilcoxon(after, before, zero_method="wilcox").pvalue)
    g = _g_av(before, after)
    out["g_av"] = g
    if math.isfinite(g) and n_boot > 0:
        idx = rng.integers(0, n, size=(n_boot, n))
        b, a = before[idx], after[idx]
        sd_avg = (np.std(b, axis=1, ddof=1) + np.std(a, axis=1, ddof=1)) / 2
        ok = sd_avg > 0
        gs = (a - b).mean(axis=1)[ok] / sd_avg[ok] * (1 - 3 / (4 * (n - 1) - 1))
        if gs.size:
            out["g_av_ci_low"], out["g_av_ci_high"] = (
                float(q) for q in np.quantile(gs, [alpha / 2, 1 - alpha / 2])
            )
    return out


def paired_change(
    survey: pd.DataFrame,
    scale: str,
    *,
    wave_from: int = 0,
    wave_to: int = 1,
    group: str | None = None,
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Paired before-after analysis of ``scale`` between two waves, per ``group``.

    ``group`` names a column of ``survey`` (e.g. ``"group"`` after merging the clients);
    a person's group is the first non-missing value over their rows. One output row per
    group (or one row ``"all"``) with the counts ``n_wave_from``, ``n_wave_to``
    (non-missing answers), ``n_pairs`` and ``n_attrited`` (answered ``wave_from`` but not
    ``wave_to``) and the statistics described in the module docstring. Aggregates only.

    Example::

        paired_change(survey, "life_management", wave_from=0, wave_to=1)
        paired_change(survey.merge(clients[["person_id", "group"]]), "wellbeing", group="group")
    """
    check_survey(survey, [scale])
    if group is not None:
        require_columns(survey, [group], "survey", purpose="group column")
    if not 0 < alpha < 1:
        raise ParamsError("paired_change", f"alpha: expected 0 < alpha < 1, got {alpha!r}")
    if wave_from == wave_to:
        raise ParamsError("paired_change", "wave_to: expected a wave different from wave_from")
    waves = pd.to_numeric(survey["wave"])
    w0 = survey.loc[waves == wave_from, ["person_id", scale]].dropna(subset=[scale])
    w1 = survey.loc[waves == wave_to, ["person_id", scale]].dropna(subset=[scale])
    pairs = w0.merge(w1, on="person_id", suffixes=("_before", "_after"))
    rng = np.random.default_rng(seed)
    if group is None:
        groups: list[tuple[object, pd.DataFrame, pd.DataFrame, pd.DataFrame]] = [
            ("all", w0, w1, pairs)
        ]
    else:
        # a person's group: the first non-missing value over their rows
        person_group = survey.dropna(subset=[group]).groupby("person_id")[group].first()
        g_of = {
            name: frame["person_id"].map(person_group)
            for name, frame in (("w0", w0), ("w1", w1), ("pairs", pairs))
        }
        keys = sorted(person_group.unique(), key=str)
        groups = [
            (
                k,
                w0[(g_of["w0"] == k).to_numpy()],
                w1[(g_of["w1"] == k).to_numpy()],
                pairs[(g_of["pairs"] == k).to_numpy()],
            )
            for k in keys
        ]
    rows = []
    for key, g0, g1, gp in groups:
        before = gp[f"{scale}_before"].to_numpy(dtype=float)
        after = gp[f"{scale}_after"].to_numpy(dtype=float)
        row: dict[str, Any] = {
            "group": key,
            "scale": scale,
            "wave_from": wave_from,
            "wave_to": wave_to,
            "n_wave_from": len(g0),
            "n_wave_to": len(g1),
            "n_attrited": int((~g0["person_id"].isin(g1["person_id"])).sum()),
        }
        row.update(_one_group(before, after, alpha, n_boot, rng))
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["alpha"] = alpha
    return out
