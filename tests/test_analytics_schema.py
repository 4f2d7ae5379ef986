"""Schema, migrations, engine setup, datetimes and name normalization."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select, text

from analytics.db import ENV_VAR, open_database, resolve_url
from analytics.errors import DatabaseError
from analytics.migrate import current_revisions, downgrade, head_revisions
from analytics.schema import EMOTIONS, PROBABILITY_COLUMNS, Base, ClassSession, Course, normalize_name

APP_TABLES = {"users", "courses", "class_sessions", "participants", "observations", "captures"}


def test_emotion_set_is_ferplus_order():
    assert EMOTIONS == ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt")
    assert PROBABILITY_COLUMNS[0] == "p_neutral" and PROBABILITY_COLUMNS[-1] == "p_contempt"
    assert set(Base.metadata.tables) == APP_TABLES


def test_upgrade_head_gives_exactly_the_orm_schema(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    db = open_database(db_url)
    try:
        with db.engine.connect() as connection:
            assert current_revisions(connection) == head_revisions()
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
            tables = set(inspect(connection).get_table_names())
        assert diff == []
        assert tables == APP_TABLES | {"alembic_version"}
    finally:
        db.dispose()


def test_downgrade_base_leaves_no_tables(db_url):
    db = open_database(db_url)
    try:
        downgrade(db.engine, "base")
        with db.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert current_revisions(connection) == ()
        assert tables <= {"alembic_version"}  # Alembic keeps its (empty) bookkeeping table
        # ... and upgrading again works.
        db2 = open_database(db_url)
        db2.dispose()
    finally:
        db.dispose()


def test_open_twice_is_idempotent(db_url):
    open_database(db_url).dispose()
    db = open_database(db_url)
    try:
        with db.engine.connect() as connection:
            assert current_revisions(connection) == head_revisions()
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        db.dispose()


def test_unknown_schema_revision_is_a_clear_error(sqlite_url):
    db = open_database(sqlite_url)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffff'"))
    db.dispose()
    with pytest.raises(DatabaseError, match="unknown to this version"):
        open_database(sqlite_url)


def test_datetimes_are_stored_utc_and_come_back_aware(db):
    paris = timezone(timedelta(hours=2))
    started = datetime(2024, 5, 6, 11, 30, 15, 123456, tzinfo=paris)
    with db.transaction() as session:
        course = Course(name="Time")
        session.add(course)
        session.flush()
        session.add(ClassSession(course_id=course.id, started_at=started, status="running"))
    with db.session() as session:
        value = session.scalar(select(ClassSession.started_at))
        course_created = session.scalar(select(Course.created_at))
        # Comparing in SQL with an aware bound value works on both backends.
        later = session.scalar(select(ClassSession.id).where(ClassSession.started_at > started - timedelta(seconds=1)))
    assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
    assert value == started and value.hour == 9
    assert course_created.tzinfo is not None
    assert later is not None


def test_naive_datetimes_are_refused(db):
    with pytest.raises(Exception, match="naive datetime"), db.transaction() as session:
        course = Course(name="Naive")
        session.add(course)
        session.flush()
        session.add(ClassSession(course_id=course.id, started_at=datetime(2024, 1, 1), status="running"))
        session.flush()


def test_sqlite_connection_settings(sqlite_url):
    db = open_database(sqlite_url)
    try:
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    finally:
        db.dispose()


def test_url_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, "sqlite:///from-env.db")
    assert resolve_url("sqlite:///explicit.db") == "sqlite:///explicit.db"
    assert resolve_url(None) == "sqlite:///from-env.db"
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'classmood' / 'classmood.db'}"
    assert (tmp_path / "classmood").is_dir()
    # a plain path is a SQLite file; nonsense is one clear line
    assert resolve_url(str(tmp_path / "class.db")) == f"sqlite:///{tmp_path / 'class.db'}"
    monkeypatch.chdir(tmp_path)
    assert resolve_url("demo.sqlite") == f"sqlite:///{tmp_path / 'demo.sqlite'}"
    for nonsense, message in (("not a url", "invalid database URL"), ("/no/such/dir/x.db", "does not exist")):
        with pytest.raises(DatabaseError, match=message):
            resolve_url(nonsense)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+psycopg://nobody@127.0.0.1:1/x", "cannot open database"),
        ("mysql://u@h/x", "unsupported database"),
        ("not a url", "invalid database URL"),
        ("sqlite:////nonexistent-dir/sub/x.db", "cannot open database"),
    ],
)
def test_bad_or_unreachable_database_is_one_line_error(url, message):
    with pytest.raises(DatabaseError, match=message) as info:
        open_database(url)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Ana María", "ana maría"),
        ("  ANA   MARÍA  ", "ana maría"),
        ("Ana María (Host)", "ana maría"),
        ("Ana María (Co-host)", "ana maría"),
        ("Ana María (Host, me)", "ana maría (host, me)"),  # not a known annotation: kept
        ("Ana María (Me)", "ana maría"),
        ("Ana María (Guest)", "ana maría"),
        ("Ana María (she/her)", "ana maría"),
        ("Sam Lee (they/them) (Host)", "sam lee"),
        ("Ｊｏｈｎ Ｓｍｉｔｈ", "john smith"),  # full-width letters, NFKC
        ("Straße", "strasse"),  # casefold
        ("Christopher Alexand...", "christopher alexand"),
        ("Christopher Alexand…", "christopher alexand"),
        ("Christopher Alexand …", "christopher alexand"),
        ("Dr. J. Doe", "dr. j. doe"),
        ("Room 101 (2)", "room 101 (2)"),
    ],
)
def test_normalize_name(raw, normalized):
    assert normalize_name(raw) == normalized


def test_analytics_does_not_import_bot_model_or_training():
    code = (
        "import sys, analytics.schema, analytics.db, analytics.store, analytics.queries, analytics.auth, "
        "analytics.retention, analytics.demo_seed, analytics.bench, analytics.migrate\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'bot', 'model', 'training', 'torch', 'cv2'})\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_aware_now_is_utc():
    from analytics.schema import utcnow

    assert utcnow().tzinfo is UTC
