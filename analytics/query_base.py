"""The building blocks of the read queries: finding courses and sessions, per-session figures, valence.

:mod:`analytics.queries` (the admin command's reads) and :mod:`analytics.report_data` (the report's) both
start here; the definitions (capture interval, session duration, valence) are in :mod:`analytics.queries`.
Everything is re-exported from :mod:`analytics.queries`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from analytics.errors import NotFoundError
from analytics.schema import Capture, ClassSession, Course, Observation


def valence_expression(dialect: str = "") -> ColumnElement[float]:
    """SQL expression: the clipped valence of one observation (null without probabilities).

    The one definition of valence (see the module docstring); the admin queries and the report
    (:mod:`analytics.report_data`) all use it. Clipped with CASE, which every database accepts; on
    SQLite (``dialect="sqlite"``) with the scalar two-argument ``min``/``max`` (NULL in, NULL out),
    which evaluates the sum once instead of three times.
    """
    o = Observation
    raw = o.p_happiness + 0.5 * o.p_surprise - o.p_sadness - o.p_anger - o.p_fear - o.p_disgust - o.p_contempt
    if dialect == "sqlite":
        return func.max(-1.0, func.min(1.0, raw))
    return case((raw > 1.0, 1.0), (raw < -1.0, -1.0), else_=raw)


def face_count() -> ColumnElement[int]:
    return func.sum(case((Observation.face_found, 1), else_=0))


def course_ids(session: Session, name: str) -> list[int]:
    """Ids of the courses called ``name`` (exact match, else case-insensitive); NotFoundError if none."""
    ids = list(session.scalars(select(Course.id).where(Course.name == name)))
    if not ids:
        ids = list(session.scalars(select(Course.id).where(func.lower(Course.name) == name.strip().lower())))
    if not ids:
        raise NotFoundError(f"no course named {name!r}")
    return ids


def resolve_session(session: Session, ref: str | int, course: str | None = None) -> int:
    """The id of session ``ref``: a numeric id, or ``"last"`` (most recent start, of ``course`` if given)."""
    courses = course_ids(session, course) if course is not None else None
    if isinstance(ref, str) and ref.strip().lower() == "last":
        query = select(ClassSession.id).order_by(ClassSession.started_at.desc(), ClassSession.id.desc()).limit(1)
        if courses is not None:
            query = query.where(ClassSession.course_id.in_(courses))
        found = session.scalar(query)
        if found is None:
            raise NotFoundError("no sessions yet" + (f" for course {course!r}" if course else ""))
        return found
    try:
        session_id = int(ref)
    except (TypeError, ValueError):
        raise NotFoundError(f"session must be a number or 'last', not {ref!r}") from None
    if not 0 < session_id < 2**31:  # ids are 32-bit; a larger number would overflow the driver
        raise NotFoundError(f"no session {session_id}" + (f" in course {course!r}" if course else ""))
    query = select(ClassSession.id).where(ClassSession.id == session_id)
    if courses is not None:
        query = query.where(ClassSession.course_id.in_(courses))
    if session.scalar(query) is None:
        raise NotFoundError(f"no session {session_id}" + (f" in course {course!r}" if course else ""))
    return session_id


@dataclass(frozen=True)
class SessionFigures:
    """Per-session figures the attendance definitions need."""

    id: int
    course_id: int
    course: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    interval_s: float
    duration_s: float
    captures: int
    first_capture: datetime | None
    last_capture: datetime | None
    #: captures in which the bot could not see the gallery (flagged ``tile_drop`` or ``no_gallery``)
    blind_captures: int = 0

    @property
    def seen_s(self) -> float:
        """The duration less the time the bot could not see the gallery: students are not absent then."""
        return max(0.0, self.duration_s - self.blind_captures * self.interval_s)


#: capture flags (``captures.gallery_flag``) under which the bot could not see the gallery
BLIND_FLAGS = ("tile_drop", "no_gallery")


def _median_gaps(session: Session, session_ids: Sequence[int]) -> dict[int, float]:
    """Median gap between consecutive captures, for sessions without a recorded interval."""
    times: dict[int, list[datetime]] = defaultdict(list)
    rows = session.execute(
        select(Capture.session_id, Capture.captured_at)
        .where(Capture.session_id.in_(session_ids))
        .order_by(Capture.session_id, Capture.captured_at)
    )
    for session_id, captured_at in rows:
        times[session_id].append(captured_at)
    gaps: dict[int, float] = {}
    for session_id, stamps in times.items():
        deltas = [(b - a).total_seconds() for a, b in pairwise(stamps)]
        deltas = [d for d in deltas if d > 0]
        if deltas:
            gaps[session_id] = statistics.median(deltas)
    return gaps


def session_figures(session: Session, session_ids: Iterable[int]) -> dict[int, SessionFigures]:
    """Interval, duration and capture span of each session (see the module's definitions)."""
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    captures = (
        select(
            Capture.session_id,
            func.count().label("n"),
            func.min(Capture.captured_at).label("first"),
            func.max(Capture.captured_at).label("last"),
            func.count(Capture.gallery_flag).filter(Capture.gallery_flag.in_(BLIND_FLAGS)).label("blind"),
        )
        .where(Capture.session_id.in_(ids))
        .group_by(Capture.session_id)
        .subquery()
    )
    rows = session.execute(
        select(
            ClassSession.id,
            ClassSession.course_id,
            Course.name,
            ClassSession.started_at,
            ClassSession.ended_at,
            ClassSession.status,
            ClassSession.interval_s,
            func.coalesce(captures.c.n, 0),
            captures.c.first,
            captures.c.last,
            func.coalesce(captures.c.blind, 0),
        )
        .join(Course, Course.id == ClassSession.course_id)
        .outerjoin(captures, captures.c.session_id == ClassSession.id)
        .where(ClassSession.id.in_(ids))
    ).all()
    need_gap = [row[0] for row in rows if not row[6]]
    gaps = _median_gaps(session, need_gap) if need_gap else {}
    out: dict[int, SessionFigures] = {}
    for sid, course_id, course, started_at, ended_at, status, interval_s, n, first, last, blind in rows:
        interval = float(interval_s) if interval_s else gaps.get(sid, 0.0)
        if ended_at is not None:
            duration = max(0.0, (ended_at - started_at).total_seconds())
        elif first is not None and last is not None:
            duration = (last - first).total_seconds() + interval
        else:
            duration = 0.0
        out[sid] = SessionFigures(
            sid, course_id, course, started_at, ended_at, status, interval, duration, n, first, last, int(blind)
        )
    return out
