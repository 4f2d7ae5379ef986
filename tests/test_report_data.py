"""The report's SQL aggregation and derived measures, against a timeline worked out by hand.

Course "Algebra", T0 = 2024-03-04 09:00 UTC, capture interval 10 s, ended at
T0 + 120 s. Buckets are 20 s (twice the interval): b0 = [0, 20) ... b5 = [100, 120).
Captures at 0, 10, ..., 110 s except 60 and 70 s: bucket b3 has no capture (a gap).

* Alice: every capture with a face; 0-50 s happy (P(happy) 0.8, valence 0.8),
  80-110 s sad (P(sad) 0.6, valence -0.6). Median valence (baseline) 0.8.
* Bob: 20-50 s, neutral faces (valence 0).
* Cara: every capture, camera off.
* Dan: only at 0 s, P(happy) = P(surprised) = 1: raw valence 1.5, clipped to 1.

So b0 has faces Alice x2 (valence 0.8) and Dan (1.0): class valence 2.6 / 3, all
three faces happy. b1 has Alice x2 happy + Bob x2 neutral: valence 0.4, shares
50/50. b4 has Alice x2 sad: valence -0.6, sadness 100 %.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analytics import report_data
from analytics.report_measures import (
    ClassSeries,
    FlagRules,
    StudentGrid,
    find_flags,
    find_moments,
    median_from_histogram,
    rolling_sum,
    runs,
)
from analytics.schema import EMOTIONS
from analytics.store import ObservationIn, Store

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


def _probs(**values: float) -> tuple[float, ...]:
    return tuple(values.get(name, 0.0) for name in EMOTIONS)


def _o(name: str, probs=None) -> ObservationIn:
    return ObservationIn(
        name=name,
        face_found=probs is not None,
        tile_box=(0, 0, 10, 10),
        probs=probs,
        face_box=(1, 1, 5, 5) if probs is not None else None,
    )


@pytest.fixture
def algebra(db):
    store = Store(db)
    sid = store.start_session("Algebra", started_at=T0, interval_s=10)
    for k in range(12):
        if k in (6, 7):
            continue
        obs = [_o("Alice", _probs(happiness=0.8, neutral=0.2) if k <= 5 else _probs(sadness=0.6, neutral=0.4))]
        if 2 <= k <= 5:
            obs.append(_o("Bob", _probs(neutral=1.0)))
        obs.append(_o("Cara"))
        if k == 0:
            obs.append(_o("Dan", _probs(happiness=1.0, surprise=1.0)))
        store.record_capture(sid, T0 + timedelta(seconds=10 * k), obs, tiles=len(obs), faces=1, names=len(obs))
    store.finish_session(sid, ended_at=T0 + timedelta(seconds=120))
    return db, sid


def test_grid_and_series_match_the_hand_worked_timeline(algebra):
    db, sid = algebra
    with db.session() as session:
        data = report_data.load_session(session, sid)
    grid, series = data.grid, data.series
    assert grid.bucket_s == 20 and grid.n_buckets == 6
    assert grid.names == ["Alice", "Bob", "Cara", "Dan"]
    alice, bob, cara, dan = range(4)
    assert grid.present[alice].tolist() == [2, 2, 2, 0, 2, 2]
    assert grid.present[bob].tolist() == [0, 2, 2, 0, 0, 0]
    assert grid.present[cara].tolist() == [2, 2, 2, 0, 2, 2] and grid.faces[cara].sum() == 0
    assert grid.present[dan].tolist() == [1, 0, 0, 0, 0, 0]
    assert grid.valence[alice, [0, 4]] == pytest.approx([0.8, -0.6])
    assert grid.valence[dan, 0] == pytest.approx(1.0)  # 1.5 clipped, as analytics.queries defines it
    assert grid.baseline[alice] == pytest.approx(0.8) and grid.baseline[bob] == pytest.approx(0.0)
    assert np.isnan(grid.baseline[cara])
    assert grid.relative[alice, 4] == pytest.approx(-1.4)
    happy, neutral, sad = (EMOTIONS.index(e) for e in ("happiness", "neutral", "sadness"))
    assert grid.dominant[alice, 0] == happy and grid.dominant[alice, 5] == sad and np.isnan(grid.dominant[cara, 0])

    assert series.captures.tolist() == [2, 2, 2, 0, 2, 2]
    assert series.gaps.tolist() == [False, False, False, True, False, False]
    assert series.valence[[0, 1, 4]] == pytest.approx([2.6 / 3, 0.4, -0.6])
    assert np.isnan(series.valence[3])
    shares = series.shares
    assert shares[happy, 0] == pytest.approx(1.0)
    assert shares[[happy, neutral], 1] == pytest.approx([0.5, 0.5])
    assert shares[sad, 4] == pytest.approx(1.0)
    assert series.students_present.tolist() == [3, 3, 3, 0, 2, 2]
    assert series.students_camera_on.tolist() == [2, 2, 2, 0, 1, 1]

    assert data.students_seen == 4
    assert data.mean_valence == pytest.approx((6 * 0.8 + 4 * -0.6 + 0 + 1.0) / 15)


def test_flags_skip_capture_gaps(algebra):
    db, sid = algebra
    with db.session() as session:
        data = report_data.load_session(session, sid)
    flags = {(f.student, f.kind): f for f in data.flags}
    # A 2-minute class: each duration is at most 15 % of it, at least 1 minute.
    assert set(flags) == {("Cara", "camera_off"), ("Dan", "away")}
    assert flags[("Cara", "camera_off")].reason == "Camera off the whole time they were in class."
    # Dan: gone from 20 s to the end; the gap (60-80 s) does not count but does not end the absence.
    dan = flags[("Dan", "away")]
    assert (dan.start - T0).total_seconds() == 20 and (dan.end - T0).total_seconds() == 120
    assert dan.reason.startswith("Left 1 min 40 s before the end")


def test_session_list_and_access(algebra):
    db, sid = algebra
    from analytics import auth
    from analytics.report_data import Viewer, set_course_owner

    owner = auth.create_user(db, "olga", "a long password")
    other = auth.create_user(db, "otto", "a long password")
    with db.transaction() as session:
        set_course_owner(session, report_data.list_courses(session, Viewer(0, "x", "admin"))[0].id, owner.id)
    with db.session() as session:
        mine = Viewer(owner.id, "olga", "instructor")
        rows, total = report_data.list_sessions(session, mine)
        assert total == 1 and rows[0].students_seen == 4 and rows[0].minutes == pytest.approx(2.0)
        assert rows[0].mean_valence == pytest.approx((6 * 0.8 + 4 * -0.6 + 1.0) / 15)
        assert report_data.resolve_visible_session(session, mine, "last") == sid
        stranger = Viewer(other.id, "otto", "instructor")
        assert report_data.list_sessions(session, stranger) == ([], 0)
        assert not report_data.can_see_session(session, stranger, sid)
        with pytest.raises(report_data.NotFoundError):
            report_data.resolve_visible_session(session, stranger, sid)
        admin = Viewer(0, "root", "admin")
        assert report_data.can_see_session(session, admin, sid)


def test_student_history_and_admin_records(algebra):
    db, _sid = algebra
    from analytics.report_data import Viewer

    admin = Viewer(0, "root", "admin")
    with db.session() as session:
        bob = next(pid for pid, name, _ in report_data.list_participants(session, admin) if name == "Bob")
        (row,) = report_data.student_history(session, bob)
        assert row.present and row.minutes_present == pytest.approx(40 / 60)
        assert row.mean_valence == pytest.approx(0.0) and row.emotion_shares["neutral"] == 1.0
        records = report_data.history_records(session, admin)
        by_name = {r.student: r for r in records}
        assert set(by_name) == {"Alice", "Bob", "Cara", "Dan"}
        assert by_name["Alice"].main_expression == "happiness" and by_name["Cara"].mean_valence is None
        assert by_name["Cara"].minutes_camera_on == 0 and by_name["Cara"].present


def test_live_window_follows_the_last_capture(db):
    store = Store(db)
    sid = store.start_session("Live", started_at=T0, interval_s=5)
    for k in range(73):  # 6 minutes of captures, still running
        obs = [_o("Ann", _probs(happiness=0.9, neutral=0.1))]
        if k < 20:
            obs.append(_o("Ben", _probs(neutral=1.0)))  # Ben left at 100 s
        obs.append(_o("Cat", None if k >= 30 else _probs(neutral=1.0)))  # camera off from 150 s
        store.record_capture(sid, T0 + timedelta(seconds=5 * k), obs, tiles=len(obs), faces=1, names=len(obs))
    with db.session() as session:
        live = report_data.load_live(session, sid)
    assert live.last_capture == T0 + timedelta(seconds=360)
    assert live.present_now == ["Ann", "Cat"] and live.camera_off_now == ["Cat"]
    assert (live.last_capture_tiles, live.last_capture_faces) == (2, 1)
    now = {(f.student, f.kind): f for f in live.flags_now}
    assert set(now) == {("Ben", "away"), ("Cat", "camera_off")}
    assert now[("Cat", "camera_off")].reason.startswith("Camera off since")


# ----------------------------------------------------------------------------- pure measures


def test_runs_rolling_and_histogram_median():
    assert runs(np.array([0, 1, 1, 0, 1], dtype=bool)) == [(1, 3), (4, 5)]
    assert runs(np.array([], dtype=bool)) == []
    assert rolling_sum(np.array([1.0, 2, 3, 4]), 3).tolist() == [3, 6, 9, 7]
    # values -0.5, 0.1, 0.1, 0.3 -> median 0.1; bins are value / 0.01
    assert median_from_histogram(np.array([-50, 10, 30]), np.array([1, 2, 1])) == pytest.approx(0.1)
    assert median_from_histogram(np.array([0, 20]), np.array([1, 1])) == pytest.approx(0.1)
    assert median_from_histogram(np.array([5]), np.array([0])) is None


def _grid(valence: np.ndarray, present: np.ndarray | None = None) -> StudentGrid:
    students, buckets = valence.shape
    present = np.ones_like(valence) if present is None else present
    faces = np.where(np.isfinite(valence), present, 0)
    labels = np.zeros((students, buckets, len(EMOTIONS)))
    labels[..., 0] = faces
    return StudentGrid(
        participant_ids=list(range(1, students + 1)),
        names=[f"S{i}" for i in range(1, students + 1)],
        start=T0,
        bucket_s=60.0,
        present=present.astype(float),
        faces=faces.astype(float),
        valence_sum=np.nan_to_num(valence) * faces,
        valence_n=faces.astype(float),
        labels=labels,
        baseline=np.nanmedian(valence, axis=1),
    )


def test_sustained_drop_is_flagged_only_when_long_and_not_shared_by_the_class():
    minutes = 60
    valence = np.full((3, minutes), 0.2)
    valence[0, 20:27] = -0.3  # 7 minutes 0.5 below their usual: flagged
    valence[1, 40:43] = -0.3  # 3 minutes: too short
    end = T0 + timedelta(minutes=minutes)
    flags = find_flags(_grid(valence), end=end, rules=FlagRules())
    assert [(f.student, f.kind, (f.start - T0).total_seconds() / 60, f.minutes) for f in flags] == [
        ("S1", "drop", 20.0, 7.0)
    ]
    assert "0.50 below their usual" in flags[0].reason
    # The same dip shared by the whole class is a class moment, not a student's flag.
    class_valence = np.full(minutes, 0.2)
    class_valence[20:27] = -0.3
    assert find_flags(_grid(valence), end=end, class_valence=class_valence) == []


def test_moments_find_the_dip_and_the_lift():
    buckets = 90  # 90 one-minute buckets, 20 faces each
    valence = np.full(buckets, 0.1)
    valence[30:36] = 0.5  # a joke
    valence[60:70] = -0.3  # a hard exercise
    faces = np.full(buckets, 20.0)
    labels = np.zeros((len(EMOTIONS), buckets))
    labels[0] = faces
    labels[EMOTIONS.index("sadness"), 60:70] = 10
    labels[0, 60:70] = 10
    series = ClassSeries(
        start=T0,
        bucket_s=60.0,
        captures=np.full(buckets, 30.0),
        present=faces,
        faces=faces,
        valence_sum=valence * faces,
        valence_n=faces,
        labels=labels,
        students_present=faces,
        students_camera_on=faces,
    )
    moments = find_moments(series, end=T0 + timedelta(minutes=buckets))
    kinds = [(m.kind, round(m.minute_start), round(m.minute_end)) for m in moments]
    assert [k for k, _, _ in kinds] == ["lift", "dip", "negative"]
    lift, dip, negative = moments
    assert 28 <= lift.minute_start <= 31 and 35 <= lift.minute_end <= 38
    assert 58 <= dip.minute_start <= 61 and 69 <= dip.minute_end <= 72 and dip.value < 0
    assert negative.value == pytest.approx(0.5, abs=0.1)


@pytest.mark.parametrize(
    ("duration", "interval", "expected"),
    [(90 * 60, 2, 30), (12 * 60, 5, 10), (120, 10, 20), (4 * 3600, 5, 120), (60, 0, 5)],
)
def test_bucket_width(duration, interval, expected):
    assert report_data.choose_bucket_s(duration, interval) == expected
