"""The live page's data: the last minutes of a class being recorded (:func:`load_live`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics import queries
from analytics.errors import NotFoundError
from analytics.report_data.session import (
    baselines_of,
    build_grid,
    captures_per_bucket,
)
from analytics.report_data.sql import choose_bucket_s
from analytics.report_measures import (
    ClassSeries,
    Flag,
    FlagRules,
    StudentGrid,
    find_flags,
)
from analytics.schema import Capture, Observation, Participant

LIVE_WINDOW_MINUTES = 15.0


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
        values = baselines_of(session, session_id, pids)
        baselines = {pid: float(v) for pid, v in zip(pids, values, strict=True)}
    grid = build_grid(session, session_id, start, bucket_s, n_buckets, since=start, baselines=baselines)
    captures = captures_per_bucket(session, session_id, start, bucket_s, n_buckets, since=start)
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
    values = baselines_of(session, session_id, pids)
    return {pid: float(v) for pid, v in zip(pids, values, strict=True)}
