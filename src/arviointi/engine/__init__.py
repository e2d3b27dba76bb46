"""Out-of-core estimation: the client-level models computed inside a SQL engine.

DuckDB (embedded, the default) and Apache Spark run the same SQL
(:mod:`arviointi.engine.sql`); only aggregates come back. Public names:
:func:`did` (two-way fixed effects, CR1 by one or two cluster columns),
:func:`staggered_did` (Callaway-Sant'Anna), :func:`person_fe_did` (the matched person
fixed-effects DiD with matching weights), :func:`choose_engine` and
:func:`start_session` (a Spark session with a clear error when Java is missing).
"""

from __future__ import annotations

from arviointi.engine.choice import choose_engine
from arviointi.engine.fe_did import did
from arviointi.engine.matched_did import person_fe_did
from arviointi.engine.results import EngineDiDResults
from arviointi.engine.spark_session import local_conf, start_session
from arviointi.engine.staggered import EngineStaggeredResults, staggered_did

__all__ = [
    "EngineDiDResults",
    "EngineStaggeredResults",
    "choose_engine",
    "did",
    "local_conf",
    "person_fe_did",
    "staggered_did",
    "start_session",
]
