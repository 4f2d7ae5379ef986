"""The admin pages' data: attendance and mood history across classes, participants, course owners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from analytics import queries
from analytics.errors import NotFoundError
from analytics.queries import valence_expression
from analytics.report_data.access import Viewer, restrict, visible_course_ids
from analytics.report_data.sql import dialect_of
from analytics.schema import EMOTIONS, ClassSession, Course, Observation, Participant, User


@dataclass
class HistoryRecord(queries.SessionAttendance):
    """One student in one session (absent students too), for the admin history."""

    session_id: int
    started_at: datetime
    course_id: int
    course: str
    participant_id: int
    student: str
    session_minutes: float
    minutes_present: float = 0.0
    minutes_camera_on: float = 0.0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    mean_valence: float | None = None
    main_expression: str | None = None


def history_records(
    session: Session,
    viewer: Viewer,
    *,
    course_id: int | None = None,
    participant_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    max_sessions: int = 500,
) -> list[HistoryRecord]:
    """Attendance and mood per (session, student) over the sessions in scope, newest first.

    Students of the courses in scope who missed a session get a row with zero
    minutes. One aggregate query (GROUP BY session, student) does the work.
    """
    ids = _sessions_in_scope(session, viewer, course_id, participant_id, since, until, max_sessions)
    if not ids:
        return []
    figures = queries.session_figures(session, ids)
    course_ids = sorted({f.course_id for f in figures.values()})
    students = select(Participant.id, Participant.course_id, Participant.display_name).where(
        Participant.course_id.in_(course_ids)
    )
    if participant_id is not None:
        students = students.where(Participant.id == participant_id)
    by_course: dict[int, list[tuple[int, str]]] = {}
    for pid, cid, name in session.execute(students):
        by_course.setdefault(cid, []).append((pid, name))
    records: dict[tuple[int, int], HistoryRecord] = {}
    for sid in ids:
        f = figures[sid]
        for pid, name in by_course.get(f.course_id, []):
            records[(sid, pid)] = HistoryRecord(sid, f.started_at, f.course_id, f.course, pid, name, f.seen_s / 60.0)
    label_counts = [
        func.sum(case((and_(Observation.face_found, Observation.top_label == emotion), 1), else_=0))
        for emotion in EMOTIONS
    ]
    aggregate = (
        select(
            Observation.session_id,
            Observation.participant_id,
            func.count(),
            func.sum(case((Observation.face_found, 1), else_=0)),
            func.min(Observation.captured_at),
            func.max(Observation.captured_at),
            func.avg(valence_expression(dialect_of(session))),
            *label_counts,
        )
        .where(Observation.session_id.in_(ids))
        .group_by(Observation.session_id, Observation.participant_id)
    )
    if participant_id is not None:
        aggregate = aggregate.where(Observation.participant_id == participant_id)
    for sid, pid, n, faces, first, last, valence, *counts in session.execute(aggregate):
        record = records.get((sid, pid))
        if record is None:
            continue
        interval = figures[sid].interval_s
        record.minutes_present = n * interval / 60.0
        record.minutes_camera_on = int(faces or 0) * interval / 60.0
        record.first_seen, record.last_seen = first, last
        record.mean_valence = float(valence) if valence is not None else None
        counts = [int(c or 0) for c in counts]
        if sum(counts):
            record.main_expression = EMOTIONS[int(np.argmax(counts))]
    return sorted(
        records.values(), key=lambda r: (-r.started_at.timestamp(), r.course.casefold(), r.student.casefold())
    )


def _sessions_in_scope(
    session: Session,
    viewer: Viewer,
    course_id: int | None,
    participant_id: int | None,
    since: datetime | None,
    until: datetime | None,
    max_sessions: int,
) -> list[int]:
    """Ids of the newest ``max_sessions`` sessions the viewer may see, of the course (or the student's) if given,
    started in [since, until)."""
    query = select(ClassSession.id).order_by(ClassSession.started_at.desc()).limit(max_sessions)
    query = restrict(query, ClassSession.course_id, visible_course_ids(session, viewer))
    if course_id is not None:
        query = query.where(ClassSession.course_id == course_id)
    if participant_id is not None:
        query = query.where(
            ClassSession.course_id
            == select(Participant.course_id).where(Participant.id == participant_id).scalar_subquery()
        )
    if since is not None:
        query = query.where(ClassSession.started_at >= since)
    if until is not None:
        query = query.where(ClassSession.started_at < until)
    return list(session.scalars(query))


def list_participants(session: Session, viewer: Viewer, course_id: int | None = None) -> list[tuple[int, str, str]]:
    """(id, display name, course name) of the students the viewer may see."""
    query = (
        select(Participant.id, Participant.display_name, Course.name)
        .join(Course, Course.id == Participant.course_id)
        .order_by(func.lower(Participant.display_name), Participant.id)
    )
    query = restrict(query, Participant.course_id, visible_course_ids(session, viewer))
    if course_id is not None:
        query = query.where(Participant.course_id == course_id)
    return [tuple(row) for row in session.execute(query)]


def set_course_owner(session: Session, course_id: int, owner_id: int | None) -> None:
    """Give a course to an instructor (or to nobody: admins only then); the caller commits.

    When the new owner already has a course of that name, this one is merged into it.
    """
    course = session.get(Course, course_id)
    if course is None:
        raise NotFoundError(f"no course {course_id}")
    if owner_id is not None and session.get(User, owner_id) is None:
        raise NotFoundError(f"no user {owner_id}")
    owner = Course.owner_id.is_(None) if owner_id is None else Course.owner_id == owner_id
    same = session.scalar(select(Course.id).where(Course.name == course.name, owner, Course.id != course_id))
    if same is not None:  # the new owner already has a course of that name: one course, not two
        from analytics.courses import merge_courses

        session.flush()
        merge_courses(session, keep=same, drop=course_id)
        session.expunge(course)
        return
    course.owner_id = owner_id


def courses_per_owner(session: Session) -> dict[int, int]:
    return {
        owner: int(n)
        for owner, n in session.execute(
            select(Course.owner_id, func.count()).where(Course.owner_id.is_not(None)).group_by(Course.owner_id)
        )
    }
