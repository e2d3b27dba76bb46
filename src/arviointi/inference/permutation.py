"""Placebo-in-space permutation inference and its exact test inversion.

The statistic for an assignment ``A`` of the treatment path to clusters is the difference
of means of the per-cluster contrasts, ``S_A = mean_A(c) - mean_notA(c)``. Under the sharp
null "the effect is b for every treated cluster", the treated contrasts shifted by ``-b``
are exchangeable with the controls (Fisher 1935; Abadie, Diamond and Hainmueller 2010 for
the placebo-in-space form), so

    p(b) = #{A : |S_A(b)| >= |S_actual(b)|} / #assignments

is exact. Because ``S_A(b) = s_A - b q_A`` is linear in ``b``, the set ``{b : p(b) > alpha}``
is found exactly from the roots of ``(s_A - b q_A)^2 = (s_0 - b q_0)^2`` (no grid). With one
treated unit among N clusters there are N assignments and ``p >= 1/N``: when ``1/N > alpha``
no test at level alpha exists and the interval is the whole line (reported as NaN).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from arviointi import progress
from arviointi.inference.outcome import InferenceOutcome

Array = NDArray[np.float64]


def _assignments(
    n: int, treated_idx: NDArray[np.intp], max_draws: int, rng: np.random.Generator
) -> tuple[NDArray[np.bool_], bool]:
    nt = len(treated_idx)
    total = math.comb(n, nt)
    actual = np.zeros(n, dtype=bool)
    actual[treated_idx] = True
    if total <= max_draws:
        rows = [actual]
        combos = itertools.combinations(range(n), nt)
        for combo in progress.steps(combos, "permutation: assignments", total):
            a = np.zeros(n, dtype=bool)
            a[list(combo)] = True
            if not np.array_equal(a, actual):
                rows.append(a)
        return np.array(rows), True
    draws = np.zeros((max_draws, n), dtype=bool)
    draws[0] = actual
    for i in progress.steps(range(1, max_draws), "permutation: draws"):
        draws[i, rng.choice(n, size=nt, replace=False)] = True
    return draws, False


def _pvalue(s: Array, q: Array, b: float) -> float:
    stat = np.abs(s - b * q)
    tol = 1e-12 * max(1.0, float(np.abs(stat).max()))
    return float(np.mean(stat >= stat[0] - tol))


def invert_linear_test(s: Array, q: Array, alpha: float) -> tuple[float, float]:
    """Hull of ``{b : p(b) > alpha}`` for statistics ``|s_A - b q_A|`` (row 0 = actual).

    Exact: ``p(b)`` only changes where ``|s_A - b q_A| = |s_0 - b q_0|``; it is evaluated at
    every such root and between them. Returns (-inf, inf) when the set is unbounded and
    (nan, nan) when it is empty.
    """
    roots: list[float] = []
    s0, q0 = float(s[0]), float(q[0])
    for sa, qa in zip(s[1:], q[1:], strict=True):
        for sign in (1.0, -1.0):
            # s_a - b q_a = sign * (s_0 - b q_0)  ->  b (q_a - sign q_0) = s_a - sign s_0
            den = qa - sign * q0
            if abs(den) > 1e-14:
                roots.append((sa - sign * s0) / den)
    pts = sorted(set(roots))
    if not pts:
        return (-math.inf, math.inf) if _pvalue(s, q, 0.0) > alpha else (math.nan, math.nan)
    span = max(1.0, pts[-1] - pts[0])
    cand = [pts[0] - span, *pts, pts[-1] + span]
    cand += [(a + b) / 2 for a, b in itertools.pairwise(pts)]
    accepted = [b for b in cand if _pvalue(s, q, b) > alpha]
    if not accepted:
        return (math.nan, math.nan)
    lo, hi = min(accepted), max(accepted)
    if lo <= cand[0]:
        lo = -math.inf
    if hi >= pts[-1] + span:
        hi = math.inf
    return (lo, hi)


def placebo_in_space(
    contrasts: ArrayLike,
    treated: ArrayLike,
    *,
    max_draws: int = 9999,
    seed: int | None = None,
) -> InferenceOutcome:
    """Permutation (placebo-in-space) test of the difference in mean contrasts.

    contrasts : one post-minus-pre contrast per cluster (unit)
    treated : boolean mask of the treated clusters
    max_draws : enumerate all assignments when there are at most this many, else draw

    The returned ``ci(alpha)`` inverts the test exactly; it is unbounded (returned as
    (nan, nan)) when the p-value floor exceeds alpha. ``details`` holds the p-value floor,
    the number of assignments, whether they were enumerated, and the placebo statistics.
    """
    c = np.asarray(contrasts, dtype=float)
    t = np.asarray(treated, dtype=bool)
    n = len(c)
    rng = np.random.default_rng(seed)
    A, exact = _assignments(n, np.flatnonzero(t), max_draws, rng)
    Af = A.astype(float)
    nA = Af.sum(axis=1)
    s = Af @ c / nA - (1 - Af) @ c / (n - nA)
    tf = t.astype(float)
    q = Af @ tf / nA - (1 - Af) @ tf / (n - nA)
    floor = 1.0 / len(s)
    p0 = _pvalue(s, q, 0.0)

    def ci(alpha: float) -> tuple[float, float]:
        lo, hi = invert_linear_test(s, q, alpha)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return (math.nan, math.nan)
        return (lo, hi)

    details = {
        "pvalue_floor": floor,
        "n_assignments": len(s),
        "exact_enumeration": exact,
        "placebo_estimates": s[1:].tolist(),
    }
    return InferenceOutcome("permutation", None, p0, None, ci, details)
