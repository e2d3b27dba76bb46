"""Turku's districts: December 2011 calibration table and the monthly area panel.

Model (documented in data/synthetic/README.md):

* Turku's monthly unemployed and labour force are the REAL StatFin 12r5 series, read
  through the data layer (:func:`arviointi.data.load_statfin_12r5`). District labour
  forces are fixed shares of Turku's.
* Counterfactual district unemployment rates are additive: base rate (December 2011) +
  one common Turku shock ``c_t`` + serially correlated district noise (AR(1), anchored at
  zero in December 2011, labour-force-weighted mean zero each month). The common shock is
  solved so the districts add up exactly to the real Turku count. So every district except
  Papinsaari has exactly parallel expected paths (DiD on the rate is unbiased).
* Papinsaari (1.0 %) cannot take an additive shock of -4.7 pp, so it follows Turku's rate
  proportionally: its pre-trend is NOT parallel (a deliberate, documented trap).
* Composition counts (long-term, youth, over 50, foreign-language) are shares of each
  district's unemployed, calibrated to the published December 2011 totals.
* The Kela list is a Turku-level stock-flow model (inflow ~100-150 a month before the
  pilot) allocated to districts.
* From ``pilot_start`` Varissuo's unemployed, Kela list and social assistance recipients
  are reduced by the planted effects (phased in); Turku's total is the real series minus
  that reduction. Comparison districts are untouched.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import ParamsError
from ..statfin import load_statfin_12r5
from .allocation import FloatArray, IntArray, anchored_ar1, largest_remainder
from .truth import TrueEffects

PILOT_AREA = "Varissuo"
TURKU_CODE = "KU853"
ANCHOR_MONTH = pd.Timestamp("2011-12-01")

#: District, labour force and unemployed persons in December 2011. Varissuo and Papinsaari
#: are the published figures; the other districts are synthetic but add up to Turku's real
#: December 2011 labour force (87 717) and unemployed (11 356).
DISTRICTS_2011_12: tuple[tuple[str, int, int], ...] = (
    ("Varissuo", 3866, 1040),
    ("Papinsaari", 200, 2),
    ("Lauste", 2994, 689),
    ("Halinen", 2473, 531),
    ("Runosmäki", 5598, 1003),
    ("Pansio", 1822, 345),
    ("Nummi", 4556, 699),
    ("Kupittaa", 2864, 396),
    ("Keskusta", 12757, 1436),
    ("Hirvensalo", 4426, 317),
    ("Skanssi", 1562, 128),
    ("Itäharju", 3385, 502),
    ("Vasaramäki", 2734, 336),
    ("Uittamo", 2343, 180),
    ("Moikoinen", 1432, 95),
    ("Pihlajaniemi", 2473, 253),
    ("Martti", 4166, 490),
    ("Port Arthur", 4296, 462),
    ("Mäntymäki", 2604, 346),
    ("Raunistula", 2083, 234),
    ("Kärsämäki", 1172, 108),
    ("Kohmo", 1302, 133),
    ("Maaria", 1692, 147),
    ("Paattinen", 1562, 112),
    ("Kakskerta", 781, 52),
    ("Ruissalo", 208, 14),
    ("Jäkärlä", 911, 89),
    ("Pitkämäki", 1953, 250),
    ("Kurala", 2343, 216),
    ("Teräsrautela", 3124, 416),
    ("Koivula", 1041, 85),
    ("Härkämäki", 1302, 120),
    ("Ilpoinen", 1692, 130),
)

#: Districts that follow Turku proportionally instead of additively (see module doc).
PROPORTIONAL_DISTRICTS = ("Papinsaari",)

#: Published December 2011 figures (Turku totals and Varissuo), seed 001 / domain.md.
TURKU_2011_12 = {
    "unemployed": 11356,
    "labour_force": 87717,
    "long_term_unemployed": 3244,
    "kela_list": 2503,
    "youth_unemployed": 1367,
    "over50_unemployed": 3737,
    "foreign_language_share": 0.18,
}
VARISSUO_2011_12 = {
    "unemployed": 1040,
    "unemployment_rate": 26.9,
    "long_term_unemployed": 291,
    "foreign_language_share": 0.51,
    "youth_unemployed": 112,
    "youth_unemployment_rate": 22.7,
    "youth_labour_force": 493,
}
#: Labour force per resident (Turku 2011: ~87 700 labour force, ~178 000 residents).
LABOUR_FORCE_PER_RESIDENT = 0.49
YOUTH_LABOUR_FORCE_SHARE = 0.128

AREA_COLUMNS = [
    "area",
    "month",
    "unemployed",
    "labour_force",
    "unemployment_rate",
    "long_term_unemployed",
    "kela_list",
    "youth_unemployed",
    "over50_unemployed",
    "foreign_language_unemployed",
    "social_assistance_recipients",
    "population",
]


def district_table() -> pd.DataFrame:
    """Static district attributes for December 2011 (one row per district)."""
    names = [d[0] for d in DISTRICTS_2011_12]
    lf = np.array([d[1] for d in DISTRICTS_2011_12])
    unemployed = np.array([d[2] for d in DISTRICTS_2011_12])
    youth_lf = np.round(lf * YOUTH_LABOUR_FORCE_SHARE).astype(int)
    youth_lf[names.index(PILOT_AREA)] = VARISSUO_2011_12["youth_labour_force"]
    frame = pd.DataFrame(
        {
            "area": names,
            "labour_force_2011_12": lf,
            "unemployed_2011_12": unemployed,
            "unemployment_rate_2011_12": 100.0 * unemployed / lf,
            "youth_labour_force_2011_12": youth_lf,
            "population_2011_12": np.round(lf / LABOUR_FORCE_PER_RESIDENT).astype(int),
            "pilot_area": [n == PILOT_AREA for n in names],
            "parallel_trend": [n not in PROPORTIONAL_DISTRICTS for n in names],
        }
    )
    frame.attrs["synthetic"] = True
    return frame


@functools.lru_cache(maxsize=1)
def _turku_real() -> tuple[pd.DataFrame, tuple[dict[str, str], ...]]:
    real = load_statfin_12r5(areas=[TURKU_CODE])
    frame = real[["month", "unemployed", "labour_force"]].copy()
    frame["month"] = frame["month"].astype("datetime64[us]")
    sources = tuple(
        {"path": Path(str(s.get("path", ""))).name, "sha256": str(s.get("sha256", ""))}
        for s in real.attrs.get("sources", [])
    )
    return frame.reset_index(drop=True), sources


def turku_series() -> pd.DataFrame:
    """Turku's REAL monthly series (month, unemployed, labour_force) from the data layer:
    StatFin 12r5, municipality KU853, CC BY 4.0 (Statistics Finland / TEM)."""
    return _turku_real()[0].copy()


def turku_series_sources() -> list[dict[str, str]]:
    """File name and SHA-256 of the StatFin file the Turku series was read from."""
    return [dict(s) for s in _turku_real()[1]]


@dataclass(frozen=True)
class AreaData:
    """Actual and counterfactual area panels plus the Turku Kela-list flows."""

    panel: pd.DataFrame
    counterfactual: pd.DataFrame
    kela_flows: pd.DataFrame
    ramp: FloatArray  # share of the full effect per month of ``months``
    months: pd.DatetimeIndex


def _month_range(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq="MS")


def _simulation_months(
    series: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DatetimeIndex:
    """The months simulated: ``start``..``end`` widened to the anchor month, checked
    against the real Turku series (24 months of history needed)."""
    first_real, last_real = series.index[0], series.index[-1]
    sim_start = min(start, ANCHOR_MONTH)
    sim_end = max(end, ANCHOR_MONTH)
    if sim_start - pd.DateOffset(months=24) < first_real:
        raise ParamsError(
            "<generate_turku>",
            f"start={start:%Y-%m}: expected {first_real + pd.DateOffset(months=24):%Y-%m} or "
            f"later (the real Turku series starts {first_real:%Y-%m} and 24 months of "
            "history are needed)",
        )
    if sim_end > last_real:
        raise ParamsError(
            "<generate_turku>",
            f"end={end:%Y-%m}: expected {last_real:%Y-%m} or earlier (end of the real series)",
        )
    return _month_range(sim_start, sim_end)


def _counterfactual_unemployed(
    rng: np.random.Generator,
    table: pd.DataFrame,
    lf: IntArray,
    u_turku: IntArray,
    lf_turku: IntArray,
    anchor: int,
) -> IntArray:
    """Unemployed per district x month without the pilot; they add up to the real Turku
    count every month and equal the 2011-12 figures at the anchor."""
    n_d, n_t = lf.shape
    lf0 = table["labour_force_2011_12"].to_numpy(dtype=float)
    u0 = table["unemployed_2011_12"].to_numpy(dtype=float)
    base_rate = 100.0 * u0 / lf0
    additive = table["parallel_trend"].to_numpy()

    # District noise in percentage points: AR(1), larger in small districts.
    sd = np.minimum(0.25 * np.sqrt(3000.0 / lf0), 0.8)
    noise = anchored_ar1(rng, n_d, n_t, anchor, rho=0.7) * sd[:, None]
    noise[~additive] = 0.0
    w = lf0 * additive
    noise -= (noise * w[:, None]).sum(axis=0) / w.sum()
    noise[~additive] = 0.0

    # Common shock solved so that expected counts add up to the real Turku count.
    rate_turku = 100.0 * u_turku / lf_turku
    rate_turku0 = rate_turku[anchor]
    lf_f = lf.astype(float)
    prop_part = (lf_f[~additive] * base_rate[~additive, None] * rate_turku / rate_turku0).sum(0)
    add_base = (lf_f[additive] * base_rate[additive, None]).sum(0)
    common = (100.0 * u_turku - prop_part - add_base) / lf_f[additive].sum(0)
    rate = np.where(
        additive[:, None],
        base_rate[:, None] + common[None, :] + noise,
        base_rate[:, None] * rate_turku[None, :] / rate_turku0,
    )
    expected = np.clip(rate, 0.05, None) * lf_f / 100.0
    u_cf = np.column_stack([largest_remainder(int(u_turku[t]), expected[:, t]) for t in range(n_t)])
    u_cf[:, anchor] = u0.astype(np.int64)  # exact calibration (allocation already equal)
    return u_cf


def _trim(frame: pd.DataFrame, keep_months: pd.DatetimeIndex) -> pd.DataFrame:
    return frame[frame["month"].isin(keep_months)].reset_index(drop=True)


def generate_area(
    rng: np.random.Generator,
    start: pd.Timestamp,
    end: pd.Timestamp,
    pilot_start: pd.Timestamp,
    effects: TrueEffects,
) -> AreaData:
    """Simulate the district x month panel (actual and counterfactual)."""
    series = turku_series().set_index("month")
    months = _simulation_months(series, start, end)
    n_t = len(months)
    anchor = months.get_loc(ANCHOR_MONTH)
    assert isinstance(anchor, int)
    u_turku = series.loc[months, "unemployed"].to_numpy(dtype=np.int64)
    lf_turku = series.loc[months, "labour_force"].to_numpy(dtype=np.int64)

    table = district_table()
    names = table["area"].tolist()
    n_d = len(names)
    v = names.index(PILOT_AREA)
    lf0 = table["labour_force_2011_12"].to_numpy(dtype=float)
    u0 = table["unemployed_2011_12"].to_numpy(dtype=float)
    base_rate = 100.0 * u0 / lf0

    # Labour force: fixed shares of Turku's real labour force (exact at the anchor).
    lf = np.column_stack([largest_remainder(int(lf_turku[t]), lf0) for t in range(n_t)])
    lf = lf.astype(np.int64)
    u_cf = _counterfactual_unemployed(rng, table, lf, u_turku, lf_turku, anchor)
    lf_f = lf.astype(float)

    ramp = np.array([effects.ramp(_months_between(pilot_start, m)) for m in months])
    u_act = u_cf.copy()
    cut = np.round(-effects.unemployment_rate_pp * ramp * lf_f[v] / 100.0).astype(np.int64)
    u_act[v] = np.maximum(u_cf[v] - cut, 0)

    # Kela list (Turku stock-flow model, then districts).
    kela_flows, kela_turku = _kela_stock(rng, months, anchor, series)
    comp_z = rng.standard_normal((4, n_d, n_t))
    comp_z[:, :, anchor] = 0.0
    cols_cf, kela_weight = _composition(u_cf, u0, base_rate, v, months, anchor, series, comp_z)
    cols_act, _ = _composition(u_act, u0, base_rate, v, months, anchor, series, comp_z)
    # The Kela list is allocated once from counterfactual weights, so the pilot cannot move
    # people between comparison districts' lists; the cut applies to Varissuo only.
    kela_cf = np.column_stack(
        [largest_remainder(int(kela_turku[t]), kela_weight[:, t]) for t in range(n_t)]
    )
    kela_act = kela_cf.copy()
    kela_cut = np.round(-effects.kela_list_pct / 100.0 * ramp * kela_cf[v]).astype(np.int64)
    kela_act[v] = kela_cf[v] - kela_cut
    pop = np.round(lf_f / LABOUR_FORCE_PER_RESIDENT).astype(np.int64)
    sa_share = (0.025 + 0.30 * u_cf / lf_f) * (1.0 + 0.02 * comp_z[3])
    sa_cf = np.round(pop * sa_share).astype(np.int64)
    sa_act = sa_cf.copy()
    sa_cut = np.round(-effects.social_assistance_pct / 100.0 * ramp * sa_cf[v]).astype(np.int64)
    sa_act[v] = sa_cf[v] - sa_cut
    frames = {
        label: _panel_frame(
            names,
            months,
            {
                "unemployed": u,
                "labour_force": lf,
                "long_term_unemployed": cols["long_term_unemployed"],
                "kela_list": kela,
                "youth_unemployed": cols["youth_unemployed"],
                "over50_unemployed": cols["over50_unemployed"],
                "foreign_language_unemployed": cols["foreign_language_unemployed"],
                "social_assistance_recipients": sa,
                "population": pop,
            },
        )
        for label, u, cols, kela, sa in (
            ("cf", u_cf, cols_cf, kela_cf, sa_cf),
            ("actual", u_act, cols_act, kela_act, sa_act),
        )
    }
    # Turku flows: the pilot's extra exits from Varissuo's list are extra outflow.
    kela_flows["outflow"] = kela_flows["outflow"] + np.diff(kela_cut, prepend=0)
    kela_flows["stock"] = kela_flows["stock"] - kela_cut
    keep = (months >= start) & (months <= end)
    keep_months = months[keep]
    return AreaData(
        _trim(frames["actual"], keep_months),
        _trim(frames["cf"], keep_months),
        _trim(kela_flows, keep_months),
        ramp[keep],
        keep_months,
    )


def _months_between(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _kela_stock(
    rng: np.random.Generator,
    months: pd.DatetimeIndex,
    anchor: int,
    series: pd.DataFrame,
) -> tuple[pd.DataFrame, IntArray]:
    """Turku's Kela-list stock: a stock-flow model around a slowly moving level.

    inflow_t ~ Poisson(125 * U_{t-18} / U_{anchor-18}) (unemployment 18 months earlier);
    outflow_t ~ Binomial(K_{t-1}, q_t) with q_t = inflow mean / L_t + 0.1 (K_{t-1} - L_t) / L_t
    (exits balance entries at the level, plus a pull towards it), where L_t is 2 503 times
    Turku's mean unemployment over the 12 months to t-6 relative to the same at the anchor.
    So the stock is stable while unemployment is (before 2013) and grows after the
    2013-2015 rise. The path is shifted by a constant so it equals 2 503 in December 2011.
    """
    target = float(TURKU_2011_12["kela_list"])
    lagged = series["unemployed"].shift(18).reindex(months).to_numpy(dtype=float)
    lam = 125.0 * lagged / lagged[anchor]
    level_hist = series["unemployed"].rolling(12).mean().shift(6).reindex(months)
    level = target * (level_hist / level_hist.iloc[anchor]).to_numpy(dtype=float)
    inflow = rng.poisson(lam).astype(np.int64)
    outflow = np.zeros(len(months), dtype=np.int64)
    stock = np.zeros(len(months), dtype=np.int64)
    previous = round(level[0])
    for t in range(len(months)):
        gap = (previous - level[t]) / level[t]
        rate = min(max(lam[t] / level[t] + 0.1 * gap, 0.0), 1.0)
        outflow[t] = rng.binomial(int(previous), rate)
        stock[t] = previous + inflow[t] - outflow[t]
        previous = int(stock[t])
    stock = stock + (int(target) - stock[anchor])
    flows = pd.DataFrame(
        {"area": "Turku", "month": months, "inflow": inflow, "outflow": outflow, "stock": stock}
    )
    flows.attrs["synthetic"] = True
    return flows, stock


def _composition(
    u: IntArray,
    u0: FloatArray,
    base_rate: FloatArray,
    v: int,
    months: pd.DatetimeIndex,
    anchor: int,
    series: pd.DataFrame,
    z: FloatArray,
) -> tuple[dict[str, IntArray], FloatArray]:
    """Composition counts as shares of each district's unemployed, exact at the anchor."""
    n_t = len(months)
    # Long-term share rises with Turku's unemployment a year or two earlier.
    hist = series["unemployed"].rolling(13).mean().shift(12).reindex(months).to_numpy(dtype=float)
    g_ltu = (hist / hist[anchor]) ** 0.8
    years = np.asarray((months - ANCHOR_MONTH).days, dtype=float) / 365.25
    g_foreign = 1.0 + 0.03 * years
    summer = np.isin(months.month, (6, 7))
    g_youth = np.where(summer, 1.2, 1.0)
    specs = {
        # column: (Turku total at anchor, Varissuo at anchor or None, relative propensity, g)
        "long_term_unemployed": (
            TURKU_2011_12["long_term_unemployed"],
            VARISSUO_2011_12["long_term_unemployed"],
            0.6 + 0.03 * base_rate,
            g_ltu,
        ),
        "youth_unemployed": (
            TURKU_2011_12["youth_unemployed"],
            VARISSUO_2011_12["youth_unemployed"],
            np.ones_like(base_rate),
            g_youth,
        ),
        "over50_unemployed": (
            TURKU_2011_12["over50_unemployed"],
            None,
            1.2 - 0.02 * base_rate,
            np.ones(n_t),
        ),
        "foreign_language_unemployed": (
            round(TURKU_2011_12["foreign_language_share"] * TURKU_2011_12["unemployed"]),
            round(VARISSUO_2011_12["foreign_language_share"] * VARISSUO_2011_12["unemployed"]),
            base_rate**1.5,
            g_foreign,
        ),
    }
    out: dict[str, IntArray] = {}
    for k, (col, (total, pinned, propensity, g)) in enumerate(specs.items()):
        pin = None if pinned is None else int(pinned)
        counts0 = _anchor_counts(int(total), pin, u0 * propensity, v)
        share = np.divide(counts0, u0, out=np.zeros_like(u0), where=u0 > 0)
        p = np.clip(share[:, None] * g[None, :], 0.0, 0.9)
        mean = u * p
        values = np.round(mean + z[k] * np.sqrt(mean * (1 - p)))
        values[:, anchor] = counts0
        out[col] = np.clip(values, 0, u).astype(np.int64)
    # Kela-list allocation weights: long-term unemployed, Varissuo weighted up (its list
    # is dominated by >500-day recipients, the pilot's target group).
    weight = out["long_term_unemployed"].astype(float)
    weight[v] *= 1.1
    return out, weight


def _anchor_counts(total: int, pinned: int | None, weights: FloatArray, v: int) -> FloatArray:
    counts = np.zeros(len(weights))
    if pinned is None:
        return largest_remainder(total, weights).astype(float)
    others = np.ones(len(weights), dtype=bool)
    others[v] = False
    counts[others] = largest_remainder(total - pinned, weights[others])
    counts[v] = pinned
    return counts


def _panel_frame(
    names: list[str], months: pd.DatetimeIndex, columns: dict[str, IntArray]
) -> pd.DataFrame:
    n_d, n_t = len(names), len(months)
    data: dict[str, object] = {
        "area": np.repeat(names, n_t),
        "month": np.tile(months.to_numpy(), n_d),
    }
    for col, values in columns.items():
        data[col] = np.asarray(values, dtype=np.int64).reshape(n_d * n_t)
    frame = pd.DataFrame(data)
    frame["unemployment_rate"] = 100.0 * frame["unemployed"] / frame["labour_force"]
    return frame[AREA_COLUMNS]
