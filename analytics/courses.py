"""One course per name and instructor: finding or creating a course, and merging two into one.

A course's name is unique per owner, and among the courses nobody owns yet
(:class:`analytics.schema.Course` has a partial unique index for those, since
SQL treats NULL owners as distinct). :func:`course_for` is the insert-or-get
the bot uses (:meth:`analytics.store.Store.start_session`): an instructor
claims an unowned course of that name rather than getting a second one.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, text, update
from sqlalchemy.orm import Session

from analytics.db import insert_or_ignore
from analytics.schema import Course, utcnow

_MERGE_STATEMENTS = (
    # observations of a student known in both courses go to the kept course's participant
    """UPDATE observations SET participant_id = (
           SELECT k.id FROM participants k JOIN participants d ON d.normalized_name = k.normalized_name
           WHERE d.id = observations.participant_id AND k.course_id = :keep)
       WHERE participant_id IN (
           SELECT d.id FROM participants d JOIN participants k ON k.normalized_name = d.normalized_name
           WHERE d.course_id = :drop AND k.course_id = :keep)""",
    """DELETE FROM participants WHERE course_id = :drop
       AND normalized_name IN (SELECT normalized_name FROM participants WHERE course_id = :keep)""",
    "UPDATE participants SET course_id = :keep WHERE course_id = :drop",
    "UPDATE class_sessions SET course_id = :keep WHERE course_id = :drop",
    "DELETE FROM courses WHERE id = :drop",
)


def merge_courses(connection: Connection | Session, keep: int, drop: int) -> None:
    """Move course ``drop``'s sessions and students into ``keep`` (one student per name) and delete it."""
    for statement in _MERGE_STATEMENTS:
        connection.execute(text(statement), {"keep": keep, "drop": drop})


def _find(connection: Connection | Session, name: str, owner_id: int | None) -> int | None:
    owner = Course.owner_id.is_(None) if owner_id is None else Course.owner_id == owner_id
    return connection.scalar(select(Course.id).where(Course.name == name, owner))


def course_for(connection: Connection | Session, name: str, owner_id: int | None) -> int:
    """The id of the course ``name`` of ``owner_id``, created if needed (inside the caller's transaction).

    With an owner: their course of that name, else an unowned one of that name, which they claim, else a new
    one. Without: the unowned course of that name, else the only course of that name, else a new unowned one.
    The insert is an insert-or-get (``ON CONFLICT DO NOTHING``, then a select): bots starting the same new
    course at once share one row, thanks to the unique (owner, name) constraint and, for unowned courses, the
    partial unique index on their names.
    """
    course_id = _find(connection, name, owner_id)
    if course_id is not None:
        return course_id
    if owner_id is not None:
        unowned = _find(connection, name, None)
        if unowned is not None:
            claimed = connection.execute(
                update(Course).where(Course.id == unowned, Course.owner_id.is_(None)).values(owner_id=owner_id)
            )
            if claimed.rowcount == 1:
                return unowned
    else:
        same_name = connection.scalars(select(Course.id).where(Course.name == name).limit(2)).all()
        if len(same_name) == 1:
            return same_name[0]
    connection.execute(
        insert_or_ignore(connection, Course.__table__).values(name=name, owner_id=owner_id, created_at=utcnow())
    )
    course_id = _find(connection, name, owner_id)
    if course_id is None:  # cannot happen: the row is there, ours or another writer's
        raise RuntimeError(f"course {name!r} neither inserted nor found")
    return course_id


def release_courses(session: Session, owner_id: int) -> None:
    """Before an owner is deleted: their courses become unowned, merged into an unowned one of the same name."""
    for course_id, name in session.execute(select(Course.id, Course.name).where(Course.owner_id == owner_id)).all():
        unowned = _find(session, name, None)
        if unowned is not None:
            merge_courses(session, keep=unowned, drop=course_id)
    session.execute(update(Course).where(Course.owner_id == owner_id).values(owner_id=None))
