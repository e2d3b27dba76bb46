"""Card and Krueger (1994) public data as the long (store x wave) frames used by the checks.

FTE = full-time + managers + 0.5 * part-time (the paper's definition). Store ids are row
numbers: the SHEET column is not unique in the public file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "reference" / "card_krueger_public.dat"

COLUMNS = [
    "SHEET",
    "CHAIN",
    "CO_OWNED",
    "STATE",
    "SOUTHJ",
    "CENTRALJ",
    "NORTHJ",
    "PA1",
    "PA2",
    "SHORE",
    "NCALLS",
    "EMPFT",
    "EMPPT",
    "NMGRS",
    "WAGE_ST",
    "INCTIME",
    "FIRSTINC",
    "BONUS",
    "PCTAFF",
    "MEALS",
    "OPEN",
    "HRSOPEN",
    "PSODA",
    "PFRY",
    "PENTREE",
    "NREGS",
    "NREGS11",
    "TYPE2",
    "STATUS2",
    "DATE2",
    "NCALLS2",
    "EMPFT2",
    "EMPPT2",
    "NMGRS2",
    "WAGE_ST2",
    "INCTIME2",
    "FIRSTIN2",
    "SPECIAL2",
    "MEALS2",
    "OPEN2R",
    "HRSOPEN2",
    "PSODA2",
    "PFRY2",
    "PENTREE2",
    "NREGS2",
    "NREGS112",
]


def stores(path: Path = DATA) -> pd.DataFrame:
    """One row per store (410), with ``fte1``/``fte2`` and a unique ``store`` id."""
    d = pd.read_csv(path, sep=r"\s+", header=None, na_values=".")
    if d.shape[1] != len(COLUMNS):
        raise ValueError(f"{path}: expected {len(COLUMNS)} columns, got {d.shape[1]}")
    d.columns = COLUMNS
    d["store"] = np.arange(len(d))
    d["fte1"] = d.EMPFT + d.NMGRS + 0.5 * d.EMPPT
    d["fte2"] = d.EMPFT2 + d.NMGRS2 + 0.5 * d.EMPPT2
    for chain in (2, 3, 4):
        d[f"chain{chain}"] = d["CHAIN"].eq(chain).astype(int)
    return d


def long(d: pd.DataFrame) -> pd.DataFrame:
    """Stack the two waves: columns ``fte``, ``post`` (wave 2), store-level controls x post."""
    w1 = d.assign(fte=d.fte1, post=0)
    w2 = d.assign(fte=d.fte2, post=1)
    out = pd.concat([w1, w2], ignore_index=True)
    for c in ("chain2", "chain3", "chain4", "CO_OWNED"):
        out[f"{c}_post"] = out[c] * out["post"]
    return out


def balanced(d: pd.DataFrame) -> pd.DataFrame:
    """Table 3 balanced sample: FTE available in both waves (384 stores)."""
    return d.dropna(subset=["fte1", "fte2"])


def table4_sample(d: pd.DataFrame) -> pd.DataFrame:
    """Table 4 sample (357 stores): FTE in both waves and the starting wage in both waves,
    except that permanently closed stores (STATUS2 = 3, FTE 0, no wave-2 wage) are kept."""
    b = balanced(d)
    keep = b.WAGE_ST.notna() & (b.WAGE_ST2.notna() | (b.STATUS2 == 3))
    return b.loc[keep]
