"""Synthetic control: Abadie and Gardeazabal (2003) Basque weights and exact cases."""

from __future__ import annotations

import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from arviointi.errors import DesignError, InputError
from arviointi.synth import synthetic_control
from arviointi.synth.simplex import simplex_lstsq

BASQUE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "basque.csv"
SECTORS = [
    "sec.agriculture",
    "sec.energy",
    "sec.industry",
    "sec.construction",
    "sec.services.venta",
    "sec.services.nonventa",
]
SCHOOL = ["school.illit", "school.prim", "school.med", "school.high", "school.post.high"]


def years(a: int, b: int) -> list[int]:
    return list(range(a, b + 1))


def basque_spec() -> list[str | tuple[str, list[int]]]:
    """Abadie and Gardeazabal's predictors (the R Synth package's basque example)."""
    spec: list[str | tuple[str, list[int]]] = [(c, years(1964, 1969)) for c in SCHOOL]
    spec.append(("invest", years(1964, 1969)))
    spec.append(("gdpcap", years(1960, 1969)))
    spec += [(c, years(1961, 1969)) for c in SECTORS]  # observed in odd years only
    spec.append(("popdens", [1969]))
    return spec


def basque() -> pd.DataFrame:
    d = pd.read_csv(BASQUE)
    d = d[d["regionname"] != "Spain (Espana)"].copy()  # Spain as a whole is not a donor
    d["year"] = d["year"].astype(int)
    d["terror"] = ((d["regionname"].str.startswith("Basque")) & (d["year"] >= 1970)).astype(int)
    return d


@pytest.mark.skipif(not BASQUE.exists(), reason="shared reference data not available")
def test_basque_weights_reproduce_abadie_gardeazabal() -> None:
    t0 = time.perf_counter()
    res = synthetic_control(
        basque(),
        "gdpcap",
        unit="regionname",
        time="year",
        treatment="terror",
        covariates=basque_spec(),
        fit_times=years(1960, 1969),
        placebos=False,
    )
    elapsed = time.perf_counter() - t0
    w = res.weights.round(3)
    assert w["Cataluna"] == 0.851
    assert w["Madrid (Comunidad De)"] == 0.149
    assert (w.drop(["Cataluna", "Madrid (Comunidad De)"]) == 0).all()
    # independent check: on the support {Cataluna, Madrid} the chosen weights minimise
    # the 1960-69 MSPE (closed-form one-dimensional least squares)
    d = basque()
    y = d.pivot(index="year", columns="regionname", values="gdpcap").loc[1960:1969]
    z1 = y["Basque Country (Pais Vasco)"].to_numpy()
    c, m = y["Cataluna"].to_numpy(), y["Madrid (Comunidad De)"].to_numpy()
    a = float(np.clip((z1 - m) @ (c - m) / ((c - m) @ (c - m)), 0, 1))
    assert res.weights["Cataluna"] == pytest.approx(a, abs=1e-5)
    assert res.extra["v_loss"] == pytest.approx(np.mean((z1 - a * c - (1 - a) * m) ** 2), rel=1e-6)
    assert elapsed < 20


def test_exact_convex_combination_and_planted_gap() -> None:
    rng = np.random.default_rng(0)
    n_t, start = 20, 14
    donors = {f"d{j}": np.cumsum(rng.normal(size=n_t)) + 5 * j for j in range(6)}
    treated = 0.3 * donors["d1"] + 0.7 * donors["d4"]
    treated = treated + np.where(np.arange(n_t) >= start, 2.5, 0.0)
    rows = [(u, t, v[t], 0) for u, v in donors.items() for t in range(n_t)]
    rows += [("tr", t, treated[t], int(t >= start)) for t in range(n_t)]
    df = pd.DataFrame(rows, columns=["area", "t", "y", "d"])
    res = synthetic_control(df, "y", unit="area", time="t", treatment="d")
    assert res.weights["d1"] == pytest.approx(0.3, abs=1e-6)
    assert res.weights["d4"] == pytest.approx(0.7, abs=1e-6)
    assert res.estimate == pytest.approx(2.5, abs=1e-5)
    assert res.pre_rmspe == pytest.approx(0.0, abs=1e-5)
    # the planted gap dwarfs every placebo: rank 1 of 7, the floor
    assert res.pvalue == pytest.approx(1 / 7)
    assert res.inference.details["pvalue_floor"] == pytest.approx(1 / 7)
    assert any("cannot be below" in w for w in res.warnings)
    assert res.conf_int() == (pytest.approx(np.nan, nan_ok=True),) * 2
    ax = res.plot_gaps()
    assert len(ax.lines) >= 7
    assert set(res.gaps.columns) == {"time", "observed", "synthetic", "gap", "post"}
    assert len(res.rmspe) == 7


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("ridge", "intercept"), [(0.0, False), (0.5, False), (0.1, True)])
def test_simplex_lstsq_against_slsqp(seed: int, ridge: float, intercept: bool) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(8, 12))
    b = rng.normal(size=8) + a[:, :3].mean(axis=1)

    def obj(w: np.ndarray, c: float = 0.0) -> float:
        r = a @ w + c - b
        return float(r @ r + ridge * w @ w)

    w = simplex_lstsq(a, b, ridge=ridge, intercept=intercept)
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0, abs=1e-12)
    c_ours = float(np.mean(b - a @ w)) if intercept else 0.0
    k = a.shape[1]
    start = np.concatenate([np.full(k, 1 / k), [0.0]])
    ref = minimize(
        lambda p: obj(p[:k], p[k] if intercept else 0.0),
        start,
        method="SLSQP",
        bounds=[(0, 1)] * k + [(None, None)],
        constraints=[{"type": "eq", "fun": lambda p: p[:k].sum() - 1}],
        options={"ftol": 1e-15, "maxiter": 2000},
    )
    assert obj(w, c_ours) <= ref.fun + 1e-9


def small_panel() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    rows = []
    for u in range(5):
        for t in range(10):
            rows.append((f"u{u}", 2000 + t, rng.normal() + u, int(u == 0 and t >= 6)))
    return pd.DataFrame(rows, columns=["unit", "year", "y", "d"])


def test_bad_inputs() -> None:
    df = small_panel()
    two = df.copy()
    two.loc[(two.unit == "u1") & (two.year >= 2006), "d"] = 1
    with pytest.raises(DesignError, match="exactly one"):
        synthetic_control(two, "y", unit="unit", time="year", treatment="d")
    with pytest.raises(InputError, match="'x'"):
        synthetic_control(df, "y", unit="unit", time="year", treatment="d", covariates=["x"])
    cov = df.assign(x=1.0)
    cov.loc[cov.unit == "u3", "x"] = np.nan
    with pytest.raises(InputError, match="unit 'u3', column 'x'"):
        synthetic_control(cov, "y", unit="unit", time="year", treatment="d", covariates=["x"])
    with pytest.raises(InputError, match="fit_times 2007"):
        synthetic_control(df, "y", unit="unit", time="year", treatment="d", fit_times=[2007])
    miss = df.copy()
    miss.loc[(miss.unit == "u0") & (miss.year == 2002), "y"] = np.nan
    with pytest.raises(DesignError, match="treated unit 'u0'"):
        synthetic_control(miss, "y", unit="unit", time="year", treatment="d")
    donor_gap = df.copy()
    donor_gap.loc[(donor_gap.unit == "u2") & (donor_gap.year == 2003), "y"] = np.nan
    res = synthetic_control(donor_gap, "y", unit="unit", time="year", treatment="d")
    assert any("dropped 1 of 50 rows" in w for w in res.warnings)
    assert any("dropped 1 control unit" in w for w in res.warnings)
    assert "u2" not in res.weights.index
    nonbin = df.assign(d=df["d"] * 3)
    with pytest.raises(InputError, match="expected 0/1"):
        synthetic_control(nonbin, "y", unit="unit", time="year", treatment="d")
