"""Client survey: waves 0 (entry), 1 (+6 months), 2 (+12 months).

Scales: life_management 1..10, work_ability 0..10, wellbeing 14..70 (WEMWBS-like), all
integers. Scores = person level (from a latent trait and the observables) + a common
improvement of 0.15 scale-SD per wave + noise; pilot clients get the planted shift (half
at wave 1, full at wave 2) added before rounding and clipping, with the SAME noise draws
as their counterfactual scores.

Missing waves: a wave is missing when the person has left the panel (moved away) by the
wave month or the wave falls after the data end, and otherwise with a response probability
that depends on observables only (lower for foreign-language and young respondents, and
falling by wave). Missingness therefore does not depend on the outcome given observables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .clients import age_band, days_band
from .truth import TrueEffects

SCALES = {
    # name: (low, high, mean, person sd, noise sd)
    "life_management": (1, 10, 5.6, 1.2, 1.0),
    "work_ability": (0, 10, 5.2, 1.4, 1.1),
    "wellbeing": (14, 70, 44.0, 6.0, 5.0),
}
RESPONSE_BASE = (0.95, 0.78, 0.68)
RESPONSE_OTHER_LANG = -0.15
RESPONSE_YOUNG = -0.10
WAVE_GAP_MONTHS = 6


def generate_survey(
    rng: np.random.Generator,
    clients: pd.DataFrame,
    exit_month: pd.Series,
    end: pd.Timestamp,
    effects: TrueEffects,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (survey rows that were answered, survey truth rows)."""
    n = len(clients)
    pilot = (clients["group"] == "pilot").to_numpy()
    trait = rng.standard_normal(n)
    long_unemployed = days_band(clients["unemployment_days_at_entry"]) == "1000+"
    older = age_band(clients["age"]) == "50+"
    young = age_band(clients["age"]) == "<30"
    other_lang = (clients["language"] == "other").to_numpy()
    tertiary = (clients["education"] == "tertiary").to_numpy()
    exits = exit_month.reindex(clients["person_id"]).to_numpy()
    entry = clients["entry_month"].to_numpy()

    records: list[pd.DataFrame] = []
    truth: list[dict[str, object]] = []
    for wave in range(3):
        month = pd.DatetimeIndex(entry) + pd.DateOffset(months=WAVE_GAP_MONTHS * wave)
        reachable = (month.to_numpy() <= exits) & (month.to_numpy() <= np.datetime64(end))
        p = RESPONSE_BASE[wave] + RESPONSE_OTHER_LANG * other_lang + RESPONSE_YOUNG * young
        answered = reachable & (rng.random(n) < p)
        frame = pd.DataFrame(
            {"person_id": clients["person_id"].to_numpy(), "wave": wave, "month": month}
        )
        for name, (low, high, mean, sd_person, sd_noise) in SCALES.items():
            level = (
                mean
                + sd_person * trait
                + sd_person * (-0.4 * long_unemployed - 0.3 * older + 0.3 * tertiary)
                + 0.15 * sd_person * wave
                + sd_noise * rng.standard_normal(n)
            )
            shift = getattr(effects, name) * (0.0, 0.5, 1.0)[wave]
            y0 = np.clip(np.round(level), low, high)
            y1 = np.clip(np.round(level + shift * pilot), low, high)
            frame[name] = y1.astype(np.int64)
            treated = answered & pilot
            truth.append(
                {
                    "level": "survey",
                    "outcome": name,
                    "period": str(wave),
                    "effect_sum": float((y1 - y0)[treated].sum()),
                    "weight": int(treated.sum()),
                }
            )
        records.append(frame[answered])
    survey = pd.concat(records, ignore_index=True)
    return survey, pd.DataFrame(truth)
