"""The class report page's data: one session aggregated per student and time bucket (:func:`load_session`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import Session

from analytics import queries
from analytics.errors import NotFoundError
from analytics.queries import valence_expression
from analytics.report_data.sql import bucket_expression, choose_bucket_s, dialect_of, observation_scope
from analytics.report_measures import (
    VALENCE_BIN,
    ClassSeries,
    Flag,
    FlagRules,
    Moment,
    MomentRules,
    StudentGrid,
    find_flags,
    find_moments,
    median_from_histogram,
)
from analytics.schema import EMOTIONS, Capture, ClassSession, Observation, Participant


@dataclass
class SessionData:
    """Everything the session report shows, aggregated."""

    figures: queries.SessionFigures
    end: datetime  # when the class ended (live: the last capture + one interval)
    grid: StudentGrid
    series: ClassSeries
    attendance: list[queries.AttendanceRow]
    flags: list[Flag]
    moments: list[Moment]
    missing: list[tuple[int, str]] = field(default_factory=list)

    @property
    def session_id(self) -> int:
        return self.figures.id

    @property
    def students_seen(self) -> int:
        return int((self.grid.present.sum(axis=1) > 0).sum())

    @property
    def mean_valence(self) -> float | None:
        n = float(self.series.valence_n.sum())
        return float(self.series.valence_sum.sum()) / n if n else None


def _grid_rows(session: Session, session_id: int, start: datetime, bucket_s: float, since: datetime | None = None):
    """Rows (student, bucket, top label, observations, faces, valence sum, valence count), grouped in SQL.

    The per-row expressions are computed once in a subquery and grouped by its
    columns (grouping by the expressions themselves makes SQLite evaluate them twice).
    """
    dialect = dialect_of(session)
    where = (
        [Observation.session_id == session_id, Observation.captured_at >= since]
        if since is not None
        else observation_scope(session, session_id)
    )
    rows = (
        select(
            Observation.participant_id.label("pid"),
            bucket_expression(Observation.captured_at, start, bucket_s, dialect).label("bucket"),
            Observation.top_label.label("label"),
            case((Observation.face_found, 1), else_=0).label("face"),
            valence_expression(dialect).label("valence"),
        )
        .where(*where)
        .subquery()
    )
    query = select(
        rows.c.pid,
        rows.c.bucket,
        rows.c.label,
        func.count(),
        func.sum(rows.c.face),
        func.sum(rows.c.valence),
        func.count(rows.c.valence),
    ).group_by(rows.c.pid, rows.c.bucket, rows.c.label)
    return session.execute(query).all()


def baselines_of(session: Session, session_id: int, participant_ids: Sequence[int]) -> np.ndarray:
    """Each student's median valence over the session, from a histogram aggregated in SQL (NaN without faces)."""
    values = (
        select(
            Observation.participant_id.label("pid"),
            cast(func.round(valence_expression(dialect_of(session)) / VALENCE_BIN), Integer).label("bin"),
        )
        .where(*observation_scope(session, session_id), Observation.p_happiness.is_not(None))
        .subquery()
    )
    rows = session.execute(select(values.c.pid, values.c.bin, func.count()).group_by(values.c.pid, values.c.bin))
    by_student: dict[int, tuple[list[int], list[int]]] = {}
    for pid, b, n in rows:
        bucket = by_student.setdefault(pid, ([], []))
        bucket[0].append(int(b))
        bucket[1].append(int(n))
    out = np.full(len(participant_ids), np.nan)
    for row, pid in enumerate(participant_ids):
        if pid in by_student:
            b, n = by_student[pid]
            median = median_from_histogram(np.array(b), np.array(n))
            out[row] = np.nan if median is None else median
    return out


def captures_per_bucket(
    session: Session, session_id: int, start: datetime, bucket_s: float, n_buckets: int, since: datetime | None = None
) -> np.ndarray:
    dialect = dialect_of(session)
    bucket = bucket_expression(Capture.captured_at, start, bucket_s, dialect).label("bucket")
    query = select(bucket, func.count()).where(Capture.session_id == session_id).group_by(bucket)
    if since is not None:
        query = query.where(Capture.captured_at >= since)
    out = np.zeros(n_buckets)
    for b, n in session.execute(query):
        if 0 <= b < n_buckets:
            out[b] += n
    return out


def build_grid(
    session: Session,
    session_id: int,
    start: datetime,
    bucket_s: float,
    n_buckets: int,
    *,
    since: datetime | None = None,
    baselines: dict[int, float] | None = None,
) -> StudentGrid:
    """The per-student, per-bucket sums of a session (or of its part after ``since``)."""
    rows = _grid_rows(session, session_id, start, bucket_s, since)
    pids = sorted({row[0] for row in rows})
    names = dict(
        session.execute(select(Participant.id, Participant.display_name).where(Participant.id.in_(pids))).all()
    )
    pids.sort(key=lambda pid: (names.get(pid, "").casefold(), pid))
    index = {pid: i for i, pid in enumerate(pids)}
    shape = (len(pids), n_buckets)
    present = np.zeros(shape)
    faces = np.zeros(shape)
    valence_sum = np.zeros(shape)
    valence_n = np.zeros(shape)
    labels = np.zeros((*shape, len(EMOTIONS)))
    label_index = {name: i for i, name in enumerate(EMOTIONS)}
    if rows:
        data = np.array(
            [
                (index[pid], min(max(int(b), 0), n_buckets - 1), label_index.get(label, -1), n, f or 0, v or 0.0, vn)
                for pid, b, label, n, f, v, vn in rows
            ],
            dtype=float,
        )
        r, c, lab = data[:, 0].astype(int), data[:, 1].astype(int), data[:, 2].astype(int)
        np.add.at(present, (r, c), data[:, 3])
        np.add.at(faces, (r, c), data[:, 4])
        np.add.at(valence_sum, (r, c), data[:, 5])
        np.add.at(valence_n, (r, c), data[:, 6])
        has_label = (lab >= 0) & (data[:, 4] > 0)
        np.add.at(labels, (r[has_label], c[has_label], lab[has_label]), data[has_label, 4])
    if baselines is None:
        baseline = baselines_of(session, session_id, pids)
    else:
        baseline = np.array([baselines.get(pid, np.nan) for pid in pids], dtype=float)
    return StudentGrid(
        participant_ids=pids,
        names=[names.get(pid, f"student {pid}") for pid in pids],
        start=start,
        bucket_s=bucket_s,
        present=present,
        faces=faces,
        valence_sum=valence_sum,
        valence_n=valence_n,
        labels=labels,
        baseline=baseline,
    )


def _previous_session_regulars(session: Session, figures: queries.SessionFigures) -> set[int]:
    """Participants seen in the course's previous session (the "regulars" an absence flag is for)."""
    previous = session.scalar(
        select(ClassSession.id)
        .where(ClassSession.course_id == figures.course_id, ClassSession.started_at < figures.started_at)
        .order_by(ClassSession.started_at.desc(), ClassSession.id.desc())
        .limit(1)
    )
    if previous is None:
        return set()
    return set(session.scalars(select(Observation.participant_id).distinct().where(Observation.session_id == previous)))


def session_end(figures: queries.SessionFigures) -> datetime:
    if figures.ended_at is not None:
        return figures.ended_at
    if figures.last_capture is not None:
        return figures.last_capture + timedelta(seconds=figures.interval_s or 0)
    return figures.started_at


def load_session(
    session: Session,
    session_id: int,
    *,
    flag_rules: FlagRules | None = None,
    moment_rules: MomentRules | None = None,
) -> SessionData:
    """Aggregate one session for its report (raises NotFoundError for an unknown id)."""
    figures = queries.session_figures(session, [session_id]).get(session_id)
    if figures is None:
        raise NotFoundError(f"no session {session_id}")
    end = session_end(figures)
    duration = max(0.0, (end - figures.started_at).total_seconds())
    bucket_s = choose_bucket_s(duration, figures.interval_s)
    n_buckets = max(1, math.ceil(duration / bucket_s - 1e-9))
    grid = build_grid(session, session_id, figures.started_at, bucket_s, n_buckets)
    captures = captures_per_bucket(session, session_id, figures.started_at, bucket_s, n_buckets)
    series = ClassSeries.from_grid(grid, captures)
    attendance = queries.attendance(session, session_id=session_id)
    seen = set(grid.participant_ids)
    regulars = _previous_session_regulars(session, figures)
    missing = [(row.participant_id, row.student) for row in attendance if row.participant_id in regulars - seen]
    flags = find_flags(
        grid, end=end, rules=flag_rules, missing=missing, class_valence=series.smoothed_valence(), gaps=series.gaps
    )
    moments = find_moments(series, end=end, rules=moment_rules)
    return SessionData(figures, end, grid, series, attendance, flags, moments, missing)
