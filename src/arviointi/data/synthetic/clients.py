"""Pilot clients and comparison persons: covariates, monthly status paths, benefit euros.

Selection on observables: pilot clients (Varissuo) are older, more often foreign-language,
less educated and longer unemployed than comparison persons (other districts). Outcomes
depend on the observables ONLY through four discrete cells (age band, language, education,
unemployment-days band), so exact matching on those cells removes the selection bias in
expectation while a naive pilot-vs-comparison contrast is biased downwards.

Status is a monthly Markov chain over unemployed / employed / services / outside. For pilot
clients both potential paths are simulated with the same uniform draws (common random
numbers): the observed one uses the pilot's hazard ratios from the month after entry, the
counterfactual one does not. Attrition (moving away) depends on observables only and is the
same in both paths, so the panel is unbalanced but attrition is not caused by the pilot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .allocation import IntArray
from .benefit_rules import municipal_share_eur_array
from .truth import TrueEffects

STATUSES = ("unemployed", "employed", "services", "outside")
UNEMP, EMP, SERV, OUT = range(4)

#: Covariate mix by group (exact quotas, then shuffled). Comparison education follows the
#: published mix of Turku's unemployed (35 / 44 / 21 %); pilot language follows Varissuo.
LANGUAGE_MIX = {
    "pilot": {"fi": 0.45, "sv": 0.04, "other": 0.51},
    "comparison": {"fi": 0.76, "sv": 0.06, "other": 0.18},
}
EDUCATION_MIX = {
    "pilot": {"basic": 0.50, "secondary": 0.38, "tertiary": 0.12},
    "comparison": {"basic": 0.35, "secondary": 0.44, "tertiary": 0.21},
}
AGE_MEAN_SD = {"pilot": (47.0, 10.0), "comparison": (40.0, 11.0)}
#: log-normal median of benefit days at entry by group
DAYS_MEDIAN = {"pilot": 800.0, "comparison": 340.0}

#: Monthly base probabilities; unemployed -> employed is scaled by the cell multipliers.
BASE_U_TO_E = 0.045
U_TO_S = 0.05
U_TO_O = 0.01
E_TO_U = 0.04
S_TO_U, S_TO_E = 0.15, 0.04
O_TO_U = 0.05
AGE_MULT = {"<30": 1.3, "30-49": 1.0, "50+": 0.6}
LANG_MULT = {"fi": 1.0, "sv": 1.1, "other": 0.7}
EDU_MULT = {"basic": 0.75, "secondary": 1.0, "tertiary": 1.3}
DAYS_MULT = {"<500": 1.3, "500-999": 1.0, "1000+": 0.65}
#: Monthly probability of moving away (leaving the panel), by observables.
MOVE_BASE, MOVE_YOUNG, MOVE_OTHER_LANG = 0.008, 0.006, 0.004
#: Intake window: pilot clients and comparison persons enter during these many months.
INTAKE_MONTHS = 24


def age_band(age: npt.ArrayLike) -> npt.NDArray[np.str_]:
    a = np.asarray(age)
    return np.where(a < 30, "<30", np.where(a < 50, "30-49", "50+"))


def days_band(days: npt.ArrayLike) -> npt.NDArray[np.str_]:
    d = np.asarray(days)
    return np.where(d < 500, "<500", np.where(d < 1000, "500-999", "1000+"))


def _quota(rng: np.random.Generator, n: int, mix: dict[str, float]) -> npt.NDArray[np.str_]:
    keys = list(mix)
    counts = np.floor(np.array([mix[k] for k in keys]) * n).astype(int)
    counts[0] += n - counts.sum()
    values = np.repeat(keys, counts)
    rng.shuffle(values)
    return values


@dataclass(frozen=True)
class ClientData:
    clients: pd.DataFrame
    panel: pd.DataFrame
    truth_rows: pd.DataFrame
    exit_month: pd.Series  # person_id -> last month in the panel


@dataclass(frozen=True)
class _Persons:
    """The clients' characteristics at entry (one array element a person)."""

    groups: npt.NDArray[np.str_]
    language: npt.NDArray[np.str_]
    education: npt.NDArray[np.str_]
    age: IntArray
    days0: IntArray
    areas: npt.NDArray[np.str_]


def _by_group(groups: npt.NDArray[np.str_], values: Mapping[str, Any]) -> npt.NDArray[Any]:
    return np.where(groups == "pilot", values["pilot"], values["comparison"])


def _draw_persons(
    rng: np.random.Generator,
    n_pilot: int,
    n_comparison: int,
    comparison_areas: list[str],
    comparison_weights: npt.ArrayLike,
) -> _Persons:
    groups = np.array(["pilot"] * n_pilot + ["comparison"] * n_comparison)
    mixes = {}
    for name, mix in (("language", LANGUAGE_MIX), ("education", EDUCATION_MIX)):
        mixes[name] = np.concatenate(
            [_quota(rng, n_pilot, mix["pilot"]), _quota(rng, n_comparison, mix["comparison"])]
        )
    mean = np.where(groups == "pilot", AGE_MEAN_SD["pilot"][0], AGE_MEAN_SD["comparison"][0])
    sd = np.where(groups == "pilot", AGE_MEAN_SD["pilot"][1], AGE_MEAN_SD["comparison"][1])
    age = np.clip(np.round(rng.normal(mean, sd)), 18, 64).astype(np.int64)
    median = _by_group(groups, DAYS_MEDIAN)
    noise = np.exp(rng.normal(0.0, 0.6, len(groups)))
    days0 = np.clip(np.round(median * noise), 30, 2500).astype(np.int64)
    w = np.asarray(comparison_weights, dtype=float)
    areas = np.concatenate(
        [
            np.full(n_pilot, "Varissuo"),
            np.asarray(comparison_areas)[rng.choice(len(w), size=n_comparison, p=w / w.sum())],
        ]
    )
    return _Persons(groups, mixes["language"], mixes["education"], age, days0, areas)


def _employment_probability(persons: _Persons) -> npt.NDArray[np.float64]:
    """Monthly unemployed -> employed probability without the pilot."""
    return (
        BASE_U_TO_E
        * np.vectorize(AGE_MULT.get)(age_band(persons.age))
        * np.vectorize(LANG_MULT.get)(persons.language)
        * np.vectorize(EDU_MULT.get)(persons.education)
        * np.vectorize(DAYS_MULT.get)(days_band(persons.days0))
    ).astype(float)


@dataclass(frozen=True)
class _Timeline:
    """When each person is in the panel, and the shared random numbers of the chain."""

    months: pd.DatetimeIndex
    entry_offset: IntArray
    last: IntArray
    uniforms: npt.NDArray[np.float64]
    weekdays: IntArray


def _simulate_path(
    persons: _Persons,
    timeline: _Timeline,
    treated: npt.NDArray[np.bool_],
    p_ue: npt.NDArray[np.float64],
    effects: TrueEffects,
) -> tuple[IntArray, IntArray, npt.NDArray[np.float64]]:
    """(status, benefit days, municipal share in euros), person x month; status -1 = out
    of the panel. ``treated`` persons get the planted hazard ratios."""
    n, n_t = timeline.uniforms.shape
    months, entry_offset, last = timeline.months, timeline.entry_offset, timeline.last
    status = np.full((n, n_t), -1, dtype=np.int64)
    eur = np.zeros((n, n_t))
    bdays = np.zeros((n, n_t), dtype=np.int64)
    cum = persons.days0.copy()
    current = np.full(n, UNEMP, dtype=np.int64)
    ue = p_ue * np.where(treated, effects.employment_hazard_ratio, 1.0)
    us = U_TO_S * np.where(treated, effects.services_hazard_ratio, 1.0)
    for t in range(n_t):
        active = (entry_offset <= t) & (last >= t)
        started = entry_offset < t
        # transition for persons already in the panel before this month
        move = active & started
        current = np.where(move, _step(current, timeline.uniforms[:, t], ue, us), current)
        current = np.where(active & ~started, UNEMP, current)
        status[:, t] = np.where(active, current, -1)
        paid = active & np.isin(current, (UNEMP, SERV))
        bdays[:, t] = np.where(paid, timeline.weekdays[t], 0)
        eur[:, t] = np.where(
            paid,
            municipal_share_eur_array(cum, bdays[:, t], current == SERV, int(months[t].year)),
            0.0,
        )
        cum = cum + bdays[:, t]
    return status, bdays, eur


def _frames(
    persons: _Persons,
    timeline: _Timeline,
    observed: tuple[IntArray, IntArray, npt.NDArray[np.float64]],
) -> tuple[npt.NDArray[np.str_], pd.DataFrame, pd.DataFrame]:
    """(person ids, clients, panel) of the observed path."""
    months = timeline.months
    person_ids = np.array(
        [f"{'P' if g == 'pilot' else 'C'}{i:05d}" for i, g in enumerate(persons.groups)]
    )
    clients = pd.DataFrame(
        {
            "person_id": person_ids,
            "group": persons.groups,
            "area": persons.areas,
            "age": persons.age,
            "language": persons.language,
            "education": persons.education,
            "unemployment_days_at_entry": persons.days0,
            "entry_month": months[timeline.entry_offset],
        }
    )
    status, bdays, eur = observed
    rows, cols = np.nonzero(status >= 0)
    panel = pd.DataFrame(
        {
            "person_id": person_ids[rows],
            "month": months[cols],
            "status": np.asarray(STATUSES)[status[rows, cols]],
            "benefit_days": bdays[rows, cols],
            "municipal_share_eur": np.round(eur[rows, cols], 2),
        }
    )
    return person_ids, clients, panel


def generate_clients(
    rng: np.random.Generator,
    *,
    n_pilot: int,
    n_comparison: int,
    pilot_start: pd.Timestamp,
    end: pd.Timestamp,
    effects: TrueEffects,
    comparison_areas: list[str],
    comparison_weights: npt.ArrayLike,
) -> ClientData:
    """Simulate clients, their monthly panel and the realised client-level truth."""
    persons = _draw_persons(rng, n_pilot, n_comparison, comparison_areas, comparison_weights)
    n = len(persons.groups)
    entry_offset = rng.integers(0, INTAKE_MONTHS, size=n)
    months = pd.date_range(pilot_start, end, freq="MS")
    n_t = len(months)
    entry_offset = np.minimum(entry_offset, n_t - 1)

    # Attrition: months in the panel ~ geometric, depends on observables only.
    hazard = (
        MOVE_BASE
        + MOVE_YOUNG * (persons.age < 30)
        + MOVE_OTHER_LANG * (persons.language == "other")
    )
    stay = rng.geometric(hazard)  # number of months observed (>= 1)
    last = np.minimum(entry_offset + stay - 1, n_t - 1)
    p_ue = _employment_probability(persons)
    timeline = _Timeline(
        months=months,
        entry_offset=entry_offset,
        last=last,
        uniforms=rng.random((n, n_t)),
        weekdays=np.array(
            [np.busday_count(m.date(), (m + pd.offsets.MonthBegin(1)).date()) for m in months]
        ),
    )
    pilot = persons.groups == "pilot"
    paths = {
        label: _simulate_path(persons, timeline, treated, p_ue, effects)
        for label, treated in (("observed", pilot), ("counterfactual", np.zeros(n, dtype=bool)))
    }
    person_ids, clients, panel = _frames(persons, timeline, paths["observed"])
    truth_rows = _client_truth(paths, pilot, months)
    exit_month = pd.Series(months[last], index=person_ids)
    return ClientData(clients, panel, truth_rows, exit_month)


def _step(
    current: IntArray,
    u: npt.NDArray[np.float64],
    p_ue: npt.NDArray[np.float64],
    p_us: npt.NDArray[np.float64],
) -> IntArray:
    """One month of the status chain by inverse CDF on the shared uniform ``u``."""
    nxt = current.copy()
    # from unemployed: employed, services, outside, else stay
    from_u = current == UNEMP
    nxt = np.where(from_u & (u < p_ue), EMP, nxt)
    nxt = np.where(from_u & (u >= p_ue) & (u < p_ue + p_us), SERV, nxt)
    nxt = np.where(from_u & (u >= p_ue + p_us) & (u < p_ue + p_us + U_TO_O), OUT, nxt)
    nxt = np.where((current == EMP) & (u < E_TO_U), UNEMP, nxt)
    from_s = current == SERV
    nxt = np.where(from_s & (u < S_TO_U), UNEMP, nxt)
    nxt = np.where(from_s & (u >= S_TO_U) & (u < S_TO_U + S_TO_E), EMP, nxt)
    nxt = np.where((current == OUT) & (u < O_TO_U), UNEMP, nxt)
    return nxt


def _client_truth(
    paths: dict[str, tuple[IntArray, IntArray, npt.NDArray[np.float64]]],
    pilot: npt.NDArray[np.bool_],
    months: pd.DatetimeIndex,
) -> pd.DataFrame:
    s1, _, e1 = paths["observed"]
    s0, _, e0 = paths["counterfactual"]
    present = (s1 >= 0) & pilot[:, None]
    emp = np.where(present, (s1 == EMP).astype(float) - (s0 == EMP).astype(float), 0.0).sum(0)
    eur = np.where(present, np.round(e1, 2) - np.round(e0, 2), 0.0).sum(0)
    weight = present.sum(0)
    period = months.strftime("%Y-%m")
    frames = [
        pd.DataFrame(
            {
                "level": "client",
                "outcome": outcome,
                "period": period,
                "effect_sum": values,
                "weight": weight,
            }
        )
        for outcome, values in (("employed", emp), ("municipal_share_eur", eur))
    ]
    return pd.concat(frames, ignore_index=True)
