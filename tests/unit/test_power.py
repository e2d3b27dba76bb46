"""arviointi.power: MDE checked against exact variance algebra and by simulation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from arviointi.did import did
from arviointi.did.simulation import ar1_errors, simulate_panel
from arviointi.errors import DesignError, ParamsError
from arviointi.inference import Design
from arviointi.power import contrast_sd_ar1, mde, mde_from_pre_period, power_at


def test_contrast_sd_white_noise_is_exact() -> None:
    assert contrast_sd_ar1(60, 24, 2.0, 0.0) == pytest.approx(2.0 * math.sqrt(1 / 60 + 1 / 24))


def test_contrast_sd_ar1_by_simulation() -> None:
    rng = np.random.default_rng(0)
    e = ar1_errors(rng, 20000, 84, 0.8)
    c = e[:, 60:].mean(axis=1) - e[:, :60].mean(axis=1)
    target = contrast_sd_ar1(60, 24, 1.0, 0.8)
    # SD of a sample SD from 20000 normal draws is about target / sqrt(40000)
    assert c.std(ddof=1) == pytest.approx(target, rel=0.03)


def test_mde_large_sample_limit_is_the_normal_formula() -> None:
    d = Design(400, 400)
    se = math.sqrt(2 / 400)
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert mde(d, 1.0) == pytest.approx(z * se, rel=2e-3)


def test_power_at_mde_by_simulation_of_the_test() -> None:
    rng = np.random.default_rng(1)
    design = Design(1, 8)
    delta = mde(design, 1.0)
    assert power_at(delta, design, 1.0) == pytest.approx(0.8)
    reps = 4000
    c = rng.normal(size=(reps, 9))
    c[:, 0] += delta
    ctrl = c[:, 1:]
    t = (c[:, 0] - ctrl.mean(axis=1)) / (ctrl.std(axis=1, ddof=1) * math.sqrt(1 + 1 / 8))
    rejected = np.mean(np.abs(t) > stats.t.ppf(0.975, 7))
    assert abs(rejected - 0.8) < 3 * math.sqrt(0.8 * 0.2 / reps)


def test_mde_from_pre_period_gives_its_power_in_did() -> None:
    rng = np.random.default_rng(7)
    pre = simulate_panel(rng, n_control=8, n_pre=60, n_post=0, rho=0.7)
    res = mde_from_pre_period(pre, "y", unit="unit", time="period", treated_units=[0], n_post=24)
    true_csd = contrast_sd_ar1(60, 24, 1.0, 0.7)
    assert res.contrast_sd == pytest.approx(true_csd, rel=0.25)
    reps, hits = 200, 0
    for _ in range(reps):
        df = simulate_panel(rng, n_control=8, n_pre=60, n_post=24, rho=0.7, effect=res.mde)
        r = did(df, "y", unit="unit", time="period", treatment="treated")
        hits += r.pvalue is not None and r.pvalue < 0.05
    # power at the estimated MDE is 0.8 up to the estimation error of contrast_sd
    lo = power_at(res.mde, res.design, true_csd * 1.25)
    hi = power_at(res.mde, res.design, true_csd / 1.25)
    assert lo - 0.1 < hits / reps < hi + 0.1


def test_mde_rejects_bad_params() -> None:
    with pytest.raises(ParamsError, match="power"):
        mde(Design(1, 4), 1.0, power=1.2)


def test_one_treated_and_two_comparisons_gives_a_finite_mde(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # df = 1: scipy's noncentral t can return NaN (the MDE search then crashed the report);
    # the chi-square integral takes over and agrees with nct where nct works
    import importlib

    module = importlib.import_module("arviointi.power.mde")

    design = Design(1, 2, 12, 12, True)
    se = math.sqrt(1 + 1 / 2)
    assert 0.4 < power_at(8 * se, design, 1.0) < 0.6  # where the old search met NaN
    value = mde(design, 1.0)
    assert math.isfinite(value) and value > 0
    assert power_at(value, design, 1.0) == pytest.approx(0.8, abs=1e-6)
    # the fallback against nct where both work
    nct_value = power_at(10 * se, design, 1.0)
    monkeypatch.setattr(module.stats.nct, "sf", lambda *a: float("nan"))
    assert power_at(10 * se, design, 1.0) == pytest.approx(nct_value, abs=1e-7)


def test_constant_outcome_is_a_plain_design_error() -> None:
    months = pd.date_range("2012-01-01", periods=12, freq="MS")
    frame = pd.DataFrame(
        [(a, m, 5.0) for a in ("A", "B", "C") for m in months], columns=["area", "month", "y"]
    )
    with pytest.raises(DesignError, match="does not vary beyond the area and month means"):
        mde_from_pre_period(frame, "y", unit="area", time="month", treated_units=["A"], n_post=6)
