"""The shipped StatFin table 12r5 panel (data/statfin/) as a tidy monthly area panel.

Monthly unemployed jobseekers, labour force and open vacancies for the whole country,
ELY centres, regions, sub-regions and municipalities, 2006-01..2023-10, on the 2023
municipal division. See data/statfin/PROVENANCE.md for source, licence and checksums.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from arviointi.data.validate import closest
from arviointi.errors import InputError, Problem

__all__ = [
    "ATTRIBUTION",
    "LEVELS",
    "REGION_KEY_PATH",
    "STATFIN_12R5_PATH",
    "load_statfin_12r5",
    "load_statfin_region_key",
]

ATTRIBUTION = (
    "Source: Statistics Finland / Ministry of Economic Affairs and Employment, Employment "
    "Service Statistics, StatFin table 12r5 (CC BY 4.0)"
)
LICENCE = "CC BY 4.0"

#: The shipped file (repository root data/statfin/).
STATFIN_12R5_PATH = (
    Path(__file__).resolve().parents[3] / "data" / "statfin" / ("tyonv_12r5_monthly.csv.gz")
)

#: Municipality -> sub-region -> region key of the same 2023 division (data/statfin/).
REGION_KEY_PATH = STATFIN_12R5_PATH.parent / "region_key_kunta.csv"
_KEY_COLUMNS = (
    "area_code",
    "area",
    "seutukunta_code",
    "seutukunta_name",
    "maakunta_code",
    "maakunta_name",
)

#: Level codes in the data, most local first; English aliases accepted by the loader.
LEVELS: dict[str, str] = {
    "kunta": "kunta",
    "municipality": "kunta",
    "seutukunta": "seutukunta",
    "sub_region": "seutukunta",
    "maakunta": "maakunta",
    "region": "maakunta",
    "ely": "ely",
    "koko_maa": "koko_maa",
    "country": "koko_maa",
}
_LOCAL_ORDER = ["kunta", "seutukunta", "maakunta", "ely", "koko_maa"]
_COUNTS = ("unemployed", "labour_force", "open_vacancies")


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(
            str(path),
            "the shipped StatFin 12r5 file is missing; expected it in data/statfin/ "
            "(rebuild it with scripts/build_statfin_data.py)",
        )
    try:
        raw = pd.read_csv(
            path,
            compression="gzip",
            dtype={
                "area_code": "str",
                "area": "str",
                "area_level": "str",
                "month": "str",
                "unemployed": "float64",
                "labour_force": "float64",
                "open_vacancies": "float64",
            },
            keep_default_na=False,
            na_values=[""],
        )
    except (OSError, ValueError, EOFError, zlib.error) as e:
        raise InputError(
            str(path),
            f"this file is damaged: cannot read the StatFin file ({type(e).__name__}: {e}); it "
            "is probably truncated or corrupted (rebuild it with scripts/build_statfin_data.py)",
        ) from None
    raw["month"] = pd.to_datetime(raw["month"], format="%Y-%m").astype("datetime64[ns]")
    return raw


def _month(value: Any, key: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(str(value) if not isinstance(value, pd.Timestamp) else value)
    except (ValueError, TypeError):
        raise InputError(
            f"load_statfin_12r5({key}=...)", f"{key}={value!r}; expected a month like '2012-01'"
        ) from None
    return ts.to_period("M").to_timestamp()


def _resolve_areas(
    data: pd.DataFrame, areas: Sequence[str], level: str | None, source: str
) -> list[str]:
    """Area names or codes -> area codes. A name on several levels means the most local."""
    table = data[["area_code", "area", "area_level"]].drop_duplicates()
    codes = set(table["area_code"])
    by_name: dict[str, list[tuple[str, str]]] = {}
    for code, name, lvl in table.itertuples(index=False):
        by_name.setdefault(str(name).casefold(), []).append((str(lvl), str(code)))
    out: list[str] = []
    problems: list[Problem] = []
    for a in areas:
        if a in codes:
            out.append(a)
            continue
        hits = by_name.get(str(a).casefold())
        if hits:
            hits.sort(key=lambda h: _LOCAL_ORDER.index(h[0]))
            out.append(hits[0][1])
            continue
        pool = sorted(set(table["area"]) | codes)
        close = closest(str(a), pool, n=3, cutoff=0.6)
        hint = f"; closest: {', '.join(repr(c) for c in close)}" if close else ""
        lvl = f" at level {level!r}" if level else ""
        problems.append(Problem("areas", f"area {a!r} is not in StatFin 12r5{lvl}{hint}"))
    if problems:
        raise InputError(source, problems)
    return out


def load_statfin_12r5(
    *,
    areas: Sequence[str] | None = None,
    level: str | None = None,
    start: Any = None,
    end: Any = None,
    path: Path | None = None,
) -> pd.DataFrame:
    """Tidy monthly panel from the shipped StatFin 12r5 extract.

    areas : names (Finnish, case-insensitive) or codes (``KU853``, ``SK023``, ``MK02``,
        ``SSS``). A name used on several levels (Turku is a municipality and a sub-region)
        means the most local one unless ``level`` is given; codes are never ambiguous.
    level : "kunta"/"municipality", "seutukunta"/"sub_region", "maakunta"/"region",
        "ely", "koko_maa"/"country"
    start, end : first and last month kept (inclusive), e.g. "2010-01"
    path : another copy of the shipped file (default: data/statfin/)

    Columns: area, area_code, area_level, month (datetime64[ns], month start), unemployed,
    labour_force, open_vacancies, unemployment_rate (100 * unemployed / labour_force).
    Counts are int64 when the returned rows have no missing value, else float64 (Åland
    municipalities and some early vacancy counts are suppressed in the source).
    attrs: source (attribution), licence, synthetic (False), sources ([{path, sha256}]).
    """
    file = Path(path) if path is not None else STATFIN_12R5_PATH
    source = str(file)
    data = _read(file)
    if level is not None:
        if level not in LEVELS:
            raise InputError(
                "load_statfin_12r5(level=...)",
                f"level={level!r}; expected one of {sorted(LEVELS)}",
            )
        data = data[data["area_level"] == LEVELS[level]]
    if areas is not None:
        if isinstance(areas, str):
            areas = [areas]
        wanted = _resolve_areas(data, list(areas), level, source)
        data = data[data["area_code"].isin(wanted)]
        order = {c: i for i, c in enumerate(wanted)}
        data = data.sort_values(
            ["area_code", "month"], key=lambda s: s.map(order) if s.name == "area_code" else s
        )
    if start is not None:
        data = data[data["month"] >= _month(start, "start")]
    if end is not None:
        data = data[data["month"] <= _month(end, "end")]
    out = data.reset_index(drop=True)
    for c in _COUNTS:
        if not out[c].isna().any():
            out[c] = out[c].astype("int64")
    u = out["unemployed"].to_numpy(dtype="float64")
    lf = out["labour_force"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["unemployment_rate"] = np.where(lf > 0, 100.0 * u / lf, np.nan)
    out = out[
        [
            "area",
            "area_code",
            "area_level",
            "month",
            "unemployed",
            "labour_force",
            "open_vacancies",
            "unemployment_rate",
        ]
    ]
    out.attrs = {
        "source": ATTRIBUTION,
        "licence": LICENCE,
        "synthetic": False,
        "sources": [{"path": source, "sha256": hashlib.sha256(file.read_bytes()).hexdigest()}],
    }
    return out


def load_statfin_region_key(path: Path | None = None) -> pd.DataFrame:
    """The sub-region (seutukunta) and region (maakunta) of every municipality in 12r5.

    One row per municipality code with columns area_code, area, seutukunta_code,
    seutukunta_name, maakunta_code, maakunta_name (all text; 2023 division, the same as
    the panel). attrs: sources ([{path, sha256}]), synthetic (False).
    """
    file = Path(path) if path is not None else REGION_KEY_PATH
    if not file.is_file():
        raise InputError(str(file), "the shipped StatFin region key is missing (data/statfin/)")
    try:
        key = pd.read_csv(file, dtype="str", keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as e:
        raise InputError(str(file), f"cannot read the region key ({e})") from None
    missing = [c for c in _KEY_COLUMNS if c not in key.columns]
    problems = [Problem(f"column {c!r}", "missing") for c in missing]
    if not missing:
        for c in _KEY_COLUMNS:
            for row in key.index[key[c].isna()][:5]:
                problems.append(Problem(f"line {int(row) + 2}, column {c!r}", "empty"))
        for row in key.index[key["area_code"].duplicated()][:5]:
            problems.append(
                Problem(f"line {int(row) + 2}, column 'area_code'", "duplicate municipality")
            )
    if problems:
        raise InputError(str(file), problems)
    out = key[list(_KEY_COLUMNS)].reset_index(drop=True)
    out.attrs = {
        "synthetic": False,
        "sources": [{"path": str(file), "sha256": hashlib.sha256(file.read_bytes()).hexdigest()}],
    }
    return out
