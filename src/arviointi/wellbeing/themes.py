"""Summary of coded qualitative material: themes by wave, with counts for disclosure control."""

from __future__ import annotations

import pandas as pd

from arviointi.matching.frame_checks import (
    bad_rows_problem,
    raise_if_problems,
    require_columns,
    require_frame,
)


def themes_by_wave(
    coded: pd.DataFrame,
    *,
    id_col: str = "person_id",
    wave_col: str = "wave",
    theme_col: str = "theme",
) -> pd.DataFrame:
    """Count coded themes per wave.

    ``coded`` has one row per coded segment: a respondent (``person_id`` or a response id),
    a wave and a theme. Output, one row per (wave, theme), sorted by wave then by number of
    respondents: ``n_segments`` (coded rows), ``n_respondents`` (distinct respondents with
    the theme), ``n_respondents_wave`` (distinct respondents coded in that wave) and
    ``share_pct`` = 100 * n_respondents / n_respondents_wave. Rows with a missing id, wave
    or theme raise InputError.

    Example::

        themes_by_wave(coded)                      # person_id, wave, theme
        themes_by_wave(coded, id_col="response_id")
    """
    require_frame(coded, "coded")
    require_columns(coded, [id_col, wave_col, theme_col], "coded", purpose="coded material")
    raise_if_problems(
        [
            bad_rows_problem(coded[c].isna().to_numpy(), c, "a value (missing)")
            for c in (id_col, wave_col, theme_col)
        ],
        "coded",
    )
    grouped = coded.groupby([wave_col, theme_col])
    out = pd.DataFrame(
        {
            "n_segments": grouped.size(),
            "n_respondents": grouped[id_col].nunique(),
        }
    ).reset_index()
    per_wave = coded.groupby(wave_col)[id_col].nunique()
    out["n_respondents_wave"] = out[wave_col].map(per_wave).astype(int)
    out["share_pct"] = 100 * out["n_respondents"] / out["n_respondents_wave"]
    out = out.sort_values(
        [wave_col, "n_respondents", theme_col], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
    return out.rename(columns={wave_col: "wave", theme_col: "theme"})
