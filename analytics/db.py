"""Opening the database: one engine factory for SQLite and PostgreSQL.

:func:`open_database` takes an explicit URL, else ``CLASSMOOD_DATABASE_URL``,
else the SQLite file ``classmood.db`` in the user data directory, and brings
the schema to the newest Alembic revision before returning (a no-op costing a
few milliseconds when it is already there).

SQLite connections run in WAL mode with a 10 s busy timeout, ``synchronous =
NORMAL`` and foreign keys enforced; SQLAlchemy, not the ``sqlite3`` driver,
emits ``BEGIN`` so that transactions (DDL included) are real ones.
PostgreSQL goes through psycopg 3 (``postgresql+psycopg://``; a bare
``postgresql://`` URL is read as that).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from analytics.errors import DatabaseError

ENV_VAR = "CLASSMOOD_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 10_000
POSTGRES_CONNECT_TIMEOUT_S = 10
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")

log = logging.getLogger(__name__)


def default_sqlite_path() -> Path:
    """``classmood.db`` in the platform's user data directory (created if missing)."""
    import platformdirs

    directory = Path(platformdirs.user_data_dir("classmood", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return directory / "classmood.db"


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
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


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


class Database:
    """An engine plus a session factory: what the rest of analytics is given.

    Use :meth:`session` as a context manager (``with db.session() as s, s.begin(): ...``)
    and :meth:`dispose` (or ``with open_database(...) as db:``) when done.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessionmaker: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

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
        """A session inside one transaction: committed on success, rolled back on any exception."""
        with self.sessionmaker() as session, session.begin():
            yield session

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
