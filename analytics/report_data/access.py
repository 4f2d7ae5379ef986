"""Who sees what: an instructor the courses they own (``courses.owner_id``), an admin everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.errors import NotFoundError
from analytics.schema import ClassSession, Course, Participant, User


@dataclass(frozen=True)
class Viewer:
    """The logged-in user, as far as the data layer cares."""

    id: int
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def visible_course_ids(session: Session, viewer: Viewer) -> list[int] | None:
    """Course ids ``viewer`` may see: None means all (admin); an instructor gets the courses they own."""
    if viewer.is_admin:
        return None
    return list(session.scalars(select(Course.id).where(Course.owner_id == viewer.id)))


def restrict(query, column, course_ids: list[int] | None):
    return query if course_ids is None else query.where(column.in_(course_ids))


def can_see_session(session: Session, viewer: Viewer, session_id: int) -> bool:
    query = select(ClassSession.id).where(ClassSession.id == session_id)
    if not viewer.is_admin:
        query = query.join(Course, Course.id == ClassSession.course_id).where(Course.owner_id == viewer.id)
    return session.scalar(query) is not None


def can_see_participant(session: Session, viewer: Viewer, participant_id: int) -> bool:
    query = select(Participant.id).where(Participant.id == participant_id)
    if not viewer.is_admin:
        query = query.join(Course, Course.id == Participant.course_id).where(Course.owner_id == viewer.id)
    return session.scalar(query) is not None


def resolve_visible_session(session: Session, viewer: Viewer, ref: str | int | None) -> int:
    """A session id the viewer may see: ``ref`` as an id, or ``last``/None for their most recent one.

    Raises NotFoundError for an unknown id and for someone else's session alike
    (so ids cannot be probed).
    """
    if ref is None or (isinstance(ref, str) and ref.strip().lower() in ("", "last")):
        query = select(ClassSession.id).order_by(ClassSession.started_at.desc(), ClassSession.id.desc()).limit(1)
        query = restrict(query, ClassSession.course_id, visible_course_ids(session, viewer))
        found = session.scalar(query)
        if found is None:
            raise NotFoundError("no sessions yet")
        return found
    try:
        session_id = int(ref)
    except (TypeError, ValueError):
        raise NotFoundError(f"no session {ref!r}") from None
    if not can_see_session(session, viewer, session_id):
        raise NotFoundError(f"no session {session_id}")
    return session_id


@dataclass(frozen=True)
class CourseInfo:
    id: int
    name: str
    owner: str | None


def list_courses(session: Session, viewer: Viewer) -> list[CourseInfo]:
    query = (
        select(Course.id, Course.name, User.username)
        .outerjoin(User, User.id == Course.owner_id)
        .order_by(func.lower(Course.name), Course.id)
    )
    query = restrict(query, Course.id, visible_course_ids(session, viewer))
    return [CourseInfo(*row) for row in session.execute(query)]


def running_sessions(session: Session, viewer: Viewer) -> list[tuple[int, str, datetime]]:
    """(id, course, started_at) of the running sessions the viewer may see, newest first."""
    query = (
        select(ClassSession.id, Course.name, ClassSession.started_at)
        .join(Course, Course.id == ClassSession.course_id)
        .where(ClassSession.status == "running")
        .order_by(ClassSession.started_at.desc())
    )
    query = restrict(query, ClassSession.course_id, visible_course_ids(session, viewer))
    return [tuple(row) for row in session.execute(query)]
