"""Retention: deleting old sessions with everything recorded in them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select

from analytics.db import Database
from analytics.schema import Capture, ClassSession, Course, Observation, Participant, utcnow


@dataclass
class PurgeResult:
    cutoff: datetime
    dry_run: bool
    session_ids: list[int] = field(default_factory=list)
    captures: int = 0
    observations: int = 0
    participants: int = 0
    courses: int = 0

    @property
    def sessions(self) -> int:
        return len(self.session_ids)


def purge(db: Database, older_than: timedelta, *, now: datetime | None = None, dry_run: bool = False) -> PurgeResult:
    """Delete sessions that ended before ``now - older_than``, with their captures and observations.

    A session still marked 'running' counts as ended at its last capture (or
    its start): one whose bot died long ago is deleted too, while a live bot
    writes a capture every few seconds. Participants left with no observation
    at all in the courses concerned are deleted too (their names are personal
    data), and so are those courses when no session is left in them. With
    ``dry_run`` nothing is deleted; the counts say what would be.
    """
    if older_than <= timedelta(0):
        raise ValueError("the retention period must be positive")
    cutoff = (now or utcnow()) - older_than
    result = PurgeResult(cutoff=cutoff, dry_run=dry_run)
    with db.transaction() as session:
        last_capture = (
            select(func.max(Capture.captured_at)).where(Capture.session_id == ClassSession.id).scalar_subquery()
        )
        ended = (
            ClassSession.ended_at.is_not(None) & (ClassSession.ended_at < cutoff) & (ClassSession.status != "running")
        )
        stuck = (ClassSession.status == "running") & (func.coalesce(last_capture, ClassSession.started_at) < cutoff)
        old = session.execute(
            select(ClassSession.id, ClassSession.course_id).where(ended | stuck).order_by(ClassSession.id)
        ).all()
        if not old:
            return result
        ids = [sid for sid, _ in old]
        courses = sorted({cid for _, cid in old})
        result.session_ids = ids
        result.captures = session.scalar(select(func.count()).where(Capture.session_id.in_(ids))) or 0
        result.observations = session.scalar(select(func.count()).where(Observation.session_id.in_(ids))) or 0
        still_observed = exists().where(
            Observation.participant_id == Participant.id, Observation.session_id.not_in(ids)
        )
        orphans = select(Participant.id).where(Participant.course_id.in_(courses), ~still_observed)
        result.participants = session.scalar(select(func.count()).select_from(orphans.subquery())) or 0
        emptied = select(Course.id).where(
            Course.id.in_(courses),
            ~exists().where(ClassSession.course_id == Course.id, ClassSession.id.not_in(ids)),
        )
        result.courses = session.scalar(select(func.count()).select_from(emptied.subquery())) or 0
        if dry_run:
            return result
        no_sync = {"synchronize_session": False}
        session.execute(delete(Observation).where(Observation.session_id.in_(ids)), execution_options=no_sync)
        session.execute(delete(Capture).where(Capture.session_id.in_(ids)), execution_options=no_sync)
        session.execute(delete(ClassSession).where(ClassSession.id.in_(ids)), execution_options=no_sync)
        # Now that those observations are gone, an orphan is a participant with none at all.
        session.execute(
            delete(Participant).where(
                Participant.course_id.in_(courses), ~exists().where(Observation.participant_id == Participant.id)
            ),
            execution_options=no_sync,
        )
        session.execute(
            delete(Course).where(Course.id.in_(courses), ~exists().where(ClassSession.course_id == Course.id)),
            execution_options=no_sync,
        )
    return result
