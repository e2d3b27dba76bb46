"""Out-of-core estimation: the client-level models computed inside a SQL engine.

DuckDB (embedded, the default) and Apache Spark run the same SQL
(:mod:`arviointi.engine.sql`); only aggregates come back. Public names:
:func:`did` (two-way fixed effects, CR1), :func:`choose_engine` and
:func:`start_session` (a Spark session with a clear error when Java is missing).
"""

from __future__ import annotations

from arviointi.engine.choice import choose_engine
from arviointi.engine.fe_did import did
from arviointi.engine.results import EngineDiDResults
from arviointi.engine.spark_session import local_conf, start_session

__all__ = ["EngineDiDResults", "choose_engine", "did", "local_conf", "start_session"]
