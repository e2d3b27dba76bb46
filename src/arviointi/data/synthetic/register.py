"""A deterministic synthetic register of person-months at any scale (SYNTHETIC persons).

:func:`write_register` writes a partitioned Parquet dataset (``part-00000.parquet``, ...)
chunk by chunk, so memory stays near one chunk (about 100 MB) whatever the size, and
returns the planted truth (also written to ``_truth.json`` beside the parts; Parquet
readers skip names starting with ``_``).

The panel is unbalanced the way a register extract is: every person enters the register
in some month and leaves it in a later one (spells of 1 to 60 months, entries spread
over the whole window) and a few months inside a spell are missing (about 2 %). Pilot
participants are persons registered at the pilot start; with ``staggered=True`` they
join in one of four cohorts (``first_treated`` holds the cohort's start month).

Outcome ``income`` (euros per month) = person effect (correlated with participation:
participants earn less, the selection DiD is built for) + a seasonal and trending month
effect + ``effect`` per treated month + noise. ``employed`` is 1 when income exceeds 1500.
Chunk ``c`` draws from ``default_rng([seed, c])``: the same seed gives the same files.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

MONTHS = 60  # 2020-01 .. 2024-12
FIRST_MONTH = np.datetime64("2020-01", "M")
PILOT_START = 14  # 2021-03
COHORTS = (14, 20, 26, 32)  # staggered starts (2021-03, 2021-09, 2022-03, 2022-09)
MEAN_SPELL = 40.0
ROWS_PER_PERSON = 20.0  # observed mean of the truncated spells (measured, seed 2024)
CHUNK_PERSONS = 100_000


@dataclass(frozen=True)
class RegisterTruth:
    """What was planted: the true effect on ``income`` per treated person-month."""

    effect: float
    rows: int
    persons: int
    treated_persons: int
    months: int
    pilot_start: str
    staggered: bool
    seed: int
    files: int


def _chunk(c: int, n: int, first_id: int, seed: int, staggered: bool, effect: float) -> dict:
    rng = np.random.default_rng([seed, c])
    entry = rng.integers(-20, MONTHS, size=n)
    length = rng.integers(1, 2 * int(MEAN_SPELL) - 20, size=n)
    start = np.clip(entry, 0, MONTHS - 1)
    stop = np.clip(entry + length, start + 1, MONTHS)  # exclusive
    present = (start <= PILOT_START) & (stop > PILOT_START)
    level = rng.normal(0.0, 400.0, size=n)
    p_treat = np.where(level < 0, 0.45, 0.25)
    treated = present & (rng.random(n) < p_treat)
    cohort = np.where(treated, PILOT_START, -1)
    if staggered:
        pick = np.asarray(COHORTS)[rng.integers(0, len(COHORTS), size=n)]
        cohort = np.where(treated & (pick < stop), np.maximum(pick, start), -1)
        cohort = np.where(cohort >= 0, np.maximum(cohort, PILOT_START), -1)
    level = level - 150.0 * treated
    counts = stop - start
    pid = np.repeat(np.arange(first_id, first_id + n, dtype=np.int64), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    month = np.repeat(start, counts) + offset
    keep = rng.random(len(month)) > 0.02
    coh = np.repeat(cohort, counts)
    keep |= (coh >= 0) & (month == coh)  # the start month is always observed
    pid, month, coh = pid[keep], month[keep], coh[keep]
    lev = np.repeat(level, counts)[keep]
    d = ((coh >= 0) & (month >= coh)).astype(np.int8)
    season = 80.0 * np.sin(2 * np.pi * (month % 12) / 12) + 4.0 * month
    income = 1500.0 + lev + season + effect * d + rng.normal(0.0, 300.0, size=len(month))
    return {
        "person_id": pid,
        "month": month,
        "pilot": d,
        "first_treated": coh,
        "income": np.round(income, 2),
        "employed": (income > 1500).astype(np.int8),
        "treated_persons": int(treated.sum()),
    }


def _table(chunk: dict):  # type: ignore[no-untyped-def,unused-ignore]
    import pyarrow as pa

    months = (FIRST_MONTH + chunk["month"]).astype("datetime64[D]")
    first = chunk["first_treated"]
    first_dates = (FIRST_MONTH + np.maximum(first, 0)).astype("datetime64[D]")
    return pa.table(
        {
            "person_id": pa.array(chunk["person_id"]),
            "month": pa.array(months, type=pa.date32()),
            "pilot": pa.array(chunk["pilot"]),
            "first_treated": pa.array(first_dates, type=pa.date32(), mask=first < 0),
            "income": pa.array(chunk["income"]),
            "employed": pa.array(chunk["employed"]),
        }
    )


def write_register(
    out_dir: str | Path,
    rows: int,
    *,
    seed: int = 2024,
    staggered: bool = False,
    effect: float = 150.0,
) -> RegisterTruth:
    """Write about ``rows`` person-months to ``out_dir`` (see the module docstring)."""
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.parquet"):
        old.unlink()
    persons = max(10, round(rows / ROWS_PER_PERSON))
    written = treated = files = 0
    for c, first in enumerate(range(0, persons, CHUNK_PERSONS)):
        n = min(CHUNK_PERSONS, persons - first)
        chunk = _chunk(c, n, first, seed, staggered, effect)
        treated += chunk["treated_persons"]
        table = _table(chunk)
        pq.write_table(table, out / f"part-{c:05d}.parquet", row_group_size=1 << 20)
        written += table.num_rows
        files += 1
    truth = RegisterTruth(
        effect=effect,
        rows=written,
        persons=persons,
        treated_persons=treated,
        months=MONTHS,
        pilot_start=str(FIRST_MONTH + PILOT_START),
        staggered=staggered,
        seed=seed,
        files=files,
    )
    (out / "_truth.json").write_text(json.dumps(asdict(truth), indent=2) + "\n", encoding="utf-8")
    return truth
