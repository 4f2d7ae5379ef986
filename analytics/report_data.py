"""What the report reads: observations aggregated in SQL per time bucket and per student.

Every function takes an open SQLAlchemy :class:`~sqlalchemy.orm.Session` and
returns small dataclasses or numpy arrays. Observations are never loaded row
by row: the database groups them by (student, time bucket, top label) or by
(session, student), and Python only reshapes the few thousand aggregated rows
(a 90-minute class of 50 students in 30-second buckets is 9,000 cells).

Access control lives here too (:func:`visible_course_ids`): an instructor sees
the courses they own (``courses.owner_id``), an admin sees everything.

Time buckets: a session of ``D`` seconds sampled every ``interval`` seconds is
cut into buckets of the smallest "nice" width (5 s, 10 s, 15 s, 20 s, 30 s,
1 min, 2 min, 5 min, ...) that is at least twice the interval and gives at
most :data:`MAX_BUCKETS` buckets.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import ColumnElement, Integer, and_, case, cast, distinct, extract, func, select
from sqlalchemy.orm import Session

from analytics import queries
from analytics.errors import NotFoundError
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
from analytics.schema import EMOTIONS, Capture, ClassSession, Course, Observation, Participant, User

MAX_BUCKETS = 200
NICE_BUCKETS_S = (5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
LIVE_WINDOW_MINUTES = 15.0


# ----------------------------------------------------------------------------- who sees what


@dataclass(frozen=True)
class Viewer:
    """The logged-in user, as far as the data layer cares."""

    id: int
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def visible_course_ids(session: Session, viewer: Viewer) -> list[int] | None:
    """Course ids ``viewer`` may see: None means all (admin); an instructor gets the courses they own."""
    if viewer.is_admin:
        return None
    return list(session.scalars(select(Course.id).where(Course.owner_id == viewer.id)))


def _restrict(query, column, course_ids: list[int] | None):
    return query if course_ids is None else query.where(column.in_(course_ids))


def can_see_session(session: Session, viewer: Viewer, session_id: int) -> bool:
    query = select(ClassSession.id).where(ClassSession.id == session_id)
    if not viewer.is_admin:
        query = query.join(Course, Course.id == ClassSession.course_id).where(Course.owner_id == viewer.id)
    return session.scalar(query) is not None


def can_see_participant(session: Session, viewer: Viewer, participant_id: int) -> bool:
    query = select(Participant.id).where(Participant.id == participant_id)
    if not viewer.is_admin:
        query = query.join(Course, Course.id == Participant.course_id).where(Course.owner_id == viewer.id)
    return session.scalar(query) is not None


def resolve_visible_session(session: Session, viewer: Viewer, ref: str | int | None) -> int:
    """A session id the viewer may see: ``ref`` as an id, or ``last``/None for their most recent one.

    Raises NotFoundError for an unknown id and for someone else's session alike
    (so ids cannot be probed).
    """
    if ref is None or (isinstance(ref, str) and ref.strip().lower() in ("", "last")):
        query = select(ClassSession.id).order_by(ClassSession.started_at.desc(), ClassSession.id.desc()).limit(1)
        query = _restrict(query, ClassSession.course_id, visible_course_ids(session, viewer))
        found = session.scalar(query)
        if found is None:
            raise NotFoundError("no sessions yet")
        return found
    try:
        session_id = int(ref)
    except (TypeError, ValueError):
        raise NotFoundError(f"no session {ref!r}") from None
    if not can_see_session(session, viewer, session_id):
        raise NotFoundError(f"no session {session_id}")
    return session_id


@dataclass(frozen=True)
class CourseInfo:
    id: int
    name: str
    owner: str | None


def list_courses(session: Session, viewer: Viewer) -> list[CourseInfo]:
    query = (
        select(Course.id, Course.name, User.username)
        .outerjoin(User, User.id == Course.owner_id)
        .order_by(func.lower(Course.name), Course.id)
    )
    query = _restrict(query, Course.id, visible_course_ids(session, viewer))
    return [CourseInfo(*row) for row in session.execute(query)]


def running_sessions(session: Session, viewer: Viewer) -> list[tuple[int, str, datetime]]:
    """(id, course, started_at) of the running sessions the viewer may see, newest first."""
    query = (
        select(ClassSession.id, Course.name, ClassSession.started_at)
        .join(Course, Course.id == ClassSession.course_id)
        .where(ClassSession.status == "running")
        .order_by(ClassSession.started_at.desc())
    )
    query = _restrict(query, ClassSession.course_id, visible_course_ids(session, viewer))
    return [tuple(row) for row in session.execute(query)]


# ----------------------------------------------------------------------------- SQL helpers


def valence_expression(dialect: str = "") -> ColumnElement[float]:
    """Clipped valence of one observation, NULL without probabilities.

    Same definition as :func:`analytics.queries.valence_expression`; on SQLite
    the clip uses the scalar two-argument ``min``/``max`` (NULL in, NULL out),
    which evaluates the sum once instead of three times.
    """
    if dialect != "sqlite":
        return queries.valence_expression()
    o = Observation
    raw = o.p_happiness + 0.5 * o.p_surprise - o.p_sadness - o.p_anger - o.p_fear - o.p_disgust - o.p_contempt
    return func.max(-1.0, func.min(1.0, raw))


def _dialect(session: Session) -> str:
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
    if _dialect(session) != "sqlite":
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


# ----------------------------------------------------------------------------- session data


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
    dialect = _dialect(session)
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


def _baselines(session: Session, session_id: int, participant_ids: Sequence[int]) -> np.ndarray:
    """Each student's median valence over the session, from a histogram aggregated in SQL (NaN without faces)."""
    values = (
        select(
            Observation.participant_id.label("pid"),
            cast(func.round(valence_expression(_dialect(session)) / VALENCE_BIN), Integer).label("bin"),
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


def _captures_per_bucket(
    session: Session, session_id: int, start: datetime, bucket_s: float, n_buckets: int, since: datetime | None = None
) -> np.ndarray:
    dialect = _dialect(session)
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
        baseline = _baselines(session, session_id, pids)
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
    captures = _captures_per_bucket(session, session_id, figures.started_at, bucket_s, n_buckets)
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


# ----------------------------------------------------------------------------- live


@dataclass
class LiveData:
    figures: queries.SessionFigures
    last_capture: datetime | None
    window_start: datetime
    grid: StudentGrid
    series: ClassSeries
    flags_now: list[Flag]
    present_now: list[str]
    camera_off_now: list[str]
    last_capture_tiles: int
    last_capture_faces: int


def load_live(
    session: Session,
    session_id: int,
    *,
    window_minutes: float = LIVE_WINDOW_MINUTES,
    baselines: dict[int, float] | None = None,
    flag_rules: FlagRules | None = None,
) -> LiveData:
    """The last ``window_minutes`` of a (running) session, in buckets, and who needs attention now.

    "Now" is the last capture, not the wall clock, so a paused bot shows its
    last state (the page says how old it is).
    """
    figures = queries.session_figures(session, [session_id]).get(session_id)
    if figures is None:
        raise NotFoundError(f"no session {session_id}")
    interval = figures.interval_s or 5.0
    last = figures.last_capture
    now = (last + timedelta(seconds=interval)) if last is not None else figures.started_at
    window_start = max(figures.started_at, now - timedelta(minutes=window_minutes))
    span = max(interval, (now - window_start).total_seconds())
    bucket_s = choose_bucket_s(span, interval, max_buckets=120)
    n_buckets = max(1, math.ceil(span / bucket_s - 1e-9))
    # Align buckets so that the last one ends at "now".
    start = now - timedelta(seconds=n_buckets * bucket_s)
    if baselines is None:
        pids = list(
            session.scalars(select(Observation.participant_id).distinct().where(Observation.session_id == session_id))
        )
        values = _baselines(session, session_id, pids)
        baselines = {pid: float(v) for pid, v in zip(pids, values, strict=True)}
    grid = build_grid(session, session_id, start, bucket_s, n_buckets, since=start, baselines=baselines)
    captures = _captures_per_bucket(session, session_id, start, bucket_s, n_buckets, since=start)
    series = ClassSeries.from_grid(grid, captures)
    rules = flag_rules or FlagRules()
    elapsed_min = (now - figures.started_at).total_seconds() / 60.0
    scaled = FlagRules(
        drop_depth=rules.drop_depth,
        drop_minutes=rules.scaled(rules.drop_minutes, elapsed_min),
        camera_off_minutes=rules.scaled(rules.camera_off_minutes, elapsed_min),
        away_minutes=rules.scaled(rules.away_minutes, elapsed_min),
        short_fraction=1.0,
        min_minutes=0.0,
    )
    # "Right now": what is still going on at the last bucket (one who left before the window is not in it).
    flags_now = find_flags(
        grid, end=now, rules=scaled, class_valence=series.smoothed_valence(), gaps=series.gaps, live=True
    )
    present_now: list[str] = []
    camera_off_now: list[str] = []
    tiles = faces = 0
    if last is not None:
        rows = session.execute(
            select(Participant.display_name, Observation.face_found)
            .join(Participant, Participant.id == Observation.participant_id)
            .where(Observation.session_id == session_id, Observation.captured_at == last)
            .order_by(func.lower(Participant.display_name))
        )
        for name, face in rows:
            present_now.append(name)
            if not face:
                camera_off_now.append(name)
        capture = session.execute(
            select(Capture.tiles, Capture.faces)
            .where(Capture.session_id == session_id, Capture.captured_at == last)
            .limit(1)
        ).first()
        if capture is not None:
            tiles, faces = int(capture[0]), int(capture[1])
    return LiveData(figures, last, window_start, grid, series, flags_now, present_now, camera_off_now, tiles, faces)


def session_baselines(session: Session, session_id: int) -> dict[int, float]:
    pids = list(
        session.scalars(select(Observation.participant_id).distinct().where(Observation.session_id == session_id))
    )
    values = _baselines(session, session_id, pids)
    return {pid: float(v) for pid, v in zip(pids, values, strict=True)}


# ----------------------------------------------------------------------------- sessions list


@dataclass(frozen=True)
class SessionListRow:
    id: int
    course_id: int
    course: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    minutes: float
    students_seen: int
    mean_valence: float | None


def list_sessions(
    session: Session,
    viewer: Viewer,
    *,
    course_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[SessionListRow], int]:
    """Sessions the viewer may see, newest first, with students seen and mean valence; also the total count."""
    base = select(ClassSession.id)
    base = _restrict(base, ClassSession.course_id, visible_course_ids(session, viewer))
    if course_id is not None:
        base = base.where(ClassSession.course_id == course_id)
    if since is not None:
        base = base.where(ClassSession.started_at >= since)
    if until is not None:
        base = base.where(ClassSession.started_at < until)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    query = base.order_by(ClassSession.started_at.desc(), ClassSession.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    ids = list(session.scalars(query))
    if not ids:
        return [], total
    figures = queries.session_figures(session, ids)
    stats = {
        sid: (int(n or 0), v)
        for sid, n, v in session.execute(
            select(
                Observation.session_id,
                func.count(distinct(Observation.participant_id)),
                func.avg(valence_expression(_dialect(session))),
            )
            .where(Observation.session_id.in_(ids))
            .group_by(Observation.session_id)
        )
    }
    rows = []
    for sid in ids:
        f = figures[sid]
        n, v = stats.get(sid, (0, None))
        rows.append(
            SessionListRow(
                sid,
                f.course_id,
                f.course,
                f.started_at,
                f.ended_at,
                f.status,
                f.duration_s / 60.0,
                n,
                float(v) if v is not None else None,
            )
        )
    return rows, total


# ----------------------------------------------------------------------------- student


@dataclass(frozen=True)
class StudentInfo:
    id: int
    name: str
    course_id: int
    course: str


def student_info(session: Session, participant_id: int) -> StudentInfo:
    row = session.execute(
        select(Participant.id, Participant.display_name, Course.id, Course.name)
        .join(Course, Course.id == Participant.course_id)
        .where(Participant.id == participant_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no student {participant_id}")
    return StudentInfo(*row)


@dataclass
class StudentSessionRow(queries.SessionAttendance):
    """One session of the student's course: their attendance and mood, and the class's."""

    session_id: int
    started_at: datetime
    status: str
    session_minutes: float
    first_seen: datetime | None
    last_seen: datetime | None
    minutes_present: float
    minutes_camera_on: float
    mean_valence: float | None
    class_valence: float | None
    emotion_shares: dict[str, float] | None


def student_history(session: Session, participant_id: int) -> list[StudentSessionRow]:
    """The student's attendance and mood in every session of their course, oldest first, with the class's mood."""
    info = student_info(session, participant_id)
    session_ids = list(
        session.scalars(
            select(ClassSession.id).where(ClassSession.course_id == info.course_id).order_by(ClassSession.started_at)
        )
    )
    figures = queries.session_figures(session, session_ids)
    label_counts = [
        func.sum(case((and_(Observation.face_found, Observation.top_label == emotion), 1), else_=0))
        for emotion in EMOTIONS
    ]
    own = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                Observation.session_id,
                func.count(),
                func.sum(case((Observation.face_found, 1), else_=0)),
                func.min(Observation.captured_at),
                func.max(Observation.captured_at),
                func.avg(valence_expression(_dialect(session))),
                *label_counts,
            )
            .where(Observation.participant_id == participant_id, Observation.session_id.in_(session_ids))
            .group_by(Observation.session_id)
        )
    }
    class_valence = class_mean_valence(session, session_ids)
    rows = []
    for sid in session_ids:
        f = figures[sid]
        interval = f.interval_s
        if sid in own:
            n, faces, first, last, valence, *counts = own[sid]
            faces = int(faces or 0)
            shares = {e: int(c or 0) / faces for e, c in zip(EMOTIONS, counts, strict=True)} if faces else None
            row = StudentSessionRow(
                sid,
                f.started_at,
                f.status,
                f.duration_s / 60.0,
                first,
                last,
                n * interval / 60.0,
                faces * interval / 60.0,
                float(valence) if valence is not None else None,
                class_valence.get(sid),
                shares,
            )
        else:
            row = StudentSessionRow(
                sid,
                f.started_at,
                f.status,
                f.duration_s / 60.0,
                None,
                None,
                0.0,
                0.0,
                None,
                class_valence.get(sid),
                None,
            )
        rows.append(row)
    return rows


def class_mean_valence(session: Session, session_ids: Iterable[int]) -> dict[int, float]:
    ids = list(session_ids)
    if not ids:
        return {}
    return {
        sid: float(v)
        for sid, v in session.execute(
            select(Observation.session_id, func.avg(valence_expression(_dialect(session))))
            .where(Observation.session_id.in_(ids))
            .group_by(Observation.session_id)
        )
        if v is not None
    }


def latest_thumbnail(session: Session, participant_id: int) -> bytes | None:
    """The most recent stored thumbnail of the student (only stored with --keep-thumbnails), else None."""
    return session.scalar(
        select(Observation.thumbnail)
        .where(Observation.participant_id == participant_id, Observation.thumbnail.is_not(None))
        .order_by(Observation.captured_at.desc())
        .limit(1)
    )


def student_sessions_present(session: Session, participant_id: int) -> list[int]:
    return list(
        session.scalars(select(Observation.session_id).distinct().where(Observation.participant_id == participant_id))
    )


# ----------------------------------------------------------------------------- admin history


@dataclass
class HistoryRecord(queries.SessionAttendance):
    """One student in one session (absent students too), for the admin history."""

    session_id: int
    started_at: datetime
    course_id: int
    course: str
    participant_id: int
    student: str
    session_minutes: float
    minutes_present: float = 0.0
    minutes_camera_on: float = 0.0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    mean_valence: float | None = None
    main_expression: str | None = None


def history_records(
    session: Session,
    viewer: Viewer,
    *,
    course_id: int | None = None,
    participant_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    max_sessions: int = 500,
) -> list[HistoryRecord]:
    """Attendance and mood per (session, student) over the sessions in scope, newest first.

    Students of the courses in scope who missed a session get a row with zero
    minutes. One aggregate query (GROUP BY session, student) does the work.
    """
    query = select(ClassSession.id).order_by(ClassSession.started_at.desc()).limit(max_sessions)
    query = _restrict(query, ClassSession.course_id, visible_course_ids(session, viewer))
    if course_id is not None:
        query = query.where(ClassSession.course_id == course_id)
    if participant_id is not None:
        query = query.where(
            ClassSession.course_id
            == select(Participant.course_id).where(Participant.id == participant_id).scalar_subquery()
        )
    if since is not None:
        query = query.where(ClassSession.started_at >= since)
    if until is not None:
        query = query.where(ClassSession.started_at < until)
    ids = list(session.scalars(query))
    if not ids:
        return []
    figures = queries.session_figures(session, ids)
    course_ids = sorted({f.course_id for f in figures.values()})
    students = select(Participant.id, Participant.course_id, Participant.display_name).where(
        Participant.course_id.in_(course_ids)
    )
    if participant_id is not None:
        students = students.where(Participant.id == participant_id)
    by_course: dict[int, list[tuple[int, str]]] = {}
    for pid, cid, name in session.execute(students):
        by_course.setdefault(cid, []).append((pid, name))
    records: dict[tuple[int, int], HistoryRecord] = {}
    for sid in ids:
        f = figures[sid]
        for pid, name in by_course.get(f.course_id, []):
            records[(sid, pid)] = HistoryRecord(
                sid, f.started_at, f.course_id, f.course, pid, name, f.duration_s / 60.0
            )
    label_counts = [
        func.sum(case((and_(Observation.face_found, Observation.top_label == emotion), 1), else_=0))
        for emotion in EMOTIONS
    ]
    aggregate = (
        select(
            Observation.session_id,
            Observation.participant_id,
            func.count(),
            func.sum(case((Observation.face_found, 1), else_=0)),
            func.min(Observation.captured_at),
            func.max(Observation.captured_at),
            func.avg(valence_expression(_dialect(session))),
            *label_counts,
        )
        .where(Observation.session_id.in_(ids))
        .group_by(Observation.session_id, Observation.participant_id)
    )
    if participant_id is not None:
        aggregate = aggregate.where(Observation.participant_id == participant_id)
    for sid, pid, n, faces, first, last, valence, *counts in session.execute(aggregate):
        record = records.get((sid, pid))
        if record is None:
            continue
        interval = figures[sid].interval_s
        record.minutes_present = n * interval / 60.0
        record.minutes_camera_on = int(faces or 0) * interval / 60.0
        record.first_seen, record.last_seen = first, last
        record.mean_valence = float(valence) if valence is not None else None
        counts = [int(c or 0) for c in counts]
        if sum(counts):
            record.main_expression = EMOTIONS[int(np.argmax(counts))]
    return sorted(
        records.values(), key=lambda r: (-r.started_at.timestamp(), r.course.casefold(), r.student.casefold())
    )


def list_participants(session: Session, viewer: Viewer, course_id: int | None = None) -> list[tuple[int, str, str]]:
    """(id, display name, course name) of the students the viewer may see."""
    query = (
        select(Participant.id, Participant.display_name, Course.name)
        .join(Course, Course.id == Participant.course_id)
        .order_by(func.lower(Participant.display_name), Participant.id)
    )
    query = _restrict(query, Participant.course_id, visible_course_ids(session, viewer))
    if course_id is not None:
        query = query.where(Participant.course_id == course_id)
    return [tuple(row) for row in session.execute(query)]


# ----------------------------------------------------------------------------- admin: course owners


def set_course_owner(session: Session, course_id: int, owner_id: int | None) -> None:
    """Give a course to an instructor (or to nobody: admins only then); the caller commits.

    When the new owner already has a course of that name, this one is merged into it.
    """
    course = session.get(Course, course_id)
    if course is None:
        raise NotFoundError(f"no course {course_id}")
    if owner_id is not None and session.get(User, owner_id) is None:
        raise NotFoundError(f"no user {owner_id}")
    owner = Course.owner_id.is_(None) if owner_id is None else Course.owner_id == owner_id
    same = session.scalar(select(Course.id).where(Course.name == course.name, owner, Course.id != course_id))
    if same is not None:  # the new owner already has a course of that name: one course, not two
        from analytics.courses import merge_courses

        session.flush()
        merge_courses(session, keep=same, drop=course_id)
        session.expunge(course)
        return
    course.owner_id = owner_id


def courses_per_owner(session: Session) -> dict[int, int]:
    return {
        owner: int(n)
        for owner, n in session.execute(
            select(Course.owner_id, func.count()).where(Course.owner_id.is_not(None)).group_by(Course.owner_id)
        )
    }
