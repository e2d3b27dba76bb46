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
* fewer than ``MIN_CLUSTERS_CR1`` treated or control clusters -> ``"donald_lang"``: the
  Donald and Lang (2007) aggregated test. Each cluster's outcome is collapsed to one
  post-minus-pre contrast; a two-sample t test with ``G - 2`` degrees of freedom is exact
  when the contrasts are normal with a common variance, whatever the serial correlation
  within a cluster. With one treated unit it is the prediction interval of a new draw
  from the controls' distribution. Its assumption (equal variance of the treated and
  control contrasts) is checked by a diagnostic and warned about when doubtful
  (Ferman and Pinto 2019);
* otherwise (many treated AND many control clusters) -> ``"cluster"`` (CR1, t(G - 1)).

Unclustered designs (repeated cross-sections without a cluster id) get ``"robust"`` (HC1).
"""

from __future__ import annotations

from dataclasses import dataclass

#: fewest treated and control clusters for which CR1 is trusted by ``auto``
MIN_CLUSTERS_CR1 = 15
#: fewest treated and control clusters for which the wild cluster bootstrap is trusted
MIN_CLUSTERS_WILD = 6

METHODS = (
    "classical",
    "robust",
    "cluster",
    "wild",
    "permutation",
    "conley_taber",
    "donald_lang",
)


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
            reason = (
                f"{facts}: too few {'treated' if nt <= nc else 'control'} clusters for "
                f"cluster-robust errors (need >= {MIN_CLUSTERS_CR1} of each); Donald-Lang "
                f"aggregated t test with {design.n_clusters - 2} df, exact under normal "
                "cluster contrasts with a common variance and any serial correlation"
            )
            if nt == 1:
                floor = design.permutation_floor
                reason += (
                    f"; placebo-in-space permutation alone has a p-value floor of {floor:.3g}"
                    + (f" and allows no {alpha:g}-level test" if floor > alpha else "")
                )
            return "donald_lang", reason, warnings
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
    if requested == "donald_lang" and design.n_clusters < 3:
        warnings.append(f"inference='donald_lang' with {facts}: needs at least 3 clusters")
    return requested, f"{facts}: requested explicitly", warnings
