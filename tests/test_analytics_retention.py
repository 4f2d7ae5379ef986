"""Purging old sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from analytics.retention import purge
from analytics.schema import Capture, ClassSession, Observation, Participant, utcnow
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
    running = store.start_session("Physics", started_at=now - timedelta(days=300))  # never ended: kept
    _capture(store, running, now - timedelta(days=300), ["Running Student"])

    preview = purge(db, timedelta(days=180), now=now, dry_run=True)
    assert preview.dry_run and preview.session_ids == [old]
    assert (preview.captures, preview.observations, preview.participants) == (3, 6, 1)
    assert _count(db, ClassSession) == 3 and _count(db, Observation) == 8

    result = purge(db, timedelta(days=180), now=now)
    assert result.session_ids == [old] and result.sessions == 1
    assert (result.captures, result.observations, result.participants) == (3, 6, 1)
    assert _count(db, ClassSession) == 2
    assert _count(db, Observation, Observation.session_id == old) == 0
    assert _count(db, Capture, Capture.session_id == old) == 0
    with db.session() as session:
        names = set(session.scalars(select(Participant.display_name)))
    assert names == {"Both", "Running Student"}

    again = purge(db, timedelta(days=180), now=now)
    assert again.sessions == 0 and again.observations == 0
