"""How sure the bot was of each capture's gallery (issue 15).

``captures.split_confidence`` (0..1) is the splitter's confidence; ``captures.gallery_flag`` says why a
capture is doubtful: ``low_confidence``, ``tile_drop`` (far fewer tiles than the captures before) or
``no_gallery``; null when the gallery looked right. Attendance does not count students absent during
captures in which the bot could not see the gallery (``tile_drop``, ``no_gallery``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("captures") as batch:
        batch.add_column(sa.Column("split_confidence", sa.Float(), nullable=True))
        batch.add_column(sa.Column("gallery_flag", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("captures") as batch:
        batch.drop_column("gallery_flag")
        batch.drop_column("split_confidence")
