"""``classmood admin``: sessions, attendance, history, users and retention."""

from __future__ import annotations

import argparse
import getpass
import sys

from classmood.commands._common import (
    DEFINITIONS,
    Column,
    add_db_option,
    add_format_option,
    fixed,
    local_time,
    open_db,
    parse_duration,
    parse_when,
    percent,
    positive_int,
    print_attendance,
    render,
    render_record,
)
from classmood.errors import CommandError, user_errors


def _common(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    add_db_option(parser)
    add_format_option(parser)
    return parser


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "admin",
        help="sessions, attendance, history, users, retention",
        description="Administer ClassMood: list sessions, attendance and mood history, manage users, purge old "
        "data. Every command takes --db URL and --format table|csv|json.",
    )
    parser.set_defaults(handler=lambda _args: parser.print_help() or 2)
    sub = parser.add_subparsers(dest="admin_command", metavar="SUBCOMMAND")

    sessions = _common(
        sub.add_parser("sessions", help="list sessions, newest first", description="List sessions, newest first.")
    )
    sessions.add_argument("--course", help="only this course")
    sessions.add_argument("--limit", type=positive_int, default=None, help="at most this many sessions")
    sessions.set_defaults(handler=_sessions)

    attendance = _common(
        sub.add_parser(
            "attendance",
            help="attendance per student",
            description="Attendance per student for one session (default: the last one) or for the sessions "
            "started in a date range. " + DEFINITIONS,
        )
    )
    attendance.add_argument("--course", help="only this course")
    attendance.add_argument("--session", metavar="ID|last", help="one session: its id, or 'last' (the default)")
    attendance.add_argument("--since", metavar="DATE", help="sessions started on or after DATE (YYYY-MM-DD or ISO)")
    attendance.add_argument("--until", metavar="DATE", help="sessions started before the end of DATE")
    attendance.set_defaults(handler=_attendance)

    history = _common(
        sub.add_parser(
            "history",
            help="one student's attendance and mood across sessions",
            description="One student's attendance, emotion shares (fraction of face observations with each "
            "top emotion) and mean valence in every session of their course. " + DEFINITIONS,
        )
    )
    history.add_argument("--student", required=True, help="student display name (matched case-insensitively)")
    history.add_argument("--course", help="only this course")
    history.set_defaults(handler=_history)

    users = sub.add_parser("users", help="manage users", description="Manage the users of the report.")
    users.set_defaults(handler=lambda _args: users.print_help() or 2)
    users_sub = users.add_subparsers(dest="users_command", metavar="SUBCOMMAND")
    add = _common(users_sub.add_parser("add", help="add a user", description="Add a user (password asked twice)."))
    add.add_argument("username")
    add.add_argument("--role", choices=("instructor", "admin"), default="instructor", help="default: %(default)s")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(handler=_users_add)
    listing = _common(users_sub.add_parser("list", help="list users", description="List users and their roles."))
    listing.set_defaults(handler=_users_list)
    passwd = _common(users_sub.add_parser("passwd", help="change a password", description="Change a password."))
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    passwd.set_defaults(handler=_users_passwd)
    remove = _common(
        users_sub.add_parser("remove", help="remove a user", description="Remove a user; their courses stay.")
    )
    remove.add_argument("username")
    remove.set_defaults(handler=_users_remove)

    purge = _common(
        sub.add_parser(
            "purge",
            help="delete old sessions",
            description="Delete sessions that ended more than the given time ago, with their captures and "
            "observations, and students left with no data. Running sessions are kept.",
        )
    )
    purge.add_argument("--older-than", required=True, metavar="AGE", help="e.g. 180d or 26w")
    purge.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    purge.set_defaults(handler=_purge)


# ----------------------------------------------------------------------------- sessions & attendance


def _sessions(args: argparse.Namespace) -> int:
    from analytics import queries

    db = open_db(args)
    try:
        with user_errors(), db.session() as session:
            rows = queries.list_sessions(session, course=args.course, limit=args.limit)
    finally:
        db.dispose()
    columns = [
        Column("id", "id"),
        Column("course", "course"),
        Column("started_at", "started"),
        Column("ended_at", "ended"),
        Column("status", "status"),
        Column("minutes", "minutes"),
        Column("interval_s", "interval s", fixed(1)),
        Column("captures", "captures"),
        Column("peak_tiles", "peak tiles"),
        Column("source", "source"),
    ]
    print(render([vars(r) for r in rows], columns, args.format))
    return 0


def _attendance(args: argparse.Namespace) -> int:
    if args.session is not None and (args.since or args.until):
        raise CommandError("use either --session or --since/--until, not both")
    since = parse_when(args.since) if args.since else None
    until = parse_when(args.until, end_of_day=True) if args.until else None
    if since is not None and until is not None and until <= since:
        raise CommandError("--until is before --since")
    db = open_db(args)
    try:
        print_attendance(db, args.format, session_ref=args.session, course=args.course, since=since, until=until)
    finally:
        db.dispose()
    return 0


def _history(args: argparse.Namespace) -> int:
    from analytics import queries
    from analytics.schema import EMOTIONS

    db = open_db(args)
    try:
        with user_errors(), db.session() as session:
            rows = queries.history(session, args.student, course=args.course)
    finally:
        db.dispose()
    records = []
    for r in rows:
        record = {**vars(r), "present": r.present, "share": r.share}
        for emotion in EMOTIONS:
            record[emotion] = r.emotion_shares[emotion] if r.emotion_shares else None
        records.append(record)
    columns = [
        Column("session_id", "session"),
        Column("started_at", "started"),
        Column("course", "course"),
        Column("student", "student"),
        Column("present", "present"),
        Column("minutes_present", "min present"),
        Column("minutes_camera_on", "min camera on"),
        Column("share", "share", percent),
        Column("mean_valence", "valence", fixed(2)),
        *[Column(emotion, emotion[:5], percent) for emotion in EMOTIONS],
    ]
    print(render(records, columns, args.format))
    return 0


# ----------------------------------------------------------------------------- users


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Repeat password: ")
        except EOFError:
            raise CommandError("no password given (use --password-stdin to pipe one)") from None
        if password != again:
            raise CommandError("the passwords do not match")
    if not password:
        raise CommandError("empty password")
    return password


def _users_add(args: argparse.Namespace) -> int:
    from analytics import auth

    password = _read_password(args)
    db = open_db(args)
    try:
        with user_errors():
            try:
                user = auth.create_user(db, args.username, password, role=args.role)
            except ValueError as error:
                raise CommandError(str(error)) from None
    finally:
        db.dispose()
    print(render_record({"added": user.username, "role": user.role, "created_at": user.created_at}, args.format))
    return 0


def _users_list(args: argparse.Namespace) -> int:
    from analytics import auth

    db = open_db(args)
    try:
        with user_errors():
            users = auth.list_users(db)
    finally:
        db.dispose()
    columns = [Column("username", "username"), Column("role", "role"), Column("created_at", "created")]
    print(render([vars(u) for u in users], columns, args.format))
    return 0


def _users_passwd(args: argparse.Namespace) -> int:
    from analytics import auth

    db = open_db(args)
    try:
        with user_errors():
            auth.get_user(db, args.username)  # unknown user: say so before asking for a password
            password = _read_password(args)
            try:
                auth.set_password(db, args.username, password)
            except ValueError as error:
                raise CommandError(str(error)) from None
    finally:
        db.dispose()
    print(render_record({"password_changed": args.username}, args.format))
    return 0


def _users_remove(args: argparse.Namespace) -> int:
    from analytics import auth

    db = open_db(args)
    try:
        with user_errors():
            auth.remove_user(db, args.username)
    finally:
        db.dispose()
    print(render_record({"removed": args.username}, args.format))
    return 0


# ----------------------------------------------------------------------------- retention


def _purge(args: argparse.Namespace) -> int:
    from analytics.retention import purge

    older_than = parse_duration(args.older_than)
    db = open_db(args)
    try:
        with user_errors():
            result = purge(db, older_than, dry_run=args.dry_run)
    finally:
        db.dispose()
    record = {
        "dry_run": result.dry_run,
        "cutoff": result.cutoff,
        "sessions": result.sessions,
        "session_ids": " ".join(map(str, result.session_ids)),
        "captures": result.captures,
        "observations": result.observations,
        "participants": result.participants,
        "courses": result.courses,
    }
    if args.format == "table":
        verb = "would delete" if result.dry_run else "deleted"
        ids = f" (ids {record['session_ids']})" if result.session_ids else ""
        print(
            f"{verb} {result.sessions} session(s) ended before {local_time(result.cutoff)}{ids}: "
            f"{result.captures} capture(s), {result.observations} observation(s), "
            f"{result.participants} student(s) left with no data, {result.courses} course(s) left empty"
        )
    else:
        if args.format == "json":
            record["session_ids"] = result.session_ids
        print(render_record(record, args.format))
    return 0
