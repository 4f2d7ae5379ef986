"""``classmood demo``: the whole product on a synthetic class, no meeting and no internet needed."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

from analytics.demo_data import DEMO_COURSE, DEMO_PASSWORD, DEMO_USER
from classmood.commands._common import DB_HELP
from classmood.commands._models import load_pipeline, platform_choices
from classmood.errors import CommandError, user_errors


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the whole pipeline on a synthetic class and open its report",
        description="Render a synthetic online class (a Zoom-like gallery of sample faces whose expressions drift; "
        "one student leaves and rejoins, one keeps the camera off), run the real bot pipeline on every frame, "
        "store it in the everyday database (where `classmood report` and `classmood admin` look; "
        "an earlier demo class is replaced) and serve the report. `classmood demo --remove` deletes it again.",
    )
    parser.add_argument("--students", type=int, default=30, help="class size, 1-49 (default %(default)s)")
    parser.add_argument("--minutes", type=float, default=20, help="length of the class (default %(default)s)")
    parser.add_argument("--interval", type=float, default=5, help="seconds between captures (default %(default)s)")
    parser.add_argument("--platform", choices=platform_choices(rendered_only=True), default="zoom")
    parser.add_argument("--db", metavar="FILE|URL", help=DB_HELP)
    parser.add_argument(
        "--remove", action="store_true", help=f"delete the demo class and the {DEMO_USER!r} account, then stop"
    )
    parser.add_argument("--no-serve", action="store_true", help="stop after recording; do not serve the report")
    parser.add_argument("--port", type=int, default=8050, help="report port (default %(default)s)")
    parser.add_argument("--model", default="ferplus", help="expression model (default ferplus)")
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(handler=run_demo)


def _prepare_database(args: argparse.Namespace):
    """The everyday database (or --db) without an earlier demo class, and the demo account."""
    from analytics import auth
    from analytics.db import open_database
    from analytics.demo_data import remove_demo_data
    from analytics.errors import NotFoundError

    with user_errors():
        db = open_database(args.db)
        remove_demo_data(db)
        try:
            owner = auth.get_user(db, DEMO_USER)
        except NotFoundError:
            owner = auth.create_user(db, DEMO_USER, DEMO_PASSWORD, role="admin")
        if auth.authenticate(db, DEMO_USER, DEMO_PASSWORD) is None:
            db.dispose()
            raise CommandError(
                f"{db.url} has a real account named {DEMO_USER!r}; give the demo a database of its own: --db demo.db"
            )
    return db, owner


def _remove(args: argparse.Namespace) -> int:
    from analytics.db import open_database
    from analytics.demo_data import remove_demo_data

    with user_errors():
        db = open_database(args.db)
        try:
            print(f"{remove_demo_data(db).describe()} ({db.url})")
        finally:
            db.dispose()
    return 0


def run_demo(args: argparse.Namespace) -> int:
    if args.remove:
        return _remove(args)
    if not 1 <= args.students <= 49:
        raise CommandError("--students must be between 1 and 49 (one gallery page)")
    if args.minutes <= 0 or args.interval <= 0:
        raise CommandError("--minutes and --interval must be positive")
    from analytics.store import Store
    from bot.runner import BotOptions, BotRunner
    from bot.synthetic.source import SimulatedSource

    db, owner = _prepare_database(args)
    pipeline = load_pipeline(args.model)
    start = datetime.now(UTC) - timedelta(minutes=args.minutes)  # the class "just ended"
    options = BotOptions(
        course=DEMO_COURSE, source=f"synthetic:{args.platform}", interval_s=args.interval, owner_id=owner.id
    )

    def open_class(_spec: str, interval_s: float, _started: datetime) -> SimulatedSource:
        return SimulatedSource(
            students=args.students,
            minutes=args.minutes,
            interval_s=interval_s,
            platform=args.platform,
            seed=args.seed,
            start=start,
        )

    runner = BotRunner(options, Store(db), pipeline, open_class)
    with user_errors():
        summary = runner.run()
    _print_attendance(db, summary.session_id)
    print(
        f"\nStored in {db.url}, where `classmood report` and `classmood admin` look; "
        "`classmood demo --remove` deletes it."
    )
    if args.no_serve:
        db.dispose()
        return 0
    from analytics.report.app import create_app
    from analytics.report.server import serve

    url = f"http://127.0.0.1:{args.port}/session/{summary.session_id}"
    print(f"\nReport: open {url} and log in as {DEMO_USER!r} with password {DEMO_PASSWORD!r} (Ctrl+C to stop)")
    try:
        serve(create_app(db, landing=f"/session/{summary.session_id}"), "127.0.0.1", args.port)
    except OSError as error:
        raise CommandError(f"cannot listen on port {args.port}: {error.strerror or error} (try --port)") from None
    finally:
        db.dispose()
    return 0


def _print_attendance(db, session_id: int) -> None:
    from analytics import queries

    with db.session() as session:
        rows = queries.attendance(session, session_id=session_id)
    print(f"\nAttendance, session {session_id}:", file=sys.stdout)
    width = max([len("student"), *(len(row.student) for row in rows)])
    print(f"  {'student':<{width}} {'present':>8} {'camera on':>10}")
    for row in rows:
        print(f"  {row.student:<{width}} {row.minutes_present:>6.1f} m {row.minutes_camera_on:>8.1f} m")
