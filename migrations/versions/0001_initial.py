"""Initial schema: users, courses, class_sessions, participants, captures, observations.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Timestamps are timezone-aware UTC (analytics.schema.UTCDateTime over this type).
UTC_DATETIME = sa.DateTime(timezone=True)
# SQLite needs INTEGER PRIMARY KEY to alias the rowid.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("role IN ('instructor', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_courses_owner_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_courses_owner_id_name")),
    )
    op.create_index(op.f("ix_courses_owner_id"), "courses", ["owner_id"], unique=False)
    op.create_table(
        "class_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("ended_at", UTC_DATETIME, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("interval_s", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('running', 'finished', 'interrupted')", name=op.f("ck_class_sessions_status")),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_class_sessions_course_id_courses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_sessions")),
    )
    op.create_index(
        op.f("ix_class_sessions_course_id_started_at"), "class_sessions", ["course_id", "started_at"], unique=False
    )
    op.create_index(op.f("ix_class_sessions_status"), "class_sessions", ["status"], unique=False)
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("normalized_name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_participants_course_id_courses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("course_id", "normalized_name", name=op.f("uq_participants_course_id_normalized_name")),
    )
    op.create_table(
        "captures",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("captured_at", UTC_DATETIME, nullable=False),
        sa.Column("tiles", sa.Integer(), nullable=False),
        sa.Column("faces", sa.Integer(), nullable=False),
        sa.Column("names", sa.Integer(), nullable=False),
        sa.Column("timings", sa.JSON(), nullable=True),
        sa.Column("total_ms", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["class_sessions.id"],
            name=op.f("fk_captures_session_id_class_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captures")),
    )
    op.create_index(op.f("ix_captures_session_id_captured_at"), "captures", ["session_id", "captured_at"], unique=False)
    op.create_table(
        "observations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("captured_at", UTC_DATETIME, nullable=False),
        sa.Column("face_found", sa.Boolean(), nullable=False),
        sa.Column("p_neutral", sa.Float(), nullable=True),
        sa.Column("p_happiness", sa.Float(), nullable=True),
        sa.Column("p_surprise", sa.Float(), nullable=True),
        sa.Column("p_sadness", sa.Float(), nullable=True),
        sa.Column("p_anger", sa.Float(), nullable=True),
        sa.Column("p_disgust", sa.Float(), nullable=True),
        sa.Column("p_fear", sa.Float(), nullable=True),
        sa.Column("p_contempt", sa.Float(), nullable=True),
        sa.Column("top_label", sa.String(length=16), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("tile_x", sa.Integer(), nullable=False),
        sa.Column("tile_y", sa.Integer(), nullable=False),
        sa.Column("tile_w", sa.Integer(), nullable=False),
        sa.Column("tile_h", sa.Integer(), nullable=False),
        sa.Column("face_x", sa.Integer(), nullable=True),
        sa.Column("face_y", sa.Integer(), nullable=True),
        sa.Column("face_w", sa.Integer(), nullable=True),
        sa.Column("face_h", sa.Integer(), nullable=True),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_observations_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["class_sessions.id"],
            name=op.f("fk_observations_session_id_class_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
    )
    op.create_index(
        op.f("ix_observations_participant_id_session_id"),
        "observations",
        ["participant_id", "session_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_observations_session_id_captured_at"), "observations", ["session_id", "captured_at"], unique=False
    )
    op.create_index(
        op.f("ix_observations_session_id_participant_id_face_found_captured_at"),
        "observations",
        ["session_id", "participant_id", "face_found", "captured_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_observations_session_id_participant_id_face_found_captured_at"), table_name="observations")
    op.drop_index(op.f("ix_observations_session_id_captured_at"), table_name="observations")
    op.drop_index(op.f("ix_observations_participant_id_session_id"), table_name="observations")
    op.drop_table("observations")
    op.drop_index(op.f("ix_captures_session_id_captured_at"), table_name="captures")
    op.drop_table("captures")
    op.drop_table("participants")
    op.drop_index(op.f("ix_class_sessions_status"), table_name="class_sessions")
    op.drop_index(op.f("ix_class_sessions_course_id_started_at"), table_name="class_sessions")
    op.drop_table("class_sessions")
    op.drop_index(op.f("ix_courses_owner_id"), table_name="courses")
    op.drop_table("courses")
    op.drop_table("users")
