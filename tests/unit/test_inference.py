"""arviointi.inference against independent implementations (statsmodels, scipy, brute force)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from arviointi.inference import (
    Design,
    choose,
    conley_taber,
    donald_lang,
    invert_linear_test,
    placebo_in_space,
    vcov_classical,
    vcov_cr1,
    vcov_hc1,
    wild_cluster_bootstrap,
)


@pytest.fixture
def ols_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    n, G = 300, 15
    cl = rng.integers(0, G, n)
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.normal(size=n)])
    y = X @ [1.0, 0.5, -0.2] + rng.normal(size=G)[cl] + rng.normal(size=n) * (1 + X[:, 1] ** 2)
    return X, y, cl


def test_vcov_match_statsmodels(ols_data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    X, y, cl = ols_data
    fit = sm.OLS(y, X).fit()
    e = fit.resid
    np.testing.assert_allclose(vcov_classical(X, e), fit.cov_params(), rtol=1e-10)
    np.testing.assert_allclose(
        vcov_hc1(X, e), fit.get_robustcov_results("HC1").cov_params(), rtol=1e-10
    )
    clu = fit.get_robustcov_results("cluster", groups=cl)  # G/(G-1) (n-1)/(n-k)
    np.testing.assert_allclose(vcov_cr1(X, e, cl), clu.cov_params(), rtol=1e-10)


def test_donald_lang_is_the_pooled_two_sample_t_test() -> None:
    rng = np.random.default_rng(2)
    c = rng.normal(size=9)
    treated = np.array([True, True] + [False] * 7)
    out = donald_lang(c, treated)
    ref = stats.ttest_ind(c[treated], c[~treated], equal_var=True)
    assert out.df == 7
    assert out.pvalue == pytest.approx(ref.pvalue, rel=1e-12)
    assert (c[treated].mean() - c[~treated].mean()) / out.se == pytest.approx(ref.statistic)


def test_donald_lang_one_treated_is_a_prediction_interval() -> None:
    c = np.array([3.0, 0.1, -0.4, 0.5, 0.2, -0.6])
    treated = np.r_[True, np.zeros(5, dtype=bool)]
    out = donald_lang(c, treated)
    ctrl = c[1:]
    # new draw from N(mu, s^2): (x - mean) / (s sqrt(1 + 1/n)) ~ t(n - 1)
    assert out.se == pytest.approx(ctrl.std(ddof=1) * math.sqrt(1 + 1 / 5))
    assert out.df == 4


def _brute_perm_p(c: np.ndarray, treated: np.ndarray, b: float) -> float:
    shifted = c - b * treated
    nt = int(treated.sum())
    stats_ = []
    for combo in itertools.combinations(range(len(c)), nt):
        a = np.zeros(len(c), dtype=bool)
        a[list(combo)] = True
        stats_.append(shifted[a].mean() - shifted[~a].mean())
    actual = shifted[treated].mean() - shifted[~treated].mean()
    return float(np.mean(np.abs(stats_) >= abs(actual) - 1e-12))


def test_permutation_pvalue_and_exact_inversion() -> None:
    rng = np.random.default_rng(5)
    c = rng.normal(size=10)
    treated = np.zeros(10, dtype=bool)
    treated[[0, 3]] = True
    c[treated] += 1.5
    out = placebo_in_space(c, treated)
    assert out.pvalue == pytest.approx(_brute_perm_p(c, treated, 0.0))
    assert out.details["n_assignments"] == math.comb(10, 2)
    assert out.ci is not None
    lo, hi = out.ci(0.1)
    eps = 1e-7
    assert _brute_perm_p(c, treated, lo + eps) > 0.1 >= _brute_perm_p(c, treated, lo - eps)
    assert _brute_perm_p(c, treated, hi - eps) > 0.1 >= _brute_perm_p(c, treated, hi + eps)


def test_permutation_one_treated_four_controls_has_no_5pct_test() -> None:
    c = np.array([5.0, 0.1, -0.2, 0.3, 0.0])
    out = placebo_in_space(c, np.r_[True, False, False, False, False])
    assert out.details["pvalue_floor"] == pytest.approx(0.2)
    assert out.pvalue == pytest.approx(0.2)  # the most extreme of 5 assignments
    assert out.ci is not None
    assert all(math.isnan(v) for v in out.ci(0.05))
    assert all(math.isfinite(v) for v in out.ci(0.5))


def test_invert_linear_test_unbounded_and_bounded() -> None:
    s = np.array([1.0, 0.5, -0.5])
    q = np.array([1.0, 0.0, 0.0])
    assert invert_linear_test(s, q, 0.2) == (-math.inf, math.inf)  # floor 1/3 > 0.2
    lo, hi = invert_linear_test(s, q, 0.5)  # accept b where |1 - b| <= 0.5
    assert (lo, hi) == pytest.approx((0.5, 1.5))


def _brute_wild_p(X: np.ndarray, y: np.ndarray, cl: np.ndarray, b0: float) -> float:
    """Refit OLS for every Rademacher sign pattern (slow reference)."""
    G = int(cl.max()) + 1

    def t_stat(yy: np.ndarray) -> float:
        b = np.linalg.lstsq(X, yy, rcond=None)[0]
        V = vcov_cr1(X, yy - X @ b, cl)
        return float((b[0] - b0) / math.sqrt(V[0, 0]))

    t_act = t_stat(y)
    R = X[:, 1:]
    yr = y - b0 * X[:, 0]
    g = np.linalg.lstsq(R, yr, rcond=None)[0]
    u = yr - R @ g
    fitted = y - u
    ts = [
        t_stat(fitted + np.asarray(signs)[cl] * u)
        for signs in itertools.product((-1.0, 1.0), repeat=G)
    ]
    return float(np.mean(np.abs(ts) >= abs(t_act) - 1e-12))


def test_wild_bootstrap_matches_brute_force_enumeration() -> None:
    rng = np.random.default_rng(8)
    G, m = 8, 6
    cl = np.repeat(np.arange(G), m)
    d = (cl < 3).astype(float)
    X = np.column_stack([d, np.ones(G * m), rng.normal(size=G * m)])
    y = 0.4 * d + rng.normal(size=G)[cl] + rng.normal(size=G * m)
    out = wild_cluster_bootstrap(X, y, cl, 0, B=999, weights="rademacher")
    assert out.details["exact_enumeration"]
    assert out.pvalue == pytest.approx(_brute_wild_p(X, y, cl, 0.0))
    assert out.ci is not None
    lo, hi = out.ci(0.1)
    assert _brute_wild_p(X, y, cl, lo - 1e-6) <= 0.1 < _brute_wild_p(X, y, cl, lo + 1e-6)
    assert _brute_wild_p(X, y, cl, hi + 1e-6) <= 0.1 < _brute_wild_p(X, y, cl, hi - 1e-6)


def test_conley_taber_one_treated_enumerates_control_residuals() -> None:
    c = np.array([2.0, 0.3, -0.3, 0.6, -0.6, 0.0])
    treated = np.r_[True, np.zeros(5, dtype=bool)]
    out = conley_taber(c, treated, estimate=2.0)
    w = np.array([0.3, -0.3, 0.6, -0.6, 0.0])  # controls minus their mean (0)
    assert out.details["control_residual_contrasts"] == pytest.approx(w.tolist())
    assert out.pvalue == 0.0  # no control residual is as large as 2
    assert out.ci is not None
    assert out.ci(0.4) == pytest.approx((2.0 - 0.6, 2.0 + 0.6))


def test_choose_auto_and_warnings() -> None:
    from arviointi.inference.scaled import VarianceCheck

    m, reason, w = choose(Design(1, 4, 60, 24))  # no variance check: nothing valid
    assert m == "none" and "too few periods" not in reason and w
    calm = VarianceCheck(1.0, 0.85, 1.15, 0.5, 500.0, 2000.0)
    noisy = VarianceCheck(2.0, 1.4, 3.0, 0.5, 50.0, 200.0)
    unsure = VarianceCheck(1.0, 0.7, 1.4, 0.5, 50.0, 200.0)
    assert choose(Design(1, 4, 60, 24, variance=calm))[0] == "donald_lang"
    quieter = VarianceCheck(0.6, 0.4, 0.9, 0.5, 50.0, 200.0)  # DL would be conservative
    assert choose(Design(1, 4, 60, 24, variance=quieter))[0] == "scaled_dl"
    assert choose(Design(1, 4, 60, 24, variance=unsure))[0] == "scaled_dl"
    m, reason, w = choose(Design(1, 4, 60, 24, variance=noisy))
    assert m == "scaled_dl" and "2.00 times" in reason and not w
    assert choose(Design(1, 4, 1, 1, sizes_support_dl=True))[0] == "donald_lang"
    m, reason, w = choose(Design(1, 4, 1, 1, sizes_support_dl=False))
    assert m == "none" and "smaller, so noisier" in reason
    _, _, w = choose(Design(1, 4, 60, 24, variance=noisy), "donald_lang")
    assert any("Ferman and Pinto" in x for x in w)
    assert choose(Design(20, 30, 5, 5))[0] == "cluster"
    assert choose(Design(300, 400, 1, 1, clustered=False))[0] == "robust"
    assert choose(Design(1, 1, 10, 10))[0] == "none"
    m, _, w = choose(Design(1, 4, 60, 24), "cluster")
    assert m == "cluster" and any("not valid" in x for x in w)
    assert any(
        "smallest attainable p-value is 0.2" in x for x in choose(Design(1, 4), "permutation")[2]
    )
    with pytest.raises(ValueError):
        choose(Design(1, 4), "bogus")


def test_one_list_of_inference_methods() -> None:
    """Estimators, params schema and report labels all take their names from the registry."""
    import typing

    from arviointi.event_study.model import EXPLICIT
    from arviointi.inference import METHODS
    from arviointi.inference.registry import BY_NAME, label, names_for
    from arviointi.params.schema import InferenceMethod
    from arviointi.report.i18n import has_message

    assert set(typing.get_args(InferenceMethod)) == {"auto", *METHODS}
    assert tuple(METHODS) == names_for("did")
    assert tuple(EXPLICIT) == names_for("event_study")
    for name in (*METHODS, "none", "placebo", "hac"):
        assert name in BY_NAME
        assert label(name, "fi") != label(name, "en") or name in ("conley_taber",)
    for name in METHODS:
        for lang in ("fi", "en"):
            assert has_message(f"synthesis.inference_short.{name}", lang), name
            assert has_message(f"inference.{name}", lang), name
