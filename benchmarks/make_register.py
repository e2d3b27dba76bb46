"""Write the synthetic register used by ``make bench-scale`` (``make bench-data ROWS=...``).

    python benchmarks/make_register.py --rows 100000000 --out data/bench

writes ``data/bench/rows-100000000/part-*.parquet`` (+ ``_truth.json``) in chunks of
100 000 persons, so memory stays small at any size. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from arviointi.data.synthetic.register import write_register


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, nargs="+", required=True)
    ap.add_argument("--out", type=Path, default=Path("data/bench"))
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--staggered", action="store_true")
    args = ap.parse_args()
    for rows in args.rows:
        target = args.out / f"rows-{rows}"
        t0 = time.perf_counter()
        truth = write_register(target, rows, seed=args.seed, staggered=args.staggered)
        print(
            f"{target}: {truth.rows} person-months, {truth.persons} persons "
            f"({truth.treated_persons} treated), {truth.files} files, "
            f"{time.perf_counter() - t0:.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
