"""The demo's data in an everyday database: how it is marked, and removing it in one step.

``classmood demo`` records its synthetic class into the database every other
command uses, so that ``classmood report`` and ``classmood admin ...`` work on
it as the README writes them. Its data is marked so it can go again:

* its sessions have a ``synthetic:`` source (no real recording has one) and
  belong to the course :data:`DEMO_COURSE`;
* its account :data:`DEMO_USER` has the published password :data:`DEMO_PASSWORD`.

:func:`remove_demo_data` deletes those sessions, the demo course once it has
no other session (its students with it), and the demo account while it still
has the published password and owns no other course.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select

from analytics.db import Database
from analytics.demo_account import DEMO_COURSE as DEMO_COURSE
from analytics.demo_account import DEMO_PASSWORD as DEMO_PASSWORD
from analytics.demo_account import DEMO_USER as DEMO_USER
from analytics.schema import ClassSession, Course, User

DEMO_SOURCE_PREFIX = "synthetic:"


@dataclass(frozen=True)
class DemoRemoval:
    sessions: int
    courses: int
    account: bool

    def describe(self) -> str:
        if not (self.sessions or self.courses or self.account):
            return "no demo data found"
        account = f", and the demo account {DEMO_USER!r}" if self.account else ""
        return f"removed {self.sessions} demo session(s), {self.courses} demo course(s){account}"


def _demo_account_id(db: Database) -> int | None:
    """The demo account's id while it still has the published password (else it is someone's real account)."""
    from analytics.auth import verify_password

    with db.session() as session:
        row = session.execute(select(User.id, User.password_hash).where(User.username == DEMO_USER)).one_or_none()
    if row is None or not verify_password(row.password_hash, DEMO_PASSWORD):
        return None
    return int(row.id)


def remove_demo_data(db: Database) -> DemoRemoval:
    """Delete what ``classmood demo`` wrote (see the module docstring); other data is left alone."""
    account_id = _demo_account_id(db)
    with db.transaction() as session:
        demo_courses = select(Course.id).where(Course.name == DEMO_COURSE)
        sessions = session.execute(
            delete(ClassSession).where(
                ClassSession.course_id.in_(demo_courses), ClassSession.source.startswith(DEMO_SOURCE_PREFIX)
            )
        ).rowcount
        with_sessions = select(ClassSession.course_id).distinct()
        courses = session.execute(
            delete(Course).where(Course.name == DEMO_COURSE, Course.id.not_in(with_sessions))
        ).rowcount
        removed_account = False
        if account_id is not None:
            owned = session.scalar(select(func.count()).select_from(Course).where(Course.owner_id == account_id))
            if not owned:
                session.execute(delete(User).where(User.id == account_id))
                removed_account = True
    return DemoRemoval(int(sessions or 0), int(courses or 0), removed_account)
