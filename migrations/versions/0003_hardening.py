"""Hardening (issue 17): unique names for unowned courses, and a per-user session version.

Unowned courses get unique names (bots starting the same new course at once share one row).

Courses with a NULL owner escaped the (owner_id, name) unique constraint, as SQL
treats NULLs as distinct, so simultaneous bot starts could create several rows
of one course. Duplicates already there are merged into the oldest row first:
their sessions move over, and their participants either move over or, when the
oldest course has the same student, have their observations moved onto that
student.

``users.session_version`` is bumped at logout: report cookies carry the
version they were issued under, so a copied cookie stops working at logout.

Numbered 0003 because a 0002 (course names unique per instructor, issue 16) is
made on another branch; when both are merged, chain this one after it.

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_courses_name_unowned"


def _merge_duplicate_unowned_courses(connection: sa.Connection) -> None:
    rows = connection.execute(sa.text("SELECT id, name FROM courses WHERE owner_id IS NULL ORDER BY name, id")).all()
    keeper_of: dict[str, int] = {}
    for course_id, name in rows:
        keeper = keeper_of.setdefault(name, course_id)
        if keeper == course_id:
            continue
        params = {"dup": course_id, "keep": keeper}
        # A student in both courses: move the duplicate's observations onto the kept student.
        connection.execute(
            sa.text(
                "UPDATE observations SET participant_id = ("
                " SELECT k.id FROM participants k, participants d"
                " WHERE d.id = observations.participant_id AND k.course_id = :keep"
                " AND k.normalized_name = d.normalized_name)"
                " WHERE participant_id IN (SELECT d.id FROM participants d JOIN participants k"
                " ON k.normalized_name = d.normalized_name AND k.course_id = :keep WHERE d.course_id = :dup)"
            ),
            params,
        )
        connection.execute(
            sa.text(
                "DELETE FROM participants WHERE course_id = :dup AND normalized_name IN"
                " (SELECT normalized_name FROM participants WHERE course_id = :keep)"
            ),
            params,
        )
        connection.execute(sa.text("UPDATE participants SET course_id = :keep WHERE course_id = :dup"), params)
        connection.execute(sa.text("UPDATE class_sessions SET course_id = :keep WHERE course_id = :dup"), params)
        connection.execute(sa.text("DELETE FROM courses WHERE id = :dup"), params)


def upgrade() -> None:
    _merge_duplicate_unowned_courses(op.get_bind())
    op.create_index(
        INDEX,
        "courses",
        ["name"],
        unique=True,
        sqlite_where=sa.text("owner_id IS NULL"),
        postgresql_where=sa.text("owner_id IS NULL"),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
    op.drop_index(INDEX, table_name="courses")
