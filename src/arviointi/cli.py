"""The ``arviointi`` command: run, validate and list evaluations.

    arviointi run PARAMS... [--as-of X] [--jobs N] [--no-cache] [--output DIR] [--quiet]
                  [--fresh-kernels] [--debug]
    arviointi validate PARAMS... [--no-data]
    arviointi list
    arviointi schema results|params
    arviointi --version

PARAMS is a parameters file or an evaluation id found in ``params/``. Errors the workbench
raises on purpose (bad parameters, bad data, a failed notebook) print a plain message and
exit with their own non-zero code; anything else prints "internal error" and exits 1. Only
``--debug`` shows a Python traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import arviointi
from arviointi.errors import ArviointiError, ParamsError


class Terminated(KeyboardInterrupt):
    """SIGTERM during a run: unwinds like Ctrl-C, so temporary files and workers go."""


def _on_sigterm(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process
    raise Terminated


def _cmd_run(args: argparse.Namespace) -> int:
    from arviointi.params.load import resolve_params_path
    from arviointi.pipeline.progress import run_display
    from arviointi.pipeline.run import run_evaluation

    status = 0
    for name in args.params:
        try:
            path = resolve_params_path(name, Path(args.params_dir))
            with run_display(quiet=args.quiet) as progress:
                result = run_evaluation(
                    path,
                    output_root=Path(args.output) if args.output else None,
                    jobs=args.jobs,
                    use_cache=not args.no_cache,
                    as_of=args.as_of,
                    progress=progress,
                    fresh_kernels=args.fresh_kernels,
                )
        except ArviointiError as exc:
            code = _report_error(exc, args.debug)
            status = status or code
            continue
        files = [p.name for p in result.reports] + ["results.json", "manifest.json"]
        print(f"{result.run_id}: {result.output_dir} ({', '.join(files)})")
        for note in result.notes:
            print(f"  note: {note}")
    return status


def _cmd_validate(args: argparse.Namespace) -> int:
    from arviointi.params.load import load_frames, resolve_params_path, validate_params

    status = 0
    for name in args.params:
        try:
            path = resolve_params_path(name, Path(args.params_dir))
            evaluation, frames = validate_params(
                path, as_of=args.as_of, loader=None if args.no_data else load_frames
            )
        except ArviointiError as exc:
            code = _report_error(exc, args.debug)
            status = status or code
            continue
        checked = "parameters only" if args.no_data else f"parameters and {len(frames)} source(s)"
        print(f"ok: {path} ({evaluation.id}; {checked})")
    return status


def _cmd_list(args: argparse.Namespace) -> int:
    from arviointi.params.load import load_params
    from arviointi.params.yaml_source import read_yaml

    directory = Path(args.params_dir)
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    if not files:
        print(f"no evaluations (*.yaml) in {directory}", file=sys.stderr)
        return 0
    for path in files:
        try:
            evaluation = load_params(path)
        except ParamsError as exc:
            # show what can be read, and that the file does not validate
            try:
                raw: dict[str, Any] = read_yaml(path)[0]
            except ParamsError:
                raw = {}
            title = raw.get("title")
            title_fi = title.get("fi", "") if isinstance(title, dict) else ""
            design = raw.get("design") if isinstance(raw.get("design"), dict) else {}
            checkpoints = design.get("checkpoints") if isinstance(design, dict) else None
            shown = ", ".join(
                f"{c.get('id')} {c.get('date')}"
                for c in (checkpoints if isinstance(checkpoints, list) else [])
                if isinstance(c, dict)
            )
            print(
                f"{raw.get('id', path.stem)}\t{title_fi}\t[{shown or 'no checkpoints'}]\t"
                f"INVALID ({len(exc.problems)} problem(s); see: arviointi validate {path})"
            )
            continue
        checkpoints_ok = ", ".join(f"{c.id} {c.date}" for c in evaluation.design.checkpoints)
        print(f"{evaluation.id}\t{evaluation.title.fi}\t[{checkpoints_ok or 'no checkpoints'}]")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    if args.document == "results":
        from arviointi.results.json_schema import schema_text
    else:
        from arviointi.params.json_schema import schema_text
    sys.stdout.write(schema_text())
    return 0


def _report_error(exc: ArviointiError, debug: bool) -> int:
    if debug:
        traceback.print_exception(exc)
    print(f"error: {exc}", file=sys.stderr)
    return int(exc.exit_code)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show Python tracebacks",
    )
    common.add_argument(
        "--params-dir",
        default=argparse.SUPPRESS,
        help="where evaluation ids are looked up (default: params)",
    )
    parser = argparse.ArgumentParser(
        prog="arviointi",
        description="Evaluate employment pilots: run, validate and list evaluations.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"arviointi {arviointi.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", parents=[common], help="run evaluations and write their reports"
    )
    run.add_argument("params", nargs="+", metavar="PARAMS", help="params file or evaluation id")
    run.add_argument("--as-of", help="checkpoint id or YYYY-MM: use data up to that point")
    run.add_argument("--jobs", type=int, default=2, help="notebooks run in parallel (default 2)")
    run.add_argument("--no-cache", action="store_true", help="re-execute every notebook")
    run.add_argument("--output", help="output root (default: report.output_dir in params)")
    run.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="one kernel per notebook (default: one warm kernel per worker, reset between)",
    )
    run.add_argument(
        "--quiet",
        action="store_true",
        help="no progress (by default a live table on a terminal, plain lines otherwise)",
    )
    run.set_defaults(handler=_cmd_run)

    validate = commands.add_parser(
        "validate", parents=[common], help="check parameters (and their data) without running"
    )
    validate.add_argument("params", nargs="+", metavar="PARAMS")
    validate.add_argument("--as-of", help="check this checkpoint id or YYYY-MM as well")
    validate.add_argument("--no-data", action="store_true", help="do not load the data")
    validate.set_defaults(handler=_cmd_validate)

    listing = commands.add_parser("list", parents=[common], help="list the evaluations in params/")
    listing.set_defaults(handler=_cmd_list)

    schema = commands.add_parser(
        "schema",
        parents=[common],
        help="print the JSON Schema of results.json or of a parameters file",
    )
    schema.add_argument("document", choices=("results", "params"))
    schema.set_defaults(handler=_cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``arviointi`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.debug = getattr(args, "debug", False)
    args.params_dir = getattr(args, "params_dir", "params")
    if getattr(args, "jobs", 1) < 1:
        parser.error("--jobs must be at least 1")
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return int(args.handler(args))
    except ArviointiError as exc:
        return _report_error(exc, args.debug)
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        print(
            f"{'terminated' if terminated else 'interrupted'}: nothing was published; "
            "the last good report is unchanged",
            file=sys.stderr,
        )
        return 143 if terminated else 130
    except Exception as exc:
        if args.debug:
            traceback.print_exception(exc)
        print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "(this is a bug; run again with --debug to see the traceback)",
            file=sys.stderr,
        )
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
