"""The three passes over the rows, shared by the engine estimators.

Each takes a view with the fixed columns of :mod:`arviointi.engine.sql` (``u``, ``t``,
``y``, ``d``, ``w0..``, ``c``, ``ok``), runs one grouped query and returns small pandas
frames: per period (:func:`time_pass`), per observation pattern (:func:`pattern_pass`)
and the totals of the cluster scores (:func:`score_pass`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from arviointi.engine import sql
from arviointi.engine.backend import Backend
from arviointi.engine.normal_equations import Solution, pattern_matrix
from arviointi.errors import DesignError, InputError, Problem


def time_pass(
    backend: Backend, view: str, k: int, counts: dict[str, str], tag: int, weighted: bool = False
) -> tuple[pd.Series, pd.DataFrame, str]:
    """Per-period sums; returns (totals incl. ``counts``, periods sorted, period-code table).

    Periods that hold only incomplete rows are dropped from the codes.
    """
    bytime_name, times_name = f"arv_bytime_{tag}", f"arv_times_{tag}"
    backend.materialize(bytime_name, sql.by_time(view, k, counts, weighted))
    total = backend.sql(f"SELECT * FROM {bytime_name}").drop(columns=["t"]).sum()
    backend.materialize(times_name, sql.time_codes(bytime_name))
    bytime = backend.sql(
        f"SELECT b.*, m.tc FROM {bytime_name} b JOIN {times_name} m ON b.t = m.t"
    ).sort_values("tc", ignore_index=True)
    bytime = bytime[bytime["n"].fillna(0) > 0].reset_index(drop=True)
    if len(bytime) and len(bytime) != int(bytime["tc"].max()) + 1:
        keep = ", ".join(str(int(x)) for x in bytime["tc"])
        backend.materialize(
            f"{times_name}_kept",
            f"SELECT t, CAST(DENSE_RANK() OVER (ORDER BY t) - 1 AS INT) AS tc FROM {times_name} "
            f"WHERE tc IN ({keep})",
        )
        times_name = f"{times_name}_kept"
        bytime["tc"] = np.arange(len(bytime))
    return total, bytime, times_name


def pattern_pass(
    backend: Backend,
    view: str,
    times_name: str,
    k: int,
    n_times: int,
    unit_keys: dict[str, str],
    tag: int,
    weighted: bool = False,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Units grouped by observation pattern, and the patterns' 0/1 period matrix."""
    bits = f"arv_tbits_{tag}"
    backend.materialize(bits, sql.time_bits(times_name, n_times))
    patterns = backend.sql(sql.by_pattern(view, bits, k, n_times, unit_keys, weighted))
    return patterns, pattern_matrix(patterns, n_times)


def score_pass(
    backend: Backend, view: str, times_name: str, sol: Solution, tag: int, weighted: bool = False
) -> pd.Series:
    """Totals of the score pass for the fitted ``sol`` (CR1 meat, RSS, cluster checks)."""
    k = len(sol.beta)
    rows: list[list[Any]] = [
        [tc, sol.delta[tc], *sol.gamma[tc], *sol.beta] for tc in range(len(sol.delta))
    ]
    params_name = f"arv_params_{tag}"
    backend.materialize(params_name, sql.params_table(rows, k))
    backend.materialize(
        f"{params_name}_t",
        f"SELECT m.t, p.* FROM {times_name} m JOIN {params_name} p ON m.tc = p.tc",
    )
    out: pd.Series = backend.sql(sql.scores(view, f"{params_name}_t", k, weighted)).iloc[0]
    return out


def check_clusters(sc: pd.Series, cols: dict[str, str], label: str) -> None:
    """Clusters must be constant within a unit and nested in the treatment groups."""
    if int(sc["split_units"]):
        raise InputError(
            label,
            [
                Problem(
                    f"column {cols['cluster']!r}",
                    f"{int(sc['split_units'])} units lie in more than one cluster; clusters "
                    f"must be constant within a unit ({cols['unit']!r})",
                )
            ],
        )
    if int(sc["mixed_clusters"]):
        raise DesignError(
            f"{int(sc['mixed_clusters'])} cluster(s) (column {cols['cluster']!r}) hold both "
            "treated and control units; clusters must be nested in the treatment groups"
        )
