"""``classmood bot``: record a class (start), record on a timetable (schedule), see what the bot sees (inspect)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from classmood.commands._common import add_db_option
from classmood.commands._models import add_names_option, load_pipeline, platform_choices
from classmood.errors import CommandError, user_errors

SOURCE_HELP = (
    "what to capture: screen[:N] (monitor N), region:X,Y,W,H, window:TITLE (a window whose title contains "
    "TITLE, e.g. window:Zoom), video:PATH (a recorded class) or images:DIR (saved screenshots, in name order); "
    "default %(default)s"
)
MAX_SECONDS = 7 * 24 * 3600.0  # a week: no class is longer, and far larger values overflow the scheduler
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$", re.IGNORECASE)


def parse_seconds(text: str) -> float:
    """``5s``, ``90m``, ``1.5h``, ``500ms`` or a plain number of seconds."""
    match = _DURATION.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration (examples: 5s, 90m, 1.5h)")
    value, unit = float(match.group(1)), (match.group(2) or "s").lower()
    seconds = value * {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600}[unit]
    if seconds <= 0:
        raise argparse.ArgumentTypeError("a duration must be positive")
    if seconds > MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{text!r} is too long: at most {MAX_SECONDS // 3600:g}h")
    return seconds


def _add_capture_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--course", required=True, help='the course this class belongs to, e.g. "Physics 101"')
    parser.add_argument(
        "--instructor",
        metavar="USERNAME",
        help="the instructor account that owns the course (so its report shows this class); see `admin users`",
    )
    parser.add_argument("--source", default="screen", help=SOURCE_HELP)
    parser.add_argument("--interval", type=parse_seconds, default=5.0, help="time between captures (default 5s)")
    parser.add_argument("--duration", type=parse_seconds, default=None, help="stop after this long, e.g. 90m")
    parser.add_argument("--model", default="ferplus", help="expression model: ferplus (default), fer2013, or .onnx")
    parser.add_argument(
        "--keep-thumbnails", action="store_true", help="store a small face picture per observation (off: numbers only)"
    )
    parser.add_argument(
        "--all-pages", action="store_true", help="page through every gallery page each capture (large classes)"
    )
    parser.add_argument("--ensure-gallery", action="store_true", help="switch the meeting to gallery view at start")
    parser.add_argument("--dry-run", action="store_true", help="show what would be clicked, click nothing")
    parser.add_argument("--platform", choices=platform_choices(), help="meeting client (default: detect)")
    add_names_option(parser)
    add_db_option(parser)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bot", help="record a class: start now, on a schedule, or inspect a screenshot")
    commands = parser.add_subparsers(dest="bot_command", metavar="ACTION", required=True)

    start = commands.add_parser(
        "start",
        help="record a class now",
        description="Capture the meeting's gallery view every --interval, read each student's name and expression, "
        "and store a timeline per student. Stops with Ctrl-C, at the end of --duration, or when the meeting "
        "window closes; everything captured until then is kept.",
    )
    _add_capture_options(start)
    start.set_defaults(handler=run_start)

    schedule = commands.add_parser(
        "schedule",
        help="record classes on a timetable (leave it running)",
        description='Start a recording at the given times, e.g. --at "mon,wed 09:55" --duration 90m, and keep '
        "waiting for the next one. Keep it running in a terminal, tmux, or as a service "
        "(systemd --user on Linux, Task Scheduler at log-on on Windows, a LaunchAgent on macOS).",
    )
    _add_capture_options(schedule)
    schedule.add_argument("--at", required=True, help='days and time, e.g. "mon,wed 09:55" or "mon-fri 14:00"')
    schedule.set_defaults(handler=run_schedule)

    inspect = commands.add_parser(
        "inspect",
        help="show what the bot sees in one screenshot",
        description="Run the whole pipeline on one screenshot: tiles, names, faces and expressions.",
    )
    inspect.add_argument("image", help="a screenshot of the meeting (PNG or JPEG)")
    inspect.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    inspect.add_argument("--annotate", metavar="OUT.png", help="draw tiles, names, faces and emotions into OUT.png")
    inspect.add_argument("--model", default="ferplus", help="expression model (default ferplus)")
    inspect.add_argument("--no-ocr", action="store_true", help="skip reading names")
    inspect.add_argument("--platform", choices=platform_choices(), help="meeting client (default: any)")
    add_names_option(inspect)
    inspect.set_defaults(handler=run_inspect)


def _options(args: argparse.Namespace):
    from bot.runner import BotOptions

    return BotOptions(
        course=args.course,
        source=args.source,
        interval_s=args.interval,
        duration_s=args.duration,
        keep_thumbnails=args.keep_thumbnails,
        all_pages=args.all_pages,
        ensure_gallery=args.ensure_gallery,
        dry_run=args.dry_run,
        platform=args.platform,
        owner_id=getattr(args, "owner_id", None),
    )


def _record(args: argparse.Namespace) -> int:
    from analytics.db import open_database
    from analytics.store import Store
    from bot.runner import BotRunner
    from bot.sources import SourceError, open_source

    if not args.course.strip():
        raise CommandError('--course is empty: name the course, e.g. --course "Physics 101"')

    with user_errors():
        db = open_database(args.db)
        if args.instructor:
            from analytics.auth import get_user

            args.owner_id = get_user(db, args.instructor).id
    pipeline = load_pipeline(args.model, args.keep_thumbnails, names=args.names, platform=args.platform)
    try:
        with user_errors():
            summary = BotRunner(_options(args), Store(db), pipeline, open_source).run()
    except SourceError as error:
        raise CommandError(str(error)) from None
    finally:
        db.dispose()
    if summary.store_error:
        raise CommandError(summary.store_error)
    return 0 if summary.captures else 1


def run_start(args: argparse.Namespace) -> int:
    return _record(args)


def parse_at(text: str) -> dict[str, str]:
    """``"mon,wed 09:55"`` -> cron fields for APScheduler's CronTrigger."""
    match = re.fullmatch(r"\s*([a-z,\-]+)\s+(\d{1,2}):(\d{2})\s*", text.lower())
    days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    if not match or not all(part in days for part in re.split(r"[,\-]", match.group(1))):
        raise CommandError(f'--at {text!r}: expected days and a time, e.g. "mon,wed 09:55" or "mon-fri 14:00"')
    hour, minute = int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        raise CommandError(f"--at {text!r}: {hour:02d}:{minute:02d} is not a time of day")
    return {"day_of_week": match.group(1), "hour": str(hour), "minute": str(minute)}


def run_schedule(args: argparse.Namespace) -> int:
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    fields = parse_at(args.at)
    if args.duration is None:
        raise CommandError("a scheduled class needs --duration (e.g. 90m) so it knows when to stop")
    scheduler = BlockingScheduler()
    trigger = CronTrigger(**fields)
    scheduler.add_job(lambda: _record(args), trigger, max_instances=1, coalesce=True, misfire_grace_time=300)
    scheduler.start(paused=True)
    next_run = scheduler.get_jobs()[0].next_run_time
    print(f"waiting to record {args.course!r} at {args.at} (next: {next_run:%a %d %b %H:%M}); Ctrl-C to quit")
    scheduler.resume()
    return 0


ANNOTATE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")


def _check_annotate(out: Path) -> None:
    """``--annotate`` must name a picture file in an existing folder (checked before the slow part)."""
    if out.suffix.lower() not in ANNOTATE_SUFFIXES:
        raise CommandError(f"--annotate {out}: the file name must end in {', '.join(ANNOTATE_SUFFIXES)}")
    if out.is_dir():
        raise CommandError(f"--annotate {out}: is a folder")
    if not out.parent.is_dir():
        raise CommandError(f"--annotate {out}: no folder {out.parent}")


def run_inspect(args: argparse.Namespace) -> int:
    import time
    from datetime import UTC, datetime

    import cv2

    from bot.frames import Frame
    from bot.sources.compression import blockiness, compression_warning
    from model.image_files import ImageReadError, read_image

    path = Path(args.image)
    if not path.exists():
        raise CommandError(f"no such file: {path}")
    if args.annotate:
        _check_annotate(Path(args.annotate))
    try:
        image = read_image(path)
    except ImageReadError as error:
        raise CommandError(
            f"cannot read {path} as an image" if str(error) == "unreadable image" else f"{path}: {error}"
        ) from None
    pipeline = load_pipeline(args.model, ocr=not args.no_ocr, names=args.names, platform=args.platform)
    started = time.perf_counter()
    result = pipeline.process([Frame(image, datetime.now(UTC), source=str(path))])
    timings = {**result.timings_ms, "total": round((time.perf_counter() - started) * 1000.0, 2)}
    tiles = [
        {
            "box": list(o.tile.box),
            "name": o.label_text,
            "face": list(o.face_box) if o.face_box else None,
            "emotion": o.label,
            "confidence": round(o.confidence, 4) if o.confidence is not None else None,
            "floating": o.tile.floating,
        }
        for o in result.observations
    ]
    if args.annotate:
        from bot.annotate import annotate

        if not cv2.imwrite(args.annotate, annotate(image, result)):
            raise CommandError(f"could not write {args.annotate}")
    gallery = result.gallery
    split = {"confidence": round(gallery.confidence, 3), "method": gallery.method}
    blocky = blockiness(image)
    heavy = compression_warning(blocky, "image")  # one line in plain words, or None
    if args.json:
        compression = {"blockiness": round(blocky, 3), "heavy": heavy is not None}
        output = {"tiles": tiles, "split": split, "compression": compression, "timings_ms": timings}
        print(json.dumps(output, indent=2, ensure_ascii=False))
    else:
        print(
            f"{path}: {len(tiles)} tiles (split confidence {split['confidence']:.2f}), {result.faces} faces, "
            f"{result.names} names ({timings['total']:.0f} ms)"
        )
        if not tiles:
            print("  I can't see a gallery here: is the meeting in gallery view?")
        if heavy:
            print(f"  {heavy}")
        for number, tile in enumerate(tiles, 1):
            emotion = f"{tile['emotion']} {tile['confidence']:.0%}" if tile["emotion"] else "no face"
            apart = "  (a video apart from the gallery)" if tile["floating"] else ""
            print(f"  {number:>2}. {tile['name'] or '(name unreadable)':<28} {emotion}{apart}")
        if args.annotate:
            print(f"annotated picture: {args.annotate}")
    return 0
