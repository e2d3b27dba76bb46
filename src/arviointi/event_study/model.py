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
from numpy.typing import NDArray
from scipy import stats

from arviointi.data.frames import as_pandas
from arviointi.errors import DesignError, ParamsError, Problem
from arviointi.event_study.donald_lang import (
    donald_lang_event_study,
    eligibility,
    permutation_draws,
    permutation_pretrend_pvalue,
    unit_contrasts,
)
from arviointi.event_study.panel import (
    binary_treatment,
    drop_missing,
    first_treated,
    period_index,
    require_columns,
    require_numeric,
    require_unique,
)
from arviointi.event_study.results import EventStudyResults
from arviointi.event_study.scaled import scaled_event_study
from arviointi.event_study.twfe import twfe_ols
from arviointi.inference import Design, choose, vcov_classical, vcov_cr1, vcov_hc1
from arviointi.inference.registry import names_for
from arviointi.inference.scaled import UnitNoise, cell_means, unit_noise, variance_check
from arviointi.results.base import InferenceInfo

FloatArray = NDArray[np.float64]
EXPLICIT = names_for("event_study")


def _bonferroni_pretrend(
    beta: FloatArray, se: FloatArray, df: float, pre_mask: NDArray[np.bool_], why: str
) -> dict[str, Any]:
    """Joint pre-trend test from the leads' own t statistics when Hotelling's T^2 cannot be
    computed: the largest |t| with a Bonferroni p-value (valid, conservative)."""
    t = np.abs(beta[pre_mask] / se[pre_mask])
    q = int(pre_mask.sum())
    p_min = float(2 * stats.t.sf(float(np.max(t)), df))
    return {
        "statistic": float(np.max(t)),
        "df": float(df),
        "pvalue": min(1.0, q * p_min),
        "method": f"largest |t| of the {q} leads with a Bonferroni p-value ({why})",
    }


def _average_and_pretrend(
    dl: Any, c_post: FloatArray, estimate: float, beta: FloatArray, details: dict[str, Any]
) -> tuple[float, float | None, dict[str, Any]]:
    """SE and p-value of the average post effect and the pre-trend test of a (scaled)
    Donald-Lang event study; its details are added to ``details``."""
    est_se = float(np.sqrt(c_post @ dl.vcov @ c_post))
    est_p = float(2 * stats.t.sf(abs(estimate / est_se), dl.df)) if est_se > 0 else None
    details.update(dl.details)
    details["max_abs_diff_twfe"] = float(np.max(np.abs(dl.beta - beta)))
    return est_se, est_p, dict(dl.pretrend)


def _pre_noise(
    y: FloatArray,
    unit_codes: NDArray[np.intp],
    time_codes: NDArray[np.intp],
    is_treated: NDArray[np.bool_],
    period_bin: FloatArray,
) -> UnitNoise | None:
    """Unit contrasts and pre-period noise scales on a balanced panel (None if unmeasurable)."""
    n_u, n_t = len(is_treated), int(time_codes.max()) + 1
    wide = cell_means(y, unit_codes, time_codes, n_u, n_t)
    post_t = np.asarray(period_bin >= 0, dtype=bool)
    if int((~post_t).sum()) < 3 or (~is_treated).sum() < 2:
        return None
    return unit_noise(wide, is_treated, post_t, pre_only=True)


def _event_dummies(rel: FloatArray, levels: list[int]) -> FloatArray:
    return np.column_stack([(rel == k).astype(np.float64) for k in levels])


def _sup_t_critical(vcov: FloatArray, alpha: float, seed: int) -> float:
    sd = np.sqrt(np.diag(vcov))
    corr = vcov / np.outer(sd, sd)
    vals, vecs = np.linalg.eigh(corr)
    root = vecs * np.sqrt(np.clip(vals, 0, None))
    draws = np.random.default_rng(seed).standard_normal((20_000, len(sd))) @ root.T
    return float(np.quantile(np.abs(draws).max(axis=1), 1 - alpha))


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
    if inference not in (*EXPLICIT, "auto"):
        raise ParamsError(
            "event_study", [Problem("inference", f"expected 'auto' or one of {EXPLICIT}")]
        )
    if bands not in ("pointwise", "uniform"):
        raise ParamsError("event_study", [Problem("bands", "expected 'pointwise' or 'uniform'")])
    if reference >= 0:
        raise ParamsError("event_study", [Problem("reference", "expected a negative lead")])
    if window is not None and not (window[0] <= reference < 0 <= window[1]):
        raise ParamsError(
            "event_study",
            [Problem("window", f"expected (lo, hi) with lo <= reference={reference} < 0 <= hi")],
        )
    if not isinstance(data, pd.DataFrame) or engine not in ("auto", "pandas"):
        from arviointi.engine.route import route_event_study

        kw: dict[str, Any] = {"unit": unit, "time": time, "treatment": treatment}
        kw["window"] = window
        kw |= {"reference": reference, "inference": inference, "bands": bands, "alpha": alpha}
        routed = route_event_study(data, outcome, kw | {"engine": engine})
        if routed is not None:
            return routed
    data, source = as_pandas(data, [unit, time, treatment, outcome], source)
    require_columns(data, [unit, time, treatment, outcome], source)
    require_numeric(data, outcome, source)
    clean, warnings = drop_missing(data, [unit, time, treatment, outcome], source, outcome=outcome)
    clean[treatment] = binary_treatment(clean, treatment, source)
    require_unique(clean, [unit, time], source)
    clean = clean.sort_values([unit, time]).reset_index(drop=True)
    first_treated(clean, unit=unit, time=time, treatment=treatment, source=source)
    t_idx, gap_warn = period_index(clean[time])
    warnings += gap_warn
    clean["_t"] = t_idx.to_numpy()
    start = clean.loc[clean[treatment] == 1].groupby(unit)["_t"].min()
    e_i = clean[unit].map(start).to_numpy(np.float64)
    treated_units = list(start.index)
    control_units = sorted(set(clean[unit]) - set(treated_units), key=str)
    if not treated_units:
        raise DesignError(f"{source}: column {treatment!r} is 0 on every row; no treated unit")
    if start.nunique() > 1:
        warnings.append(
            "staggered adoption: with effects that vary by cohort or over time the TWFE "
            "event-study coefficients mix cohorts (Sun and Abraham 2021); compare with "
            "staggered_did"
        )
    if not control_units:
        warnings.append("no never-treated units: the comparison relies on later-treated units")

    def rel_times(e: FloatArray) -> FloatArray:
        rel = clean["_t"].to_numpy(np.float64) - e
        if window is not None:
            rel = np.where(np.isnan(rel), rel, np.clip(rel, window[0], window[1]))
        return rel

    rel = rel_times(e_i)
    observed = sorted(int(k) for k in np.unique(rel[~np.isnan(rel)]))
    if reference not in observed:
        raise DesignError(
            f"{source}: no treated observation at relative time {reference} (the reference); "
            f"observed relative times are {observed[0]}..{observed[-1]}"
        )
    levels = [k for k in observed if k != reference]
    if not any(k >= 0 for k in levels) or not levels:
        raise DesignError(f"{source}: no post-treatment observation of a treated unit")
    units_codes, unit_labels = pd.factorize(clean[unit])
    time_codes, time_labels = pd.factorize(clean["_t"])
    y = clean[outcome].to_numpy(np.float64)
    x = _event_dummies(rel, levels)
    beta, resid, xd = twfe_ols(y, x, units_codes, time_codes)
    if np.linalg.matrix_rank(xd) < xd.shape[1]:
        raise DesignError(
            f"{source}: the relative-time dummies are collinear with the unit and time effects "
            "(e.g. one adoption date and no never-treated unit); give a window or add controls"
        )
    n = len(y)
    n_units, n_times = len(unit_labels), len(time_labels)
    absorbed = n_units + n_times - 1
    post_mask = np.array([k >= 0 for k in levels])
    pre_mask = np.array([k < 0 for k in levels])
    c_post = post_mask / post_mask.sum()
    estimate = float(c_post @ beta)

    dl_obstacle = eligibility(
        units_codes, time_codes, n_starts=int(start.nunique()), n_controls=len(control_units)
    )
    is_treated = np.isin(np.asarray(unit_labels, dtype=object), treated_units)
    period_bin = np.full(n_times, np.nan)
    noise = None
    if dl_obstacle is None:
        period_bin[time_codes] = rel_times(np.full(n, float(start.iloc[0])))
        noise = _pre_noise(y, units_codes, time_codes, is_treated, period_bin)
    design = Design(
        n_treated=len(treated_units),
        n_control=len(control_units),
        n_pre=int(sum(k < 0 for k in observed)),
        n_post=int(sum(k >= 0 for k in observed)),
        variance=variance_check(noise) if noise is not None else None,
    )
    if inference == "auto":
        chosen, reason, choose_warn = choose(design, "auto", alpha)
        warnings += choose_warn
        if chosen == "none" and dl_obstacle is None:
            pass
        elif chosen == "scaled_dl" and dl_obstacle is None:
            reason += (
                "; event study: each unit collapsed to its vector of contrasts y_k - y_ref "
                "relative to the control mean and scaled by its own pre-period noise, pointwise "
                f"t({len(control_units) - 1}) and a Hotelling T^2 pre-trend test"
            )
        elif chosen not in ("cluster", "robust", "classical"):
            if not control_units:
                reason += (
                    f"; '{chosen}' has no per-coefficient form for an event study and without "
                    "never-treated units there is nothing to permute, so CR1 is used (unreliable)"
                )
                chosen = "cluster"
                warnings.append(
                    "no never-treated units and few clusters: CR1 cluster-robust errors are "
                    "reported but are unreliable"
                )
            elif chosen == "donald_lang" and dl_obstacle is None:
                reason += (
                    "; event study: each unit collapsed to its vector of contrasts "
                    f"y_k - y_ref, pointwise two-sample t({len(unit_labels) - 2}) and a "
                    "Hotelling T^2 pre-trend test across units; the permutation p-value of "
                    "the sum of squared leads is kept in the details as a cross-check"
                )
            else:
                if chosen in ("donald_lang", "scaled_dl", "none") and dl_obstacle is not None:
                    warnings.append(
                        f"Donald-Lang event-study intervals need a balanced panel with one "
                        f"adoption date; this design has {dl_obstacle}, so the adoption times "
                        "are permuted instead: p-values only, no intervals"
                    )
                    reason += f"; not usable for this event study ({dl_obstacle})"
                reason += (
                    f"; '{chosen}' has no per-coefficient form for this event study, so the "
                    "adoption times are permuted over all units (randomisation inference "
                    "under the sharp null of no effect)"
                )
                chosen = "permutation"
    else:
        chosen = inference
        _, reason, choose_warn = choose(design, inference, alpha)
        warnings += choose_warn
        if inference in ("donald_lang", "scaled_dl") and dl_obstacle is not None:
            raise DesignError(
                f"{source}: inference='{inference}' for an event study needs a balanced "
                f"panel with one adoption date and >= 2 never-treated units; this design has "
                f"{dl_obstacle}"
            )

    vcov: FloatArray | None = None
    df: float | None = None
    se = np.full(len(levels), np.nan)
    pvals = np.full(len(levels), np.nan)
    lo = np.full(len(levels), np.nan)
    hi = np.full(len(levels), np.nan)
    est_se: float | None = None
    est_p: float | None = None
    pretrend: dict[str, Any] = {"statistic": None, "df": None, "pvalue": None, "method": chosen}
    details: dict[str, Any] = {}

    if chosen in ("cluster", "robust", "classical"):
        if chosen == "cluster":
            # fixest "nested" convention: unit effects nested in the clusters are not
            # counted in K except one (K = k + n_times), matching pyfixest/fixest
            vcov = vcov_cr1(
                xd, resid, units_codes, n_absorbed_nested=n_units - 1, n_absorbed=absorbed
            )
            df = float(n_units - 1)
        elif chosen == "robust":
            vcov = vcov_hc1(xd, resid, n_absorbed=absorbed)
            df = float(n - xd.shape[1] - absorbed)
        else:
            vcov = vcov_classical(xd, resid, n_absorbed=absorbed)
            df = float(n - xd.shape[1] - absorbed)
        se = np.sqrt(np.diag(vcov))
        tvals = beta / se
        pvals = 2 * stats.t.sf(np.abs(tvals), df)
        q = (
            _sup_t_critical(vcov, alpha, seed)
            if bands == "uniform"
            else float(stats.t.ppf(1 - alpha / 2, df))
        )
        lo, hi = beta - q * se, beta + q * se
        est_se = float(np.sqrt(c_post @ vcov @ c_post))
        est_p = float(2 * stats.t.sf(abs(estimate / est_se), df))
        if pre_mask.any():
            bp = beta[pre_mask]
            vp = vcov[np.ix_(pre_mask, pre_mask)]
            qn = int(pre_mask.sum())
            f_stat = float(bp @ np.linalg.solve(vp, bp) / qn)
            pretrend = {
                "statistic": f_stat,
                "df": (qn, df),
                "pvalue": float(stats.f.sf(f_stat, qn, df)),
                "method": f"Wald F ({chosen} covariance)",
            }
    elif chosen == "permutation":
        all_units = list(unit_labels)
        starts = start.to_numpy(np.float64)
        nt = len(treated_units)
        t_all = clean["_t"].to_numpy(np.float64)
        # every assignment of the common start to nt units (the observed one included)
        # when few, else random draws
        draws, enumerated = permutation_draws(
            all_units, nt, start.nunique() == 1, n_permutations, seed
        )
        details["enumerated"] = enumerated
        perm_b = []
        for draw in draws:
            e_perm = clean[unit].map(dict(zip(draw, starts, strict=True))).to_numpy(np.float64)
            r = t_all - e_perm
            if window is not None:
                r = np.where(np.isnan(r), r, np.clip(r, window[0], window[1]))
            xp = _event_dummies(r, levels)
            bp, _, _ = twfe_ols(y, xp, units_codes, time_codes)
            bp[(xp.sum(axis=0) == 0)] = np.nan
            perm_b.append(bp)
        pb = np.array(perm_b)
        nb = len(pb)
        # enumeration contains the observed assignment; random draws add it (+1)
        extra = 0 if enumerated else 1
        denom = nb + extra

        def perm_p(stat: FloatArray, observed_stat: Any) -> Any:
            with np.errstate(invalid="ignore"):
                hits = np.sum(stat >= observed_stat - 1e-12, axis=0)
            return (extra + hits) / denom

        pvals = perm_p(np.abs(pb), np.abs(beta))
        post_b = pb[:, post_mask]
        n_ok = np.maximum((~np.isnan(post_b)).sum(axis=1), 1)
        est_perm = np.abs(np.nansum(post_b, axis=1) / n_ok)
        est_p = float(perm_p(est_perm, abs(estimate)))
        if pre_mask.any():
            s_obs = float(np.sum(beta[pre_mask] ** 2))
            s_perm = np.nansum(pb[:, pre_mask] ** 2, axis=1)
            pretrend = {
                "statistic": s_obs,
                "df": None,
                "pvalue": float(perm_p(s_perm, s_obs)),
                "method": "permutation of the sum of squared leads",
            }
        details.update({"n_draws": nb, "pvalue_floor": 1 / denom})
        warnings.append(
            "permutation inference: p-values only, no standard errors or intervals "
            f"(p-value floor {1 / denom:.3g})"
        )
    elif chosen == "scaled_dl":
        assert noise is not None
        dl = scaled_event_study(
            noise, period_bin, levels, reference, pre_mask, alpha=alpha, bands=bands, seed=seed
        )
        vcov, df, se, pvals, lo, hi = dl.vcov, dl.df, dl.se, dl.pvalues, dl.ci_low, dl.ci_high
        est_se, est_p, pretrend = _average_and_pretrend(dl, c_post, estimate, beta, details)
        if pre_mask.any() and pretrend["pvalue"] is None:
            pretrend = _bonferroni_pretrend(beta, se, df, pre_mask, str(pretrend["method"]))
            warnings.append(f"{pretrend['method']}")
    elif chosen == "donald_lang":
        z = unit_contrasts(y, units_codes, time_codes, period_bin, levels, reference)
        dl = donald_lang_event_study(z, is_treated, pre_mask, alpha=alpha, bands=bands, seed=seed)
        vcov, df, se, pvals, lo, hi = dl.vcov, dl.df, dl.se, dl.pvalues, dl.ci_low, dl.ci_high
        est_se, est_p, pretrend = _average_and_pretrend(dl, c_post, estimate, beta, details)
        if pre_mask.any():
            index = {u: i for i, u in enumerate(unit_labels)}
            draws, enumerated = permutation_draws(
                list(unit_labels), len(treated_units), True, n_permutations, seed
            )
            p_perm = permutation_pretrend_pvalue(
                z, is_treated, pre_mask, [[index[u] for u in d] for d in draws], enumerated
            )
            details["permutation_pretrend_pvalue"] = p_perm
            details["permutation_draws"] = len(draws) + (0 if enumerated else 1)
            if pretrend["pvalue"] is None:
                warnings.append(
                    f"{pretrend['method']}; the joint pre-trend p-value is the permutation "
                    "p-value of the sum of squared leads"
                )
                pretrend = {
                    "statistic": float(np.sum(beta[pre_mask] ** 2)),
                    "df": None,
                    "pvalue": p_perm,
                    "method": f"permutation of the sum of squared leads ({pretrend['method']})",
                }
        nt_all = len(treated_units)
        if nt_all == 1 and inference == "donald_lang":  # auto checked the variance first
            warnings.append(
                "Donald-Lang intervals with one treated unit assume its contrasts vary like "
                "the controls' (a common variance); they are prediction intervals from the "
                f"{len(control_units)} control units"
            )
    else:
        warnings.append("no valid inference for this design; no p-values or intervals")

    counts = [int(np.sum(rel == k)) for k in levels]
    coefs = pd.DataFrame(
        {
            "coef": beta,
            "se": se,
            "ci_low": lo,
            "ci_high": hi,
            "pvalue": pvals,
            "n_treated_obs": counts,
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
    coefs = pd.concat([coefs, ref_row]).sort_index()
    info = InferenceInfo(
        method=chosen,
        reason=reason,
        df=df,
        requested=inference,
        details={**details, "bands": bands, **design.as_dict()},
    )
    return EventStudyResults(
        estimate=estimate,
        se=est_se,
        pvalue=est_p,
        inference=info,
        n_obs=n,
        n_treated=len(treated_units),
        n_control=len(control_units),
        outcome=outcome,
        alpha=alpha,
        warnings=warnings,
        coefficients=coefs,
        pretrend=pretrend,
        vcov=vcov,
        reference=reference,
        bands=bands,
        extra={"levels": levels},
    )
