"""Opening the database: one engine factory for SQLite and PostgreSQL.

:func:`open_database` takes an explicit URL, else ``CLASSMOOD_DATABASE_URL``,
else the SQLite file ``classmood.db`` in the user data directory, and brings
the schema to the newest Alembic revision before returning (a no-op costing a
few milliseconds when it is already there).

SQLite connections run in WAL mode with a 10 s busy timeout, ``synchronous =
NORMAL`` and foreign keys enforced; SQLAlchemy, not the ``sqlite3`` driver,
emits ``BEGIN`` so that transactions (DDL included) are real ones. Write
transactions (:meth:`Database.transaction`, :meth:`Database.write`, migrations)
begin with ``BEGIN IMMEDIATE``: a deferred transaction that reads and then
writes cannot upgrade its read lock while another process writes, and SQLite
fails it at once ("database is locked") instead of waiting the busy timeout.
:meth:`Database.write` also retries a transaction that still meets a busy
database (or, on PostgreSQL, a serialization failure or deadlock) a few times,
with jittered backoff.
PostgreSQL goes through psycopg 3 (``postgresql+psycopg://``; a bare
``postgresql://`` URL is read as that).
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from analytics.errors import DatabaseError

ENV_VAR = "CLASSMOOD_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 10_000
POSTGRES_CONNECT_TIMEOUT_S = 10
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
#: Execution option marking a connection whose transactions write (``BEGIN IMMEDIATE`` on SQLite).
WRITE_OPTION = "classmood_write"
WRITE_ATTEMPTS = 6
RETRY_BASE_S = 0.05
RETRY_MAX_S = 2.0
# PostgreSQL SQLSTATEs worth retrying: serialization failure, deadlock.
_PG_RETRY_SQLSTATES = {"40001", "40P01"}

T = TypeVar("T")

log = logging.getLogger(__name__)


def default_sqlite_path() -> Path:
    """``classmood.db`` in the platform's user data directory (created if missing)."""
    import platformdirs

    directory = Path(platformdirs.user_data_dir("classmood", appauthor=False))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # the data folder is the user's alone
    return directory / "classmood.db"


def prepare_sqlite_file(path: Path) -> None:
    """Create the database file readable by its owner only (0600), or warn when an existing one is not.

    SQLite gives the ``-wal`` and ``-shm`` files the database file's
    permissions, so they are private too. A missing folder is left to SQLite
    to report.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    except OSError:
        return
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077 and path.is_file():
        log.warning("warning: the database %s can be read by other users (mode %o): chmod 600 it", path, mode)


def resolve_url(url: str | None = None) -> str:
    """The database URL to use: ``url``, else ``$CLASSMOOD_DATABASE_URL``, else the default SQLite file.

    Either may be a URL (``sqlite:///...``, ``postgresql+psycopg://...``) or a plain path to a SQLite file
    (``classmood-demo.db``, ``~/class.db``), made absolute here.
    """
    if url and url.strip():
        return _url_or_path(url.strip())
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return _url_or_path(from_env)
    return f"sqlite:///{default_sqlite_path()}"


def _url_or_path(text: str) -> str:
    """``text`` when it is a URL, else the ``sqlite:///`` URL of the file it names.

    A file that does not exist yet must end in one of :data:`SQLITE_SUFFIXES`, so that a mistyped URL is an
    error rather than a new database file.
    """
    if "://" in text:
        return text
    path = Path(text).expanduser().absolute()
    if not path.is_file() and path.suffix.lower() not in SQLITE_SUFFIXES:
        raise DatabaseError(
            f"invalid database URL {text!r}: give a URL (sqlite:///PATH, postgresql+psycopg://...) "
            f"or a SQLite file ending in {', '.join(SQLITE_SUFFIXES)}"
        )
    if path.is_dir():
        raise DatabaseError(f"{text!r} is a folder: give a database file (e.g. {path / 'classmood.db'}) or a URL")
    if not path.parent.is_dir():
        raise DatabaseError(
            f"{text!r} is neither a database URL (sqlite:///PATH, postgresql+psycopg://...) "
            f"nor a file in an existing folder ({path.parent} does not exist)"
        )
    return f"sqlite:///{path}"


def _parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except (exc.ArgumentError, ValueError) as error:
        raise DatabaseError(f"invalid database URL {url!r}: {_one_line(error)}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(f"unsupported database {parsed.drivername!r}: use sqlite:///PATH or postgresql+psycopg://")
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL with any password hidden, for messages."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except (exc.ArgumentError, ValueError):
        return "<invalid URL>"
    return parsed.render_as_string(hide_password=True)


def _one_line(error: BaseException) -> str:
    """The first meaningful line of an exception message, without SQLAlchemy's background link."""
    original = getattr(error, "orig", None) or error
    for line in str(original).splitlines():
        line = line.strip()
        if line and not line.startswith("(Background on this error"):
            return line
    return type(original).__name__


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN (see the "begin" listener) instead of the
    # driver's legacy implicit transactions, which skip SELECT and DDL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        _set_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _set_wal(cursor: sqlite3.Cursor) -> None:
    """Put the file in WAL mode, retried with backoff while it is locked: SQLite changes a file's journal mode
    under an exclusive lock and does not wait the busy timeout for it, so of several processes opening a new
    database at once one could fail at once ("database is locked": 4-6 of 480 openings, 8 at a time)."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            message = str(error).lower()
            if attempt == WRITE_ATTEMPTS or not ("locked" in message or "busy" in message):
                raise
            time.sleep(retry_delay(attempt))


def _sqlite_on_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_transient(error: BaseException) -> bool:
    """Whether a failed transaction may succeed if simply run again.

    SQLite busy/locked, PostgreSQL serialization failures and deadlocks, and a
    connection that dropped (SQLAlchemy invalidated it; the pool reconnects).
    """
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate in _PG_RETRY_SQLSTATES:
        return True
    message = str(original).lower()
    return isinstance(error, exc.OperationalError) and ("database is locked" in message or "busy" in message)


def insert_or_ignore(connection: Connection | Session, table: Table) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the connection's dialect (SQLite and PostgreSQL both have it).

    With a select of the row after it, an insert-or-get that concurrent writers can run at once.
    """
    dialect = connection.dialect if isinstance(connection, Connection) else connection.get_bind().dialect
    if dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def retry_delay(attempt: int) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, ...): exponential backoff with full jitter."""
    return random.uniform(0, min(RETRY_MAX_S, RETRY_BASE_S * 2**attempt))


def make_engine(url: str | None = None, *, echo: bool = False) -> Engine:
    """An engine for ``url`` (resolved by :func:`resolve_url`) with ClassMood's connection settings.

    Does not connect and does not migrate; see :func:`open_database`.
    """
    parsed = _parse_url(resolve_url(url))
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "postgresql":
        if "connect_timeout" not in parsed.query:
            kwargs["connect_args"] = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as error:
        raise DatabaseError(f"cannot use database URL {safe_url(parsed)}: {_one_line(error)}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).absolute()


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


class Database:
    """An engine plus a session factory: what the rest of analytics is given.

    Use :meth:`session` as a context manager (``with db.session() as s, s.begin(): ...``)
    and :meth:`dispose` (or ``with open_database(...) as db:``) when done.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        #: The same pool; its transactions begin with ``BEGIN IMMEDIATE`` on SQLite.
        self.write_engine = engine.execution_options(**{WRITE_OPTION: True})
        self.sessionmaker: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self._write_sessionmaker: sessionmaker[Session] = sessionmaker(self.write_engine, expire_on_commit=False)
        self._file, self._file_id = _sqlite_file(engine), None
        if self._file is not None:
            self._file_id = _file_id(self._file)

    def check_file(self) -> None:
        """Raise :class:`DatabaseError` when the SQLite file was removed or replaced since it was opened.

        SQLite keeps writing into a deleted file through the open connections,
        and everything written that way is lost when they close.
        """
        if self._file is None:
            return
        current = _file_id(self._file)
        if self._file_id is None:  # not created yet when this Database was made
            self._file_id = current
        elif current != self._file_id:
            raise DatabaseError(f"the database file {self._file} was removed or replaced")

    @property
    def url(self) -> str:
        """The URL, password hidden."""
        return safe_url(self.engine.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self.sessionmaker()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one write transaction: committed on success, rolled back on any exception.

        On SQLite it takes the write lock up front (``BEGIN IMMEDIATE``), waiting
        up to the busy timeout for another writer to finish.
        """
        self.check_file()
        with self._write_sessionmaker() as session, session.begin():
            yield session

    def write(self, work: Callable[[Connection], T], *, attempts: int = WRITE_ATTEMPTS) -> T:
        """Run ``work(connection)`` in one write transaction, retried on transient errors.

        ``work`` must be safe to run again (it is, when all its effects are in
        the transaction). Up to ``attempts`` tries with jittered exponential
        backoff; the last error is raised as is.
        """
        for attempt in range(1, attempts + 1):
            self.check_file()
            try:
                with self.write_engine.begin() as connection:
                    return work(connection)
            except exc.DBAPIError as error:
                if attempt == attempts or not is_transient(error):
                    raise
                log.debug("transient database error (attempt %d of %d): %s", attempt, attempts, _one_line(error))
                time.sleep(retry_delay(attempt))
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url})"


def open_database(url: str | None = None, *, upgrade: bool = True, echo: bool = False) -> Database:
    """Open the database at ``url`` (or ``$CLASSMOOD_DATABASE_URL``, or the default SQLite file).

    Connects once to check the server is there, then (with ``upgrade``) brings
    the schema to the newest migration. Raises :class:`DatabaseError` with a
    one-line message when the URL is bad, the server unreachable, or the
    schema newer than this version of ClassMood.
    """
    engine = make_engine(url, echo=echo)
    sqlite_file = _sqlite_file(engine)
    if sqlite_file is not None:
        prepare_sqlite_file(sqlite_file)
    try:
        with engine.connect():
            pass
        if upgrade:
            from analytics.migrate import upgrade_to_head

            upgrade_to_head(engine)
    except DatabaseError:
        engine.dispose()
        raise
    except (exc.DBAPIError, exc.SQLAlchemyError, OSError) as error:
        engine.dispose()
        raise DatabaseError(f"cannot open database {safe_url(engine.url)}: {_one_line(error)}") from None
    return Database(engine)
