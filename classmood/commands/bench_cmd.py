"""``classmood bench``: benchmarks, one sub-subcommand each.

``bench db`` is here; ``bench model``, ``bench pipeline`` and ``bench report``
plug in the same way: write a ``_register_<name>(bench_subparsers)`` function
and add it to :data:`BENCHES`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from classmood.commands._common import add_db_option
from classmood.commands._models import ENGINE_CHOICES, model_errors, warn_no_reader
from classmood.errors import CommandError, user_errors


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="benchmarks (db, model, pipeline, report)",
        description="Measure how fast the parts of ClassMood run on this machine.",
    )
    parser.set_defaults(handler=lambda _args: parser.print_help() or 2)
    bench_subparsers = parser.add_subparsers(dest="bench_command", metavar="BENCH")
    for register_bench in BENCHES:
        register_bench(bench_subparsers)


def _register_db(bench_subparsers: argparse._SubParsersAction) -> None:
    parser = bench_subparsers.add_parser(
        "db",
        help="write path and attendance query",
        description="Time the write path (captures of N observations through the real store) and the attendance "
        "query on a 90-minute class of 50 students sampled every 2 s (135,000 observations). Runs on a temporary "
        "SQLite file unless --db is given; then it writes into throw-away courses there and deletes them after. "
        "Targets: <= 5 ms per capture (median), <= 200 ms per attendance query (median).",
    )
    add_db_option(parser)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--captures", type=int, default=200, help="captures to time (default: %(default)s)")
    parser.add_argument("--per-capture", type=int, default=50, help="observations per capture (default: %(default)s)")
    parser.add_argument("--students", type=int, default=50, help="students in the big class (default: %(default)s)")
    parser.add_argument("--minutes", type=float, default=90, help="length of the big class (default: %(default)s)")
    parser.add_argument("--interval", type=float, default=2, help="seconds between samples (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=7, help="attendance query runs (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    parser.set_defaults(handler=_bench_db)


def _bench_db(args: argparse.Namespace) -> int:
    from analytics.bench import bench_db

    if min(args.captures, args.per_capture, args.students, args.runs) < 1 or args.minutes <= 0 or args.interval <= 0:
        raise CommandError("counts, --minutes and --interval must be positive")
    with user_errors():
        result = bench_db(
            args.db,
            captures=args.captures,
            per_capture=args.per_capture,
            students=args.students,
            minutes=args.minutes,
            interval_s=args.interval,
            query_runs=args.runs,
            progress=lambda message: print(message, file=sys.stderr),
        )
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.summary())
    if args.check and not (result.capture_ok and result.attendance_ok):
        return 1
    return 0


def _register_model(bench_subparsers: argparse._SubParsersAction) -> None:
    parser = bench_subparsers.add_parser(
        "model",
        help="expression classifier and face detector speed",
        description="Classifier faces/s at batch 49 and ms at batch 1 (onnxruntime), and face-detector ms per "
        "gallery tile. Goal on a 2-core machine: 49 faces classified in <= 30 ms (median).",
    )
    parser.add_argument("--model", default="ferplus", help="ferplus (default), fer2013 or an .onnx path")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per figure (default: %(default)s)")
    parser.add_argument(
        "--against",
        metavar="MODEL",
        help="time this classifier too, in turn with --model on the same faces, and print the ratio",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(handler=_bench_model)


def _bench_model(args: argparse.Namespace) -> int:
    from bot.bench_model import bench_model, compare_models, compare_summary, summary

    with model_errors():
        if args.against:
            result = compare_models(args.model, args.against, rounds=max(1, args.repeats))
            print(json.dumps(result, indent=2) if args.json else compare_summary(result))
            return 0
        result = bench_model(args.model, repeats=max(1, args.repeats))
    print(json.dumps(result, indent=2) if args.json else summary(result))
    return 0


def _register_report(bench_subparsers: argparse._SubParsersAction) -> None:
    parser = bench_subparsers.add_parser(
        "report",
        help="server time to build a class report",
        description="Time the server side of the class report page (aggregating in SQL, building every figure and "
        "table, the page's JSON) for a 90-minute class of 50 students sampled every 2 s (135,000 observations), "
        "from cold, several runs. Runs on a temporary SQLite file unless --db is given; then it writes a throw-away "
        "course there and deletes it after. Target: <= 1.5 s (median).",
    )
    add_db_option(parser)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--students", type=int, default=50, help="students in the class (default: %(default)s)")
    parser.add_argument("--minutes", type=float, default=90, help="length of the class (default: %(default)s)")
    parser.add_argument("--interval", type=float, default=2, help="seconds between samples (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when the target is missed")
    parser.set_defaults(handler=_bench_report)


def _bench_report(args: argparse.Namespace) -> int:
    from analytics.report.bench import bench_report

    if min(args.students, args.runs) < 1 or args.minutes <= 0 or args.interval <= 0:
        raise CommandError("--students, --runs, --minutes and --interval must be positive")
    with user_errors():
        result = bench_report(
            args.db,
            students=args.students,
            minutes=args.minutes,
            interval_s=args.interval,
            runs=args.runs,
            progress=lambda message: print(message, file=sys.stderr),
        )
    print(json.dumps(result.to_dict(), indent=2) if args.json else result.summary())
    return 1 if args.check and not result.ok else 0


def _register_pipeline(bench_subparsers: argparse._SubParsersAction) -> None:
    parser = bench_subparsers.add_parser(
        "pipeline",
        help="the whole capture pipeline on a 49-tile gallery",
        description="Median ms per capture, end to end and per stage, on a synthetic 1920x1080 gallery of 49 "
        "tiles in steady state (name labels cached). Bar: <= 250 ms; goal: <= 100 ms.",
    )
    parser.add_argument("--model", default="ferplus", help="expression model (default ferplus)")
    parser.add_argument("--captures", type=int, default=15, help="timed captures (default: %(default)s)")
    parser.add_argument("--tiles", type=int, default=49, help="participants in the gallery (default: %(default)s)")
    parser.add_argument(
        "--names",
        choices=ENGINE_CHOICES,
        default="auto",
        help="name reader, as `bot start --names` (default: auto); the first capture reads every label",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(handler=_bench_pipeline)


def _bench_pipeline(args: argparse.Namespace) -> int:
    from bot.bench_pipeline import bench_pipeline, summary

    with model_errors():
        result = bench_pipeline(
            args.model,
            captures=max(1, args.captures),
            tiles=min(49, max(1, args.tiles)),
            names=args.names,
            on_no_reader=warn_no_reader,
        )
    print(json.dumps(result, indent=2) if args.json else summary(result))
    return 0


def _register_gallery(bench_subparsers: argparse._SubParsersAction) -> None:
    parser = bench_subparsers.add_parser(
        "gallery",
        help="gallery splitting: tile recall/precision and ms per frame",
        description="Render synthetic Zoom, Meet and Teams frames (every variant, 1..49 tiles), split each and "
        "report tile recall and precision at IoU >= 0.85 per platform and variant, and the split time. Bar: "
        "recall >= 99 %%; goal: <= 20 ms per 1920x1080 frame (median). Same as python -m bot.synthetic.evaluate.",
    )
    parser.add_argument("--frames", type=int, default=66, help="frames to render (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(handler=_bench_gallery)


def _bench_gallery(args: argparse.Namespace) -> int:
    from bot.synthetic.evaluate import evaluate, format_report

    result = evaluate(max(1, args.frames), args.seed, progress=lambda message: print(message, file=sys.stderr))
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0


BENCHES: list[Callable[[argparse._SubParsersAction], None]] = [
    _register_gallery,
    _register_db,
    _register_model,
    _register_pipeline,
    _register_report,
]
