"""One course per name and owner: merge duplicate courses, and a unique index on the names of unowned courses.

SQL treats NULL owners as distinct, so ``uq_courses_owner_id_name`` let the bot
create a second unowned "Physics 101" (or one beside an instructor's), which
split a class's students between two courses. This merges, by name: all the
unowned courses of a name into the oldest, then that one into the only owned
course of the name when there is exactly one owner (with several owners it
stays unowned: whose it is is unknown). A merge moves the sessions and the
students (one student per normalized name, their observations re-pointed).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same statements as analytics.courses.merge_courses, frozen here with this revision.
MERGE = (
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


def _merge(connection: sa.Connection, keep: int, drop: int) -> None:
    for statement in MERGE:
        connection.execute(sa.text(statement), {"keep": keep, "drop": drop})


def upgrade() -> None:
    connection = op.get_bind()
    unowned: dict[str, list[int]] = defaultdict(list)
    owned: dict[str, list[int]] = defaultdict(list)
    for course_id, name, owner_id in connection.execute(sa.text("SELECT id, name, owner_id FROM courses ORDER BY id")):
        (unowned if owner_id is None else owned)[name].append(course_id)
    for name, ids in unowned.items():
        keep, *others = ids
        for drop in others:
            _merge(connection, keep, drop)
        if len(owned.get(name, [])) == 1:
            _merge(connection, owned[name][0], keep)
    op.create_index(
        "uq_courses_name_unowned",
        "courses",
        ["name"],
        unique=True,
        sqlite_where=sa.text("owner_id IS NULL"),
        postgresql_where=sa.text("owner_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_courses_name_unowned", table_name="courses")
