"""The write path: sessions, captures, participants, atomicity, orphaned sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from analytics.errors import NotFoundError
from analytics.schema import Capture, ClassSession, Course, Observation, Participant
from analytics.store import ObservationIn, Store

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
HAPPY = (0.1, 0.7, 0.1, 0.02, 0.02, 0.02, 0.02, 0.02)


def _obs(name: str, *, face: bool = True, probs=HAPPY, **kw) -> ObservationIn:
    return ObservationIn(
        name=name,
        face_found=face,
        tile_box=(0, 0, 320, 180),
        probs=probs if face else None,
        face_box=(10, 10, 50, 60) if face else None,
        **kw,
    )


def _counts(db) -> dict[str, int]:
    with db.session() as session:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table))
            for table in (Capture, Observation, Participant, ClassSession, Course)
        }


def test_start_session_creates_the_course_once(db):
    store = Store(db)
    first = store.start_session("Physics 101", started_at=T0, interval_s=5, source="window: Zoom")
    second = store.start_session("Physics 101", started_at=T0 + timedelta(days=2))
    other = store.start_session("Chemistry", started_at=T0)
    assert len({first, second, other}) == 3
    with db.session() as session:
        courses = session.execute(select(Course.name, func.count()).group_by(Course.name).order_by(Course.name)).all()
        row = session.get(ClassSession, first)
    assert courses == [("Chemistry", 1), ("Physics 101", 1)]
    assert row.status == "running" and row.interval_s == 5 and row.source == "window: Zoom"
    assert row.started_at == T0 and row.ended_at is None
    info = store.session_info(first)
    assert info.course == "Physics 101" and info.started_at == T0


def test_record_capture_writes_capture_participants_and_observations(db):
    store = Store(db)
    sid = store.start_session("Physics 101", started_at=T0, interval_s=5)
    capture_id = store.record_capture(
        sid,
        T0,
        [_obs("Ana María (Host)"), _obs("Ben Okafor", face=False)],
        tiles=2,
        faces=1,
        names=2,
        timings={"detect": 12.5, "classify": 8.25},
        total_ms=30.0,
    )
    # Same people, names read differently: no new participants, the first display name is kept.
    store.record_capture(
        sid, T0 + timedelta(seconds=5), [_obs("ana  maría"), _obs("BEN OKAFOR")], tiles=2, faces=2, names=2
    )
    with db.session() as session:
        capture = session.get(Capture, capture_id)
        participants = session.execute(
            select(Participant.display_name, Participant.normalized_name).order_by(Participant.id)
        ).all()
        first = session.scalars(select(Observation).where(Observation.captured_at == T0).order_by(Observation.id)).all()
    assert capture.tiles == 2 and capture.faces == 1 and capture.names == 2
    assert capture.timings == {"detect": 12.5, "classify": 8.25} and capture.total_ms == 30.0
    assert capture.captured_at == T0 and capture.error is None
    assert participants == [("Ana María (Host)", "ana maría"), ("Ben Okafor", "ben okafor")]
    ana, ben = first
    assert ana.face_found and ana.top_label == "happiness" and ana.confidence == pytest.approx(0.7)
    assert ana.p_happiness == pytest.approx(0.7) and ana.p_contempt == pytest.approx(0.02)
    assert (ana.tile_x, ana.tile_y, ana.tile_w, ana.tile_h) == (0, 0, 320, 180)
    assert (ana.face_x, ana.face_y, ana.face_w, ana.face_h) == (10, 10, 50, 60)
    assert not ben.face_found and ben.p_neutral is None and ben.top_label is None and ben.face_x is None
    assert ben.thumbnail is None
    assert _counts(db)["observations"] == 4


def test_participants_are_per_course(db):
    store = Store(db)
    a = store.start_session("A", started_at=T0)
    b = store.start_session("B", started_at=T0)
    store.record_capture(a, T0, [_obs("Zoe")], tiles=1, faces=1, names=1)
    store.record_capture(b, T0, [_obs("zoe")], tiles=1, faces=1, names=1)
    assert _counts(db)["participants"] == 2
    # A second Store (a fresh process) finds the existing participants instead of duplicating them.
    Store(db).record_capture(a, T0 + timedelta(seconds=5), [_obs("ZOE")], tiles=1, faces=1, names=1)
    assert _counts(db)["participants"] == 2


def test_record_capture_with_error_and_no_observations(db):
    store = Store(db)
    sid = store.start_session("Physics 101", started_at=T0)
    store.record_capture(sid, T0, [], tiles=0, faces=0, names=0, error="meeting window not found")
    with db.session() as session:
        assert session.scalar(select(Capture.error)) == "meeting window not found"


def test_record_capture_is_atomic(db):
    store = Store(db)
    sid = store.start_session("Physics 101", started_at=T0, interval_s=5)
    store.record_capture(sid, T0, [_obs("Ana")], tiles=1, faces=1, names=1)
    before = _counts(db)

    # Fails after the capture row and a new participant were written: bad probabilities on the last one.
    with pytest.raises(ValueError, match="expected 8 probabilities"):
        store.record_capture(
            sid,
            T0 + timedelta(seconds=5),
            [_obs("Ana"), _obs("New Student"), _obs("Third", probs=(0.5, 0.5))],
            tiles=3,
            faces=3,
            names=3,
        )
    assert _counts(db) == before

    # Fails inside the database driver layer while inserting the observations (a naive timestamp).
    with pytest.raises(Exception, match="naive datetime"):
        store.record_capture(
            sid,
            T0 + timedelta(seconds=10),
            [_obs("Another New"), _obs("Ana", captured_at=datetime(2024, 3, 4, 9, 0, 10))],
            tiles=2,
            faces=2,
            names=2,
        )
    assert _counts(db) == before

    # The participant cache was not polluted by the rolled-back inserts.
    store.record_capture(
        sid, T0 + timedelta(seconds=15), [_obs("New Student"), _obs("Another New")], tiles=2, faces=2, names=2
    )
    after = _counts(db)
    assert after["participants"] == before["participants"] + 2
    assert after["observations"] == before["observations"] + 2


def test_unknown_session_and_empty_names(db):
    store = Store(db)
    with pytest.raises(NotFoundError):
        store.record_capture(12345, T0, [_obs("Ana")], tiles=1, faces=1, names=1)
    with pytest.raises(NotFoundError):
        store.finish_session(12345)
    sid = store.start_session("Physics 101", started_at=T0)
    with pytest.raises(ValueError, match="empty"):
        store.record_capture(sid, T0, [_obs(" (Host) ")], tiles=1, faces=1, names=1)
    assert _counts(db)["captures"] == 0


def test_finish_session(db):
    store = Store(db)
    sid = store.start_session("Physics 101", started_at=T0)
    store.finish_session(sid, ended_at=T0 + timedelta(minutes=90))
    with db.session() as session:
        row = session.get(ClassSession, sid)
    assert row.status == "finished" and row.ended_at == T0 + timedelta(minutes=90)
    with pytest.raises(ValueError):
        store.finish_session(sid, status="running")


def test_close_orphaned_sessions(db):
    store = Store(db)
    now = T0 + timedelta(hours=2)
    dead = store.start_session("Physics 101", started_at=T0, interval_s=5)
    for k in range(3):
        store.record_capture(dead, T0 + timedelta(seconds=5 * k), [_obs("Ana")], tiles=1, faces=1, names=1)
    never_captured = store.start_session("Physics 101", started_at=T0 + timedelta(minutes=30))
    alive = store.start_session("Physics 101", started_at=now - timedelta(minutes=10), interval_s=5)
    store.record_capture(alive, now - timedelta(seconds=20), [_obs("Ana")], tiles=1, faces=1, names=1)
    mine = store.start_session("Physics 101", started_at=T0, interval_s=5)
    finished = store.start_session("Physics 101", started_at=T0)
    store.finish_session(finished, ended_at=T0 + timedelta(minutes=1))

    closed = store.close_orphaned_sessions(now=now, keep=[mine])
    assert sorted(closed) == sorted([dead, never_captured])
    with db.session() as session:
        rows = {r.id: r for r in session.scalars(select(ClassSession))}
    assert rows[dead].status == "interrupted" and rows[dead].ended_at == T0 + timedelta(seconds=10)
    assert rows[never_captured].status == "interrupted" and rows[never_captured].ended_at == T0 + timedelta(minutes=30)
    assert rows[alive].status == "running" and rows[mine].status == "running"
    assert rows[finished].status == "finished" and rows[finished].ended_at == T0 + timedelta(minutes=1)
    assert store.close_orphaned_sessions(now=now, keep=[mine]) == []
