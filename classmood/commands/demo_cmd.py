"""``classmood demo``: the whole product on a synthetic class, no meeting and no internet needed."""

from __future__ import annotations

import argparse
import secrets
import sys
from datetime import UTC, datetime, timedelta

from analytics.demo_account import DEMO_COURSE, DEMO_PASSWORD, DEMO_USER
from classmood.commands._common import DB_HELP, db_url
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
    parser.add_argument("--db", metavar="FILE|URL", type=db_url, help=DB_HELP)
    parser.add_argument(
        "--remove", action="store_true", help=f"delete the demo class and the {DEMO_USER!r} account, then stop"
    )
    parser.add_argument(
        "--into-existing",
        action="store_true",
        help="add the demo class to a database that already holds real classes or users",
    )
    parser.add_argument("--no-serve", action="store_true", help="stop after recording; do not serve the report")
    parser.add_argument("--port", type=int, default=8050, help="report port (default %(default)s)")
    parser.add_argument("--model", default="ferplus", help="expression model (default ferplus)")
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(handler=run_demo)


def _prepare_database(args: argparse.Namespace):
    """The everyday database (or --db) without an earlier demo class, and the demo account.

    A database holding real users or courses is refused unless --into-existing, and so is one whose
    ``teacher`` is a real account. The published demo password is given only where nothing but demo data
    was; added to real data, the demo account gets a random password, shown once.
    """
    from analytics import auth
    from analytics.db import open_database
    from analytics.demo_data import remove_demo_data
    from analytics.errors import NotFoundError

    with user_errors():
        db = open_database(args.db)
        held = _real_data(db)
        if held and not args.into_existing:
            db.dispose()
            raise CommandError(
                f"{db.url} already holds {held}: the demo would add a synthetic class and an admin account to it. "
                "Give the demo a database of its own (--db demo.db), or pass --into-existing"
            )
        remove_demo_data(db)
        try:
            owner = auth.get_user(db, DEMO_USER)
        except NotFoundError:
            args.demo_password = secrets.token_urlsafe(12) if held else DEMO_PASSWORD
            return db, auth.create_user(db, DEMO_USER, args.demo_password, role="admin")
        if auth.authenticate(db, DEMO_USER, DEMO_PASSWORD) is not None:
            args.demo_password = DEMO_PASSWORD
        elif args.into_existing:
            args.demo_password = None  # an account from an earlier demo into real data: its password is left alone
        else:
            db.dispose()
            raise CommandError(
                f"{db.url} has a real account named {DEMO_USER!r}; give the demo a database of its own: --db demo.db"
            )
    return db, owner


def _real_data(db) -> str | None:
    """What in ``db`` is not from the demo ("3 user(s), 2 course(s)"), or None."""
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
    pipeline = load_pipeline(args.model, platform=args.platform)
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
        where = f" --db {args.db}" if args.db else ""
        print(f"\nTo see the report: classmood report{where} and {_login_line(args)}")
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
