"""Start (or reuse) a Spark session, with an error that says what is missing.

Locally the session runs in this machine's JVM (``local[N]``); on a cluster give
``master`` (``spark://host:7077``, ``yarn``, ``k8s://...``) or set ``spark.master`` in
``spark-defaults.conf`` / ``SPARK_CONF_DIR``, and read inputs from ``hdfs://`` or ``s3a://``
paths. PySpark 4 needs Java 17 or 21 (``JAVA_HOME`` or ``java`` on the PATH).
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from arviointi.errors import PipelineError

JAVA_HELP = (
    "PySpark 4 needs a Java 17 (or 21) runtime: install it (Debian/Ubuntu: apt-get install "
    "openjdk-17-jre-headless) and set JAVA_HOME or put java on the PATH"
)


def local_conf(cores: int = 2, shuffle_partitions: int = 4) -> dict[str, str]:
    """Settings of a small local session (tests, a laptop): no UI, loopback only."""
    return {
        "spark.master": f"local[{cores}]",
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.ui.enabled": "false",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.driver.memory": "2g",
    }


def start_session(conf: dict[str, str] | None = None, app_name: str = "arviointi") -> Any:
    """Start a Spark session with ``conf`` (default :func:`local_conf`).

    Raises PipelineError naming the Java requirement when the JVM cannot start.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise PipelineError(
            "engine='spark' needs PySpark (pip install pyspark); " + JAVA_HELP
        ) from exc
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))) and not (
        shutil.which("java")
    ):
        raise PipelineError(f"the Spark session cannot start: no Java found. {JAVA_HELP}")
    builder = SparkSession.builder.appName(app_name)
    for key, value in (conf or local_conf()).items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # py4j raises plain Exception subclasses when the JVM fails
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PipelineError(f"the Spark session cannot start ({first}). {JAVA_HELP}") from exc


def active_or_local() -> Any:
    """The active Spark session, else a new local one (:func:`local_conf`)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise PipelineError("engine='spark' needs PySpark; " + JAVA_HELP) from exc
    active = SparkSession.getActiveSession()
    return active if active is not None else start_session()
