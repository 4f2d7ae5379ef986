"""Read queries: sessions, attendance and per-student history.

Everything per observation is aggregated in the database (``GROUP BY``
participant and session); Python only combines the few aggregated rows
(students x sessions) with per-session figures.

Definitions
-----------
capture interval
    ``class_sessions.interval_s``; when null, the median gap between the
    session's consecutive captures.
present, camera on
    A participant is present at a capture when their tile is in the gallery
    (they have an observation); camera on when a face was found in it.
minutes present, minutes with camera on
    An observation at time t stands for the interval up to the next capture,
    so minutes present = (number of the participant's observations) x interval,
    and minutes with camera on = (observations with a face) x interval.
session duration
    ``ended_at - started_at`` for an ended session; for one still running (no
    ``ended_at``), last capture - first capture + one interval.
share of session
    minutes present / session duration (over several sessions: summed minutes
    present / summed durations of the sessions of the student's course in
    scope), capped at 1.
valence
    Per face observation, ``P(happiness) + 0.5 P(surprise) - P(sadness) -
    P(anger) - P(fear) - P(disgust) - P(contempt)`` clipped to [-1, 1]; a
    student's mean valence is its average over their face observations.
emotion share
    Fraction of a student's face observations whose ``top_label`` is that
    emotion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from analytics.errors import NotFoundError
from analytics.query_base import (
    BLIND_FLAGS,
    SessionFigures,
    course_ids,
    face_count,
    resolve_session,
    session_figures,
    valence_expression,
)
from analytics.schema import EMOTIONS, Capture, ClassSession, Observation, Participant, normalize_name

__all__ = [
    "BLIND_FLAGS",
    "AttendanceRow",
    "HistoryRow",
    "SessionAttendance",
    "SessionFigures",
    "SessionRow",
    "attendance",
    "course_ids",
    "find_participants",
    "history",
    "list_sessions",
    "resolve_session",
    "session_figures",
    "valence_expression",
]

# ----------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class SessionRow:
    id: int
    course: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    source: str | None
    interval_s: float
    minutes: float
    captures: int
    peak_tiles: int


def list_sessions(session: Session, course: str | None = None, limit: int | None = None) -> list[SessionRow]:
    """Sessions, newest first (of ``course`` if given), with duration, capture count and most tiles seen at once."""
    query: Select = select(ClassSession.id).order_by(ClassSession.started_at.desc(), ClassSession.id.desc())
    if course is not None:
        query = query.where(ClassSession.course_id.in_(course_ids(session, course)))
    if limit is not None:
        query = query.limit(limit)
    ids = list(session.scalars(query))
    figures = session_figures(session, ids)
    peaks = dict(
        session.execute(
            select(Capture.session_id, func.max(Capture.tiles))
            .where(Capture.session_id.in_(ids))
            .group_by(Capture.session_id)
        ).all()
    )
    sources = dict(session.execute(select(ClassSession.id, ClassSession.source).where(ClassSession.id.in_(ids))).all())
    rows = []
    for sid in ids:
        f = figures[sid]
        rows.append(
            SessionRow(
                id=sid,
                course=f.course,
                started_at=f.started_at,
                ended_at=f.ended_at,
                status=f.status,
                source=sources.get(sid),
                interval_s=f.interval_s,
                minutes=f.duration_s / 60.0,
                captures=f.captures,
                peak_tiles=int(peaks.get(sid) or 0),
            )
        )
    return rows


# ----------------------------------------------------------------------------- attendance


@dataclass
class AttendanceRow:
    """One student's attendance over the sessions in scope (see the module's definitions)."""

    participant_id: int
    course: str
    student: str
    sessions: int = 0
    sessions_present: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    minutes_present: float = 0.0
    minutes_camera_on: float = 0.0
    scheduled_minutes: float = 0.0

    @property
    def share(self) -> float:
        """Minutes present / scheduled minutes, in [0, 1]."""
        if self.scheduled_minutes <= 0:
            return 0.0
        return min(1.0, self.minutes_present / self.scheduled_minutes)


def _scope_sessions(
    session: Session,
    *,
    session_id: int | None,
    course: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[int]:
    if session_id is not None:
        return [resolve_session(session, session_id, course)]
    query = select(ClassSession.id)
    if course is not None:
        query = query.where(ClassSession.course_id.in_(course_ids(session, course)))
    if since is not None:
        query = query.where(ClassSession.started_at >= since)
    if until is not None:
        query = query.where(ClassSession.started_at < until)
    return list(session.scalars(query))


def _per_student_session(session: Session, session_ids: Sequence[int]):
    """Aggregated in SQL: (participant, session, observations, face observations, first seen, last seen)."""
    query = (
        select(
            Observation.participant_id,
            Observation.session_id,
            func.count(),
            face_count(),
            func.min(Observation.captured_at),
            func.max(Observation.captured_at),
        )
        .where(Observation.session_id.in_(session_ids))
        .group_by(Observation.participant_id, Observation.session_id)
    )
    return session.execute(query).all()


def attendance(
    session: Session,
    *,
    session_id: int | None = None,
    course: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AttendanceRow]:
    """Attendance per student for one session, or for the sessions started in [since, until).

    Every participant of the courses in scope gets a row, absent ones too
    (zero minutes). Sorted by course, then student name.
    """
    ids = _scope_sessions(session, session_id=session_id, course=course, since=since, until=until)
    figures = session_figures(session, ids)
    if not figures:
        return []
    course_names = {f.course_id: f.course for f in figures.values()}
    scheduled: dict[int, list[float]] = defaultdict(lambda: [0, 0.0])
    for f in figures.values():
        scheduled[f.course_id][0] += 1
        scheduled[f.course_id][1] += f.seen_s
    rows: dict[int, AttendanceRow] = {}
    for pid, course_id, display in session.execute(
        select(Participant.id, Participant.course_id, Participant.display_name).where(
            Participant.course_id.in_(list(scheduled))
        )
    ):
        count, seconds = scheduled[course_id]
        rows[pid] = AttendanceRow(
            participant_id=pid,
            course=course_names[course_id],
            student=display,
            sessions=int(count),
            scheduled_minutes=seconds / 60.0,
        )
    for pid, sid, n, faces, first, last in _per_student_session(session, ids):
        row = rows[pid]
        interval = figures[sid].interval_s
        row.sessions_present += 1
        row.minutes_present += n * interval / 60.0
        row.minutes_camera_on += (faces or 0) * interval / 60.0
        row.first_seen = first if row.first_seen is None else min(row.first_seen, first)
        row.last_seen = last if row.last_seen is None else max(row.last_seen, last)
    return sorted(rows.values(), key=lambda r: (r.course.casefold(), r.student.casefold(), r.participant_id))


# ----------------------------------------------------------------------------- history


class SessionAttendance:
    """Measures derived from a student's time in one session (``first_seen``, ``minutes_present``,
    ``minutes_camera_on`` and ``session_minutes`` come from the row that uses this)."""

    first_seen: datetime | None
    minutes_present: float
    minutes_camera_on: float
    session_minutes: float

    @property
    def present(self) -> bool:
        return self.first_seen is not None

    @property
    def share(self) -> float:
        """Share of the session present, capped at 1."""
        if self.session_minutes <= 0:
            return 0.0
        return min(1.0, self.minutes_present / self.session_minutes)

    @property
    def camera_share(self) -> float | None:
        """Share of the time present with the camera on (None when absent)."""
        return self.minutes_camera_on / self.minutes_present if self.minutes_present > 0 else None


@dataclass
class HistoryRow(SessionAttendance):
    """One student in one session of their course: attendance and mood."""

    session_id: int
    course: str
    student: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    minutes_present: float = 0.0
    minutes_camera_on: float = 0.0
    session_minutes: float = 0.0
    face_observations: int = 0
    emotion_shares: dict[str, float] | None = None
    mean_valence: float | None = None


def find_participants(session: Session, student: str, course: str | None = None) -> list[tuple[int, int, str]]:
    """(participant id, course id, display name) of the students called ``student`` (normalized match)."""
    key = normalize_name(student)
    query = select(Participant.id, Participant.course_id, Participant.display_name).where(
        Participant.normalized_name == key
    )
    if course is not None:
        query = query.where(Participant.course_id.in_(course_ids(session, course)))
    found = session.execute(query.order_by(Participant.id)).all()
    if not found:
        raise NotFoundError(f"no student named {student!r}" + (f" in course {course!r}" if course else ""))
    return found


def history(session: Session, student: str, course: str | None = None) -> list[HistoryRow]:
    """A student's attendance and mood in every session of their course(s), oldest first.

    Sessions they missed are included (present = False, no mood figures).
    Raises NotFoundError for an unknown student or course.
    """
    participants = find_participants(session, student, course)
    pids = [pid for pid, _, _ in participants]
    by_course = {course_id: (pid, name) for pid, course_id, name in participants}
    session_ids = list(session.scalars(select(ClassSession.id).where(ClassSession.course_id.in_(list(by_course)))))
    figures = session_figures(session, session_ids)
    label_counts = [
        func.sum(case((and_(Observation.face_found, Observation.top_label == emotion), 1), else_=0))
        for emotion in EMOTIONS
    ]
    aggregates = session.execute(
        select(
            Observation.participant_id,
            Observation.session_id,
            func.count(),
            face_count(),
            func.min(Observation.captured_at),
            func.max(Observation.captured_at),
            func.avg(case((Observation.face_found, valence_expression()), else_=None)),
            *label_counts,
        )
        .where(Observation.participant_id.in_(pids), Observation.session_id.in_(session_ids))
        .group_by(Observation.participant_id, Observation.session_id)
    ).all()
    rows: dict[tuple[int, int], HistoryRow] = {}
    for sid, f in figures.items():
        pid, name = by_course[f.course_id]
        rows[(pid, sid)] = HistoryRow(
            session_id=sid,
            course=f.course,
            student=name,
            started_at=f.started_at,
            ended_at=f.ended_at,
            status=f.status,
            session_minutes=f.seen_s / 60.0,
        )
    for pid, sid, n, faces, first, last, valence, *counts in aggregates:
        row = rows[(pid, sid)]
        interval = figures[sid].interval_s
        faces = int(faces or 0)
        row.first_seen, row.last_seen = first, last
        row.minutes_present = n * interval / 60.0
        row.minutes_camera_on = faces * interval / 60.0
        row.face_observations = faces
        if faces:
            row.emotion_shares = {emotion: int(c or 0) / faces for emotion, c in zip(EMOTIONS, counts, strict=True)}
            row.mean_valence = float(valence) if valence is not None else None
    return sorted(rows.values(), key=lambda r: (r.started_at, r.session_id))
