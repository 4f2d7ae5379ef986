"""Private files (issue 17, item 14): the database, its -wal/-shm, the data folder and HTML exports are 0600/0700."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from analytics.db import default_sqlite_path, open_database
from analytics.store import Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask():
    """The common default umask (022), under which files used to come out world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_database_and_its_wal_and_shm_are_private(tmp_path):
    path = tmp_path / "classmood.db"
    db = open_database(f"sqlite:///{path}")
    try:
        Store(db).start_session("Physics")
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(f.exists() for f in files)
        assert [mode(f) for f in files] == [0o600] * 3
    finally:
        db.dispose()


def test_a_world_readable_database_is_warned_about(tmp_path, caplog):
    path = tmp_path / "shared.db"
    open_database(f"sqlite:///{path}").dispose()
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        open_database(f"sqlite:///{path}").dispose()
    assert "chmod 600" in caplog.text


def test_the_default_data_folder_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = default_sqlite_path()
    assert path.parent.is_relative_to(tmp_path / "data") and mode(path.parent) == 0o700


def test_html_exports_are_private(tmp_path):
    from report_support import seed_report_db

    from analytics.report.export import export_session

    seeded = seed_report_db(f"sqlite:///{tmp_path / 'report.db'}")
    db = open_database(seeded.url)
    try:
        out = tmp_path / "exports" / "class.html"
        out.parent.mkdir()
        out.write_text("old")
        out.chmod(0o644)
        export_session(db, seeded.physics_last, out)
        assert mode(out) == 0o600 and out.read_text().lower().startswith("<!doctype html>")
    finally:
        db.dispose()
