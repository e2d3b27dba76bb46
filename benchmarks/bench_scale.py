"""``make bench-scale``: wall time and peak memory of each engine at register scale.

    python benchmarks/bench_scale.py --rows 1000000 10000000 --data data/bench

For every size (data from ``make bench-data``, generated here when missing) and engine
(arviointi on DuckDB, Spark and pandas, pyfixest ``feols`` with person and month fixed
effects and CRV1 by person, and the floor: one DuckDB GROUP BY person pass) a fresh
process runs :mod:`scale_worker`; its peak resident memory is its own VmHWM (plus the
JVM's for Spark). Engines that would not fit in memory are skipped
(``--max-in-memory-rows``). Results are appended as JSON lines to ``--out`` and printed
as a Markdown table with ratios to pyfixest and to the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ENGINES = ("floor", "duckdb", "spark", "pandas", "pyfixest")


def measure(engine: str, data: Path, timeout: float) -> dict[str, Any]:
    """Run one worker; peak memory = its own (``os.wait4``) + the JVM's for Spark."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(HERE.parent / "src"), env.get("PYTHONPATH", "")) if p
    )
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "scale_worker.py"), engine, str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not stdout.strip():
        return {"engine": engine, "error": f"exit code {proc.returncode}", "seconds": wall}
    out: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    out["process_seconds"] = wall
    # the worker's own high-water mark (VmHWM): wait4's ru_maxrss starts from the parent's
    # resident size at fork, which inflates small workers (kept for reference)
    out["wait4_peak_gib"] = usage.ru_maxrss / 2**20
    out["peak_gib"] = (out["self_vmhwm_kib"] + out.get("jvm_peak_kib", 0)) / 2**20
    return out


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "-"


def _peak(r: dict[str, Any]) -> float:
    """GiB: the worker's VmHWM (+ the JVM's) when recorded, else wait4's figure."""
    if "self_vmhwm_kib" in r:
        return float(r["self_vmhwm_kib"] + r.get("jvm_peak_kib", 0)) / 2**20
    return float(r["peak_gib"])


def table(results: list[dict[str, Any]]) -> str:
    """Markdown: one row per (rows, engine) with ratios to pyfixest and the floor."""
    lines = [
        "| person-months | engine | seconds | peak GiB | time / pyfixest | memory / pyfixest "
        "| time / floor | estimate | se | rel. diff est. / se vs pyfixest |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    by_rows: dict[int, dict[str, dict[str, Any]]] = {}
    for r in results:
        if "error" not in r:
            r = r | {"peak_gib": _peak(r)}
        by_rows.setdefault(int(r["rows"]), {})[r["engine"]] = r
    for rows, runs in sorted(by_rows.items()):
        pf, floor = runs.get("pyfixest", {}), runs.get("floor", {})
        for engine in ENGINES:
            r = runs.get(engine)
            if r is None:
                continue
            if "error" in r:
                lines.append(f"| {rows:,} | {engine} | {r['error']} | | | | | | | |")
                continue
            est, se = r.get("estimate"), r.get("se")
            secs = r.get("seconds_after_session", r["seconds"])  # Spark: session start apart
            diff = "-"
            if est is not None and pf.get("estimate") is not None and engine != "pyfixest":
                diff = (
                    f"{abs(est - pf['estimate']) / abs(pf['estimate']):.1e} / "
                    f"{abs(se - pf['se']) / pf['se']:.1e}"
                )
            lines.append(
                f"| {rows:,} | {engine} | {secs:.1f} | {r['peak_gib']:.2f} | "
                f"{_ratio(secs, pf.get('seconds'))} | "
                f"{_ratio(r['peak_gib'], pf.get('peak_gib'))} | "
                f"{_ratio(secs, floor.get('seconds'))} | "
                f"{'-' if est is None else f'{est:.4f}'} | {'-' if se is None else f'{se:.4f}'} "
                f"| {diff} |"
            )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--data", type=Path, default=Path("data/bench"))
    ap.add_argument("--engines", nargs="+", default=list(ENGINES))
    ap.add_argument("--max-in-memory-rows", type=int, default=30_000_000)
    ap.add_argument("--max-spark-rows", type=int, default=30_000_000)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/scale.jsonl"))
    ap.add_argument(
        "--table-only", action="store_true", help="print the table of --out (last run of each)"
    )
    args = ap.parse_args()
    if args.table_only:
        lines = args.out.read_text(encoding="utf-8").splitlines()
        print(table([json.loads(line) for line in lines if line.strip()]))
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results = []
    for rows in args.rows:
        data = args.data / f"rows-{rows}"
        if not (data / "_truth.json").exists():
            from arviointi.data.synthetic.register import write_register

            write_register(data, rows)
        truth = json.loads((data / "_truth.json").read_text())
        for engine in args.engines:
            if engine in ("pandas", "pyfixest") and rows > args.max_in_memory_rows:
                res = {"engine": engine, "error": "skipped: does not fit in 24 GiB"}
            elif engine == "spark" and rows > args.max_spark_rows:
                res = {"engine": engine, "error": "skipped (time limit)"}
            else:
                res = measure(engine, data, args.timeout)
            res |= {"rows": truth["rows"], "target_rows": rows, "effect": truth["effect"]}
            res["machine"] = f"{os.cpu_count()} cores, {_mem_gib():.0f} GiB"
            res["date"] = time.strftime("%Y-%m-%d %H:%M")
            results.append(res)
            with args.out.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(res) + "\n")
            print(json.dumps(res), flush=True)
    print(table(results))


def _mem_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


if __name__ == "__main__":
    main()
