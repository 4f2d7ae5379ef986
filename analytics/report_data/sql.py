"""SQL helpers of the report's reads: time buckets and the observations of a session.

Time buckets: a session of ``D`` seconds sampled every ``interval`` seconds is
cut into buckets of the smallest "nice" width (5 s, 10 s, 15 s, 20 s, 30 s,
1 min, 2 min, 5 min, ...) that is at least twice the interval and gives at
most :data:`MAX_BUCKETS` buckets.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, cast, extract, func, select
from sqlalchemy.orm import Session

from analytics.schema import Observation

MAX_BUCKETS = 200
NICE_BUCKETS_S = (5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def bucket_expression(column, start: datetime, bucket_s: float, dialect: str) -> ColumnElement[int]:
    """Index of the time bucket of width ``bucket_s`` from ``start`` that ``column`` falls in.

    Times before ``start`` give 0 or a negative index (callers clamp). One
    date conversion per row: ``julianday`` on SQLite, ``extract(epoch)`` on
    PostgreSQL.
    """
    origin = start.timestamp() - 0.001  # 1 ms early: a capture exactly on a bucket edge must not round down
    if dialect == "sqlite":
        start_day = origin / 86400.0 + 2440587.5
        return cast((func.julianday(column) - start_day) * (86400.0 / bucket_s), Integer)
    return cast(func.floor((extract("epoch", column) - origin) / bucket_s), Integer)


def observation_scope(session: Session, session_id: int) -> list[ColumnElement[bool]]:
    """WHERE clauses selecting one session's observations, written for a fast scan.

    On SQLite, reading a whole session through the session index costs one
    random table lookup per observation (the index orders rows by student,
    the table by time); a session's rows were inserted together, so scanning
    its rowid range in the table is ~10x faster. ``session_id + 0`` keeps the
    planner from picking the index anyway. PostgreSQL plans this itself.
    """
    if dialect_of(session) != "sqlite":
        return [Observation.session_id == session_id]
    low, high = session.execute(
        select(func.min(Observation.id), func.max(Observation.id)).where(Observation.session_id == session_id)
    ).one()
    if low is None:
        return [Observation.session_id == session_id]
    return [Observation.id.between(low, high), (Observation.session_id + 0) == session_id]


def choose_bucket_s(duration_s: float, interval_s: float, max_buckets: int = MAX_BUCKETS) -> float:
    """The smallest nice bucket width >= twice the capture interval giving at most ``max_buckets`` buckets.

    Twice the interval, so that a bot whose captures drift by up to an interval
    still puts at least one capture in every bucket: an empty bucket is a real gap.
    """
    need = max(2.0 * (interval_s or 0.0), duration_s / max_buckets if duration_s > 0 else 0.0)
    for width in NICE_BUCKETS_S:
        if width >= need - 1e-9:
            return float(width)
    return float(math.ceil(need / 3600.0) * 3600)
