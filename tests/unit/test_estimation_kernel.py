"""The shared estimation kernel (arviointi.estimation) against statsmodels.

The weighted-least-squares covariances are checked against statsmodels' WLS with HC1 and
cluster-robust errors (an independent implementation), and against the unweighted kernel
on sqrt(w)-scaled rows (the algebra that makes them the same estimator).
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from arviointi.estimation import (
    demean,
    indicators,
    vcov_cr1,
    vcov_cr1_wls,
    vcov_hc1,
    vcov_hc1_wls,
)


@pytest.fixture(scope="module")
def wls() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(12)
    n = 300
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, size=n)])
    g = rng.integers(0, 25, size=n)
    y = X @ [1.0, 0.5, -0.3] + rng.normal(size=n) + rng.normal(size=25)[g]
    w = rng.uniform(0.5, 3.0, size=n)
    return X, y, w, g


def _fit(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bread = np.linalg.inv(X.T @ (X * w[:, None]))
    beta = bread @ (X.T @ (w * y))
    return bread, w * (y - X @ beta)


def test_hc1_wls_matches_statsmodels(wls: tuple[np.ndarray, ...]) -> None:
    X, y, w, _ = wls
    bread, wresid = _fit(X, y, w)
    ref = sm.WLS(y, X, weights=w).fit(cov_type="HC1").cov_params()
    np.testing.assert_allclose(vcov_hc1_wls(bread, X, wresid), ref, rtol=1e-10)
    sw = np.sqrt(w)
    scaled = vcov_hc1(X * sw[:, None], wresid / sw)
    np.testing.assert_allclose(vcov_hc1_wls(bread, X, wresid), scaled, rtol=1e-10)


def test_cr1_wls_matches_statsmodels(wls: tuple[np.ndarray, ...]) -> None:
    X, y, w, g = wls
    bread, wresid = _fit(X, y, w)
    ref = sm.WLS(y, X, weights=w).fit(cov_type="cluster", cov_kwds={"groups": g}).cov_params()
    np.testing.assert_allclose(vcov_cr1_wls(bread, X, wresid, g), ref, rtol=1e-10)
    sw = np.sqrt(w)
    scaled = vcov_cr1(X * sw[:, None], wresid / sw, g)
    np.testing.assert_allclose(vcov_cr1_wls(bread, X, wresid, g), scaled, rtol=1e-10)


def test_one_way_demeaning_and_indicators() -> None:
    codes = np.array([0, 0, 1, 1, 1])
    x = np.array([1.0, 3.0, 2.0, 4.0, 6.0])
    np.testing.assert_array_equal(demean(x, [codes])[:, 0], [-1.0, 1.0, -2.0, 0.0, 2.0])
    dummies = indicators(np.array([1, 2, 3, 2]), [2, 3])
    np.testing.assert_array_equal(dummies, [[0, 0], [1, 0], [0, 1], [1, 0]])
    assert indicators(np.array([1, 2]), []).shape == (2, 0)
