"""Shared fixtures: real databases for the analytics tests.

``db_url`` runs a test on SQLite (a temp file) and on PostgreSQL. PostgreSQL
is the local server (127.0.0.1:5432, user postgres or root, trust auth,
database ``test``; override with CLASSMOOD_TEST_PG_HOST / _PORT / _USER): each
test run creates a throw-away database ``classmood_test_<random>``, each test
a fresh schema in it (selected through ``search_path``), and both are dropped
afterwards. PostgreSQL tests are skipped, with the reason, when the server is
unreachable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from lanes import lanes_of, module_lanes

PG_HOST = os.environ.get("CLASSMOOD_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("CLASSMOOD_TEST_PG_PORT", "5432"))
PG_USERS = [os.environ["CLASSMOOD_TEST_PG_USER"]] if os.environ.get("CLASSMOOD_TEST_PG_USER") else ["postgres", "root"]
PG_MAINTENANCE_DB = "test"


def _pg_connect(user: str, dbname: str):
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname=dbname, connect_timeout=3, autocommit=True)


@pytest.fixture(scope="session")
def pg_user() -> str:
    """A PostgreSQL user that can connect to the maintenance database, else skip."""
    import psycopg

    errors = []
    for user in PG_USERS:
        try:
            _pg_connect(user, PG_MAINTENANCE_DB).close()
            return user
        except psycopg.Error as error:
            errors.append(f"{user}: {str(error).strip().splitlines()[0] if str(error).strip() else error!r}")
    pytest.skip(
        f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT} (database {PG_MAINTENANCE_DB!r}, "
        f"users {', '.join(PG_USERS)}): {'; '.join(errors)}"
    )


@pytest.fixture(scope="session")
def pg_database(pg_user: str) -> Iterator[str]:
    """A throw-away database for this test run; yields its name."""
    name = f"classmood_test_{uuid.uuid4().hex[:10]}"
    with _pg_connect(pg_user, PG_MAINTENANCE_DB) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with _pg_connect(pg_user, PG_MAINTENANCE_DB) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_user: str, pg_database: str) -> Iterator[str]:
    """URL of an empty PostgreSQL schema, fresh for this test (dropped after)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with _pg_connect(pg_user, pg_database) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (f"postgresql+psycopg://{pg_user}@{PG_HOST}:{PG_PORT}/{pg_database}?options=-csearch_path%3D{schema}")
    finally:
        with _pg_connect(pg_user, pg_database) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a new SQLite file."""
    return f"sqlite:///{tmp_path / 'classmood-test.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url: str):
    """An opened (migrated) database on each backend."""
    from analytics.db import open_database

    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by what they need (tests/lanes.py), so that ``make test-fast`` can leave them out."""
    for item in items:
        module = item.path.stem if item.path is not None else ""
        test = getattr(item, "originalname", item.name)
        for lane in lanes_of(module, test):
            item.add_marker(getattr(pytest.mark, lane))


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Do not even import a module whose every test the ``-m`` expression leaves out by name ("not browser"):
    importing torch, selenium or Xvfb helpers only to deselect their tests costs the fast lane seconds."""
    lanes = module_lanes(collection_path.stem) if collection_path.suffix == ".py" else []
    expression = config.getoption("markexpr") or ""
    if lanes and any(f"not {lane}" in expression for lane in lanes):
        return True
    return None
