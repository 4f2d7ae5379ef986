"""The ClassMood database schema: typed SQLAlchemy 2.x declarative models.

Tables: ``users`` (instructors and admins), ``courses``, ``class_sessions``
(one run of the bot), ``participants`` (per course, keyed by normalized
display name), ``observations`` (one student at one capture: presence, face,
eight emotion probabilities, boxes) and ``captures`` (one row per frame: counts,
per-stage timings, error).

All datetimes are timezone-aware UTC (:class:`UTCDateTime`). The emotion set
and order is FER+'s, :data:`EMOTIONS`. This module knows nothing of images,
models or the bot.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# name normalization lives in analytics.names (no SQLAlchemy); the store and queries key participants on it
from analytics.names import display_name as display_name
from analytics.names import is_truncated as is_truncated
from analytics.names import normalize_name as normalize_name

#: The stored emotion set, in FER+ order (the order of the ``p_*`` columns).
EMOTIONS: tuple[str, ...] = (
    "neutral",
    "happiness",
    "surprise",
    "sadness",
    "anger",
    "disgust",
    "fear",
    "contempt",
)

#: Name of the probability column of each emotion, in :data:`EMOTIONS` order.
PROBABILITY_COLUMNS: tuple[str, ...] = tuple(f"p_{name}" for name in EMOTIONS)

ROLES: tuple[str, ...] = ("instructor", "admin")
SESSION_STATUSES: tuple[str, ...] = ("running", "finished", "interrupted")

# Observation primary keys can outgrow 32 bits on a busy server; SQLite needs
# a plain INTEGER PRIMARY KEY to alias the rowid.
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC that always comes back timezone-aware (UTC).

    PostgreSQL stores ``timestamp with time zone``; SQLite has no time zones,
    so the value is stored as naive UTC text and UTC is attached on the way
    out. Naive datetimes are refused: they are ambiguous (local? UTC?).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: pass a timezone-aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class User(Base):
    """An instructor or admin who can log in to the report."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('instructor', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: bumped at logout: report sessions issued under an older version are over
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class Course(Base):
    """A course; ``owner_id`` is null for courses the bot created with no user yet.

    The name is unique per owner, and among unowned courses: SQL treats NULL
    owners as distinct, so a partial unique index covers those. Both let
    :func:`analytics.courses.course_for` insert-or-get a course when several
    bots start the same new one at once.
    """

    __tablename__ = "courses"
    __table_args__ = (
        UniqueConstraint("owner_id", "name"),
        Index(
            "uq_courses_name_unowned",
            "name",
            unique=True,
            sqlite_where=text("owner_id IS NULL"),
            postgresql_where=text("owner_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClassSession(Base):
    """One run of the bot for a course (one class meeting)."""

    __tablename__ = "class_sessions"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'finished', 'interrupted')", name="status"),
        Index(None, "course_id", "started_at"),
        Index(None, "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    source: Mapped[str | None] = mapped_column(Text)
    interval_s: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)


class Participant(Base):
    """A student of a course, identified by the normalized display name."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("course_id", "normalized_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(String(200))
    normalized_name: Mapped[str] = mapped_column(String(200))


class Observation(Base):
    """One participant's tile at one capture.

    ``face_found`` false means present with the camera off (or no face seen);
    then the probabilities, label, confidence and face box are null.
    """

    __tablename__ = "observations"
    __table_args__ = (
        Index(None, "session_id", "captured_at"),
        Index(None, "participant_id", "session_id"),
        # Covers the attendance aggregate (GROUP BY participant within a session) without table lookups.
        Index(None, "session_id", "participant_id", "face_found", "captured_at"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    captured_at: Mapped[datetime]
    face_found: Mapped[bool] = mapped_column(Boolean)
    p_neutral: Mapped[float | None] = mapped_column(Float)
    p_happiness: Mapped[float | None] = mapped_column(Float)
    p_surprise: Mapped[float | None] = mapped_column(Float)
    p_sadness: Mapped[float | None] = mapped_column(Float)
    p_anger: Mapped[float | None] = mapped_column(Float)
    p_disgust: Mapped[float | None] = mapped_column(Float)
    p_fear: Mapped[float | None] = mapped_column(Float)
    p_contempt: Mapped[float | None] = mapped_column(Float)
    top_label: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    tile_x: Mapped[int] = mapped_column(Integer)
    tile_y: Mapped[int] = mapped_column(Integer)
    tile_w: Mapped[int] = mapped_column(Integer)
    tile_h: Mapped[int] = mapped_column(Integer)
    face_x: Mapped[int | None] = mapped_column(Integer)
    face_y: Mapped[int | None] = mapped_column(Integer)
    face_w: Mapped[int | None] = mapped_column(Integer)
    face_h: Mapped[int | None] = mapped_column(Integer)
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)


class Capture(Base):
    """One captured frame of a session: counts, per-stage timings (ms) and any error."""

    __tablename__ = "captures"
    __table_args__ = (Index(None, "session_id", "captured_at"),)

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id", ondelete="CASCADE"))
    captured_at: Mapped[datetime]
    tiles: Mapped[int] = mapped_column(Integer)
    faces: Mapped[int] = mapped_column(Integer)
    names: Mapped[int] = mapped_column(Integer)
    timings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    total_ms: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    #: the splitter's confidence in this capture's gallery (0..1), and why it is doubtful, if it is:
    #: "low_confidence", "tile_drop" or "no_gallery" (see bot.gallery_watch); the last two are blind captures
    split_confidence: Mapped[float | None] = mapped_column(Float)
    gallery_flag: Mapped[str | None] = mapped_column(String(16))
