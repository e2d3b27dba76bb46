"""Inference with one or few treated units that stays valid when units differ in variance.

Why: the Donald-Lang test (:mod:`arviointi.inference.aggregated`) compares the treated
unit's post-minus-pre contrast with the spread of the controls' contrasts, so it assumes the
treated unit is no noisier than they are. A pilot district is smaller than the cities it is
compared with, and its monthly rate is two to four times noisier: Donald-Lang then rejects a
true null one time in four (Ferman and Pinto 2019 show the same for every method that
borrows the treated unit's variance from the controls).

The unit-scaled test (``"scaled_dl"``) keeps the idea of Donald-Lang but measures each unit's
noise on its own time series, in the spirit of Ferman and Pinto's (2019) correction with the
variance estimated from each unit's residuals instead of modelled from its size:

* every unit's outcome is taken relative to the control mean of the same period (for a
  control, the mean of the *other* controls), which removes the common period effects;
* unit ``g`` gets its contrast ``c_g = mean_post - mean_pre`` of that series and its noise
  scale ``s_g``: the residual SD around its own pre mean and post mean (so a constant effect
  does not enter it), with ``h_g = sqrt(1/n_pre_g + 1/n_post_g)``;
* if each unit's noise is ``sigma_g`` times one common stationary process (any serial
  correlation, any scale), the ratios ``z_g = c_g / (s_g h_g)`` have one distribution for
  every unit under the null: the controls' ``z`` calibrate what serial correlation does to a
  contrast (``kappa^2 = mean z_C^2``), the treated unit's own ``s`` gives its scale;
* ``se^2 = kappa^2 [sum_T (s h)^2 / G_T^2 + (1 - 1/G_T) sum_C (s h)^2 / G_C^2]`` and
  ``(estimate - effect) / se`` is referred to t(G_C - 1).

The simulation in ``scripts/simulate_size.py`` (docs/inference-size-power.md) shows it holds
its size where Donald-Lang fails (treated noise 2-4x) and loses no power where Donald-Lang's
assumption holds. :func:`variance_check` is the diagnostic reported with every estimate: the
ratio of the treated unit's noise to the controls', with an approximate interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from arviointi.inference.outcome import InferenceOutcome

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Codes = NDArray[np.intp]

#: fewest pre-periods, and periods in all, for a unit's own noise scale to be measured
MIN_PRE_SCALE = 3
MIN_PERIODS_SCALE = 6
#: the noise ratios within which Donald-Lang's common variance is taken to hold
EQUIVALENCE = (0.8, 1.25)


@dataclass
class UnitNoise:
    """Per-unit contrasts and noise scales of a panel (see the module docstring).

    contrast, scale, h, df : per unit; ``scale`` is NaN where it cannot be measured
    treated : per unit
    series : units x periods of the outcome relative to the (leave-one-out) control mean
    post_t : per period, True after the start
    rho : pooled lag-1 autocorrelation of the controls' series (bias-corrected)
    """

    contrast: FloatArray
    scale: FloatArray
    h: FloatArray
    df: FloatArray
    treated: BoolArray
    series: FloatArray
    post_t: BoolArray
    rho: float

    @property
    def valid(self) -> BoolArray:
        ok = np.isfinite(self.contrast) & np.isfinite(self.scale) & (self.df >= 1)
        return np.asarray(ok & (self.scale > 0), dtype=bool)


def cell_means(
    r: FloatArray,
    unit: Codes,
    time: Codes,
    n_units: int,
    n_periods: int,
    weights: FloatArray | None = None,
) -> FloatArray:
    """Units x periods matrix of (weighted) cell means of ``r``; NaN for empty cells."""
    w = np.ones_like(r) if weights is None else weights
    cell = unit.astype(np.int64) * n_periods + time
    sw = np.bincount(cell, weights=w, minlength=n_units * n_periods)
    swr = np.bincount(cell, weights=w * r, minlength=n_units * n_periods)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(sw > 0, swr / np.where(sw > 0, sw, 1.0), np.nan)
    return np.asarray(m.reshape(n_units, n_periods), dtype=np.float64)


def relative_series(wide: FloatArray, treated: BoolArray) -> FloatArray:
    """Each unit's series minus the control mean of the period (leave-one-out for controls)."""
    ctrl = wide[~treated]
    s = np.nansum(ctrl, axis=0)
    n = np.isfinite(ctrl).sum(axis=0).astype(float)
    out = np.empty_like(wide)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[treated] = wide[treated] - np.where(n > 0, s / n, np.nan)
        loo_n = n - 1
        loo = (s[None, :] - ctrl) / np.where(loo_n > 0, loo_n, np.nan)[None, :]
        out[~treated] = ctrl - loo
    return out


def _segment_stats(
    series: FloatArray, mask: BoolArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per unit: count, mean and sum of squared deviations of the finite cells in ``mask``."""
    x = np.where(mask[None, :], series, np.nan)
    n = np.isfinite(x).sum(axis=1).astype(float)
    mean = nan_mean_rows(x)
    dev = x - mean[:, None]
    ss = np.where(np.isfinite(dev), dev**2, 0.0).sum(axis=1)
    return n, mean, ss


def nan_mean_rows(x: FloatArray) -> FloatArray:
    """Row means over the finite cells (NaN for a row without any), without warnings."""
    n = np.isfinite(x).sum(axis=1)
    total = np.where(np.isfinite(x), x, 0.0).sum(axis=1)
    return np.asarray(np.where(n > 0, total / np.maximum(n, 1), np.nan), dtype=np.float64)


def pooled_rho(series: FloatArray, post_t: BoolArray, units: BoolArray) -> float:
    """Lag-1 autocorrelation of ``units``' series within the pre and post segments, pooled,
    with the first-order small-sample bias correction ``(1 + 3 rho) / n``."""
    num = den = 0.0
    lengths = []
    for seg in (~post_t, post_t):
        x = series[units][:, seg]
        if x.shape[1] < 3:
            continue
        d = x - nan_mean_rows(x)[:, None]
        a, b = d[:, :-1], d[:, 1:]
        ok = np.isfinite(a) & np.isfinite(b)
        num += float(np.sum(np.where(ok, a * b, 0.0)))
        den += float(np.nansum(d**2))
        lengths.append(x.shape[1])
    if den <= 0 or not lengths:
        return 0.0
    rho = num / den
    rho += (1 + 3 * rho) / float(np.mean(lengths))
    return float(np.clip(rho, -0.5, 0.95))


def unit_noise(
    wide: FloatArray, treated: BoolArray, post_t: BoolArray, *, pre_only: bool = False
) -> UnitNoise:
    """Contrasts and noise scales of every unit from a units x periods matrix.

    pre_only : measure the scale on the pre-period alone (event studies, whose post periods
        carry effects that vary by period)
    """
    series = relative_series(wide, treated)
    n0, m0, ss0 = _segment_stats(series, ~post_t)
    n1, m1, ss1 = _segment_stats(series, post_t)
    with np.errstate(invalid="ignore", divide="ignore"):
        if pre_only:
            df = n0 - 1
            scale = np.sqrt(np.where(df >= 1, ss0 / np.where(df >= 1, df, 1.0), np.nan))
        else:
            df = n0 + n1 - 2
            pooled = (ss0 + ss1) / np.where(df >= 1, df, 1.0)
            scale = np.sqrt(np.where((df >= 1) & (n0 >= 1) & (n1 >= 1), pooled, np.nan))
        h = np.sqrt(1.0 / n0 + 1.0 / n1)
    rho = pooled_rho(series, post_t, ~treated)
    return UnitNoise(m1 - m0, scale, h, df, treated.astype(bool), series, post_t.astype(bool), rho)


@dataclass
class VarianceCheck:
    """The treated units' noise relative to the controls' (the Donald-Lang assumption).

    ratio : SD ratio ``sqrt(mean_T s^2 / mean_C s^2)``; ``low``/``high`` its approximate
        ``1 - alpha`` interval (F with effective degrees of freedom shrunk for the serial
        correlation ``rho``: Bartlett's ``(1 - rho^2) / (1 + rho^2)``)
    size_ratio : the SD ratio implied by unit sizes, ``sqrt(mean_T(1/M) / mean_C(1/M))``
        when sizes were given (variance proportional to 1/size), else None
    """

    ratio: float
    low: float
    high: float
    rho: float
    df_treated: float
    df_control: float
    size_ratio: float | None = None

    @property
    def treated_noisier(self) -> bool:
        """The interval lies above 1: the treated units are evidently noisier."""
        return self.low > 1.0

    @property
    def treated_like_controls(self) -> bool:
        """The interval lies within [0.8, 1.25]: the treated units are demonstrably as noisy
        as the controls, Donald-Lang's common-variance assumption holds (an equivalence
        test; a treated unit demonstrably calmer would make Donald-Lang conservative)."""
        return self.low >= EQUIVALENCE[0] and self.high <= EQUIVALENCE[1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ratio": self.ratio,
            "low": self.low,
            "high": self.high,
            "rho": self.rho,
            "df_treated": self.df_treated,
            "df_control": self.df_control,
            "size_ratio": self.size_ratio,
        }

    def describe(self) -> str:
        return (
            f"the treated unit's noise is {self.ratio:.2f} times the comparisons' "
            f"(95 % interval {self.low:.2f}-{self.high:.2f})"
        )


def variance_check(
    noise: UnitNoise, sizes: FloatArray | None = None, alpha: float = 0.05
) -> VarianceCheck | None:
    """Noise ratio of treated and control units with its interval; None if not measurable."""
    from scipy import stats

    ok = noise.valid
    t, c = ok & noise.treated, ok & ~noise.treated
    if not t.any() or c.sum() < 2:
        return None
    st2 = float(np.mean(noise.scale[t] ** 2))
    sc2 = float(np.mean(noise.scale[c] ** 2))
    if sc2 <= 0:
        return None
    shrink = (1 - noise.rho**2) / (1 + noise.rho**2)
    df1 = max(float(noise.df[t].sum()) * shrink, 1.0)
    df2 = max(float(noise.df[c].sum()) * shrink, 1.0)
    f_obs = st2 / sc2
    lo = f_obs / float(stats.f.ppf(1 - alpha / 2, df1, df2))
    hi = f_obs / float(stats.f.ppf(alpha / 2, df1, df2))
    size_ratio = None
    if sizes is not None:
        m = np.asarray(sizes, dtype=float)
        tm, cm = m[noise.treated], m[~noise.treated]
        if np.all(np.isfinite(tm)) and np.all(np.isfinite(cm)) and (m > 0).all():
            size_ratio = float(math.sqrt(np.mean(1 / tm) / np.mean(1 / cm)))
    return VarianceCheck(
        math.sqrt(f_obs), math.sqrt(lo), math.sqrt(hi), noise.rho, df1, df2, size_ratio
    )


def scaled_donald_lang(noise: UnitNoise, estimate: float) -> InferenceOutcome:
    """Unit-scaled Donald-Lang test of ``estimate`` (see the module docstring)."""
    from scipy import stats

    ok = noise.valid
    t, c = ok & noise.treated, ok & ~noise.treated
    nt, nc = int(t.sum()), int(c.sum())
    details: dict[str, Any] = {"n_treated_clusters": nt, "n_control_clusters": nc}
    if nt < 1 or nc < 2:
        return InferenceOutcome("scaled_dl", None, None, None, None, details)
    a_t = (noise.scale[t] * noise.h[t]) ** 2
    a_c = (noise.scale[c] * noise.h[c]) ** 2
    z = noise.contrast[c] / np.sqrt(a_c)
    kappa2 = float(np.mean(z**2))
    var = kappa2 * (a_t.sum() / nt**2 + (1 - 1 / nt) * a_c.sum() / nc**2)
    se = float(math.sqrt(var))
    df = float(nc - 1)
    p = float(2 * stats.t.sf(abs(estimate) / se, df)) if se > 0 else float("nan")
    details.update(
        {
            "kappa": math.sqrt(kappa2),
            "treated_scale": float(np.sqrt(np.mean(noise.scale[t] ** 2))),
            "control_scale": float(np.sqrt(np.mean(noise.scale[c] ** 2))),
            "units_left_out": int((~ok).sum()),
        }
    )
    return InferenceOutcome("scaled_dl", se, p, df, None, details)
