"""Small version of scripts/simulate_size.py: size and coverage with one treated unit.

With 300 replications the Monte Carlo SE of a 5 % rejection rate is 0.0126; the bands
below (0.02-0.09) fail for a test whose true size is outside about 0.03-0.075.
"""

from __future__ import annotations

import numpy as np
import pytest

from arviointi.did import did
from arviointi.did.simulation import simulate_panel

REPS = 300
pytestmark = pytest.mark.slow  # about 40 s in all


@pytest.mark.parametrize(("n_control", "rho"), [(4, 0.8), (15, 0.5)])
def test_auto_holds_size_where_cluster_does_not(n_control: int, rho: float) -> None:
    rng = np.random.default_rng(100 + n_control)
    rej_auto = rej_cluster = 0
    for _ in range(REPS):
        df = simulate_panel(rng, n_control=n_control, n_pre=36, n_post=12, rho=rho)
        a = did(df, "y", unit="unit", time="period", treatment="treated")
        c = did(df, "y", unit="unit", time="period", treatment="treated", inference="cluster")
        assert a.inference.method in ("donald_lang", "scaled_dl")
        rej_auto += a.pvalue is not None and a.pvalue < 0.05
        rej_cluster += c.pvalue is not None and c.pvalue < 0.05
    assert 0.02 <= rej_auto / REPS <= 0.09
    assert rej_cluster / REPS > 0.12  # CR1 with one treated cluster over-rejects


def test_auto_is_unbiased_and_covers_with_a_planted_effect() -> None:
    rng = np.random.default_rng(5)
    errs, cover = [], 0
    for _ in range(REPS):
        df = simulate_panel(rng, n_control=8, n_pre=36, n_post=12, rho=0.7, effect=2.0)
        r = did(df, "y", unit="unit", time="period", treatment="treated")
        errs.append(r.estimate - 2.0)
        lo, hi = r.conf_int()
        cover += lo <= 2.0 <= hi
    e = np.asarray(errs)
    assert abs(e.mean()) < 3 * e.std(ddof=1) / np.sqrt(REPS)
    assert 0.91 <= cover / REPS <= 0.98
