"""Design facts and the choice of inference from them (``inference="auto"``).

Why a choice is needed: with ONE treated cluster, cluster-robust standard errors are not
consistent (the treated cluster's score is estimated from its own residual, which the
regression has forced towards zero) and reject a true null far too often; the wild
cluster bootstrap fails in the same design (MacKinnon and Webb 2017, 2018). Permutation
over N units cannot reject at a level below its floor 1/N; Conley and Taber (2011) is
asymptotic in the number of controls.

The rule used by :func:`choose` (``auto``), for a clustered design (a panel, or
repeated cross-sections with a cluster identifier):

* fewer than 2 control clusters: nothing valid -> ``"none"`` (no interval, warned);
* ``MIN_CLUSTERS_CR1`` or more treated AND control clusters -> ``"cluster"`` (CR1, t(G-1));
* otherwise (one or few treated, or few controls) the treated units' noise decides, because
  every few-cluster method borrows the treated units' variance from the controls:

  - when each unit's own noise can be measured (``MIN_PRE_SCALE`` pre-periods and
    ``MIN_PERIODS_SCALE`` periods) and the variance check shows the treated units are as
    noisy as the controls (the ratio's interval within 0.8-1.25, an equivalence test),
    Donald-Lang's common-variance assumption holds -> ``"donald_lang"``;
  - when the noise can be measured but the treated units may be noisier -> ``"scaled_dl"``,
    the unit-scaled test of :mod:`arviointi.inference.scaled`, valid whatever the ratio;
  - when it cannot be measured (too few periods) but unit sizes show the treated units are
    at least as large as the controls (harmonic mean), so no noisier under a variance that
    falls with size (Ferman and Pinto 2019) -> ``"donald_lang"``;
  - otherwise nothing valid can be said: the estimate without a p-value or interval
    (``"none"``) and the reason.

Unclustered designs (repeated cross-sections without a cluster id) get ``"robust"`` (HC1).
"""

from __future__ import annotations

from dataclasses import dataclass

from arviointi.inference.registry import names_for
from arviointi.inference.scaled import MIN_PERIODS_SCALE, MIN_PRE_SCALE, VarianceCheck

#: fewest treated and control clusters for which CR1 is trusted by ``auto``
MIN_CLUSTERS_CR1 = 15
#: fewest treated and control clusters for which the wild cluster bootstrap is trusted
MIN_CLUSTERS_WILD = 6

#: the methods ``did()`` accepts (one list: :mod:`arviointi.inference.registry`)
METHODS = names_for("did")


@dataclass(frozen=True)
class Design:
    """Facts about a design that decide which inference is valid.

    n_treated, n_control : numbers of treated and control clusters (units); for an
        unclustered design the numbers of treated and control observations
    n_pre, n_post : numbers of pre- and post-treatment periods (0 when unknown)
    clustered : True when observations are grouped in clusters (a panel of units or
        repeated cross-sections with a cluster id); False for independent observations
    """

    n_treated: int
    n_control: int
    n_pre: int = 0
    n_post: int = 0
    clustered: bool = True
    variance: VarianceCheck | None = None
    sizes_support_dl: bool | None = None

    @property
    def scale_measurable(self) -> bool:
        """Enough periods to measure every unit's own noise (the unit-scaled test)."""
        return (
            self.n_pre >= MIN_PRE_SCALE
            and self.n_pre + self.n_post >= MIN_PERIODS_SCALE
            and self.n_control >= 2
        )

    @property
    def n_clusters(self) -> int:
        return self.n_treated + self.n_control

    @property
    def permutation_floor(self) -> float:
        """Smallest attainable p-value of placebo-in-space with one treated unit, 1/N."""
        return 1.0 / max(self.n_clusters, 1)

    def as_dict(self) -> dict[str, int | bool]:
        return {
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            "n_pre": self.n_pre,
            "n_post": self.n_post,
            "clustered": self.clustered,
        }

    def variance_text(self) -> str:
        return f"; {self.variance.describe()}" if self.variance is not None else ""


def _facts(design: Design) -> str:
    kind = "clusters" if design.clustered else "observations"
    periods = (
        f", {design.n_pre} pre and {design.n_post} post periods"
        if design.n_pre or design.n_post
        else ""
    )
    return f"{design.n_treated} treated and {design.n_control} control {kind}{periods}"


def choose(
    design: Design, requested: str = "auto", alpha: float = 0.05
) -> tuple[str, str, list[str]]:
    """Choose the inference method for ``design``.

    Returns ``(method, reason, warnings)``. ``requested="auto"`` applies the rule in the
    module docstring; an explicit method is honoured, with a warning when it is known to
    be invalid for the design (e.g. ``"cluster"`` with one treated cluster).
    """
    if requested not in (*METHODS, "auto"):
        raise ValueError(f"inference must be 'auto' or one of {METHODS}, got {requested!r}")
    facts = _facts(design)
    warnings: list[str] = []
    nt, nc = design.n_treated, design.n_control
    few = min(nt, nc)
    if requested == "auto":
        if not design.clustered:
            return (
                "robust",
                f"{facts}: independent observations, heteroskedasticity-robust (HC1) errors",
                warnings,
            )
        if nc < 2 or nt < 1:
            warnings.append(
                f"{facts}: no valid inference exists with fewer than 2 control clusters; "
                "no interval or p-value is reported"
            )
            return "none", f"{facts}: too few clusters for any valid inference", warnings
        if few < MIN_CLUSTERS_CR1:
            return _few_clusters(design, facts, warnings)
        return (
            "cluster",
            f"{facts}: enough treated and control clusters for CR1 cluster-robust errors, t(G-1)",
            warnings,
        )
    # explicit requests: honour them, warn when invalid for the design
    if design.clustered and requested in ("classical", "robust"):
        warnings.append(
            f"inference='{requested}' ignores the clustering of {facts}; errors correlated "
            "within a cluster (serial correlation) make it over-reject"
        )
    if requested == "cluster" and few < MIN_CLUSTERS_CR1:
        warnings.append(
            f"inference='cluster' with {facts} is not valid: CR1 errors need many treated "
            f"and control clusters (>= {MIN_CLUSTERS_CR1}); with one treated cluster they "
            "over-reject badly. Use inference='auto'"
        )
    if requested == "wild" and few < MIN_CLUSTERS_WILD:
        warnings.append(
            f"inference='wild' with {facts} is not reliable: the wild cluster bootstrap "
            f"needs several treated and control clusters (>= {MIN_CLUSTERS_WILD}; "
            "MacKinnon and Webb 2017)"
        )
    if requested == "permutation" and nt == 1 and design.permutation_floor > alpha:
        warnings.append(
            f"inference='permutation' with {facts}: the smallest attainable p-value is "
            f"{design.permutation_floor:.3g} > alpha={alpha:g}, so no {alpha:g}-level test "
            "exists from placebo-in-space alone; the interval is unbounded (reported as NaN)"
        )
    if requested == "conley_taber" and nc < 20:
        warnings.append(
            f"inference='conley_taber' with {facts}: Conley-Taber is asymptotic in the number "
            "of controls; with fewer than 20 its intervals under-cover"
        )
    if requested in ("donald_lang", "conley_taber", "permutation") and (
        design.variance is not None and design.variance.treated_noisier
    ):
        warnings.append(
            f"inference='{requested}' with {facts}{design.variance_text()}: the method "
            "borrows the treated unit's variance from the comparisons and over-rejects when "
            "the treated unit is noisier (Ferman and Pinto 2019); use inference='auto'"
        )
    if requested == "scaled_dl" and not design.scale_measurable:
        warnings.append(
            f"inference='scaled_dl' with {facts}: too few periods to measure each unit's own "
            f"noise (needs >= {MIN_PRE_SCALE} pre-periods and >= {MIN_PERIODS_SCALE} in all)"
        )
    if requested == "conformal" and design.n_pre + design.n_post < 40:
        warnings.append(
            f"inference='conformal' with {facts}: the time permutations are only "
            "approximately valid, and over-reject with strong serial correlation in a short "
            "series (docs/inference-size-power.md)"
        )
    if requested == "donald_lang" and design.n_clusters < 3:
        warnings.append(f"inference='donald_lang' with {facts}: needs at least 3 clusters")
    return requested, f"{facts}: requested explicitly", warnings


def _few_clusters(design: Design, facts: str, warnings: list[str]) -> tuple[str, str, list[str]]:
    """The ``auto`` rule with one or few treated (or control) clusters."""
    nt, nc = design.n_treated, design.n_control
    few = f"too few {'treated' if nt <= nc else 'control'} clusters for cluster-robust errors"
    check = design.variance
    if design.scale_measurable and check is not None:
        if check.treated_like_controls:
            return (
                "donald_lang",
                f"{facts}: {few}; {check.describe()}, within 0.8-1.25, so the treated unit is "
                "as noisy as the comparisons and the Donald-Lang t test on the units' "
                f"before-after changes ({design.n_clusters - 2} df) holds",
                warnings,
            )
        return (
            "scaled_dl",
            f"{facts}: {few}; {check.describe()}, so the Donald-Lang common-variance "
            "assumption cannot be trusted; each unit's before-after change is scaled by its own "
            "month-to-month noise (unit-scaled Donald-Lang test, "
            f"t with {nc - 1} df), which stays valid whatever the ratio",
            warnings,
        )
    if design.sizes_support_dl:
        return (
            "donald_lang",
            f"{facts}: {few}; too few periods to measure each unit's own noise, but the treated "
            "units are at least as large as the comparisons (harmonic mean of the sizes), so "
            "no noisier if noise falls with size; Donald-Lang t test "
            f"({design.n_clusters - 2} df)",
            warnings,
        )
    unmeasured = (
        "the units' own noise could not be measured from the data"
        if design.scale_measurable
        else f"too few periods (needs >= {MIN_PRE_SCALE} before the start and "
        f">= {MIN_PERIODS_SCALE} in all) to measure how noisy the treated unit is"
    )
    why = (
        f"{facts}: {few}, and {unmeasured} compared with the comparisons"
        + (
            "; the unit sizes say it is smaller, so noisier"
            if design.sizes_support_dl is False
            else "; no unit sizes were given either"
        )
        + ". Every available test would borrow the treated unit's variance from the "
        "comparisons, so no p-value or interval is reported"
    )
    warnings.append(why)
    return "none", why, warnings
