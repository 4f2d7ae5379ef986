"""``classmood db``: schema migrations and demo data."""

from __future__ import annotations

import argparse

from classmood.commands._common import add_db_option, add_format_option, open_db, print_attendance
from classmood.errors import CommandError, user_errors


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "db",
        help="database schema and demo data",
        description="Manage the ClassMood database. The schema is upgraded automatically whenever ClassMood "
        "opens the database; these commands do it explicitly, show where it stands, or fill it with a "
        "synthetic class.",
    )
    parser.set_defaults(handler=lambda _args: parser.print_help() or 2)
    sub = parser.add_subparsers(dest="db_command", metavar="SUBCOMMAND")

    upgrade = sub.add_parser(
        "upgrade",
        help="upgrade the schema to the newest revision",
        description="Apply any pending Alembic migrations (does nothing when the schema is current).",
    )
    add_db_option(upgrade)
    upgrade.set_defaults(handler=_upgrade)

    current = sub.add_parser(
        "current",
        help="show the schema revision",
        description="Show the database URL (password hidden), its schema revision and the newest one.",
    )
    add_db_option(current)
    current.set_defaults(handler=_current)

    seed = sub.add_parser(
        "seed-demo",
        help="write a synthetic class through the real write path",
        description="Write a finished synthetic class (drifting expressions, one student leaving and "
        "rejoining, one camera off, one late joiner) and print its attendance.",
    )
    add_db_option(seed)
    add_format_option(seed)
    seed.add_argument("--course", default="Demo class", help="course name (default: %(default)s)")
    seed.add_argument("--students", type=int, default=30, help="number of students (default: %(default)s)")
    seed.add_argument("--minutes", type=float, default=20, help="class length in minutes (default: %(default)s)")
    seed.add_argument("--interval", type=float, default=5, help="seconds between captures (default: %(default)s)")
    seed.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    seed.set_defaults(handler=_seed_demo)


def _upgrade(args: argparse.Namespace) -> int:
    from analytics.migrate import upgrade_to_head

    db = open_db(args, upgrade=False)
    try:
        with user_errors():
            before, after = upgrade_to_head(db.engine)
    finally:
        db.dispose()
    if before == after:
        print(f"{db.url}: already at revision {', '.join(after)} (head)")
    else:
        print(f"{db.url}: upgraded from {', '.join(before) or 'an empty database'} to {', '.join(after)} (head)")
    return 0


def _current(args: argparse.Namespace) -> int:
    from analytics.migrate import current_revisions, head_revisions

    db = open_db(args, upgrade=False)
    try:
        with user_errors(), db.engine.connect() as connection:
            current = current_revisions(connection)
    finally:
        db.dispose()
    heads = head_revisions()
    if not current:
        state = f"no schema yet (head is {', '.join(heads)}; run `classmood db upgrade`)"
    elif current == heads:
        state = f"revision {', '.join(current)} (head)"
    else:
        state = f"revision {', '.join(current)} (head is {', '.join(heads)}; run `classmood db upgrade`)"
    print(f"{db.url}: {state}")
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    if args.students < 1 or args.minutes <= 0 or args.interval <= 0:
        raise CommandError("--students, --minutes and --interval must be positive")
    from analytics.demo_seed import seed_demo_class

    db = open_db(args)
    try:
        with user_errors():
            session_id = seed_demo_class(
                db,
                args.course,
                students=args.students,
                minutes=args.minutes,
                interval_s=args.interval,
                seed=args.seed,
            )
        if args.format == "table":
            print(f"wrote session {session_id} of {args.course!r} to {db.url}\n")
        print_attendance(db, args.format, session_ref=str(session_id))
    finally:
        db.dispose()
    return 0
