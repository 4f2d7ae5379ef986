"""Spreadsheet formula injection (issue 17, item 11): a student's name never reaches a CSV as a live formula.

Every CSV ClassMood writes is checked: the attendance download, the History
download, the CSV inside the HTML export and the CLI's ``--format csv``.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from analytics import auth
from analytics.csv_safe import safe_cell
from analytics.db import open_database
from analytics.store import ObservationIn, Store

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\t=1+1"]
PASSWORD = "a-good-long-password"


def _formulas(text: str) -> list[str]:
    cells = [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]
    return [
        cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-?[\d.]+", cell)
    ]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('csv-injection') / 'classmood.db'}"
    db = open_database(url)
    auth.create_user(db, "ada", PASSWORD, role="admin")
    store = Store(db)
    start = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
    session_id = store.start_session("Hostile 101", started_at=start, interval_s=5.0)
    for k in range(6):
        rows = [
            ObservationIn(
                name=name, face_found=True, tile_box=(0, 0, 10, 10), probs=[0.2, 0.3, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05]
            )
            for name in HOSTILE
        ]
        store.record_capture(session_id, start + timedelta(seconds=5 * k), rows, tiles=5, faces=5, names=5)
    store.finish_session(session_id, ended_at=start + timedelta(seconds=30))
    yield url, db, session_id
    db.dispose()


def test_safe_cell_keeps_numbers_and_plain_text():
    assert safe_cell("-0.25") == "-0.25" and safe_cell("+3") == "+3" and safe_cell(-1.5) == -1.5
    assert safe_cell("Ana Lima") == "Ana Lima"
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("@x") == "'@x" and safe_cell("\r=x") == "'\r=x"


def test_report_downloads_hold_no_formulas(seeded):
    from report_support import login

    from analytics.report.app import create_app

    _url, db, session_id = seeded
    app = create_app(db, secret_key="k" * 40)
    c = app.server.test_client()
    login(c, "ada", PASSWORD)
    attendance = c.get(f"/download/session/{session_id}/attendance.csv").get_data(as_text=True)
    assert "HYPERLINK" in attendance and _formulas(attendance) == []
    history = c.get("/download/history.csv").get_data(as_text=True)
    assert "HYPERLINK" in history and _formulas(history) == []
    page = c.get(f"/download/session/{session_id}/report.html").get_data(as_text=True)
    embedded = re.search(r"data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)", page).group(1)
    exported = base64.b64decode(embedded).decode("utf-8")
    assert "HYPERLINK" in exported and _formulas(exported) == []


def test_cli_csv_holds_no_formulas(seeded, capsys):
    from classmood.cli import main

    url, _db, _session_id = seeded
    assert main(["admin", "attendance", "--db", url, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "HYPERLINK" in out and _formulas(out) == []
