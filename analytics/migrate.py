"""Running the Alembic migrations from code (no ``alembic.ini`` needed).

The migration scripts live in the ``migrations`` package, found relative to
its ``__file__`` so this works from a source checkout and from an installed
wheel alike. The engine's connection is handed to ``migrations/env.py``
through ``config.attributes["connection"]``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from analytics.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported inside the functions, under _quiet_alembic(): importing it
# logs a line per plugin at INFO, which would land on the CLI's stderr.


def migrations_dir() -> Path:
    import migrations

    return Path(migrations.__file__).resolve().parent


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, optionally bound to ``connection``."""
    with _quiet_alembic():
        from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def _quiet_alembic(quiet: bool = True) -> Iterator[None]:
    """Silence Alembic's INFO chatter ("Context impl ...", "setup plugin ...") unless debugging."""
    logger = logging.getLogger("alembic")
    previous = logger.level
    if quiet and not logging.getLogger().isEnabledFor(logging.DEBUG):
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)


# Any fixed 64-bit key: "CMOOD" in ASCII.
_PG_MIGRATION_LOCK = 0x434D4F4F44


@lru_cache(maxsize=1)
def head_revisions() -> tuple[str, ...]:
    """The head revision(s) of the packaged migrations."""
    with _quiet_alembic():
        from alembic.script import ScriptDirectory

        return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def current_revisions(connection: Connection) -> tuple[str, ...]:
    """The revision(s) the database is at; empty for a database never migrated."""
    with _quiet_alembic():
        from alembic.runtime.migration import MigrationContext

        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def _check_known(current: tuple[str, ...]) -> None:
    with _quiet_alembic():
        from alembic.script import ScriptDirectory
        from alembic.util.exc import CommandError as AlembicCommandError

        script = ScriptDirectory.from_config(alembic_config())
    for revision in current:
        try:
            known = script.get_revision(revision)
        except AlembicCommandError:
            known = None
        if known is None:
            raise DatabaseError(
                f"the database schema is at revision {revision}, unknown to this version of ClassMood "
                "(was it created by a newer one?)"
            )


def upgrade_to_head(engine: Engine, *, quiet: bool = True) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Bring the schema to head in one transaction; returns (revisions before, revisions after).

    Fast when already at head: one query of ``alembic_version``.
    """
    heads = head_revisions()
    with engine.connect() as connection:
        before = current_revisions(connection)
    if before == heads:
        return before, heads
    _check_known(before)
    with _write_transaction(engine) as connection, _quiet_alembic(quiet):
        from alembic import command

        # Alembic reads alembic_version again inside this transaction, which
        # holds the write lock: of several processes upgrading at once, the
        # first migrates and the others find the schema at head.
        command.upgrade(alembic_config(connection), "head")
    return before, heads


@contextmanager
def _write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that excludes other migrators: ``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL."""
    from analytics.db import WRITE_OPTION

    with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        yield connection


def downgrade(engine: Engine, revision: str = "base", *, quiet: bool = True) -> None:
    """Downgrade the schema to ``revision`` (``"base"`` drops every table)."""
    with _write_transaction(engine) as connection, _quiet_alembic(quiet):
        from alembic import command

        command.downgrade(alembic_config(connection), revision)
