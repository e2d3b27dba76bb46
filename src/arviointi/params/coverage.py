"""Does the data cover the design? Missing outcome values and missing months, before a run.

``arviointi run`` stops in the analyses when an outcome of a design area is missing in a
month of the evaluation window (a NaN in the panel, or a month without a row): the
difference-in-differences panel would be unbalanced and the estimators refuse it. The
same is checked here so that ``arviointi validate`` finds it first, with every area and
month listed (the first few, then the count).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is loaded with the data, not with the parameters
    import pandas as pd

#: how many (area, month) cells a message lists before giving the count
SHOWN = 6


def _listed(cells: Sequence[tuple[str, pd.Timestamp]]) -> str:
    shown = ", ".join(f"{area} {month:%Y-%m}" for area, month in cells[:SHOWN])
    more = f" and {len(cells) - SHOWN} more" if len(cells) > SHOWN else ""
    return shown + more


def coverage_problems(
    frame: pd.DataFrame,
    outcome: str,
    areas: Sequence[str],
    first: pd.Timestamp,
    last: pd.Timestamp,
    source: str,
) -> list[str]:
    """Messages for missing values and months of ``outcome`` of ``areas`` in first..last.

    The window is cut to the months the source has at all (data ending before ``end`` is
    the as-of rule's business, not a gap).
    """
    import pandas as pd

    months = pd.to_datetime(frame["month"])
    inside = months.between(first, last) & frame["area"].astype(str).isin(areas)
    part = frame.loc[inside, ["area", "month", outcome]].copy()
    part["month"] = months[inside]
    if part.empty:
        return []
    span = pd.date_range(part["month"].min(), part["month"].max(), freq="MS")
    messages: list[str] = []
    missing = part.loc[part[outcome].isna()].sort_values(["month", "area"])
    if len(missing):
        cells = list(zip(missing["area"].astype(str), missing["month"], strict=True))
        messages.append(
            f"source '{source}': {len(cells)} missing '{outcome}' value(s) of the design areas "
            f"in {span[0]:%Y-%m}..{span[-1]:%Y-%m}: {_listed(cells)}; expected a value for "
            "every design area and month (fill them, or shorten the windows)"
        )
    values = part[outcome].dropna()
    if len(values) > 1 and values.nunique() == 1:
        messages.append(
            f"source '{source}': '{outcome}' is {values.iloc[0]:g} for every design area and "
            f"month in {span[0]:%Y-%m}..{span[-1]:%Y-%m}; a constant outcome has nothing "
            "to estimate from (the wrong column, or a placeholder?)"
        )
    have = set(zip(part["area"].astype(str), part["month"], strict=True))
    gaps = [(a, m) for m in span for a in sorted(set(areas)) if (a, m) not in have]
    gaps = [(a, m) for a, m in gaps if a in set(part["area"].astype(str))]
    if gaps:
        messages.append(
            f"source '{source}': {len(gaps)} month(s) without a row for a design area in "
            f"{span[0]:%Y-%m}..{span[-1]:%Y-%m}: {_listed(gaps)}; expected every month "
            "from the first to the last (a gap in the months)"
        )
    return messages
