"""One measurement of ``make bench-scale``, run in its own process (see bench_scale.py).

    python benchmarks/scale_worker.py ENGINE DATA_DIR

ENGINE: duckdb | spark | pandas (arviointi's in-memory did) | pyfixest | floor (one
DuckDB GROUP BY person pass). Prints one JSON line: seconds (reading + fitting, imports excluded),
estimate, se and, for Spark, the JVM's peak resident memory (its VmHWM, read before
the session stops; the parent adds this process's own peak from wait4).
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

KW = {"unit": "person_id", "time": "month", "treatment": "pilot", "inference": "cluster"}


def _jvm_peak_kib() -> int:
    import os

    total = 0
    me = str(os.getpid())
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == me:
            total += int(fields.get("VmHWM", "0 kB").split()[0])
    return total


def run(engine: str, data: Path) -> dict[str, Any]:
    """Imports happen before the clock starts (they are a fixed cost, not a scale cost)."""
    import duckdb
    import pandas as pd

    import arviointi.did
    import arviointi.engine  # noqa: F401

    if engine == "pyfixest":
        import pyfixest  # noqa: F401
    glob = str(data / "*.parquet")
    out: dict[str, Any] = {"engine": engine}
    t0 = time.perf_counter()
    if engine == "floor":
        # the outer sums use every aggregate, so the optimiser cannot prune the scan
        rows = duckdb.sql(
            "SELECT COUNT(*), SUM(n), SUM(s) FROM (SELECT person_id, COUNT(*) AS n, "
            f"SUM(income) AS s FROM read_parquet('{glob}') GROUP BY person_id)"
        ).fetchall()
        out["groups"], out["rows_seen"] = rows[0][0], rows[0][1]
    elif engine == "duckdb":
        from arviointi.engine import did

        res = did(data, "income", engine="duckdb", **KW)
        out |= {"estimate": res.estimate, "se": res.se, "ci": res.conf_int()}
    elif engine == "spark":
        from arviointi.engine import did, local_conf, start_session

        conf = local_conf(cores=2, shuffle_partitions=8) | {"spark.driver.memory": "6g"}
        spark = start_session(conf)
        spark.sparkContext.setLogLevel("ERROR")
        out["session_seconds"] = time.perf_counter() - t0
        res = did(data, "income", engine="spark", spark=spark, **KW)
        out |= {"estimate": res.estimate, "se": res.se, "ci": res.conf_int()}
        out["jvm_peak_kib"] = _jvm_peak_kib()
        out["seconds_after_session"] = time.perf_counter() - t0 - out["session_seconds"]
        spark.stop()
    elif engine == "pandas":
        from arviointi.did import did

        frame = pd.read_parquet(data, columns=["person_id", "month", "pilot", "income"])
        res = did(frame, "income", **KW)
        out |= {"estimate": res.estimate, "se": res.se}
    elif engine == "pyfixest":
        import pyfixest as pf

        frame = pd.read_parquet(data, columns=["person_id", "month", "pilot", "income"])
        fit = pf.feols(
            "income ~ pilot | person_id + month",
            data=frame,
            vcov={"CRV1": "person_id"},
            fixef_rm="none",
        )
        out |= {"estimate": float(fit.coef()["pilot"]), "se": float(fit.se()["pilot"])}
    else:
        raise SystemExit(f"unknown engine {engine!r}")
    out["seconds"] = time.perf_counter() - t0
    status = Path("/proc/self/status").read_text()
    out["self_vmhwm_kib"] = int(status.split("VmHWM:")[1].split()[0])
    return out


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    print(json.dumps(run(sys.argv[1], Path(sys.argv[2]))), flush=True)
