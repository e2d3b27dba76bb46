"""One results base for every estimator, in the statsmodels/linearmodels manner.

Every model's ``fit()`` returns an :class:`EffectResults` (or a subclass) exposing
``estimate``, ``se``, ``conf_int(alpha)``, ``pvalue``, ``inference``, ``warnings``,
``n_obs``, ``n_treated``, ``n_control``, ``to_frame()``, ``summary()``, an HTML repr and
``to_record()`` (the row written to ``results.json``).

Intervals are not always ``estimate +- z * se``: permutation, wild-bootstrap and
Conley-Taber inference invert a test. A result therefore holds a ``ci_method`` callable
that returns the interval for any ``alpha``; the default one uses ``se`` with a t (or
normal) reference distribution with ``inference.df`` degrees of freedom.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class InferenceInfo:
    """What inference was used and why.

    method : one of "classical", "robust", "cluster", "wild", "permutation",
        "conley_taber", "hac", "placebo", "none"
    reason : plain-English sentence on why (for "auto": the design facts that chose it)
    df : degrees of freedom of the reference t distribution (None = normal / not analytic)
    details : anything else worth reporting (n_clusters, n_draws, p-value floor, weights ...)
    requested : what the caller asked for ("auto" or an explicit method)
    """

    method: str
    reason: str
    df: float | None = None
    requested: str = "auto"
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method}: {self.reason}"


CIMethod = Callable[[float], tuple[float, float]]


class EffectResults:
    """A single effect estimate with its inference.

    Subclasses add model-specific pieces (the event-study coefficients, the synthetic
    control's ``weights``, the ITS counterfactual path) but keep this interface.
    """

    #: short model name used in tables and results.json ("did", "its", "prepost", ...)
    model: str = "effect"

    def __init__(
        self,
        *,
        estimate: float,
        se: float | None,
        pvalue: float | None,
        inference: InferenceInfo,
        n_obs: int,
        n_treated: int,
        n_control: int,
        outcome: str = "",
        alpha: float = 0.05,
        ci_method: CIMethod | None = None,
        warnings: list[str] | None = None,
        model: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.estimate = float(estimate)
        self.se = None if se is None or not np.isfinite(se) else float(se)
        self.pvalue = None if pvalue is None or not np.isfinite(pvalue) else float(pvalue)
        self.inference = inference
        self.n_obs = int(n_obs)
        self.n_treated = int(n_treated)
        self.n_control = int(n_control)
        self.outcome = outcome
        self.alpha = float(alpha)
        self._ci_method = ci_method
        self.warnings: list[str] = list(warnings or [])
        if model is not None:
            self.model = model
        self.extra: dict[str, Any] = dict(extra or {})

    # -- intervals -----------------------------------------------------------------
    def conf_int(self, alpha: float | None = None) -> tuple[float, float]:
        """Confidence interval (low, high) at level ``1 - alpha``.

        Returns (nan, nan) when the design allows no valid interval at this level; the
        reason is in ``warnings`` / ``inference``.
        """
        a = self.alpha if alpha is None else float(alpha)
        if not 0 < a < 1:
            raise ValueError(f"alpha must be in (0, 1), got {a}")
        if self._ci_method is not None:
            # an interval by test inversion (wild bootstrap: ~1000 p-values) is computed
            # once per alpha; the methods are deterministic functions of alpha
            if self.__dict__.get("_ci_cache_of") is not self._ci_method:
                self._ci_cache: dict[float, tuple[float, float]] = {}
                self._ci_cache_of = self._ci_method
            if a not in self._ci_cache:
                lo, hi = self._ci_method(a)
                self._ci_cache[a] = (float(lo), float(hi))
            return self._ci_cache[a]
        if self.se is None:
            return (math.nan, math.nan)
        q = self._critical_value(a)
        return (self.estimate - q * self.se, self.estimate + q * self.se)

    def _critical_value(self, alpha: float) -> float:
        df = self.inference.df
        if df is None or not np.isfinite(df):
            return float(stats.norm.ppf(1 - alpha / 2))
        return float(stats.t.ppf(1 - alpha / 2, df))

    @property
    def tstat(self) -> float | None:
        if self.se is None or self.se == 0:
            return None
        return self.estimate / self.se

    # -- presentation -------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row: estimate, se, interval, p-value, inference and sizes."""
        lo, hi = self.conf_int()
        return pd.DataFrame(
            {
                "model": [self.model],
                "outcome": [self.outcome],
                "estimate": [self.estimate],
                "se": [self.se],
                "ci_low": [lo],
                "ci_high": [hi],
                "pvalue": [self.pvalue],
                "inference": [self.inference.method],
                "n_obs": [self.n_obs],
                "n_treated": [self.n_treated],
                "n_control": [self.n_control],
            }
        )

    def to_record(self, *, section: str, true_effect: float | None = None) -> dict[str, Any]:
        """The estimator's fields of the record written to ``results.json`` (plain JSON
        types, NaN as None); the fields and their types are those of
        :class:`arviointi.results.record.ResultRecord` (``ESTIMATOR_FIELDS``; a test keeps
        the two the same). ``Emitter.record`` adds the section's fields and validates."""
        lo, hi = self.conf_int()

        def clean(x: float | None) -> float | None:
            return None if x is None or not np.isfinite(x) else float(x)

        return {
            "section": section,
            "outcome": self.outcome,
            "model": self.model,
            "estimate": clean(self.estimate),
            "se": clean(self.se),
            "ci_low": clean(lo),
            "ci_high": clean(hi),
            "alpha": self.alpha,
            "pvalue": clean(self.pvalue),
            "inference": self.inference.method,
            "inference_reason": self.inference.reason,
            "n": self.n_obs,
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            "true_effect": clean(true_effect),
            "warnings": list(self.warnings),
            "variance_check": _variance_record(self.inference.details.get("variance_check")),
        }

    def summary(self) -> str:
        """A plain-text summary table."""
        lo, hi = self.conf_int()
        level = f"{100 * (1 - self.alpha):g}%"

        def fmt(x: float | None) -> str:
            return "-" if x is None or not np.isfinite(x) else f"{x:.4g}"

        lines = [
            f"{type(self).__name__}: {self.model}" + (f" ({self.outcome})" if self.outcome else ""),
            "=" * 64,
            f"{'estimate':<22}{fmt(self.estimate):>14}",
            f"{'std. error':<22}{fmt(self.se):>14}",
            f"{level + ' interval':<22}{'[' + fmt(lo) + ', ' + fmt(hi) + ']':>28}",
            f"{'p-value':<22}{fmt(self.pvalue):>14}",
            f"{'observations':<22}{self.n_obs:>14}",
            f"{'treated / control':<22}{f'{self.n_treated} / {self.n_control}':>14}",
            "-" * 64,
            f"inference: {self.inference.method} (requested: {self.inference.requested})",
            f"  {self.inference.reason}",
        ]
        if self.warnings:
            lines.append("warnings:")
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        frame = self.to_frame().T
        frame.columns = ["value"]
        table = frame.to_html(escape=True, na_rep="-", float_format=lambda x: f"{x:.4g}")
        parts = [
            f"<div class='arviointi-result'><strong>{html.escape(type(self).__name__)}"
            f": {html.escape(self.model)}</strong>",
            table,
            f"<p>inference: {html.escape(str(self.inference))}</p>",
        ]
        if self.warnings:
            items = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
            parts.append(f"<ul class='warnings'>{items}</ul>")
        parts.append("</div>")
        return "".join(parts)


def _variance_record(check: Any) -> dict[str, float | None] | None:
    """The treated-vs-comparison noise ratio and its interval, rounded for results.json."""
    if not isinstance(check, dict):
        return None
    out: dict[str, float | None] = {}
    for key in ("ratio", "low", "high", "size_ratio"):
        v = check.get(key)
        out[key] = None if v is None or not np.isfinite(v) else round(float(v), 6)
    return out
