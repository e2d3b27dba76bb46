"""Start-up, cold-run and rerun measurements; writes the table into benchmarks/README.md.

    python benchmarks/measure.py                 # everything (several minutes on 2 cores)
    python benchmarks/measure.py --only startup  # the start-up ratios only (seconds)
    python benchmarks/measure.py --write benchmarks/README.md

Every number is a ratio of two measurements taken in the same run on the same machine,
so the load of other processes affects both sides alike (times alone are not comparable
across runs). Start-up: the median of ``--repeat`` interleaved runs of each command.
Pipeline: ``arviointi run --jobs 1`` of ``--params`` at the baseline commit
(``--baseline``, exported with ``git archive``) with ``--no-cache``, and at the working
tree (copied) with an empty cache, alternated ``--pairs`` times (the fastest of each side
is compared: the run least slowed by other processes); then a rerun with nothing changed
and a rerun with one parameter changed (``models.event_study.leads``). results.json of
the cold runs are compared byte for byte. The load average before and after each run is
recorded. ``--also`` names more parameter files whose cold run is timed per notebook (the
slowest notebook of all, goal <= 15 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- measure.py: begin -->"
END = "<!-- measure.py: end -->"
#: what a copy of the project needs to run an evaluation
TREE = ("src", "notebooks", "params", "data", "pyproject.toml")


def _timed(argv: list[str], *, cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return time.perf_counter() - started


def _env(src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src)
    return env


def startup(repeat: int) -> list[tuple[str, str]]:
    """Median wall time of the start-up commands, and the two ratios of the issue."""
    python = sys.executable
    arviointi = str(Path(python).with_name("arviointi"))
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import pandas'": [python, "-c", "import pandas"],
        "python -c 'import arviointi'": [python, "-c", "import arviointi"],
        "arviointi --version": [arviointi, "--version"],
    }
    env = _env(ROOT / "src")
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):  # interleaved, so a burst of load hits every command
        for name, argv in commands.items():
            samples[name].append(_timed(argv, cwd=ROOT, env=env))
    median = {name: statistics.median(values) for name, values in samples.items()}
    rows = [(name, f"{seconds:.3f} s") for name, seconds in median.items()]
    version_ratio = median["arviointi --version"] / median["python -c pass"]
    import_ratio = median["python -c 'import arviointi'"] / median["python -c 'import pandas'"]
    rows.append(("`arviointi --version` / `python -c pass` (goal <= 10)", f"{version_ratio:.2f}"))
    rows.append(("`import arviointi` / `import pandas` (goal <= 2)", f"{import_ratio:.2f}"))
    return rows


def _export(ref: str, target: Path) -> None:
    """The files of commit ``ref`` (git archive) in ``target``."""
    archive = target.with_suffix(".tar")
    with archive.open("wb") as handle:
        subprocess.run(["git", "archive", ref, *TREE], cwd=ROOT, stdout=handle, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()


def _copy_tree(target: Path) -> None:
    """The working tree's files (what ``make bench`` measures), without caches."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".cache")
    for name in TREE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)


def _run(tree: Path, params: str, output: Path, *, no_cache: bool) -> dict[str, Any]:
    """One ``arviointi run --jobs 1`` (progress lines go to the captured stderr)."""
    argv = [str(Path(sys.executable).with_name("arviointi")), "run", params, "--jobs", "1"]
    argv += ["--output", str(output)] + (["--no-cache"] if no_cache else [])
    load_before = os.getloadavg()[0]
    seconds = _timed(argv, cwd=tree, env=_env(tree / "src"))
    run_dir = next(p for p in output.iterdir() if p.is_dir() and not p.name.startswith("."))
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "manifest": manifest,
        "results": run_dir / "results.json",
        "load": (load_before, os.getloadavg()[0]),
    }


def _per_notebook(label: str, run: dict[str, Any]) -> str:
    per = ", ".join(
        f"{n['name']} {n['seconds']:.1f} s" + (" (cached)" if n["cached"] else "")
        for n in run["manifest"]["notebooks"]
    )
    timings = run["manifest"]["timings_s"]
    load = "load average {:.1f} -> {:.1f}".format(*run["load"])
    render, validate = timings.get("render", 0), timings.get("validate", 0)
    return (
        f"{label} ({run['seconds']:.1f} s, {load}): {per}; render {render:.1f} s, "
        f"validate {validate:.1f} s"
    )


def pipeline(
    baseline: str, params: str, work: Path, pairs: int = 2, also: tuple[str, ...] = ()
) -> tuple[list[tuple[str, str]], list[str]]:
    base_tree, tree = work / "baseline", work / "current"
    _export(baseline, base_tree)
    _copy_tree(tree)
    bases, colds = [], []
    for i in range(pairs):  # alternated, so a burst of load hits both sides
        bases.append(_run(base_tree, params, work / f"out-baseline-{i}", no_cache=True))
        shutil.rmtree(tree / ".cache", ignore_errors=True)  # empty cache: all executed
        colds.append(_run(tree, params, work / f"out-cold-{i}", no_cache=False))
    base = min(bases, key=lambda r: r["seconds"])
    cold = min(colds, key=lambda r: r["seconds"])
    rerun = _run(tree, params, work / "out-rerun", no_cache=False)
    changed_params = tree / params
    text = changed_params.read_text(encoding="utf-8")
    changed_params.write_text(text.replace("leads: 12", "leads: 11"), encoding="utf-8")
    changed = _run(tree, params, work / "out-changed", no_cache=False)
    changed_params.write_text(text, encoding="utf-8")
    extra = [
        (name, _run(tree, name, work / f"out-also-{i}", no_cache=True))
        for i, name in enumerate(also)
    ]
    reference = colds[0]["results"].read_bytes()
    same = all(r["results"].read_bytes() == reference for r in colds)
    as_baseline = all(r["results"].read_bytes() == reference for r in bases)
    slowest = max(
        (n["seconds"], n["name"], name)
        for name, run in [(params, cold), *extra]
        for n in run["manifest"]["notebooks"]
    )
    samples = "; ".join(
        f"{b['seconds']:.1f} s / {c['seconds']:.1f} s" for b, c in zip(bases, colds, strict=True)
    )
    rows = [
        (f"cold run at {baseline} (`--no-cache`), fastest of {pairs}", f"{base['seconds']:.1f} s"),
        (f"cold run, working tree (empty cache), fastest of {pairs}", f"{cold['seconds']:.1f} s"),
        ("each pair (baseline / working tree)", samples),
        ("rerun, nothing changed", f"{rerun['seconds']:.1f} s"),
        ("rerun, `models.event_study.leads` 12 -> 11", f"{changed['seconds']:.1f} s"),
        ("cold / baseline cold (goal <= 0.3)", f"{cold['seconds'] / base['seconds']:.2f}"),
        ("rerun / cold (goal <= 0.05)", f"{rerun['seconds'] / cold['seconds']:.3f}"),
        (
            "slowest notebook of the cold runs (goal <= 15 s)",
            f"{slowest[1]} of {slowest[2]}, {slowest[0]:.1f} s",
        ),
        ("results.json of the working tree's cold runs byte-identical", "yes" if same else "NO"),
        (
            f"... and byte-identical to {baseline}'s",
            "yes" if as_baseline else "no",
        ),
    ]
    notes = [_per_notebook(f"baseline {i + 1}", r) for i, r in enumerate(bases)]
    notes += [_per_notebook(f"cold {i + 1}", r) for i, r in enumerate(colds)]
    notes += [_per_notebook("rerun", rerun), _per_notebook("one change", changed)]
    notes += [_per_notebook(f"cold {name} (`--no-cache`)", run) for name, run in extra]
    return rows, notes


def table(rows: list[tuple[str, str]]) -> str:
    lines = ["| measurement | value |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines)


def write(readme: Path, body: str) -> None:
    text = readme.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{body}\n{END}"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("startup", "pipeline"))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--baseline", default="1c76a67")
    parser.add_argument("--params", default="params/tampere-2017.yaml")
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--also", nargs="*", default=["params/varissuo.yaml"])
    parser.add_argument("--write", type=Path, help="put the table into this Markdown file")
    args = parser.parse_args(argv)
    rows: list[tuple[str, str]] = []
    notes: list[str] = []
    started_load = os.getloadavg()[0]
    if args.only in (None, "startup"):
        rows += startup(args.repeat)
    if args.only in (None, "pipeline"):
        with tempfile.TemporaryDirectory(prefix="arviointi-bench-") as tmp:
            more, notes = pipeline(
                args.baseline, args.params, Path(tmp), args.pairs, tuple(args.also)
            )
            rows += more
    load = os.getloadavg()
    stamp = f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} by `benchmarks/measure.py`"
    body = (
        f"{stamp} ({os.cpu_count()} cores shared with other processes; load average "
        f"{started_load:.1f} at the start, {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(1 / 5 / 15 min) at the end).\n\n"
    )
    body += table(rows) + "\n"
    if notes:
        body += "\nPer notebook (manifest.json):\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    print(body)
    if args.write is not None:
        write(args.write, body.rstrip("\n"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
