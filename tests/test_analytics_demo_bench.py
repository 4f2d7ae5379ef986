"""The synthetic demo class and the database benchmark (small sizes)."""

from __future__ import annotations

import pytest

from analytics import queries
from analytics.bench import bench_db
from analytics.demo_seed import demo_names, seed_demo_class


def test_demo_class_follows_its_script(db):
    session_id = seed_demo_class(db, "Demo", students=8, minutes=4, interval_s=5, seed=1)
    names = demo_names(8)
    with db.session() as session:
        rows = {r.student: r for r in queries.attendance(session, session_id=session_id)}
        (session_row,) = queries.list_sessions(session)
        history = queries.history(session, names[0])
    assert len(rows) == 8
    assert session_row.minutes == pytest.approx(4.0) and session_row.status == "finished"
    assert session_row.captures == 48
    full = rows[names[0]]
    assert full.minutes_present == pytest.approx(4.0) and full.share == pytest.approx(1.0)
    # The 2nd leaves from 35 % to 55 %: 48 captures, absent for k in [16.8, 26.4) -> k = 17..26, 10 captures.
    leaver = rows[names[1]]
    assert leaver.minutes_present == pytest.approx((48 - 10) * 5 / 60)
    assert leaver.last_seen == full.last_seen
    # The 3rd never turns the camera on.
    assert rows[names[2]].minutes_camera_on == 0 and rows[names[2]].minutes_present == pytest.approx(4.0)
    # The 4th joins at 10 %: k >= 4.8 -> from capture 5.
    late = rows[names[3]]
    assert (late.first_seen - full.first_seen).total_seconds() == pytest.approx(25)
    (h,) = history
    assert h.emotion_shares is not None and -1 <= h.mean_valence <= 1
    assert sum(h.emotion_shares.values()) == pytest.approx(1.0)


def test_demo_names_are_distinct():
    names = demo_names(95)
    assert len(set(names)) == 95


def test_bench_db_small(sqlite_url):
    result = bench_db(sqlite_url, captures=10, per_capture=5, students=4, minutes=1, interval_s=2, query_runs=2)
    data = result.to_dict()
    assert data["observations"] == 4 * 30 and data["backend"] == "sqlite"
    assert data["capture_median_ms"] > 0 and data["attendance_median_ms"] > 0
    assert {"capture_ok", "attendance_ok", "capture_p95_ms", "history_median_ms"} <= set(data)
    assert "attendance query" in result.summary()
    # With a URL the benchmark cleans up after itself.
    from analytics.db import open_database

    db = open_database(sqlite_url)
    try:
        with db.session() as session:
            assert queries.list_sessions(session) == []
    finally:
        db.dispose()
