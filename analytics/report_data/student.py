"""The student page's data: one student's info, sessions, class comparison and latest thumbnail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from analytics import queries
from analytics.errors import NotFoundError
from analytics.queries import valence_expression
from analytics.report_data.sql import dialect_of
from analytics.schema import EMOTIONS, ClassSession, Course, Observation, Participant


@dataclass(frozen=True)
class StudentInfo:
    id: int
    name: str
    course_id: int
    course: str


def student_info(session: Session, participant_id: int) -> StudentInfo:
    row = session.execute(
        select(Participant.id, Participant.display_name, Course.id, Course.name)
        .join(Course, Course.id == Participant.course_id)
        .where(Participant.id == participant_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no student {participant_id}")
    return StudentInfo(*row)


@dataclass
class StudentSessionRow(queries.SessionAttendance):
    """One session of the student's course: their attendance and mood, and the class's."""

    session_id: int
    started_at: datetime
    status: str
    session_minutes: float
    first_seen: datetime | None
    last_seen: datetime | None
    minutes_present: float
    minutes_camera_on: float
    mean_valence: float | None
    class_valence: float | None
    emotion_shares: dict[str, float] | None


def student_history(session: Session, participant_id: int) -> list[StudentSessionRow]:
    """The student's attendance and mood in every session of their course, oldest first, with the class's mood."""
    info = student_info(session, participant_id)
    session_ids = list(
        session.scalars(
            select(ClassSession.id).where(ClassSession.course_id == info.course_id).order_by(ClassSession.started_at)
        )
    )
    figures = queries.session_figures(session, session_ids)
    label_counts = [
        func.sum(case((and_(Observation.face_found, Observation.top_label == emotion), 1), else_=0))
        for emotion in EMOTIONS
    ]
    own = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                Observation.session_id,
                func.count(),
                func.sum(case((Observation.face_found, 1), else_=0)),
                func.min(Observation.captured_at),
                func.max(Observation.captured_at),
                func.avg(valence_expression(dialect_of(session))),
                *label_counts,
            )
            .where(Observation.participant_id == participant_id, Observation.session_id.in_(session_ids))
            .group_by(Observation.session_id)
        )
    }
    class_valence = class_mean_valence(session, session_ids)
    rows = []
    for sid in session_ids:
        f = figures[sid]
        interval = f.interval_s
        if sid in own:
            n, faces, first, last, valence, *counts = own[sid]
            faces = int(faces or 0)
            shares = {e: int(c or 0) / faces for e, c in zip(EMOTIONS, counts, strict=True)} if faces else None
            row = StudentSessionRow(
                sid,
                f.started_at,
                f.status,
                f.seen_s / 60.0,
                first,
                last,
                n * interval / 60.0,
                faces * interval / 60.0,
                float(valence) if valence is not None else None,
                class_valence.get(sid),
                shares,
            )
        else:
            row = StudentSessionRow(
                sid,
                f.started_at,
                f.status,
                f.seen_s / 60.0,
                None,
                None,
                0.0,
                0.0,
                None,
                class_valence.get(sid),
                None,
            )
        rows.append(row)
    return rows


def class_mean_valence(session: Session, session_ids: Iterable[int]) -> dict[int, float]:
    ids = list(session_ids)
    if not ids:
        return {}
    return {
        sid: float(v)
        for sid, v in session.execute(
            select(Observation.session_id, func.avg(valence_expression(dialect_of(session))))
            .where(Observation.session_id.in_(ids))
            .group_by(Observation.session_id)
        )
        if v is not None
    }


def latest_thumbnail(session: Session, participant_id: int) -> bytes | None:
    """The most recent stored thumbnail of the student (only stored with --keep-thumbnails), else None."""
    return session.scalar(
        select(Observation.thumbnail)
        .where(Observation.participant_id == participant_id, Observation.thumbnail.is_not(None))
        .order_by(Observation.captured_at.desc())
        .limit(1)
    )


def student_sessions_present(session: Session, participant_id: int) -> list[int]:
    return list(
        session.scalars(select(Observation.session_id).distinct().where(Observation.participant_id == participant_id))
    )
