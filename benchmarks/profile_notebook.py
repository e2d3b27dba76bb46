"""Profile one notebook of an evaluation in this interpreter (cProfile, cell by cell).

    python benchmarks/profile_notebook.py employment_area [--params params/tampere-2017.yaml]
        [--run-dir DIR] [--top 25]

Runs the notebook's code cells (not the parameters cell) with ``params_file`` set, the
way JupyterLab would, prints the seconds per cell and the functions of the package (and
imports) with the largest cumulative time. ``--run-dir`` is needed by the synthesis: a
directory holding the analyses' ``records.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--params", default="params/tampere-2017.yaml")
    parser.add_argument("--run-dir", default="")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    source = json.loads(Path(f"notebooks/{args.notebook}.ipynb").read_text(encoding="utf-8"))
    namespace = {"params": {}, "run_dir": args.run_dir, "as_of": None}
    namespace["params_file"] = args.params
    profile = cProfile.Profile()
    cells: list[tuple[float, str]] = []
    for cell in source["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or "parameters" in tags:
            continue
        code = "".join(cell["source"])
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            profile.enable()
            exec(compile(code, args.notebook, "exec"), namespace)
            profile.disable()
        cells.append((time.perf_counter() - started, code.splitlines()[-1][:70]))
    for seconds, line in cells:
        print(f"{seconds:7.2f} s  {line}")
    print(f"{sum(s for s, _ in cells):7.2f} s  total")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
    stats.print_stats(r"arviointi|matplotlib/figure.py|_find_and_load", args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
