"""did() rejects bad input with arviointi errors that say where and what was expected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from arviointi.did import did
from arviointi.errors import DesignError, InputError, ParamsError


def panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    units, periods = 5, 6
    df = pd.DataFrame(
        {
            "u": np.repeat([f"a{i}" for i in range(units)], periods),
            "t": np.tile(np.arange(periods), units),
        }
    )
    df["d"] = ((df.u == "a0") & (df.t >= 3)).astype(int)
    df["y"] = rng.normal(size=len(df))
    return df


def fit(df: pd.DataFrame, **kw: object) -> object:
    return did(df, "y", unit="u", time="t", treatment="d", **kw)  # type: ignore[arg-type]


def test_missing_column_is_named() -> None:
    with pytest.raises(InputError, match=r"column 'd'.*missing"):
        fit(panel().drop(columns="d"))


def test_non_binary_treatment_names_row_and_column() -> None:
    df = panel()
    df.loc[7, "d"] = 2
    with pytest.raises(InputError, match=r"row 7, column 'd': expected 0 or 1, got 2"):
        fit(df)


def test_treatment_switching_off() -> None:
    df = panel()
    df.loc[(df.u == "a0") & (df.t == 5), "d"] = 0
    with pytest.raises(DesignError, match="'a0' switches treatment off"):
        fit(df)


def test_no_pre_period() -> None:
    df = panel()
    df = df[~((df.u == "a0") & (df.t < 3))]
    with pytest.raises(DesignError, match="no pre-period"):
        fit(df)


def test_treated_unit_without_controls() -> None:
    df = panel()
    df = df[df.u == "a0"]
    with pytest.raises(DesignError, match="never-treated comparison units"):
        fit(df)


def test_all_missing_outcome() -> None:
    df = panel()
    df["y"] = np.nan
    with pytest.raises(InputError, match="column 'y': all values are missing"):
        fit(df)


def test_missing_values_dropped_with_count() -> None:
    df = panel()
    df.loc[[2, 11], "y"] = np.nan
    r = did(df, "y", unit="u", time="t", treatment="d")
    assert r.n_obs == len(df) - 2
    assert any("dropped 2 of 30 rows" in w and "'y': 2" in w for w in r.warnings)


def test_staggered_adoption_is_refused() -> None:
    df = panel()
    df.loc[(df.u == "a1") & (df.t >= 4), "d"] = 1
    with pytest.raises(DesignError, match="staggered"):
        fit(df)


def test_duplicate_rows_and_non_numeric_outcome() -> None:
    df = pd.concat([panel(), panel().iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError, match="one row per unit and period"):
        fit(df)
    df = panel().astype({"y": object})
    df.loc[4, "y"] = "n/a"
    with pytest.raises(InputError, match="row 4, column 'y': expected a number"):
        fit(df)


def test_form_and_params_errors() -> None:
    with pytest.raises(DesignError, match="either"):
        did(panel(), "y", unit="u", time="t", treatment="d", group="d", post="d")
    with pytest.raises(ParamsError, match="inference"):
        fit(panel(), inference="bootstrap")
    with pytest.raises(ParamsError, match="alpha"):
        fit(panel(), alpha=1.5)


def test_2x2_empty_cell() -> None:
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "g": [0, 0, 1], "p": [0, 1, 0]})
    with pytest.raises(DesignError, match="g=1, p=1 is empty"):
        did(df, "y", group="g", post="p")


def test_many_staggered_units_are_summarised_not_listed() -> None:
    import pandas as pd

    from arviointi.did import did

    rows = []
    for u in range(2500):
        start = 3 + u % 4  # four start months
        for month in range(10):
            rows.append((f"unit{u:04d}", month, float(u % 7 + month), int(month >= start)))
    for u in range(20):
        rows += [(f"ctrl{u}", month, float(month), 0) for month in range(10)]
    frame = pd.DataFrame(rows, columns=["unit", "month", "y", "treated"])
    with pytest.raises(DesignError) as excinfo:
        did(frame, "y", unit="unit", time="month", treatment="treated")
    message = str(excinfo.value)
    assert "2500 treated units start at 4 different times in column 'month'" in message
    assert "3: 625 unit(s), e.g. unit0000, unit0004, unit0008 and 622 more" in message
    assert len(message) < 600
