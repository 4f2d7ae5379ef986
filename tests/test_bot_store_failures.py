"""The bot when the database stops taking writes (issue 17, item 3).

A real bot (:class:`bot.runner.BotRunner`, real store, real database) runs in
a child process on a scripted source; its pipeline is a stand-in, as the
capture content does not matter here. At a given frame the store fails for
real: on SQLite the process may no longer grow files (RLIMIT_FSIZE, what a
full disk looks like to SQLite), on PostgreSQL the database stops accepting
connections and the bot's are cut. Captures must be kept in memory and
stored, all of them, once the store is back; a store that stays down stops
the bot with one clear line.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from analytics.store import Store
from bot.frames import Gallery, Tile

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forks the bot, limits its file size")

COURSE = "Outage course"


class FakePipeline:
    """Two students on every frame."""

    registry = SimpleNamespace(know=lambda names: None)

    def process(self, frames):
        observations = [
            SimpleNamespace(
                name=name,
                face_box=(1, 1, 5, 5),
                tile=SimpleNamespace(box=(0, 0, 10, 10)),
                probabilities=[0.125] * 8,
                label="neutral",
                confidence=0.125,
            )
            for name in ("Ana Lima", "Ben Okafor")
        ]
        gallery = Gallery(tiles=[Tile(box=(k * 10, 0, 10, 10), row=0, col=k) for k in range(2)], confidence=1.0)
        return SimpleNamespace(
            observations=observations, gallery=gallery, tiles=2, faces=2, names=2, timings_ms={}, errors=[]
        )

    def thumbnail(self, _result, _observation):
        return None


class ScriptedSource:
    """``frames`` frames one second apart (taken ``pause_s`` apart); ``hooks[i]()`` runs before frame i."""

    def __init__(self, frames: int, hooks: dict, pause_s: float = 0.02) -> None:
        self.frames, self.hooks, self.pause_s, self.index = frames, hooks, pause_s, 0
        self.start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def describe(self) -> str:
        return "a scripted source"

    def grab(self):
        from bot.sources import SourceEnded

        if self.index >= self.frames:
            raise SourceEnded("the recording ended")
        if self.index in self.hooks:
            self.hooks[self.index]()
        time.sleep(self.pause_s)
        frame = SimpleNamespace(captured_at=self.start + timedelta(seconds=self.index))
        self.index += 1
        return frame

    def close(self) -> None:
        pass


def _bot(url: str, frames: int, hooks: dict, down_limit_s: float) -> None:
    """The child: record, then exit 2 when the store stayed down (as `classmood bot start` does)."""
    import os

    from analytics.db import open_database
    from analytics.store import Store
    from bot.runner import BotOptions, BotRunner, StatusLine

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-limit write fails with EFBIG instead of killing us
    db = open_database(url)
    source = ScriptedSource(frames, hooks)
    options = BotOptions(course=COURSE, source="images:scripted", interval_s=1.0, store_down_limit_s=down_limit_s)
    runner = BotRunner(options, Store(db), FakePipeline(), lambda *_args: source, StatusLine(sys.stderr))
    runner.writer.backoff_base_s = 0.02
    summary = runner.run()
    sys.stderr.flush()
    os._exit(2 if summary.store_error else 0)


def _run_bot(*args) -> int:
    process = multiprocessing.get_context("fork").Process(target=_bot, args=args)
    process.start()
    process.join(timeout=120)
    return process.exitcode


def _stored(url: str) -> tuple[int, int, list[str]]:
    from analytics.db import open_database
    from analytics.schema import Capture, ClassSession, Observation

    db = open_database(url)
    try:
        with db.session() as session:
            captures = session.scalar(select(func.count()).select_from(Capture))
            observations = session.scalar(select(func.count()).select_from(Observation))
            statuses = session.scalars(select(ClassSession.status)).all()
    finally:
        db.dispose()
    return captures, observations, list(statuses)


def _disk_full() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


def _disk_back() -> None:
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))


def _assert_one_warning(err: str) -> None:
    assert "Traceback" not in err
    warnings = [line for line in err.splitlines() if "not accepting writes" in line]
    assert len(warnings) == 1, err


def test_sqlite_disk_full_then_free_again_loses_nothing(sqlite_url, capfd) -> None:
    from analytics.db import open_database

    open_database(sqlite_url).dispose()
    assert _run_bot(sqlite_url, 40, {5: _disk_full, 25: _disk_back}, 60.0) == 0
    err = capfd.readouterr().err
    _assert_one_warning(err)
    assert "the database is back" in err
    assert _stored(sqlite_url) == (40, 80, ["finished"])


def test_sqlite_disk_full_for_good_stops_with_exit_2_and_one_line(sqlite_url, capfd) -> None:
    from analytics.db import open_database

    open_database(sqlite_url).dispose()
    assert _run_bot(sqlite_url, 100_000, {5: _disk_full}, 0.5) == 2
    err = capfd.readouterr().err
    _assert_one_warning(err)
    captures, _observations, statuses = _stored(sqlite_url)
    assert captures == 5  # those written before the disk filled
    assert statuses == ["running"]  # could not be closed; the next `bot start` closes it
    assert "the next `bot start` closes it" in err


@pytest.fixture
def pg_own_database(pg_user):
    """A PostgreSQL database of its own (connections to it get blocked); yields (url, block, unblock)."""
    from tests.conftest import PG_HOST, PG_MAINTENANCE_DB, PG_PORT, _pg_connect

    name = f"classmood_down_{uuid.uuid4().hex[:10]}"
    with _pg_connect(pg_user, PG_MAINTENANCE_DB) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def allow(allowed: bool) -> None:
        with _pg_connect(pg_user, PG_MAINTENANCE_DB) as connection:
            connection.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}')
            if not allowed:
                connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))

    try:
        yield f"postgresql+psycopg://{pg_user}@{PG_HOST}:{PG_PORT}/{name}", lambda: allow(False), lambda: allow(True)
    finally:
        with _pg_connect(pg_user, PG_MAINTENANCE_DB) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_postgresql_refusing_connections_then_back_loses_nothing(pg_own_database, capfd) -> None:
    from analytics.db import open_database

    url, block, unblock = pg_own_database
    open_database(url).dispose()
    assert _run_bot(url, 40, {5: block, 25: unblock}, 60.0) == 0
    err = capfd.readouterr().err
    _assert_one_warning(err)
    assert _stored(url) == (40, 80, ["finished"])


def test_a_sqlite_file_removed_under_the_store_is_an_error_not_a_silent_loss(tmp_path) -> None:
    """SQLite would keep writing into the deleted file through its open connection, and lose it all at close."""
    from analytics.db import open_database
    from analytics.errors import DatabaseError
    from analytics.store import ObservationIn, Store

    path = tmp_path / "data" / "classmood.db"
    path.parent.mkdir()
    db = open_database(f"sqlite:///{path}")
    try:
        store = Store(db)
        session_id = store.start_session(COURSE)
        row = ObservationIn(name="Ana Lima", face_found=False, tile_box=(0, 0, 10, 10))
        now = datetime.now(UTC)
        store.record_capture(session_id, now, [row], tiles=1, faces=0, names=1)
        for leftover in path.parent.iterdir():
            leftover.unlink()
        with pytest.raises(DatabaseError, match="removed or replaced"):
            store.record_capture(session_id, now, [row], tiles=1, faces=0, names=1)
    finally:
        db.dispose()


def test_a_failed_capture_keeps_its_reason_even_an_empty_one(sqlite_url) -> None:
    """A grab that fails with no message (an X display going away) still leaves a reason in the capture row."""
    from analytics.db import open_database
    from analytics.schema import Capture
    from bot.runner import BotOptions, BotRunner, StatusLine

    class DisplayGoesAway(FakePipeline):
        calls = 0

        def process(self, frames):
            self.calls += 1
            if self.calls == 3:
                raise ConnectionResetError()  # what Xlib raises, with no message, when the display is gone
            return super().process(frames)

    db = open_database(sqlite_url)
    try:
        source = ScriptedSource(4, {}, pause_s=0)
        options = BotOptions(course=COURSE, source="images:scripted", interval_s=1.0)
        BotRunner(options, Store(db), DisplayGoesAway(), lambda *_args: source, StatusLine(sys.stderr)).run()
        with db.session() as session:
            errors = session.scalars(select(Capture.error).order_by(Capture.id)).all()
    finally:
        db.dispose()
    assert errors == [None, None, "ConnectionResetError", None]


def test_store_errors_are_reported_without_the_students_names(sqlite_url) -> None:
    """SQLAlchemy puts the statement's parameters (student names) into its messages; the reason leaves them out."""
    from sqlalchemy import exc, insert

    from analytics.db import open_database
    from analytics.schema import Participant
    from bot.store_buffer import reason

    db = open_database(sqlite_url)
    try:
        course_id = Store(db).session_info(Store(db).start_session(COURSE)).course_id
        row = {"course_id": course_id, "display_name": "Ana Lima", "normalized_name": "ana lima"}
        with pytest.raises(exc.IntegrityError) as failed, db.engine.begin() as connection:
            connection.execute(insert(Participant), [row, row])
    finally:
        db.dispose()
    assert "Ana Lima" in str(failed.value)
    assert "Ana Lima" not in reason(failed.value) and "UNIQUE constraint failed" in reason(failed.value)
