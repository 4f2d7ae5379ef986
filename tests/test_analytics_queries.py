"""Attendance and history against hand-built timelines; the expected figures are worked out by hand.

Course "Algebra" (all times UTC, T0 = 2024-03-04 09:00):

* session S0 at T0 - 7 days: interval 60 s, ended after 60 s, one capture; Carol
  present with a face.
* session S1 at T0: interval 10 s, ended at T0 + 120 s (2.0 min), captures at
  0, 10, ..., 110 s (12).
  - Alice: all 12 captures; face in the first 9 (0..80 s), camera off in the
    last 3. Captures 0-5: p_happiness 0.8, p_neutral 0.2 (valence 0.8);
    captures 6-8: p_sadness 0.6, p_neutral 0.4 (valence -0.6).
    -> present 12 x 10 s = 2.0 min, camera on 9 x 10 s = 1.5 min, share 1.0,
    valence (6 x 0.8 + 3 x -0.6) / 9 = 1/3, happiness 6/9, sadness 3/9.
  - Bob: captures 3..8 (30..80 s), all faces. Four with p_happiness = p_surprise
    = 1 (raw valence 1.5, clipped to 1), two with p_sadness = p_anger = 1 (raw
    -2, clipped to -1). -> present 6 x 10 s = 1.0 min, share 0.5, valence
    (4 - 2) / 6 = 1/3, happiness 4/6, sadness 2/6.
  - Carol: absent.
* session S2 at T0 + 2 days: no interval recorded, still running (no end),
  captures at 0, 5, 10, 20, 25 s: gaps 5, 5, 10, 5 -> median 5 s; duration =
  25 - 0 + 5 = 30 s (0.5 min).
  - Alice: all 5 captures, faces, p_neutral 1 -> 25 s present, valence 0.
  - Carol: captures at 0 and 5 s, faces -> 10 s.

Course "Biology": session B1 at T0 + 1 day, interval 30 s, ended after 60 s;
"ALICE SMITH" present in 2 captures (1.0 min), no face.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analytics import queries
from analytics.errors import NotFoundError
from analytics.store import ObservationIn, Store

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
ALICE, BOB, CAROL = "Alice Smith", "Bob Jones (he/him)", "Carol White"


def _probs(**values: float) -> tuple[float, ...]:
    order = ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt")
    return tuple(values.get(name, 0.0) for name in order)


def _o(name: str, probs=None, label=None) -> ObservationIn:
    return ObservationIn(
        name=name,
        face_found=probs is not None,
        tile_box=(0, 0, 100, 100),
        probs=probs,
        top_label=label,
        face_box=(1, 1, 10, 10) if probs is not None else None,
    )


@pytest.fixture
def timeline(db):
    store = Store(db)
    s0 = store.start_session("Algebra", started_at=T0 - timedelta(days=7), interval_s=60)
    store.record_capture(s0, T0 - timedelta(days=7), [_o(CAROL, _probs(neutral=1))], tiles=1, faces=1, names=1)
    store.finish_session(s0, ended_at=T0 - timedelta(days=7) + timedelta(seconds=60))

    s1 = store.start_session("Algebra", started_at=T0, interval_s=10)
    happy, sad = _probs(happiness=0.8, neutral=0.2), _probs(sadness=0.6, neutral=0.4)
    too_happy, too_sad = _probs(happiness=1, surprise=1), _probs(sadness=1, anger=1)
    for k in range(12):
        obs = [_o(ALICE, happy if k < 6 else sad if k < 9 else None)]
        if 3 <= k <= 8:
            obs.append(_o(BOB, too_happy if k < 7 else too_sad, "happiness" if k < 7 else "sadness"))
        store.record_capture(s1, T0 + timedelta(seconds=10 * k), obs, tiles=len(obs), faces=len(obs), names=len(obs))
    store.finish_session(s1, ended_at=T0 + timedelta(seconds=120))

    s2 = store.start_session("Algebra", started_at=T0 + timedelta(days=2))
    for offset in (0, 5, 10, 20, 25):
        obs = [_o("alice smith", _probs(neutral=1))]
        if offset < 10:
            obs.append(_o(CAROL, _probs(neutral=1)))
        store.record_capture(s2, T0 + timedelta(days=2, seconds=offset), obs, tiles=len(obs), faces=1, names=2)

    b1 = store.start_session("Biology", started_at=T0 + timedelta(days=1), interval_s=30)
    for k in range(2):
        store.record_capture(b1, T0 + timedelta(days=1, seconds=30 * k), [_o("ALICE SMITH")], tiles=1, faces=0, names=1)
    store.finish_session(b1, ended_at=T0 + timedelta(days=1, seconds=60))
    return {"db": db, "s0": s0, "s1": s1, "s2": s2, "b1": b1}


def _by_student(rows):
    return {(r.course, r.student): r for r in rows}


def test_attendance_one_session(timeline):
    with timeline["db"].session() as session:
        rows = _by_student(queries.attendance(session, session_id=timeline["s1"]))
    assert set(rows) == {("Algebra", CAROL), ("Algebra", ALICE), ("Algebra", BOB)}
    alice, bob, carol = rows[("Algebra", ALICE)], rows[("Algebra", BOB)], rows[("Algebra", CAROL)]
    assert alice.minutes_present == pytest.approx(2.0)
    assert alice.minutes_camera_on == pytest.approx(1.5)
    assert alice.share == pytest.approx(1.0)
    assert alice.first_seen == T0 and alice.last_seen == T0 + timedelta(seconds=110)
    assert (alice.sessions_present, alice.sessions) == (1, 1)
    assert bob.minutes_present == pytest.approx(1.0) and bob.minutes_camera_on == pytest.approx(1.0)
    assert bob.share == pytest.approx(0.5)
    assert bob.first_seen == T0 + timedelta(seconds=30) and bob.last_seen == T0 + timedelta(seconds=80)
    assert carol.minutes_present == 0 and carol.first_seen is None and carol.share == 0
    assert (carol.sessions_present, carol.sessions) == (0, 1)


def test_attendance_running_session_uses_median_gap(timeline):
    with timeline["db"].session() as session:
        figures = queries.session_figures(session, [timeline["s2"]])[timeline["s2"]]
        rows = _by_student(queries.attendance(session, session_id=timeline["s2"]))
    assert figures.interval_s == pytest.approx(5.0)
    assert figures.duration_s == pytest.approx(30.0)
    assert rows[("Algebra", ALICE)].minutes_present == pytest.approx(25 / 60)
    assert rows[("Algebra", ALICE)].share == pytest.approx(25 / 30)
    assert rows[("Algebra", CAROL)].minutes_present == pytest.approx(10 / 60)
    assert rows[("Algebra", BOB)].minutes_present == 0


def test_attendance_over_a_date_range(timeline):
    with timeline["db"].session() as session:
        rows = _by_student(
            queries.attendance(session, course="Algebra", since=T0 - timedelta(days=1), until=T0 + timedelta(days=3))
        )
        everything = _by_student(queries.attendance(session, since=T0 - timedelta(days=1)))
    alice, bob, carol = rows[("Algebra", ALICE)], rows[("Algebra", BOB)], rows[("Algebra", CAROL)]
    # S1 + S2: scheduled 2.0 + 0.5 = 2.5 min.
    assert (alice.sessions_present, alice.sessions) == (2, 2)
    assert alice.minutes_present == pytest.approx(2.0 + 25 / 60)
    assert alice.minutes_camera_on == pytest.approx(1.5 + 25 / 60)
    assert alice.share == pytest.approx((2.0 + 25 / 60) / 2.5)
    assert alice.first_seen == T0 and alice.last_seen == T0 + timedelta(days=2, seconds=25)
    assert bob.minutes_present == pytest.approx(1.0) and bob.share == pytest.approx(1.0 / 2.5)
    assert (bob.sessions_present, bob.sessions) == (1, 2)
    assert carol.minutes_present == pytest.approx(10 / 60) and carol.share == pytest.approx((10 / 60) / 2.5)
    assert ("Biology", "Alice Smith") not in rows
    # Without a course: Biology too, with its own scheduled time (1.0 min, present 2 x 30 s, camera off).
    bio = everything[("Biology", "ALICE SMITH")]
    assert bio.minutes_present == pytest.approx(1.0) and bio.minutes_camera_on == 0 and bio.share == pytest.approx(1)
    # until is exclusive: S2 started at T0 + 2 days.
    with timeline["db"].session() as session:
        only_s1 = _by_student(queries.attendance(session, course="Algebra", since=T0, until=T0 + timedelta(days=2)))
    assert only_s1[("Algebra", ALICE)].minutes_present == pytest.approx(2.0)


def test_history_of_one_student(timeline):
    with timeline["db"].session() as session:
        rows = queries.history(session, "alice  SMITH (Host)", course="Algebra")
    assert [r.session_id for r in rows] == [timeline["s0"], timeline["s1"], timeline["s2"]]
    s0, s1, s2 = rows
    assert not s0.present and s0.minutes_present == 0 and s0.emotion_shares is None and s0.mean_valence is None
    assert s1.present and s1.minutes_present == pytest.approx(2.0) and s1.minutes_camera_on == pytest.approx(1.5)
    assert s1.share == pytest.approx(1.0) and s1.face_observations == 9
    assert s1.mean_valence == pytest.approx(1 / 3)
    assert s1.emotion_shares["happiness"] == pytest.approx(6 / 9)
    assert s1.emotion_shares["sadness"] == pytest.approx(3 / 9)
    assert s1.emotion_shares["neutral"] == 0
    assert sum(s1.emotion_shares.values()) == pytest.approx(1.0)
    assert s2.mean_valence == pytest.approx(0.0) and s2.emotion_shares["neutral"] == pytest.approx(1.0)
    assert s2.share == pytest.approx(25 / 30)


def test_history_clips_valence(timeline):
    with timeline["db"].session() as session:
        (row,) = [r for r in queries.history(session, "bob jones") if r.present]
    assert row.mean_valence == pytest.approx(1 / 3)  # (4 x clip(1.5) + 2 x clip(-2)) / 6
    assert row.emotion_shares["happiness"] == pytest.approx(4 / 6)
    assert row.emotion_shares["sadness"] == pytest.approx(2 / 6)


def test_history_across_courses(timeline):
    with timeline["db"].session() as session:
        rows = queries.history(session, "Alice Smith")
    assert [r.course for r in rows] == ["Algebra", "Algebra", "Biology", "Algebra"]  # by start time
    bio = rows[2]
    assert bio.minutes_present == pytest.approx(1.0) and bio.minutes_camera_on == 0
    assert bio.face_observations == 0 and bio.mean_valence is None


def test_sessions_and_resolution(timeline):
    with timeline["db"].session() as session:
        listed = queries.list_sessions(session)
        algebra = queries.list_sessions(session, course="algebra")  # case-insensitive fallback
        assert [r.id for r in listed] == [timeline["s2"], timeline["b1"], timeline["s1"], timeline["s0"]]
        assert [r.id for r in algebra] == [timeline["s2"], timeline["s1"], timeline["s0"]]
        s1 = next(r for r in listed if r.id == timeline["s1"])
        assert s1.minutes == pytest.approx(2.0) and s1.captures == 12 and s1.peak_tiles == 2
        assert s1.status == "finished" and s1.interval_s == 10
        assert queries.resolve_session(session, "last") == timeline["s2"]
        assert queries.resolve_session(session, "last", course="Biology") == timeline["b1"]
        assert queries.resolve_session(session, str(timeline["s1"])) == timeline["s1"]
        with pytest.raises(NotFoundError, match="no session 999"):
            queries.resolve_session(session, "999")
        with pytest.raises(NotFoundError, match="in course 'Biology'"):
            queries.resolve_session(session, str(timeline["s1"]), course="Biology")
        with pytest.raises(NotFoundError, match="no course named 'Nope'"):
            queries.attendance(session, course="Nope")
        with pytest.raises(NotFoundError, match="no student named 'Dave'"):
            queries.history(session, "Dave")
        with pytest.raises(NotFoundError):
            queries.history(session, "Bob Jones", course="Biology")


def test_empty_database(db):
    with db.session() as session:
        assert queries.list_sessions(session) == []
        assert queries.attendance(session, since=T0) == []
        with pytest.raises(NotFoundError, match="no sessions yet"):
            queries.resolve_session(session, "last")
