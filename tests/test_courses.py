"""A course is one course: one per name and instructor, claimed rather than duplicated, duplicates merged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import exc, func, select, text

from analytics import auth
from analytics.db import open_database
from analytics.migrate import downgrade, upgrade_to_head
from analytics.schema import ClassSession, Course, Observation, Participant
from analytics.store import ObservationIn, Store

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _record(store: Store, session_id: int, names: list[str], at: datetime = T0) -> None:
    observations = [ObservationIn(name=n, face_found=False, tile_box=(0, 0, 10, 10)) for n in names]
    store.record_capture(session_id, at, observations, tiles=len(names), faces=0, names=len(names))


def _courses(db) -> list[tuple[str, int | None]]:
    with db.session() as session:
        return [tuple(row) for row in session.execute(select(Course.name, Course.owner_id).order_by(Course.id))]


def test_an_instructor_claims_the_unowned_course_of_that_name(db):
    teacher = auth.create_user(db, "teacher", "a-long-password")
    store = Store(db)
    first = store.start_session("Physics 101")
    _record(store, first, ["Ada Lovelace", "Alan Turing"])
    second = store.start_session("Physics 101", owner_id=teacher.id)
    _record(store, second, ["Ada Lovelace", "Grace Hopper"])
    third = store.start_session("Physics 101")  # no --instructor: still the same course
    assert _courses(db) == [("Physics 101", teacher.id)]
    assert len({store.session_info(s).course_id for s in (first, second, third)}) == 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == 3


def test_two_instructors_keep_their_own_course_of_the_same_name(db):
    ian, ivy = (auth.create_user(db, name, "a-long-password").id for name in ("ian", "ivy"))
    store = Store(db)
    a, b = store.start_session("Physics 101", owner_id=ian), store.start_session("Physics 101", owner_id=ivy)
    assert store.session_info(a).course_id != store.session_info(b).course_id
    store.start_session("Physics 101", owner_id=ian)
    assert sorted(_courses(db), key=str) == sorted([("Physics 101", ian), ("Physics 101", ivy)], key=str)


def test_the_schema_refuses_a_second_unowned_course_of_a_name(db):
    with pytest.raises(exc.IntegrityError), db.transaction() as session:
        session.add_all([Course(name="Physics 101"), Course(name="Physics 101")])


def test_removing_an_instructor_merges_their_course_into_the_unowned_one(db):
    ian = auth.create_user(db, "ian", "a-long-password").id
    store = Store(db)
    owned = store.start_session("Physics 101", owner_id=ian)
    _record(store, owned, ["Ada Lovelace"])
    with db.transaction() as session:  # an unowned course of that name beside it (another instructor left)
        session.add(Course(name="Physics 101"))
    auth.remove_user(db, "ian")
    assert _courses(db) == [("Physics 101", None)]


def _insert_course(connection, name: str, owner_id: int | None, students: list[str], at: datetime) -> int:
    course_id = connection.execute(
        text("INSERT INTO courses (name, owner_id, created_at) VALUES (:n, :o, :t) RETURNING id"),
        {"n": name, "o": owner_id, "t": at},
    ).scalar_one()
    session_id = connection.execute(
        text(
            "INSERT INTO class_sessions (course_id, started_at, ended_at, status) "
            "VALUES (:c, :t, :e, 'finished') RETURNING id"
        ),
        {"c": course_id, "t": at, "e": at + timedelta(minutes=1)},
    ).scalar_one()
    for name in students:
        pid = connection.execute(
            text(
                "INSERT INTO participants (course_id, display_name, normalized_name) VALUES (:c, :d, :n) RETURNING id"
            ),
            {"c": course_id, "d": name, "n": name.lower()},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO observations (session_id, participant_id, captured_at, face_found, "
                "tile_x, tile_y, tile_w, tile_h) VALUES (:s, :p, :t, false, 0, 0, 1, 1)"
            ),
            {"s": session_id, "p": pid, "t": at},
        )
    return course_id


def test_the_migration_merges_duplicate_courses(db_url):
    db = open_database(db_url)
    try:
        downgrade(db.engine, "0001")
        with db.engine.begin() as connection:
            owner = connection.execute(
                text(
                    "INSERT INTO users (username, role, password_hash, created_at) "
                    "VALUES ('ian', 'instructor', 'x', :t) RETURNING id"
                ),
                {"t": T0},
            ).scalar_one()
            _insert_course(connection, "Physics 101", None, ["Ada", "Alan"], T0)
            _insert_course(connection, "Physics 101", None, ["Ada", "Grace"], T0 + timedelta(days=1))
            _insert_course(connection, "Physics 101", owner, ["Grace", "Linus"], T0 + timedelta(days=2))
            _insert_course(connection, "Chemistry", None, ["Marie"], T0)
        upgrade_to_head(db.engine)
        assert sorted(_courses(db), key=str) == sorted([("Physics 101", owner), ("Chemistry", None)], key=str)
        with db.session() as session:
            physics = session.scalar(select(Course.id).where(Course.name == "Physics 101"))
            students = session.scalars(
                select(Participant.display_name).where(Participant.course_id == physics).order_by(Participant.id)
            ).all()
            assert sorted(students) == ["Ada", "Alan", "Grace", "Linus"]
            assert session.scalar(select(func.count()).select_from(Observation)) == 7  # nothing lost
            assert (
                session.scalar(select(func.count()).select_from(ClassSession).where(ClassSession.course_id == physics))
                == 3
            )
            ada = session.scalar(select(Participant.id).where(Participant.display_name == "Ada"))
            assert session.scalar(select(func.count()).where(Observation.participant_id == ada)) == 2
    finally:
        db.dispose()
