"""The write path: sessions and captures, one transaction per capture.

The bot calls :meth:`Store.start_session` once, :meth:`Store.record_capture`
for every frame (also failed ones: a capture row is the bot's heartbeat) and
:meth:`Store.finish_session` at the end. :meth:`Store.close_orphaned_sessions`
closes sessions whose bot died.

Speed: participants are looked up once per course and cached (name -> id), so
a capture of known students is three statements: insert the capture, bulk
insert the observations, commit.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from analytics.courses import course_for
from analytics.db import Database, insert_or_ignore
from analytics.errors import NotFoundError
from analytics.schema import (
    EMOTIONS,
    PROBABILITY_COLUMNS,
    Capture,
    ClassSession,
    Course,
    Observation,
    Participant,
    normalize_name,
    utcnow,
)

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class ObservationIn:
    """One participant's tile in one capture, as the bot hands it to the store.

    ``probs`` are the eight emotion probabilities in :data:`analytics.schema.EMOTIONS`
    order, or None when no face was found. ``top_label``/``confidence`` default to
    the arg-max of ``probs``. ``captured_at`` defaults to the capture's time.
    Boxes are ``(x, y, w, h)`` in frame pixels.
    """

    name: str
    face_found: bool
    tile_box: Box
    probs: Sequence[float] | None = None
    face_box: Box | None = None
    top_label: str | None = None
    confidence: float | None = None
    captured_at: datetime | None = None
    thumbnail: bytes | None = None


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    course_id: int
    course: str
    started_at: datetime


def _observation_row(session_id: int, participant_id: int, captured_at: datetime, obs: ObservationIn) -> dict[str, Any]:
    row: dict[str, Any] = {
        "session_id": session_id,
        "participant_id": participant_id,
        "captured_at": obs.captured_at or captured_at,
        "face_found": bool(obs.face_found),
        "tile_x": int(obs.tile_box[0]),
        "tile_y": int(obs.tile_box[1]),
        "tile_w": int(obs.tile_box[2]),
        "tile_h": int(obs.tile_box[3]),
        "thumbnail": obs.thumbnail,
    }
    probs = obs.probs
    if probs is not None:
        if len(probs) != len(EMOTIONS):
            raise ValueError(f"expected {len(EMOTIONS)} probabilities ({', '.join(EMOTIONS)}), got {len(probs)}")
        values = [float(p) for p in probs]
        for column, value in zip(PROBABILITY_COLUMNS, values, strict=True):
            row[column] = value
        best = max(range(len(values)), key=values.__getitem__)
        row["top_label"] = obs.top_label or EMOTIONS[best]
        row["confidence"] = float(obs.confidence) if obs.confidence is not None else values[best]
    else:
        for column in PROBABILITY_COLUMNS:
            row[column] = None
        row["top_label"] = obs.top_label
        row["confidence"] = float(obs.confidence) if obs.confidence is not None else None
    if row["top_label"] is not None and row["top_label"] not in EMOTIONS:
        raise ValueError(f"unknown emotion label {row['top_label']!r}")
    face = obs.face_box
    row["face_x"], row["face_y"], row["face_w"], row["face_h"] = (
        (int(face[0]), int(face[1]), int(face[2]), int(face[3])) if face is not None else (None, None, None, None)
    )
    return row


class Store:
    """Writes sessions and captures to a :class:`~analytics.db.Database`.

    Keeps small caches (session -> course, course -> participant ids); one Store
    per bot process. The caches only ever hold committed rows.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._session_course: dict[int, int] = {}
        self._participants: dict[int, dict[str, int]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ sessions

    def start_session(
        self,
        course_name: str,
        *,
        started_at: datetime | None = None,
        source: str | None = None,
        interval_s: float | None = None,
        notes: str | None = None,
        owner_id: int | None = None,
    ) -> int:
        """Open a 'running' session of ``course_name`` (found or created by :func:`~analytics.courses.course_for`)."""
        course_name = course_name.strip()
        if not course_name:
            raise ValueError("the course name is empty")

        def work(connection: Connection) -> tuple[int, int]:
            course_id = course_for(connection, course_name, owner_id)
            session_id = connection.execute(
                insert(ClassSession.__table__)
                .values(
                    course_id=course_id,
                    started_at=started_at or utcnow(),
                    status="running",
                    source=source,
                    interval_s=interval_s,
                    notes=notes,
                )
                .returning(ClassSession.__table__.c.id)
            ).scalar_one()
            return course_id, session_id

        course_id, session_id = self.db.write(work)
        self._session_course[session_id] = course_id
        return session_id

    def finish_session(
        self,
        session_id: int,
        *,
        ended_at: datetime | None = None,
        status: str = "finished",
        started_at: datetime | None = None,
    ) -> None:
        """Close a session: set ``ended_at`` (default now) and status ('finished' or 'interrupted').

        ``started_at`` corrects the start when the class's own clock is known only now (a replayed recording
        starts at its first capture, not when the bot started).
        """
        if status not in ("finished", "interrupted"):
            raise ValueError(f"a closed session is 'finished' or 'interrupted', not {status!r}")
        values: dict[str, Any] = {"ended_at": ended_at or utcnow(), "status": status}
        if started_at is not None:
            values["started_at"] = started_at
        with self.db.transaction() as session:
            result = session.execute(update(ClassSession).where(ClassSession.id == session_id).values(**values))
            if result.rowcount == 0:
                raise NotFoundError(f"no session with id {session_id}")

    def close_orphaned_sessions(
        self,
        *,
        now: datetime | None = None,
        stale_after_s: float | None = None,
        keep: Sequence[int] = (),
        dead: Sequence[int] = (),
    ) -> list[int]:
        """Mark 'running' sessions whose bot is gone as 'interrupted'; returns their ids.

        A live bot writes a capture row every interval (a failed capture too),
        so a running session is orphaned when its last capture (or its start,
        with no capture) is older than ``stale_after_s``: by default
        ``max(120 s, 10 x interval_s)``. Sessions in ``keep`` (those this
        process runs) are left alone; sessions in ``dead`` (whose bot process is
        known to be gone, e.g. killed on this machine) are closed at once.
        ``ended_at`` becomes the last capture's time, or the start time when
        there was none.
        """
        now = now or utcnow()
        last_capture = (
            select(Capture.session_id, func.max(Capture.captured_at).label("last"))
            .group_by(Capture.session_id)
            .subquery()
        )
        closed: list[int] = []
        with self.db.transaction() as session:
            rows = session.execute(
                select(ClassSession.id, ClassSession.started_at, ClassSession.interval_s, last_capture.c.last)
                .outerjoin(last_capture, last_capture.c.session_id == ClassSession.id)
                .where(ClassSession.status == "running")
            ).all()
            for session_id, started_at, interval_s, last in rows:
                if session_id in keep:
                    continue
                threshold = stale_after_s if stale_after_s is not None else max(120.0, 10.0 * (interval_s or 0.0))
                last_activity = last or started_at
                if session_id not in dead and now - last_activity <= timedelta(seconds=threshold):
                    continue
                session.execute(
                    update(ClassSession)
                    .where(ClassSession.id == session_id, ClassSession.status == "running")
                    .values(status="interrupted", ended_at=last_activity)
                )
                closed.append(session_id)
        return closed

    def running_sessions(self) -> list[tuple[int, str | None]]:
        """``(id, notes)`` of the sessions marked 'running'."""
        with self.db.session() as session:
            rows = session.execute(
                select(ClassSession.id, ClassSession.notes).where(ClassSession.status == "running")
            ).all()
        return [(int(session_id), notes) for session_id, notes in rows]

    def session_info(self, session_id: int) -> SessionInfo:
        with self.db.session() as session:
            row = session.execute(
                select(ClassSession.id, ClassSession.course_id, Course.name, ClassSession.started_at)
                .join(Course, Course.id == ClassSession.course_id)
                .where(ClassSession.id == session_id)
            ).one_or_none()
        if row is None:
            raise NotFoundError(f"no session with id {session_id}")
        return SessionInfo(*row)

    # ------------------------------------------------------------------ captures

    def _course_of(self, connection: Connection, session_id: int) -> int:
        course_id = self._session_course.get(session_id)
        if course_id is None:
            course_id = connection.scalar(select(ClassSession.course_id).where(ClassSession.id == session_id))
            if course_id is None:
                raise NotFoundError(f"no session with id {session_id}")
            self._session_course[session_id] = course_id
        return course_id

    def participant_names(self, session_id: int) -> list[str]:
        """Display names of the participants of the session's class seen so far (any session of its course)."""
        with self.db.engine.connect() as connection:
            course_id = self._course_of(connection, session_id)
            table = Participant.__table__
            return list(connection.scalars(select(table.c.display_name).where(table.c.course_id == course_id)))

    def _participant_ids(
        self, connection: Connection, course_id: int, names: Mapping[str, str]
    ) -> tuple[dict[str, int], dict[str, int]]:
        """Ids for normalized names (``names`` maps normalized -> display); also returns the uncached ones."""
        with self._lock:
            cached = self._participants.setdefault(course_id, {})
            known = {key: cached[key] for key in names if key in cached}
        missing = [key for key in names if key not in known]
        fetched: dict[str, int] = {}
        if missing:
            participants = Participant.__table__
            # Insert-or-get: another writer may add the same student at the same time.
            connection.execute(
                insert_or_ignore(connection, participants),
                [{"course_id": course_id, "display_name": names[key], "normalized_name": key} for key in missing],
            )
            fetched.update(
                connection.execute(
                    select(participants.c.normalized_name, participants.c.id).where(
                        participants.c.course_id == course_id, participants.c.normalized_name.in_(missing)
                    )
                ).all()
            )
        return {**known, **fetched}, fetched

    def record_capture(
        self,
        session_id: int,
        captured_at: datetime,
        observations: Sequence[ObservationIn],
        tiles: int,
        faces: int,
        names: int,
        timings: Mapping[str, float] | None = None,
        total_ms: float | None = None,
        error: str | None = None,
        split_confidence: float | None = None,
        gallery_flag: str | None = None,
    ) -> int:
        """Write one capture and its observations in ONE transaction; returns the capture id.

        Participants are created by normalized name on first sight (the first
        display name seen is kept). Any exception rolls the whole capture back.
        ``tiles``/``faces``/``names`` count the gallery tiles, faces found and
        names read; ``timings`` holds per-stage milliseconds.
        """
        display_by_key: dict[str, str] = {}
        keys: list[str] = []
        for obs in observations:
            key = normalize_name(obs.name)
            if not key:
                raise ValueError(f"participant name {obs.name!r} is empty once normalized")
            display_by_key.setdefault(key, obs.name.strip())
            keys.append(key)

        # Core statements on one connection: this runs every few seconds for the
        # whole class, and the ORM's unit of work would double its cost.
        def work(connection: Connection) -> tuple[int, int, dict[str, int]]:
            course_id = self._course_of(connection, session_id)
            ids, new = self._participant_ids(connection, course_id, display_by_key) if keys else ({}, {})
            capture_id = connection.execute(
                insert(Capture.__table__)
                .values(
                    session_id=session_id,
                    captured_at=captured_at,
                    tiles=int(tiles),
                    faces=int(faces),
                    names=int(names),
                    timings=dict(timings) if timings is not None else None,
                    total_ms=total_ms,
                    error=error,
                    split_confidence=split_confidence,
                    gallery_flag=gallery_flag,
                )
                .returning(Capture.__table__.c.id)
            ).scalar_one()
            if observations:
                rows = [
                    _observation_row(session_id, ids[key], captured_at, obs)
                    for key, obs in zip(keys, observations, strict=True)
                ]
                connection.execute(insert(Observation.__table__), rows)
            return capture_id, course_id, new

        # Core statements on one connection: this runs every few seconds for the
        # whole class, and the ORM's unit of work would double its cost.
        capture_id, course_id, new = self.db.write(work)
        if new:
            with self._lock:
                self._participants.setdefault(course_id, {}).update(new)
        return capture_id
