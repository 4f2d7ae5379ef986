"""Purging old sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from analytics.retention import purge
from analytics.schema import Capture, ClassSession, Course, Observation, Participant, utcnow
from analytics.store import ObservationIn, Store


def _capture(store: Store, sid: int, at, names: list[str]) -> None:
    obs = [ObservationIn(name=n, face_found=False, tile_box=(0, 0, 10, 10)) for n in names]
    store.record_capture(sid, at, obs, tiles=len(obs), faces=0, names=len(obs))


def _count(db, table, *where) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(table).where(*where))


def test_purge_old_sessions(db):
    now = utcnow()
    store = Store(db)
    old = store.start_session("Physics", started_at=now - timedelta(days=200))
    for k in range(3):
        _capture(store, old, now - timedelta(days=200) + timedelta(seconds=5 * k), ["Old Only", "Both"])
    store.finish_session(old, ended_at=now - timedelta(days=200) + timedelta(minutes=1))
    recent = store.start_session("Physics", started_at=now - timedelta(days=10))
    _capture(store, recent, now - timedelta(days=10), ["Both"])
    store.finish_session(recent, ended_at=now - timedelta(days=10) + timedelta(minutes=1))
    stuck = store.start_session("Physics", started_at=now - timedelta(days=300))  # its bot died: never closed
    _capture(store, stuck, now - timedelta(days=300), ["Stuck Student"])
    live = store.start_session("Physics", started_at=now - timedelta(days=300))  # a bot still writing: kept
    _capture(store, live, now - timedelta(seconds=5), ["Live Student"])
    gone = store.start_session("Old Course", started_at=now - timedelta(days=400))  # its only session
    _capture(store, gone, now - timedelta(days=400), ["Gone Student"])
    store.finish_session(gone, ended_at=now - timedelta(days=400))

    preview = purge(db, timedelta(days=180), now=now, dry_run=True)
    assert preview.dry_run and preview.session_ids == sorted([old, stuck, gone])
    assert (preview.captures, preview.observations, preview.participants, preview.courses) == (5, 8, 3, 1)
    assert _count(db, ClassSession) == 5 and _count(db, Observation) == 10

    result = purge(db, timedelta(days=180), now=now)
    assert result.session_ids == sorted([old, stuck, gone]) and result.sessions == 3
    assert (result.captures, result.observations, result.participants, result.courses) == (5, 8, 3, 1)
    assert _count(db, ClassSession) == 2
    assert _count(db, Observation, Observation.session_id == old) == 0
    assert _count(db, Capture, Capture.session_id == old) == 0
    with db.session() as session:
        names = set(session.scalars(select(Participant.display_name)))
        courses = set(session.scalars(select(Course.name)))
    assert names == {"Both", "Live Student"}
    assert courses == {"Physics"}

    again = purge(db, timedelta(days=180), now=now)
    assert again.sessions == 0 and again.observations == 0
