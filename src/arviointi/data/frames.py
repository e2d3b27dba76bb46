"""Recognise and open the tabular inputs the estimators accept.

An estimator's ``data`` may be a pandas DataFrame, a polars DataFrame or LazyFrame, a
pyarrow Table, a path or glob of Parquet or CSV files (a ``str`` or ``Path``; a directory
means every ``*.parquet`` file below it), a DuckDB relation or a PySpark DataFrame.

* :func:`kind_of` names the kind; :func:`row_count` gives the number of rows when it is
  cheap to know (file metadata, in-memory frames) and ``None`` otherwise.
* :func:`to_pandas` copies only the named columns into pandas (for the small inputs of
  the in-memory estimators).
* :func:`duckdb_relation` and :func:`spark_frame` open the input in an engine without
  going through pandas (files are scanned by the engine itself).

This module is part of the data layer: it is the only place outside
:mod:`arviointi.data.readers` that opens data files.
"""

from __future__ import annotations

import glob as globlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from arviointi.column_checks import require_columns as check_columns
from arviointi.errors import InputError, Problem

KINDS = ("pandas", "polars", "polars_lazy", "arrow", "files", "duckdb", "spark")
_FILE_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def kind_of(data: Any) -> str:
    """The kind of input (one of :data:`KINDS`); InputError for anything else."""
    if isinstance(data, pd.DataFrame):
        return "pandas"
    if isinstance(data, (str, Path)):
        return "files"
    module = type(data).__module__.split(".")[0]
    name = type(data).__name__
    if module == "polars":
        if name == "DataFrame":
            return "polars"
        if name == "LazyFrame":
            return "polars_lazy"
    if module == "pyarrow" and name == "Table":
        return "arrow"
    if module in ("duckdb", "_duckdb") and "Relation" in name:
        return "duckdb"
    if module == "pyspark" and name == "DataFrame":
        return "spark"
    raise InputError(
        f"<{name}>",
        "data must be a pandas or polars DataFrame, a polars LazyFrame, a pyarrow Table, "
        "a path or glob of Parquet/CSV files, a DuckDB relation or a PySpark DataFrame; "
        f"got {type(data).__module__}.{name}",
    )


def label_of(data: Any) -> str:
    """How errors name the input: the path for files, ``<kind>`` otherwise."""
    kind = kind_of(data)
    if kind == "files":
        return str(data)
    return "<DataFrame>" if kind == "pandas" else f"<{kind}>"


def expand_files(data: str | Path) -> tuple[list[Path], str]:
    """The files a path, directory or glob names, and their format ("parquet" or "csv").

    Raises InputError naming the path when nothing matches or the formats are mixed.
    """
    text = str(data)
    p = Path(text)
    if p.is_dir():
        files = sorted(q for q in p.rglob("*") if q.suffix.lower() in (".parquet", ".pq"))
    elif any(ch in text for ch in "*?["):
        files = sorted(Path(f) for f in globlib.glob(text, recursive=True) if Path(f).is_file())
    elif p.is_file():
        files = [p]
    else:
        raise InputError(text, "no such file or directory")
    if not files:
        raise InputError(text, "the path or glob matches no Parquet or CSV files")
    formats = {_FILE_FORMATS.get(f.suffix.lower()) for f in files}
    if None in formats:
        bad = next(f for f in files if f.suffix.lower() not in _FILE_FORMATS)
        raise InputError(str(bad), "expected a .parquet or .csv file")
    if len(formats) > 1:
        raise InputError(text, "the files mix Parquet and CSV; give one format")
    return files, formats.pop() or "parquet"


def parquet_schema(files: Sequence[Path]) -> dict[str, str]:
    """The common column types of Parquet files; InputError naming the file that disagrees."""
    import pyarrow.parquet as pq

    first: dict[str, str] | None = None
    for f in files:
        try:
            schema = pq.read_schema(f)
        except Exception as exc:  # pyarrow raises several types for unreadable files
            raise InputError(str(f), f"not a readable Parquet file ({exc})") from exc
        cols = {n: str(schema.field(n).type) for n in schema.names}
        if first is None:
            first = cols
            continue
        problems = [
            Problem(f"column {c!r}", f"missing here but present in {files[0]}")
            for c in first
            if c not in cols
        ]
        problems += [
            Problem(f"column {c!r}", f"type {cols[c]} here but {first[c]} in {files[0]}")
            for c in first
            if c in cols and cols[c] != first[c] and not _compatible(cols[c], first[c])
        ]
        problems += [
            Problem(f"column {c!r}", f"not present in {files[0]}") for c in cols if c not in first
        ]
        if problems:
            raise InputError(str(f), problems)
    return first or {}


def _compatible(a: str, b: str) -> bool:
    ints = {"int8", "int16", "int32", "int64"}
    return a in ints and b in ints


def columns_of(data: Any) -> list[str]:
    """The column names of any accepted input (file inputs: from the metadata or header)."""
    kind = kind_of(data)
    if kind == "pandas":
        return [str(c) for c in data.columns]
    if kind == "polars_lazy":
        return list(data.collect_schema().names())
    if kind == "arrow":
        return [str(c) for c in data.column_names]
    if kind in ("polars", "duckdb", "spark"):
        return [str(c) for c in data.columns]
    files, fmt = expand_files(data)
    if fmt == "parquet":
        return list(parquet_schema(files))
    header = pd.read_csv(files[0], nrows=0, sep=None, engine="python")
    return [str(c) for c in header.columns]


def require_columns(data: Any, columns: Sequence[str]) -> None:
    """InputError naming the input and every missing column."""
    check_columns(data, columns, label_of(data), have=columns_of(data))


def row_count(data: Any) -> int | None:
    """Number of rows: from memory or Parquet metadata; a counting scan for polars
    LazyFrames, DuckDB relations and CSV files; None for Spark (it stays on Spark)."""
    kind = kind_of(data)
    if kind in ("pandas", "polars"):
        return len(data)
    if kind == "arrow":
        return int(data.num_rows)
    if kind == "polars_lazy":
        import polars as pl

        return int(data.select(pl.len()).collect().item())
    if kind == "duckdb":
        return int(data.aggregate("count(*)").fetchall()[0][0])
    if kind == "files":
        files, fmt = expand_files(data)
        if fmt != "parquet":
            import duckdb

            con = duckdb.connect()
            try:
                return int(duckdb_relation(con, data).aggregate("count(*)").fetchall()[0][0])
            finally:
                con.close()
        import pyarrow.parquet as pq

        total = 0
        for f in files:
            try:
                total += int(pq.read_metadata(f).num_rows)
            except Exception as exc:  # pyarrow raises several types for unreadable files
                raise InputError(str(f), f"not a readable Parquet file ({exc})") from exc
        return total
    return None


def to_pandas(data: Any, columns: Sequence[str | None]) -> pd.DataFrame:
    """The named columns of any accepted input as a pandas DataFrame (pandas: as it is)."""
    kind = kind_of(data)
    if kind == "pandas":
        return data  # the estimator's own checks name what is missing
    cols = list(dict.fromkeys(c for c in columns if c is not None))
    require_columns(data, cols)
    if kind == "polars":
        return data.select(cols).to_pandas()
    if kind == "polars_lazy":
        return data.select(cols).collect().to_pandas()
    if kind == "arrow":
        return data.select(cols).to_pandas()
    if kind == "duckdb":
        return data.select(*[_dq(c) for c in cols]).df()
    if kind == "spark":
        return data.select(*cols).toPandas()
    import duckdb

    con = duckdb.connect()
    try:
        return duckdb_relation(con, data).select(*[_dq(c) for c in cols]).df()
    finally:
        con.close()


def _dq(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def duckdb_relation(con: Any, data: Any) -> Any:
    """Open ``data`` as a relation of the DuckDB connection ``con`` (files scanned lazily).

    A DuckDB relation is returned as it is (it stays bound to its own connection).
    """
    kind = kind_of(data)
    if kind == "duckdb":
        return data
    if kind == "spark":
        raise InputError("<spark>", "a PySpark DataFrame runs on engine='spark', not duckdb")
    if kind == "files":
        files, fmt = expand_files(data)
        listing = "[" + ", ".join(_sql_str(str(f)) for f in files) + "]"
        if fmt == "parquet":
            parquet_schema(files)
            return con.sql(f"SELECT * FROM read_parquet({listing})")
        return con.sql(f"SELECT * FROM read_csv({listing}, union_by_name = true)")
    if kind == "polars_lazy":
        data = data.collect()
    if kind in ("polars", "polars_lazy"):
        data = data.to_arrow()
    return con.from_arrow(data) if kind != "pandas" else con.from_df(data)


def spark_frame(spark: Any, data: Any) -> Any:
    """Open ``data`` as a PySpark DataFrame of ``spark`` (files read by Spark itself).

    Paths may be any URI Spark reads (``hdfs://``, ``s3a://``); local paths are checked
    first so that a missing file is named before Spark starts a job.
    """
    kind = kind_of(data)
    if kind == "spark":
        return data
    if kind == "files":
        text = str(data)
        if "://" in text and not text.startswith("file://"):
            fmt = "csv" if text.lower().endswith(".csv") else "parquet"
            reader = spark.read.option("header", "true").option("inferSchema", "true")
            return reader.parquet(text) if fmt == "parquet" else reader.csv(text)
        files, fmt = expand_files(data)
        paths = [str(f.resolve()) for f in files]
        if fmt == "parquet":
            parquet_schema(files)
            return spark.read.parquet(*paths)
        return spark.read.option("header", "true").option("inferSchema", "true").csv(paths)
    if kind == "duckdb":
        data = data.fetch_arrow_table()
    elif kind == "polars_lazy":
        data = data.collect().to_arrow()
    elif kind == "polars":
        data = data.to_arrow()
    if kind == "pandas":
        return spark.createDataFrame(data)
    return spark.createDataFrame(data.to_pandas())


def as_pandas(
    data: Any, columns: Sequence[str | None], source: str = "<DataFrame>"
) -> tuple[pd.DataFrame, str]:
    """``(frame, source)`` for an in-memory estimator: pandas as it is, anything else
    narrowed to ``columns`` and copied, with ``source`` naming the input in errors."""
    if isinstance(data, pd.DataFrame):
        return data, source
    label = label_of(data) if source == "<DataFrame>" else source
    return to_pandas(data, columns), label
