"""The results records of the employment_area section (results.json)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from arviointi.sections.area.results import OutcomeResults
from arviointi.sections.area.wording import SCALE_UNIT


def _diagnostic(
    res: OutcomeResults,
    model: str,
    estimate: float,
    *,
    se: float | None = None,
    pvalue: float | None = None,
    method: str = "none",
    reason: str = "",
    df: float | None = None,
    ci_method: Any = None,
) -> Any:
    from arviointi.results.base import EffectResults, InferenceInfo

    main = res.did
    return EffectResults(
        estimate=estimate,
        se=se,
        pvalue=pvalue,
        inference=InferenceInfo(method=method, reason=reason, requested=method, df=df),
        n_obs=main.n_obs,
        n_treated=main.n_treated,
        n_control=main.n_control,
        outcome=res.outcome.name,
        alpha=main.alpha,
        model=model,
        ci_method=ci_method,
    )


def record_outcome(res: OutcomeResults, em: Any, synthetic: bool) -> None:
    """The records of one outcome: the estimates (headline first), then the diagnostics."""
    panel = res.panel
    truth = panel.true_mean() if synthetic else None
    common = {"level": "area", "scale": panel.scale, "unit": SCALE_UNIT[panel.scale]}
    label = {"fi": res.outcome.label.fi, "en": res.outcome.label.en or res.outcome.label.fi}
    em.record(res.did, true_effect=truth, role="primary", label=label, **common)
    for role, result, t_eff in res._estimates()[1:]:
        em.record(result, true_effect=t_eff if synthetic else None, role=role, **common)
    _record_diagnostics(res, em, synthetic, {**common, "role": "diagnostic"})


def _record_diagnostics(
    res: OutcomeResults, em: Any, synthetic: bool, diag: dict[str, Any]
) -> None:
    if res.pretrend is not None:
        p = res.pretrend
        em.record(
            _diagnostic(
                res,
                "pretrend_test",
                p["slope_difference"],
                se=p["se"],
                pvalue=p["pvalue"],
                method="donald_lang",
                reason=p["method"],
                df=p["df"],
            ),
            **diag,
        )
    if res.event_study is not None:
        p = res.event_study.pretrend
        em.record(
            _diagnostic(
                res,
                "event_study_pretrend",
                float(p["statistic"]),
                pvalue=p["pvalue"],
                method=res.event_study.inference.method,
                reason=p["method"],
            ),
            **diag,
        )
    if res.placebo is not None:
        em.record(
            res.placebo,
            true_effect=0.0 if synthetic else None,
            shift=res.placebo.extra["shift"],
            **diag,
        )
    if res.leave_one_out is not None and len(res.leave_one_out):
        lo = float(res.leave_one_out["estimate"].min())
        hi = float(res.leave_one_out["estimate"].max())
        em.record(
            _diagnostic(
                res,
                "leave_one_out",
                res.did.estimate,
                reason=f"estimates dropping one comparison area at a time: {lo:.4g} .. {hi:.4g}",
            ),
            range_low=lo,
            range_high=hi,
            **diag,
        )
    choice = _diagnostic(
        res,
        "inference_choice",
        res.did.estimate,
        se=res.did.se,
        pvalue=res.did.pvalue,
        method=res.did.inference.method,
        reason=res.did.inference.reason,
        ci_method=res.did.conf_int,
    )
    em.record(choice, **diag)
    if res.mde is not None:
        em.record(
            _diagnostic(
                res,
                "mde",
                res.mde.mde,
                reason=f"minimum detectable effect at power {res.mde.power:g}, "
                f"AR(1) rho {res.mde.rho:.2f} from the pre-period",
            ),
            **diag,
        )
    if res.sensitivity is not None:
        em.record(
            _diagnostic(
                res,
                "rr_smoothness_breakdown",
                float(res.sensitivity.attrs["breakdown"]),
                reason="smallest M (change of the monthly slope) at which the smoothness "
                "bounded interval includes 0",
            ),
            **diag,
        )


def estimates_frame(res: OutcomeResults, synthetic: bool) -> pd.DataFrame:
    """The estimates table of one outcome as the report shows it."""
    tab = res.table()
    out = pd.DataFrame(
        {
            "method": tab["model"].astype(str),
            "estimate": tab["estimate"].astype(float),
            "ci_low": tab["ci_low"].astype(float),
            "ci_high": tab["ci_high"].astype(float),
            "pvalue": tab["pvalue"].astype(float),
            "inference": tab["inference"].astype(str),
        }
    )
    if synthetic:
        out["true_effect"] = tab["true_effect"].astype(float)
    return out
