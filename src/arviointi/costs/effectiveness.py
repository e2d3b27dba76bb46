"""Cost-effectiveness and net savings with the uncertainty of the effect carried through.

Cost per additional person employed = ``total_cost / (effect * n_clients)`` where
``effect`` is the estimated effect on the probability of employment per client (an ATT,
e.g. 0.08 = 8 percentage points). The cost is treated as known; all uncertainty comes from
the effect estimate (assumed normal with standard error ``effect_se``).

The ratio's interval:

* ``"fieller"`` (default): with a known numerator Fieller's interval is the exact
  inversion of the effect's interval ``[lo, hi]``: ``[C/(n*hi), C/(n*lo)]`` when
  ``0 < lo``. When the effect's interval reaches zero or below, the ratio is unbounded
  (no finite upper limit): the upper limit is ``inf`` and ``defined`` is False. When the
  whole interval is negative the programme costs more and employs fewer: both limits NaN.
* ``"delta"``: ``ratio +- z * C/n * se/effect^2``; only meaningful far from zero, reported
  for comparison.
* ``"simulation"``: draws of the effect from N(effect, se); percentiles of the ratio among
  positive draws, and the share of draws <= 0 (for which no finite cost per person exists).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from scipy import stats

from arviointi.errors import ParamsError

Method = Literal["fieller", "delta", "simulation"]


def _check_positive(name: str, value: float, fn: str, *, allow_zero: bool = False) -> None:
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ParamsError(fn, f"{name}: expected a finite number {bound}, got {value!r}")


def cost_effectiveness(
    total_cost: float,
    effect_estimate: float,
    effect_se: float,
    n_clients: int,
    *,
    method: Method = "fieller",
    alpha: float = 0.05,
    n_draws: int = 100_000,
    seed: int = 0,
) -> dict[str, Any]:
    """Cost per client and cost per additional person employed, with an interval.

    Returns a dict: ``cost_per_client``, ``additional_employed`` (= effect * n) with its
    interval, ``cost_per_additional_employed`` (NaN when the effect is <= 0), ``ci_low``,
    ``ci_high``, ``defined`` (False when the interval is unbounded or empty),
    ``share_effect_nonpositive`` (probability under N(effect, se) that the effect <= 0),
    ``method``, ``alpha`` and ``note`` (plain English).

    Example::

        ce = cost_effectiveness(390_000, 0.08, 0.03, 300)
        ce["cost_per_additional_employed"], (ce["ci_low"], ce["ci_high"])
    """
    fn = "cost_effectiveness"
    _check_positive("total_cost", total_cost, fn, allow_zero=True)
    _check_positive("effect_se", effect_se, fn)
    if not math.isfinite(effect_estimate):
        raise ParamsError(fn, f"effect_estimate: expected a finite number, got {effect_estimate!r}")
    if not (isinstance(n_clients, int | np.integer) and n_clients > 0):
        raise ParamsError(fn, f"n_clients: expected an integer > 0, got {n_clients!r}")
    if not 0 < alpha < 1:
        raise ParamsError(fn, f"alpha: expected 0 < alpha < 1, got {alpha!r}")
    if method not in ("fieller", "delta", "simulation"):
        raise ParamsError(fn, f"method: expected fieller, delta or simulation, got {method!r}")
    z = float(stats.norm.ppf(1 - alpha / 2))
    c, n, e, se = float(total_cost), int(n_clients), float(effect_estimate), float(effect_se)
    lo_e, hi_e = e - z * se, e + z * se
    ratio = c / (n * e) if e > 0 else math.nan
    p_nonpos = float(stats.norm.cdf(-e / se))
    out: dict[str, Any] = {
        "cost_per_client": c / n,
        "additional_employed": e * n,
        "additional_employed_ci": (lo_e * n, hi_e * n),
        "cost_per_additional_employed": ratio,
        "share_effect_nonpositive": p_nonpos,
        "method": method,
        "alpha": alpha,
    }
    if method == "fieller":
        if lo_e > 0:
            lo, hi, defined = c / (n * hi_e), c / (n * lo_e), True
            note = "interval from inverting the effect's interval (Fieller, known cost)"
        elif hi_e > 0:
            lo, hi, defined = c / (n * hi_e), math.inf, False
            note = (
                f"the effect's {100 * (1 - alpha):g}% interval includes zero: the cost per "
                "additional person employed has no finite upper limit"
            )
        else:
            lo, hi, defined = math.nan, math.nan, False
            note = "the effect's interval lies at or below zero: no additional persons employed"
    elif method == "delta":
        if e > 0:
            half = z * c / n * se / e**2
            lo, hi = ratio - half, ratio + half
            defined = lo_e > 0
            note = "delta method (symmetric); unreliable when the effect is near zero"
        else:
            lo, hi, defined = math.nan, math.nan, False
            note = "effect <= 0: the ratio is not defined"
    else:
        if not (isinstance(n_draws, int) and n_draws >= 1000):
            raise ParamsError(fn, f"n_draws: expected an integer >= 1000, got {n_draws!r}")
        draws = np.random.default_rng(seed).normal(e, se, n_draws)
        pos = draws[draws > 0]
        share = 1 - pos.size / n_draws
        out["share_draws_nonpositive"] = share
        # the ratio is decreasing in the effect, so its quantiles are the ratios of the
        # effect's opposite quantiles; a non-positive effect quantile means no finite limit
        q_lo_e, q_hi_e = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
        lo = c / (n * float(q_hi_e)) if q_hi_e > 0 else math.nan
        hi = c / (n * float(q_lo_e)) if q_lo_e > 0 else math.inf
        defined = bool(q_lo_e > 0)
        if pos.size == 0:
            hi = math.nan
        note = (
            f"simulation with {n_draws} normal draws; {100 * share:.1f}% of draws have a "
            "non-positive effect (no finite cost per person employed)"
        )
    out.update({"ci_low": lo, "ci_high": hi, "defined": defined, "note": note})
    return out


def net_savings(
    share_effect_eur: float,
    share_effect_se: float,
    programme_cost_net: float,
    *,
    scale: float = 1.0,
    alpha: float = 0.05,
) -> dict[str, Any]:
    """Net savings of the municipality: reduction in the municipal share minus the cost.

    ``share_effect_eur`` is the estimated effect on municipal-share euros (negative = the
    city pays less) with standard error ``share_effect_se``; ``scale`` multiplies both (for
    example, a per-person-month DiD effect times the number of treated person-months).
    ``programme_cost_net`` is the city's own programme cost (actual minus grant, see
    :func:`arviointi.costs.budget.budget_vs_actual`), treated as known.

    Returns ``gross_savings`` = -scale * effect, ``programme_cost_net``, ``net_savings`` =
    gross - cost, its normal interval, ``se``, ``prob_net_positive`` (the normal
    approximation to P(net > 0) given the estimate; not a Bayesian posterior) and
    ``break_even_effect`` (the effect on the share that would make net savings zero).

    Example::

        ns = net_savings(-12.5, 4.0, 130_000, scale=12 * 900)
        ns["net_savings"], ns["ci_low"], ns["ci_high"]
    """
    fn = "net_savings"
    if not math.isfinite(share_effect_eur):
        raise ParamsError(fn, f"share_effect_eur: expected a finite number, got {share_effect_eur}")
    _check_positive("share_effect_se", share_effect_se, fn, allow_zero=True)
    _check_positive("programme_cost_net", programme_cost_net, fn, allow_zero=True)
    _check_positive("scale", scale, fn)
    if not 0 < alpha < 1:
        raise ParamsError(fn, f"alpha: expected 0 < alpha < 1, got {alpha!r}")
    z = float(stats.norm.ppf(1 - alpha / 2))
    gross = -scale * share_effect_eur
    se = scale * share_effect_se
    net = gross - programme_cost_net
    prob = float(stats.norm.cdf(net / se)) if se > 0 else float(net > 0)
    return {
        "gross_savings": gross,
        "gross_savings_ci": (gross - z * se, gross + z * se),
        "programme_cost_net": float(programme_cost_net),
        "net_savings": net,
        "se": se,
        "ci_low": net - z * se,
        "ci_high": net + z * se,
        "prob_net_positive": prob,
        "break_even_effect": -float(programme_cost_net) / scale,
        "alpha": alpha,
    }
