"""Difference in before-after change of a survey scale between the pilot and the
comparison group (a two-wave DiD on respondents with both waves).

Estimate: mean change (wave_to - wave_from) of treated pairs minus that of comparison
pairs. Standard error: Welch's unequal-variance form, with Welch-Satterthwaite degrees of
freedom. Only complete pairs enter, so the estimate is for respondents who stayed; see
:func:`arviointi.wellbeing.attrition_table` for how that may bias it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from arviointi.errors import DesignError, ParamsError
from arviointi.matching.frame_checks import require_columns
from arviointi.results.base import EffectResults, InferenceInfo
from arviointi.wellbeing.survey_checks import check_survey


def change_difference(
    survey: pd.DataFrame,
    scale: str,
    *,
    group: str = "group",
    treated_value: object = "pilot",
    wave_from: int = 0,
    wave_to: int = 1,
    alpha: float = 0.05,
) -> EffectResults:
    """Pilot-minus-comparison difference in mean change of ``scale`` (an EffectResults).

    ``survey`` must carry the ``group`` column (merge the clients' group in first); a
    person's group is the first non-missing value over their rows.

    Example::

        sv = survey.merge(clients[["person_id", "group"]], on="person_id")
        change_difference(sv, "wellbeing", wave_from=0, wave_to=2).summary()
    """
    check_survey(survey, [scale])
    require_columns(survey, [group], "survey", purpose="group column")
    if wave_from == wave_to:
        raise ParamsError("change_difference", "wave_to: expected a wave different from wave_from")
    waves = pd.to_numeric(survey["wave"])
    w0 = survey.loc[waves == wave_from, ["person_id", scale]].dropna()
    w1 = survey.loc[waves == wave_to, ["person_id", scale]].dropna()
    pairs = w0.merge(w1, on="person_id", suffixes=("_0", "_1"))
    person_group = survey.dropna(subset=[group]).groupby("person_id")[group].first()
    treated = (pairs["person_id"].map(person_group) == treated_value).to_numpy()
    change = (pairs[f"{scale}_1"] - pairs[f"{scale}_0"]).to_numpy(dtype=float)
    ct, cc = change[treated], change[~treated]
    if ct.size < 2 or cc.size < 2:
        raise DesignError(
            f"change_difference needs at least 2 complete pairs per group; got {ct.size} "
            f"treated and {cc.size} comparison"
        )
    vt, vc = np.var(ct, ddof=1) / ct.size, np.var(cc, ddof=1) / cc.size
    est = float(ct.mean() - cc.mean())
    se = float(math.sqrt(vt + vc))
    df = float((vt + vc) ** 2 / (vt**2 / (ct.size - 1) + vc**2 / (cc.size - 1)))
    pval = float(2 * stats.t.sf(abs(est / se), df)) if se > 0 else math.nan
    return EffectResults(
        estimate=est,
        se=se,
        pvalue=pval,
        inference=InferenceInfo(
            method="robust",
            reason="Welch unequal-variance standard error of a difference in mean changes",
            df=df,
            requested="auto",
        ),
        n_obs=int(change.size),
        n_treated=int(ct.size),
        n_control=int(cc.size),
        outcome=scale,
        alpha=alpha,
        model="survey_change_did",
        extra={
            "mean_change_treated": float(ct.mean()),
            "mean_change_control": float(cc.mean()),
            "wave_from": wave_from,
            "wave_to": wave_to,
        },
    )
