"""Reduced version of the size-and-power grid (scripts/simulate_size.py): the noisier-treated
cells where the old auto (Donald-Lang) failed, at 400 replications each.

Tolerances come from the binomial distribution: a test of true size 5 % stays inside the
99.9 % band of Binomial(400, 0.05) / 400 (about 1.75-9.25 %) except one time in a thousand,
and Donald-Lang's rejection rate in the same cells (over 15 %) is far outside it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from arviointi.did import did

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import simulate_size

pytestmark = pytest.mark.slow
REPS = 400


@pytest.mark.parametrize(
    ("noise", "controls", "rho", "months"), [(3, 5, 0.8, 24), (2, 20, 0.5, 48), (4, 8, 0.0, 24)]
)
def test_auto_holds_its_size_with_a_noisier_treated_unit(
    noise: int, controls: int, rho: float, months: int
) -> None:
    row = simulate_size.run_cell((noise, controls, rho, months, REPS, 0, 77 + controls))
    lo, hi = simulate_size.binom_band(REPS)
    assert lo <= row["auto_0"] <= hi, row["auto_0"]
    assert row["donald_lang_0"] > 0.15  # the failure this guards against
    assert row["auto_reported"] == 1.0
    assert row["auto_1"] < row["auto_2"] < row["auto_3"]  # power grows with the effect


def test_kernel_shortcut_equals_full_fits() -> None:
    """The grid's fast path gives what did(inference=...) gives."""
    from arviointi.did.simulation import simulate_panel

    rng = np.random.default_rng(1)
    for _ in range(5):
        panel = simulate_panel(
            rng,
            n_control=6,
            n_pre=12,
            n_post=12,
            rho=0.5,
            treated_sd_factor=2.0,
            control_sd=(0.5, 2.0),
        )
        prep = simulate_size.fast_prepared(panel, 12, 7, 24)
        auto = simulate_size.fit_prepared(
            prep, {**simulate_size.SPEC, "inference": "auto", "seed": 0}
        )
        fast = simulate_size.kernel_outcomes(prep, auto)
        for m in ("donald_lang", "scaled_dl"):
            full = did(panel, "y", unit="unit", time="period", treatment="treated", inference=m)
            assert fast[m][0] == pytest.approx(full.pvalue, rel=1e-9)
            assert fast[m][1] == pytest.approx(full.conf_int(0.05), rel=1e-9)
