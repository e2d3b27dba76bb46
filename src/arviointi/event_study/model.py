"""Event study: two-way fixed-effects regression on leads and lags of treatment start.

    y_it = a_i + g_t + sum_{k != reference} b_k 1{t - E_i = k} + e_it

with ``E_i`` the unit's first treated period (never-treated units have no dummies). With
``window=(lo, hi)`` relative times below ``lo`` / above ``hi`` are binned into the end
points. Inference (``inference="auto"``) follows :func:`arviointi.inference.choose`: CR1
clustered by unit with t(G-1) when there are enough treated and control units; otherwise
(few treated units, where cluster-robust errors are invalid) ``choose`` picks Donald-Lang
and, on a balanced panel with one adoption date and >= 2 never-treated units, each unit
is collapsed to its vector of contrasts ``y_k - y_ref`` (see
:mod:`arviointi.event_study.donald_lang`): the coefficients are unchanged (exact algebra),
standard errors and the joint covariance come from the cross-unit spread of those
contrasts with t(G-2) (exact under normal contrasts with a common covariance, whatever
the serial correlation), and the joint pre-trend test is a two-sample Hotelling T^2 with
an exact F when the number of leads is below G - 2 (else the permutation p-value is
used). The permutation p-value of the sum of squared leads is kept in
``inference.details["permutation_pretrend_pvalue"]`` as a cross-check.

Unbalanced panels and several adoption dates (and ``inference="permutation"``) use
randomisation inference, with a warning under "auto": the treated units' adoption times
are reassigned over all units (every assignment when one cohort and few assignments,
else ``n_permutations`` random draws plus the observed one), the event study is
re-estimated, and each coefficient's p-value is the share of assignments with a
coefficient at least as large in absolute value (a test of the sharp null of no effect;
floor 1 / number of assignments); then no intervals are reported.

The joint pre-trend test is a Wald F test that all leads are zero (F(q, df) with the
covariance in use), Hotelling's T^2 under Donald-Lang, or under permutation the rank of the
sum of squared leads.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from arviointi.errors import ParamsError, Problem
from arviointi.event_study.fit import EventFit, fit_event_study
from arviointi.event_study.inference_step import (
    EventInference,
    Options,
    apply_inference,
    choose_method,
)
from arviointi.event_study.panel import check_window
from arviointi.event_study.results import EventStudyResults
from arviointi.inference.registry import names_for
from arviointi.results.base import InferenceInfo

EXPLICIT = names_for("event_study")


def _check_request(
    inference: str, bands: str, reference: int, window: tuple[int, int] | None
) -> None:
    if inference not in (*EXPLICIT, "auto"):
        raise ParamsError(
            "event_study", [Problem("inference", f"expected 'auto' or one of {EXPLICIT}")]
        )
    if bands not in ("pointwise", "uniform"):
        raise ParamsError("event_study", [Problem("bands", "expected 'pointwise' or 'uniform'")])
    check_window(window, reference)


def _coefficients(fit: EventFit, inf: EventInference) -> pd.DataFrame:
    """One row per relative time (the reference row: coefficient 0, no inference)."""
    rel, levels, reference = fit.rel, fit.levels, fit.reference
    coefs = pd.DataFrame(
        {
            "coef": fit.beta,
            "se": inf.se,
            "ci_low": inf.lo,
            "ci_high": inf.hi,
            "pvalue": inf.pvals,
            "n_treated_obs": [int(np.sum(rel == k)) for k in levels],
        },
        index=pd.Index(levels, name="rel_time"),
    )
    ref_row = pd.DataFrame(
        {
            "coef": [0.0],
            "se": [np.nan],
            "ci_low": [np.nan],
            "ci_high": [np.nan],
            "pvalue": [np.nan],
            "n_treated_obs": [int(np.sum(rel == reference))],
        },
        index=pd.Index([reference], name="rel_time"),
    )
    return pd.concat([coefs, ref_row]).sort_index()


def event_study(
    data: Any,
    outcome: str,
    *,
    unit: str,
    time: str,
    treatment: str,
    window: tuple[int, int] | None = None,
    reference: int = -1,
    inference: str = "auto",
    bands: str = "pointwise",
    alpha: float = 0.05,
    n_permutations: int = 999,
    seed: int = 0,
    source: str = "<DataFrame>",
    engine: str = "auto",
) -> EventStudyResults:
    """Event-study coefficients, joint pre-trend test and average post effect.

    Parameters
    ----------
    treatment : 0/1 column, absorbing (once 1 stays 1)
    window : (lo, hi) relative times kept; outside ones are binned into the end points
    reference : omitted relative time (normalised to 0), default -1
    inference : "auto", "cluster", "robust", "classical", "permutation", "donald_lang" or
        "scaled_dl" (unit-scaled Donald-Lang: valid when the treated unit is noisier)
    bands : "pointwise" or "uniform" (sup-t over all non-reference coefficients)
    engine : "auto", "pandas", "duckdb" or "spark": large non-pandas inputs are fitted in
        :mod:`arviointi.engine` (pointwise CR1 or classical errors) without loading them

    Example
    -------
    >>> res = event_study(df, "y", unit="area", time="month", treatment="pilot")
    >>> res.coefficients, res.pretrend["pvalue"]; res.plot()
    """
    _check_request(inference, bands, reference, window)
    if not isinstance(data, pd.DataFrame) or engine not in ("auto", "pandas"):
        from arviointi.engine.route import route_event_study

        kw: dict[str, Any] = {"unit": unit, "time": time, "treatment": treatment}
        kw["window"] = window
        kw |= {"reference": reference, "inference": inference, "bands": bands, "alpha": alpha}
        routed = route_event_study(data, outcome, kw | {"engine": engine})
        if routed is not None:
            return routed
    fit = fit_event_study(
        data,
        outcome,
        unit=unit,
        time=time,
        treatment=treatment,
        window=window,
        reference=reference,
        source=source,
    )
    chosen, reason, choose_warnings = choose_method(fit, inference, alpha, source)
    inf = apply_inference(fit, chosen, Options(inference, alpha, bands, n_permutations, seed))
    info = InferenceInfo(
        method=chosen,
        reason=reason,
        df=inf.df,
        requested=inference,
        details={**inf.details, "bands": bands, **fit.design.as_dict()},
    )
    return EventStudyResults(
        estimate=fit.estimate,
        se=inf.est_se,
        pvalue=inf.est_p,
        inference=info,
        n_obs=fit.n,
        n_treated=len(fit.treated_units),
        n_control=len(fit.control_units),
        outcome=outcome,
        alpha=alpha,
        warnings=fit.warnings + choose_warnings + inf.warnings,
        coefficients=_coefficients(fit, inf),
        pretrend=inf.pretrend,
        vcov=inf.vcov,
        reference=reference,
        bands=bands,
        extra={"levels": fit.levels},
    )
