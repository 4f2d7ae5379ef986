"""A session whose bot stopped writing shows as interrupted everywhere (issue 17, item 6).

A live bot writes a capture row every interval. Once it has been silent for
ten intervals (two minutes at least) the admin commands and the report show
its session as 'interrupted' instead of 'running', without waiting for the
next `bot start`.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from analytics.db import open_database
from analytics.schema import ClassSession, utcnow
from analytics.store import ObservationIn, Store


@pytest.fixture
def two_running(db_url: str):
    """A session whose bot went silent 10 minutes ago, and one that wrote 3 s ago; yields (url, dead, live)."""
    db = open_database(db_url)
    store = Store(db)
    now = utcnow()
    row = [ObservationIn(name="Ana Lima", face_found=False, tile_box=(0, 0, 10, 10))]
    dead = store.start_session("Physics", started_at=now - timedelta(minutes=30), interval_s=5.0)
    store.record_capture(dead, now - timedelta(minutes=10), row, tiles=1, faces=0, names=1)
    live = store.start_session("Physics", started_at=now - timedelta(minutes=30), interval_s=5.0)
    store.record_capture(live, now - timedelta(seconds=3), row, tiles=1, faces=0, names=1)
    db.dispose()
    return db_url, dead, live


def _statuses(url: str) -> dict[int, str]:
    db = open_database(url)
    try:
        with db.session() as session:
            return {sid: status for sid, status in session.execute(select(ClassSession.id, ClassSession.status))}
    finally:
        db.dispose()


def test_admin_sessions_shows_a_silent_bot_as_interrupted(two_running, capsys):
    from classmood.cli import main

    url, dead, live = two_running
    assert main(["admin", "sessions", "--db", url, "--format", "json"]) == 0
    shown = {row["id"]: row["status"] for row in json.loads(capsys.readouterr().out)}
    assert shown == {dead: "interrupted", live: "running"}


def test_the_report_shows_a_silent_bot_as_interrupted(two_running):
    from analytics.report.app import create_app

    url, dead, live = two_running
    db = open_database(url)
    try:
        app = create_app(db, secret_key="k" * 40)
        assert app.server.test_client().get("/login").status_code == 200
    finally:
        db.dispose()
    assert _statuses(url) == {dead: "interrupted", live: "running"}
