"""Alembic environment for ClassMood.

Used two ways:

* from code (:mod:`analytics.migrate`): the caller's connection arrives in
  ``config.attributes["connection"]`` and is used as is, inside the caller's
  transaction;
* from the ``alembic`` command line at the repository root (``alembic.ini``):
  the URL is ``sqlalchemy.url`` if set, else ``$CLASSMOOD_DATABASE_URL``, else
  the default SQLite file, opened with :func:`analytics.db.make_engine`.

SQLite runs in batch mode (``render_as_batch``) so ALTERs work there.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from analytics.schema import Base

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    from analytics.db import resolve_url

    context.configure(
        url=resolve_url(config.get_main_option("sqlalchemy.url") or None),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return

    from analytics.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
