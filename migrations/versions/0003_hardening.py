"""Hardening (issue 17): a per-user session version.

``users.session_version`` is bumped at logout: report cookies carry the
version they were issued under, so a copied cookie stops working at logout.

The unique names of unowned courses (the partial index ``uq_courses_name_unowned``,
which lets bots starting the same new course at once share one row) and the
merge of the duplicates already there come with 0002.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
