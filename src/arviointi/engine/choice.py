"""Which engine runs a fit: ``engine: auto | duckdb | spark | pandas``.

``auto`` keeps small inputs in memory (pandas: every inference method, every diagnostic)
and sends large ones to DuckDB, which scans the files itself. A PySpark DataFrame stays
on its Spark session. Spark is otherwise used only when asked for: on one machine DuckDB
is faster; Spark is for data that live on a cluster (HDFS/S3).
"""

from __future__ import annotations

from typing import Any

from arviointi.data.frames import kind_of, row_count
from arviointi.errors import ParamsError

ENGINES = ("auto", "duckdb", "spark", "pandas")
#: inputs with more rows than this go to DuckDB under ``auto`` (pandas needs ~280 bytes/row)
PANDAS_MAX_ROWS = 2_000_000


def choose_engine(data: Any, engine: str = "auto") -> tuple[str, str]:
    """The engine for ``data`` and a sentence saying why (written to the run manifest)."""
    if engine not in ENGINES:
        raise ParamsError("engine", f"expected one of {list(ENGINES)}, got {engine!r}")
    kind = kind_of(data)
    if engine != "auto":
        if kind == "spark" and engine != "spark":
            return "spark", f"engine={engine!r} asked, but a PySpark DataFrame runs on Spark"
        return engine, f"engine={engine!r} given"
    if kind == "spark":
        return "spark", "a PySpark DataFrame: computed on its Spark session"
    if kind == "pandas":
        return "pandas", "a pandas DataFrame: already in memory"
    rows = row_count(data)
    if rows is None:
        return "duckdb", f"a {kind} input of unknown size: scanned by DuckDB, not loaded"
    if rows <= PANDAS_MAX_ROWS:
        return "pandas", f"{rows} rows <= {PANDAS_MAX_ROWS}: loaded into memory (pandas)"
    return "duckdb", f"{rows} rows > {PANDAS_MAX_ROWS}: computed by DuckDB without loading"
