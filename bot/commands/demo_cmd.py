"""``classmood demo``: the whole product on a synthetic class, no meeting and no internet needed."""

from __future__ import annotations

import argparse
import secrets
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.commands import CommandError
from bot.commands._common import db_url, user_errors

DEMO_DB = Path("classmood-demo.db")
DEMO_USER = "teacher"
DEMO_PASSWORD = "demo-class"  # a throwaway local account in the fresh demo file, shown to the user on purpose
DEMO_COURSE = "Demo class"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the whole pipeline on a synthetic class and open its report",
        description="Render a synthetic online class (a Zoom-like gallery of sample faces whose expressions drift; "
        "one student leaves and rejoins, one keeps the camera off), run the real bot pipeline on every frame, "
        f"store it in a SQLite file ({DEMO_DB} unless --db) and serve the report.",
    )
    parser.add_argument("--students", type=int, default=30, help="class size, 1-49 (default %(default)s)")
    parser.add_argument("--minutes", type=float, default=20, help="length of the class (default %(default)s)")
    parser.add_argument("--interval", type=float, default=5, help="seconds between captures (default %(default)s)")
    parser.add_argument("--platform", choices=("zoom", "meet", "teams"), default="zoom")
    parser.add_argument("--db", metavar="URL", type=db_url, help=f"database URL (default: a fresh {DEMO_DB} here)")
    parser.add_argument(
        "--into-existing",
        action="store_true",
        help="with --db: add the demo class to a database that already holds real classes or users",
    )
    parser.add_argument("--no-serve", action="store_true", help="stop after recording; do not serve the report")
    parser.add_argument("--port", type=int, default=8050, help="report port (default %(default)s)")
    parser.add_argument("--model", default="ferplus", help="expression model (default ferplus)")
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(handler=run_demo)


class SimulatedSource:
    """A recorded-class source over :func:`bot.synthetic.classroom.simulate_class`."""

    kind = "synthetic"
    live = False
    screen_origin = (0, 0)

    def __init__(self, args: argparse.Namespace, start: datetime) -> None:
        from bot.synthetic.classroom import simulate_class

        self._captures = simulate_class(
            students=args.students,
            minutes=args.minutes,
            interval_s=args.interval,
            platform=args.platform,
            seed=args.seed,
            start=start,
        )
        self._description = f"a synthetic {args.platform} class of {args.students} students"

    def grab(self):
        from bot.sources import SourceEnded

        try:
            return next(self._captures).frame
        except StopIteration:
            raise SourceEnded("the synthetic class is over") from None

    def describe(self) -> str:
        return self._description

    def close(self) -> None:
        self._captures.close()


def _prepare_database(args: argparse.Namespace):
    from analytics import auth
    from analytics.db import open_database
    from analytics.errors import NotFoundError

    url = args.db
    fresh = url is None
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEMO_DB}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{DEMO_DB.resolve()}"
    with user_errors():
        db = open_database(url)
        held = None if fresh else _real_data(db)
        if held and not args.into_existing:
            db.dispose()
            raise CommandError(
                f"{db.url} already holds {held}: the demo would add a synthetic class and an admin account to it. "
                "Leave out --db for a fresh demo database, or pass --into-existing"
            )
        try:
            owner = auth.get_user(db, DEMO_USER)
            args.demo_password = None  # an account from an earlier demo: its password is left alone
        except NotFoundError:
            # A known password only in the throwaway demo file; anywhere else, a random one shown once.
            args.demo_password = DEMO_PASSWORD if fresh else secrets.token_urlsafe(12)
            owner = auth.create_user(db, DEMO_USER, args.demo_password, role="admin")
    return db, owner


def _real_data(db) -> str | None:
    """What in ``db`` is not from an earlier demo ("3 user(s), 2 course(s)"), or None."""
    from sqlalchemy import func, select

    from analytics.schema import Course, User

    with db.session() as session:
        users = session.scalar(select(func.count()).select_from(User).where(User.username != DEMO_USER))
        courses = session.scalar(select(func.count()).select_from(Course).where(Course.name != DEMO_COURSE))
    parts = [f"{users} user(s)" if users else "", f"{courses} course(s)" if courses else ""]
    return ", ".join(p for p in parts if p) or None


def _login_line(args: argparse.Namespace) -> str:
    password = getattr(args, "demo_password", None)
    return f"log in as {DEMO_USER!r} " + (
        f"with password {password!r}" if password else "with the password that account already has"
    )


def run_demo(args: argparse.Namespace) -> int:
    if not 1 <= args.students <= 49:
        raise CommandError("--students must be between 1 and 49 (one gallery page)")
    if args.minutes <= 0 or args.interval <= 0:
        raise CommandError("--minutes and --interval must be positive")
    from analytics.store import Store
    from bot.commands.bot_cmd import build_pipeline
    from bot.runner import BotOptions, BotRunner

    db, owner = _prepare_database(args)
    pipeline = build_pipeline(args.model)
    start = datetime.now(UTC) - timedelta(minutes=args.minutes)  # the class "just ended"
    options = BotOptions(
        course=DEMO_COURSE, source=f"synthetic:{args.platform}", interval_s=args.interval, owner_id=owner.id
    )
    runner = BotRunner(options, Store(db), pipeline, lambda _spec, _interval, _start: SimulatedSource(args, start))
    with user_errors():
        summary = runner.run()
    _print_attendance(db, summary.session_id)
    if args.no_serve:
        db.dispose()
        print(f"\nTo see the report: classmood report --db {args.db or DEMO_DB} and {_login_line(args)}")
        return 0
    from analytics.report.app import create_app
    from analytics.report.server import serve

    url = f"http://127.0.0.1:{args.port}/session/{summary.session_id}"
    print(f"\nReport: open {url} and {_login_line(args)} (Ctrl+C to stop)")
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
