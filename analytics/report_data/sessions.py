"""The classes page's data: the sessions a viewer may see, with students seen and mean valence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from analytics import queries
from analytics.queries import valence_expression
from analytics.report_data.access import Viewer, restrict, visible_course_ids
from analytics.report_data.sql import dialect_of
from analytics.schema import ClassSession, Observation


@dataclass(frozen=True)
class SessionListRow:
    id: int
    course_id: int
    course: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    minutes: float
    students_seen: int
    mean_valence: float | None


def list_sessions(
    session: Session,
    viewer: Viewer,
    *,
    course_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[SessionListRow], int]:
    """Sessions the viewer may see, newest first, with students seen and mean valence; also the total count."""
    base = select(ClassSession.id)
    base = restrict(base, ClassSession.course_id, visible_course_ids(session, viewer))
    if course_id is not None:
        base = base.where(ClassSession.course_id == course_id)
    if since is not None:
        base = base.where(ClassSession.started_at >= since)
    if until is not None:
        base = base.where(ClassSession.started_at < until)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    query = base.order_by(ClassSession.started_at.desc(), ClassSession.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    ids = list(session.scalars(query))
    if not ids:
        return [], total
    figures = queries.session_figures(session, ids)
    stats = {
        sid: (int(n or 0), v)
        for sid, n, v in session.execute(
            select(
                Observation.session_id,
                func.count(distinct(Observation.participant_id)),
                func.avg(valence_expression(dialect_of(session))),
            )
            .where(Observation.session_id.in_(ids))
            .group_by(Observation.session_id)
        )
    }
    rows = []
    for sid in ids:
        f = figures[sid]
        n, v = stats.get(sid, (0, None))
        rows.append(
            SessionListRow(
                sid,
                f.course_id,
                f.course,
                f.started_at,
                f.ended_at,
                f.status,
                f.duration_s / 60.0,
                n,
                float(v) if v is not None else None,
            )
        )
    return rows, total
