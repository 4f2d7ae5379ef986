"""Many bots writing to one database at once (issue 17, items 1 and 2).

Eight writer processes start together on one fresh database: each migrates
it, starts a session of the same new course and records 150 captures. Every
capture names a student all writers share, a newcomer that all writers meet
at the same moment (so they race to create the participant) and one of its
own. Nothing may be lost and nothing duplicated, on SQLite (one file, WAL) and
on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

WRITERS = 8
CAPTURES = 150
COURSE = "Stress course"
NEWCOMERS = 10

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forks writer processes")


def _names(writer: int, index: int) -> list[str]:
    return ["Everyone Here", f"Newcomer {index * NEWCOMERS // CAPTURES}", f"Own Student {writer}"]


def _opener(url: str, barrier, results) -> None:
    from analytics.db import open_database

    try:
        barrier.wait(timeout=60)
        open_database(url).dispose()
        results.put("ok")
    except Exception as error:
        results.put(f"{type(error).__name__}: {str(error).splitlines()[0]}")


def _run(target, args: tuple) -> list:
    """Run ``target(*args, barrier, results)`` in WRITERS processes started together; their results, sorted."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WRITERS)
    results = context.Queue()
    processes = [context.Process(target=target, args=(*args(w), barrier, results)) for w in range(WRITERS)]
    for process in processes:
        process.start()
    outcomes = sorted(results.get(timeout=240) for _ in processes)
    for process in processes:
        process.join(timeout=30)
    return outcomes


def test_eight_bots_opening_a_new_database_at_once_all_start(db_url: str) -> None:
    """They all migrate it: one does the work, the others wait and find it done."""
    assert _run(_opener, lambda _w: (db_url,)) == ["ok"] * WRITERS


def _writer(url: str, writer: int, barrier, results) -> None:
    from analytics.db import open_database
    from analytics.store import ObservationIn, Store

    stored, errors = 0, []
    try:
        barrier.wait(timeout=60)
        db = open_database(url)
        store = Store(db)
        session_id = store.start_session(COURSE, interval_s=1.0)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for index in range(CAPTURES):
            rows = [
                ObservationIn(name=name, face_found=True, tile_box=(0, 0, 10, 10), probs=[0.125] * 8)
                for name in _names(writer, index)
            ]
            try:
                store.record_capture(session_id, start + timedelta(seconds=index), rows, tiles=3, faces=3, names=3)
                stored += 1
            except Exception as error:  # counted as lost, reported below
                errors.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")
        db.dispose()
    except Exception as error:
        errors.append(f"start: {type(error).__name__}: {str(error).splitlines()[0]}")
    results.put((writer, stored, errors[:3], len(errors)))


def test_eight_writers_lose_nothing_and_duplicate_nothing(db_url: str) -> None:
    from analytics.db import open_database
    from analytics.schema import Capture, ClassSession, Course, Observation, Participant

    open_database(db_url).dispose()  # migrated: the race is on the course, the students and the captures
    outcomes = _run(_writer, lambda w: (db_url, w))

    failures = [(writer, lost, sample) for writer, _stored, sample, lost in outcomes if lost]
    assert not failures, f"captures lost: {failures}"
    assert [stored for _writer, stored, _sample, _lost in outcomes] == [CAPTURES] * WRITERS

    db = open_database(db_url)
    try:
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Course).where(Course.name == COURSE)) == 1
            assert session.scalar(select(func.count()).select_from(ClassSession)) == WRITERS
            assert session.scalar(select(func.count()).select_from(Capture)) == WRITERS * CAPTURES
            assert session.scalar(select(func.count()).select_from(Observation)) == WRITERS * CAPTURES * 3
            names = session.scalars(select(Participant.normalized_name)).all()
    finally:
        db.dispose()
    assert len(names) == len(set(names)) == 1 + NEWCOMERS + WRITERS


def test_migration_merges_unowned_courses_made_twice_by_racing_bots(db_url: str) -> None:
    """Duplicates made before the unique index: sessions and students end up on the oldest row, none lost."""
    from alembic import command
    from sqlalchemy import text

    from analytics.db import make_engine
    from analytics.migrate import alembic_config, upgrade_to_head

    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0001")
        with engine.begin() as connection:
            now = datetime(2026, 1, 1, tzinfo=UTC)
            for course_id in (1, 2):
                connection.execute(
                    text("INSERT INTO courses (id, name, owner_id, created_at) VALUES (:id, 'Bio', NULL, :now)"),
                    {"id": course_id, "now": now},
                )
                connection.execute(
                    text(
                        "INSERT INTO class_sessions (id, course_id, started_at, status)"
                        " VALUES (:id, :id, :now, 'finished')"
                    ),
                    {"id": course_id, "now": now},
                )
            students = [(1, 1, "ana"), (2, 2, "ana"), (3, 2, "ben")]
            for participant_id, course_id, name in students:
                connection.execute(
                    text(
                        "INSERT INTO participants (id, course_id, display_name, normalized_name)"
                        " VALUES (:id, :course, :name, :name)"
                    ),
                    {"id": participant_id, "course": course_id, "name": name},
                )
                connection.execute(
                    text(
                        "INSERT INTO observations (session_id, participant_id, captured_at, face_found,"
                        " tile_x, tile_y, tile_w, tile_h) VALUES (:course, :id, :now, false, 0, 0, 1, 1)"
                    ),
                    {"id": participant_id, "course": course_id, "now": now},
                )
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT id FROM courses")).scalars().all() == [1]
            assert connection.execute(text("SELECT course_id FROM class_sessions")).scalars().all() == [1, 1]
            participants = connection.execute(
                text("SELECT normalized_name, course_id FROM participants ORDER BY normalized_name")
            ).all()
            assert [tuple(row) for row in participants] == [("ana", 1), ("ben", 1)]
            observed = connection.execute(
                text(
                    "SELECT p.normalized_name FROM observations o JOIN participants p ON p.id = o.participant_id"
                    " ORDER BY o.id"
                )
            ).scalars()
            assert list(observed) == ["ana", "ana", "ben"]
    finally:
        engine.dispose()
