"""Helpers shared by the database-facing subcommands (db, admin, bench, report): options, parsing, output.

Kept free of heavy imports: analytics and SQLAlchemy load inside functions.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from classmood.errors import CommandError, user_errors

if TYPE_CHECKING:
    from analytics.db import Database

DEFINITIONS = (
    "Minutes present = observations x capture interval; minutes with camera on = observations with a face x "
    "interval; share = minutes present / session length."
)

FORMATS = ("table", "csv", "json")
DB_HELP = (
    "database: a SQLite file (classmood.db) or a URL, e.g. postgresql+psycopg://user@host/db "
    "(default: $CLASSMOOD_DATABASE_URL, else classmood.db in the user data directory)"
)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="FILE|URL", type=db_url, default=None, help=DB_HELP)


def db_url(text: str) -> str:
    """``--db``: refuses an empty value (it would silently mean the default database) and in-memory SQLite."""
    value = text.strip()
    if not value:
        raise argparse.ArgumentTypeError("empty URL: give a database file or URL, or leave --db out for the default")
    if re.fullmatch(r"sqlite(\+\w+)?://(/(:memory:)?)?(\?.*)?", value):
        raise argparse.ArgumentTypeError(
            f"{value}: an in-memory database keeps nothing; use sqlite:///PATH/classmood.db"
        )
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed: give a number of at least 1")
    return value


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table, aligned plain text)"
    )


def open_db(args: argparse.Namespace, *, upgrade: bool = True) -> Database:
    """Open ``args.db`` (see :func:`analytics.db.open_database`), as a CommandError when it fails."""
    from analytics.db import open_database

    with user_errors():
        db = open_database(getattr(args, "db", None), upgrade=upgrade)
    if upgrade:
        _close_dead_sessions(db)
    return db


def _close_dead_sessions(db: Database) -> None:
    """Sessions whose bot stopped writing for ten intervals show as 'interrupted', not 'running' (a heartbeat)."""
    from sqlalchemy import exc

    from analytics.errors import AnalyticsError
    from analytics.store import Store

    with contextlib.suppress(exc.SQLAlchemyError, AnalyticsError):  # e.g. a read-only copy: listing still works
        Store(db).close_orphaned_sessions()


# ----------------------------------------------------------------------------- parsing

_DURATION = re.compile(r"^\s*(\d+)\s*([dwh])\s*$", re.IGNORECASE)
_DURATION_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
#: Longer ages than this reach before year 1 (or overflow): nothing that old can exist.
MAX_AGE = timedelta(days=100 * 366)


def parse_duration(text: str) -> timedelta:
    """``180d``, ``26w`` or ``12h`` -> timedelta (positive, at most 100 years)."""
    match = _DURATION.match(text or "")
    if not match or int(match.group(1)) <= 0:
        raise CommandError(f"bad duration {text!r}: use a number of days or weeks such as 180d or 26w")
    count, unit = int(match.group(1)), _DURATION_UNITS[match.group(2).lower()]
    if count > MAX_AGE // unit:
        raise CommandError(f"duration {text!r} is too long: at most 100 years ({MAX_AGE.days}d)")
    return count * unit


def parse_when(text: str, *, end_of_day: bool = False) -> datetime:
    """A timezone-aware datetime from ``YYYY-MM-DD`` or an ISO date-time.

    A bare date means local midnight (the next midnight with ``end_of_day``,
    so that ``--until 2024-05-31`` includes that day); a date-time without an
    offset is local time.
    """
    value = (text or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            if end_of_day:
                day += timedelta(days=1)
            return datetime.combine(day, time()).astimezone()
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo is not None else parsed.astimezone()
    except ValueError:
        raise CommandError(f"bad date {text!r}: use YYYY-MM-DD or an ISO date-time such as 2024-05-01T09:00") from None
    except OverflowError:
        raise CommandError(f"date {text!r} is out of range") from None


# ----------------------------------------------------------------------------- output


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    table: Callable[[Any], str] | None = None  # how the table shows the value


def local_time(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


def percent(value: float | None) -> str:
    return f"{100 * value:.0f}%" if value is not None else "-"


def fixed(digits: int) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        return f"{value:.{digits}f}" if value is not None else "-"

    return show


def _table_cell(value: Any, column: Column) -> str:
    if column.table is not None:
        return column.table(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return value


def render(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], fmt: str) -> str:
    """Rows as an aligned table, CSV (header + rows) or JSON (a list of objects, ISO UTC times)."""
    if fmt == "json":
        records = [{c.key: _plain(row.get(c.key)) for c in columns} for row in rows]
        return json.dumps(records, indent=2, ensure_ascii=False)
    if fmt == "csv":
        from analytics import csv_safe

        buffer = io.StringIO()
        writer = csv_safe.writer(buffer, lineterminator="\n")
        writer.writerow([c.key for c in columns])
        for row in rows:
            writer.writerow(["" if row.get(c.key) is None else _plain(row.get(c.key)) for c in columns])
        return buffer.getvalue().rstrip("\n")
    cells = [[_table_cell(row.get(c.key), c) for c in columns] for row in rows]
    headers = [c.header for c in columns]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    right = [bool(cells) and all(_numeric(r[i]) or r[i] == "-" for r in cells) for i in range(len(columns))]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)]
        return "  ".join(parts).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    if not cells:
        out.append("(none)")
    return "\n".join(out)


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(\.\d+)?%?", text))


def render_record(record: Mapping[str, Any], fmt: str) -> str:
    """One record: ``key: value`` lines for the table format, else like :func:`render` of one row."""
    if fmt == "json":
        return json.dumps({k: _plain(v) for k, v in record.items()}, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return render([record], [Column(k, k) for k in record], "csv")
    width = max(len(k) for k in record)
    return "\n".join(f"{k.ljust(width)}  {_table_cell(v, Column(k, k))}" for k, v in record.items())


# ----------------------------------------------------------------------------- attendance (admin, db seed-demo)

ATTENDANCE_COLUMNS = [
    Column("course", "course"),
    Column("student", "student"),
    Column("sessions_present", "sessions"),
    Column("sessions", "of"),
    Column("first_seen", "first seen"),
    Column("last_seen", "last seen"),
    Column("minutes_present", "min present"),
    Column("minutes_camera_on", "min camera on"),
    Column("share", "share", percent),
]


def print_attendance(
    db: Database,
    fmt: str,
    *,
    session_ref: str | None = None,
    course: str | None = None,
    since: Any = None,
    until: Any = None,
) -> None:
    """Print attendance for one session (``session_ref``) or the sessions started in [since, until)."""
    from analytics import queries

    with user_errors(), db.session() as session:
        title = None
        if since is None and until is None:
            session_id = queries.resolve_session(session, session_ref or "last", course)
            rows = queries.attendance(session, session_id=session_id)
            f = queries.session_figures(session, [session_id])[session_id]
            title = (
                f"session {session_id}, {f.course}: {local_time(f.started_at)} - {local_time(f.ended_at)} "
                f"({f.duration_s / 60:.0f} min, {f.status}, capture every {f.interval_s:g} s)"
            )
        else:
            if course is not None:
                queries.course_ids(session, course)  # unknown course -> error, not an empty table
            rows = queries.attendance(session, course=course, since=since, until=until)
    records = [{**vars(r), "share": r.share} for r in rows]
    if fmt == "table" and title:
        print(title)
    print(render(records, ATTENDANCE_COLUMNS, fmt))
