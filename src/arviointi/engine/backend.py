"""The two SQL engines behind one small interface: DuckDB in process, Apache Spark.

The estimators in :mod:`arviointi.engine` write one SQL text per step and run it on either
backend unchanged; the backends differ only in how an identifier is quoted (used once, to
expose the input columns under fixed names), how a small result is materialised and how
engine exceptions are translated. Every result that comes back is an aggregate: a few
rows per time period, per observation pattern or in total, never the person-level rows.
"""

from __future__ import annotations

import itertools
from typing import Any, Protocol

import pandas as pd

from arviointi.data.frames import duckdb_relation, label_of, spark_frame
from arviointi.errors import InputError, PipelineError

_ids = itertools.count()


class Backend(Protocol):
    """What an engine estimator needs from a SQL engine."""

    name: str
    label: str

    def quote(self, name: str) -> str: ...

    def view_of_input(self, select_list: str, where: str = "") -> str: ...

    def view_of_sql(self, query: str) -> str: ...

    def sql(self, query: str) -> pd.DataFrame: ...

    def materialize(self, name: str, query: str) -> None: ...

    def register_frame(self, name: str, frame: pd.DataFrame) -> None: ...

    def close(self) -> None: ...


def _translate(exc: Exception, label: str, engine: str) -> InputError:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(label, f"the {engine} engine could not run the query: {text}")


class DuckDBBackend:
    """DuckDB, embedded in this process (the default engine; no server, no copy to pandas)."""

    name = "duckdb"

    def __init__(self, data: Any, *, threads: int | None = None, memory_limit: str | None = None):
        import duckdb

        self.label = label_of(data)
        self._own = duckdb.connect()
        if threads:
            self._own.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self._own.execute(f"SET memory_limit = '{memory_limit}'")
        self._own.execute("SET preserve_insertion_order = false")
        try:
            rel = duckdb_relation(self._own, data)
        except duckdb.Error as exc:
            raise _translate(exc, self.label, self.name) from exc
        self._rel = rel
        self._alias = f"arv_input_{next(_ids)}"

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def _run(self, query: str) -> Any:
        import duckdb

        try:
            return self._rel.query(self._alias, query)
        except duckdb.Error as exc:
            raise _translate(exc, self.label, self.name) from exc

    def view_of_input(self, select_list: str, where: str = "") -> str:
        view = f"arv_rows_{next(_ids)}"
        cond = f" WHERE {where}" if where else ""
        self._run(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {select_list} FROM {self._alias}{cond}"
        )
        return view

    def view_of_sql(self, query: str) -> str:
        view = f"arv_view_{next(_ids)}"
        self._run(f"CREATE OR REPLACE TEMP VIEW {view} AS {query}")
        return view

    def sql(self, query: str) -> pd.DataFrame:
        import duckdb

        try:
            out: pd.DataFrame = self._run(query).df()
        except duckdb.Error as exc:
            raise _translate(exc, self.label, self.name) from exc
        return out

    def materialize(self, name: str, query: str) -> None:
        self._run(f"CREATE OR REPLACE TEMP TABLE {name} AS {query}")

    def register_frame(self, name: str, frame: pd.DataFrame) -> None:
        """A small per-person table (e.g. matching weights) joinable by ``name``."""
        self._own.register(f"{name}_src", frame)
        self._run(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_src")
        self._own.unregister(f"{name}_src")

    def close(self) -> None:
        self._own.close()


class SparkBackend:
    """Apache Spark through PySpark: the same SQL, run by a local or cluster session."""

    name = "spark"

    def __init__(self, data: Any, spark: Any):
        self.label = label_of(data)
        self._spark = spark
        self._cached: list[Any] = []
        try:
            frame = spark_frame(spark, data)
        except InputError:
            raise
        except Exception as exc:  # py4j / pyspark analysis errors
            raise _translate(exc, self.label, self.name) from exc
        self._alias = f"arv_input_{next(_ids)}"
        frame.createOrReplaceTempView(self._alias)

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def view_of_input(self, select_list: str, where: str = "") -> str:
        view = f"arv_rows_{next(_ids)}"
        cond = f" WHERE {where}" if where else ""
        body = f"SELECT {select_list} FROM {self._alias}{cond}"
        self._spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW {view} AS {body}")
        return view

    def view_of_sql(self, query: str) -> str:
        view = f"arv_view_{next(_ids)}"
        self._spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW {view} AS {query}")
        return view

    def sql(self, query: str) -> pd.DataFrame:
        try:
            rows = self._spark.sql(query).collect()
        except Exception as exc:  # py4j / pyspark analysis errors
            raise _translate(exc, self.label, self.name) from exc
        if not rows:
            return pd.DataFrame(columns=self._spark.sql(query).columns)
        return pd.DataFrame([r.asDict() for r in rows])

    def materialize(self, name: str, query: str) -> None:
        try:
            frame = self._spark.sql(query).cache()
            frame.count()
        except Exception as exc:  # py4j / pyspark analysis errors
            raise _translate(exc, self.label, self.name) from exc
        frame.createOrReplaceTempView(name)
        self._cached.append(frame)

    def register_frame(self, name: str, frame: pd.DataFrame) -> None:
        """A small per-person table (e.g. matching weights) joinable by ``name``."""
        spark_frame = self._spark.createDataFrame(frame).cache()
        spark_frame.createOrReplaceTempView(name)
        self._cached.append(spark_frame)

    def close(self) -> None:
        for frame in self._cached:
            frame.unpersist()
        self._cached.clear()


def open_backend(data: Any, engine: str, *, spark: Any = None) -> Backend:
    """A backend for ``data``: ``engine`` is "duckdb" or "spark" (``spark`` = a session).

    A PySpark DataFrame always runs on its own session.
    """
    from arviointi.data.frames import kind_of

    if kind_of(data) == "spark":
        return SparkBackend(data, data.sparkSession)
    if engine == "duckdb":
        return DuckDBBackend(data)
    if engine == "spark":
        if spark is None:
            from arviointi.engine.spark_session import active_or_local

            spark = active_or_local()
        return SparkBackend(data, spark)
    raise PipelineError(f"engine={engine!r}; expected 'duckdb' or 'spark'")
