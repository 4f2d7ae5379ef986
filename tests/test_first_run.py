"""A new user's first run: ``classmood demo`` on a fresh machine, then the README's everyday commands as written.

One demo class (30 students, 20 minutes, a capture every 30 s to keep it short) is recorded through the real
pipeline into the default database of a fresh home folder. The class must last 20 minutes in the store, in
``classmood admin`` and in the served report (headless Chromium), with the student who keeps the camera off
and the one who leaves for four minutes flagged, and "share of class" showing the absence.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from analytics.schema import display_name
from bot.synthetic.classroom import class_names

CLASSMOOD = [sys.executable, "-m", "classmood"]
ROOT = Path(__file__).resolve().parents[1]
NAMES = class_names(30, 0)
LEAVER, CAMERA_OFF = NAMES[1], NAMES[2]  # the demo's script: the 2nd leaves from 35 % to 55 %, the 3rd camera off


def classmood(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*CLASSMOOD, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)


def as_in_a_shell() -> None:
    """Ctrl+C as a terminal delivers it, even when the tests run as a background job (which ignores SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def fresh_home(root: Path) -> dict:
    """The environment of a user who has never run ClassMood: an empty home and data folder."""
    env = {**os.environ, "HOME": str(root), "XDG_DATA_HOME": str(root / "data"), "PYTHONPATH": str(ROOT)}
    env.pop("CLASSMOOD_DATABASE_URL", None)
    return env


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """``classmood demo --no-serve`` run once in a fresh home; yields (env, default database path, its output)."""
    home = tmp_path_factory.mktemp("first-run")
    env = fresh_home(home)
    result = classmood("demo", "--no-serve", "--interval", "30", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    db = home / "data" / "classmood" / "classmood.db"
    assert db.exists(), f"the demo did not write the default database: {result.stdout[-500:]}"
    return env, db, result.stdout


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_the_demo_class_lasts_20_minutes_in_the_store(demo):
    _env, db, _out = demo
    with sqlite3.connect(db) as connection:
        ((started, ended, first, last, captures),) = connection.execute(
            "select started_at, ended_at, (select min(captured_at) from captures), "
            "(select max(captured_at) from captures), (select count(*) from captures) from class_sessions"
        ).fetchall()
    assert captures == 40
    assert _utc(started) == _utc(first)  # the class starts at its first capture
    assert _utc(ended) - _utc(started) == timedelta(minutes=20)  # and ends one interval after its last
    assert _utc(last) - _utc(first) == timedelta(minutes=19, seconds=30)


def test_readme_commands_work_on_the_demo_data_as_written(demo):
    env, db, out = demo
    assert "classmood demo --remove" in out
    sessions = json.loads(classmood("admin", "sessions", "--format", "json", env=env).stdout)
    assert [(s["course"], s["minutes"], s["captures"]) for s in sessions] == [("Demo class", 20.0, 40)]
    # --db takes a plain file path as well as a URL
    result = classmood("admin", "attendance", "--session", "last", "--format", "json", "--db", str(db), env=env)
    assert result.returncode == 0, result.stderr
    rows = {row["student"]: row for row in json.loads(result.stdout)}
    assert len(rows) == 30
    assert rows[LEAVER]["share"] == pytest.approx(0.8)  # away 4 of 20 minutes
    assert rows[CAMERA_OFF]["minutes_camera_on"] == 0.0 and rows[CAMERA_OFF]["share"] == 1.0
    assert sum(row["share"] == 1.0 for row in rows.values()) >= 27


def test_a_db_option_that_is_neither_a_url_nor_a_file_is_one_clear_line(tmp_path):
    env = fresh_home(tmp_path)
    result = classmood("admin", "sessions", "--db", str(tmp_path / "no-such-folder" / "x.db"), env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no-such-folder" in result.stderr and "Traceback" not in result.stderr


def test_the_demo_removes_its_data_in_one_command(demo, tmp_path):
    env, db, _out = demo
    copy = tmp_path / "copy.db"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    result = classmood("demo", "--remove", "--db", str(copy), env=env)
    assert result.returncode == 0, result.stderr
    assert "removed 1 demo session(s), 1 demo course(s), and the demo account 'teacher'" in result.stdout
    with sqlite3.connect(copy) as connection:
        counts = [connection.execute(f"select count(*) from {t}").fetchone()[0] for t in ("users", "courses")]
        counts += [connection.execute(f"select count(*) from {t}").fetchone()[0] for t in ("observations", "captures")]
    assert counts == [0, 0, 0, 0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise AssertionError(f"nothing listened on port {port} (exit code {process.poll()})")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_and_sigterm_stop_the_demo_while_it_serves(tmp_path, signum):
    env, port = fresh_home(tmp_path), _free_port()
    args = ["demo", "--students", "4", "--minutes", "0.5", "--interval", "10", "--port", str(port)]
    process = subprocess.Popen(
        [*CLASSMOOD, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=as_in_a_shell
    )
    try:
        _wait_for_port(port, process, timeout=180)
        process.send_signal(signum)
        stopped = time.monotonic()
        process.communicate(timeout=10)
        assert time.monotonic() - stopped < 5
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
            pytest.fail(f"the demo still served 10 s after {signal.Signals(signum).name}")


# ----------------------------------------------------------------------------- the served report


@pytest.fixture(scope="module")
def report(demo):
    """``classmood report`` (the README's command, no --db) serving the demo's data; yields its base URL."""
    env, _db, _out = demo
    port = _free_port()
    process = subprocess.Popen(
        [*CLASSMOOD, "report", "--port", str(port), "--no-browser"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=as_in_a_shell,
    )
    try:
        _wait_for_port(port, process, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from report_support import chromium_missing, make_driver

    if chromium_missing():
        pytest.skip(chromium_missing())
    root = tmp_path_factory.mktemp("chromium")
    driver = make_driver(root / "profile", root, width=1366, height=900)
    try:
        yield driver
    finally:
        driver.quit()


def _log_in_as_teacher(driver, base: str) -> None:
    from selenium.webdriver.common.by import By
    from test_report_browser import click, wait_for

    driver.get(base + "/")
    wait_for(lambda: driver.find_elements(By.ID, "login-button"), "the login page")
    driver.find_element(By.ID, "username").send_keys("teacher")
    driver.find_element(By.ID, "password").send_keys("demo-class")
    click(driver, By.ID, "login-button")


def test_the_served_report_shows_the_20_minute_class_and_its_flags(report, browser):
    from selenium.webdriver.common.by import By
    from test_report_browser import page_ready, wait_for

    driver = browser
    _log_in_as_teacher(driver, report)
    page_ready(driver, "attendance-card", graphs=2)  # the landing page is the teacher's last class
    assert "/session/" in driver.current_url
    header = driver.find_element(By.TAG_NAME, "body").text
    assert "20 min" in header, header[:400]
    flags = driver.find_element(By.ID, "flags-card").text
    assert CAMERA_OFF in flags and LEAVER in flags, flags
    assert "Nobody needs attention" not in flags

    def row_text(name: str) -> str:
        for row in driver.find_elements(By.CSS_SELECTOR, "#attendance-table .ag-center-cols-container .ag-row"):
            if name in row.text:
                return row.text
        return ""

    leaver = wait_for(lambda: row_text(LEAVER), f"{LEAVER}'s row")
    assert "80%" in leaver and "16" in leaver, leaver
    assert "100%" in wait_for(lambda: row_text(display_name(NAMES[0])), "a student who stayed")


def test_every_attendance_row_is_visible_without_scrolling(report, browser):
    from selenium.webdriver.common.by import By
    from test_report_browser import wait_for

    driver = browser
    rows = wait_for(
        lambda: driver.find_elements(By.CSS_SELECTOR, "#attendance-table .ag-center-cols-container .ag-row"),
        "the attendance rows",
    )
    assert len(rows) == 30  # a scroll box renders only the rows it shows
    viewport = driver.find_element(By.CSS_SELECTOR, "#attendance-table .ag-body-viewport")
    assert driver.execute_script("return arguments[0].scrollHeight <= arguments[0].clientHeight + 1", viewport)


def test_every_history_row_is_visible_without_scrolling(report, browser):
    from selenium.webdriver.common.by import By
    from test_report_browser import click, page_ready, wait_for

    driver = browser
    click(driver, By.ID, "nav-admin")
    page_ready(driver, "history-download", graphs=1)
    rows = wait_for(
        lambda: [
            row
            for row in driver.find_elements(By.CSS_SELECTOR, "#history-table .ag-center-cols-container .ag-row")
            if row.text
        ],
        "the history rows",
    )
    assert len(rows) == 30
    viewport = driver.find_element(By.CSS_SELECTOR, "#history-table .ag-body-viewport")
    assert driver.execute_script("return arguments[0].scrollHeight <= arguments[0].clientHeight + 1", viewport)


def test_classmood_alone_shows_the_three_everyday_commands_and_where_the_data_lives(tmp_path):
    env = fresh_home(tmp_path)
    result = classmood(env=env)
    assert result.returncode == 0, result.stderr
    for command in ("classmood bot start", "classmood report", "classmood admin sessions", "classmood demo"):
        assert command in result.stdout, command
    assert str(tmp_path / "data" / "classmood" / "classmood.db") in result.stdout
    env["CLASSMOOD_DATABASE_URL"] = "postgresql+psycopg://teacher:secret@db.example/classmood"
    shown = classmood(env=env).stdout
    assert "db.example/classmood" in shown and "secret" not in shown  # the password is never printed


def test_the_demo_leaves_a_real_teacher_account_alone(tmp_path):
    from analytics import auth
    from analytics.db import open_database

    path = tmp_path / "school.db"
    with open_database(str(path)) as db:
        auth.create_user(db, "teacher", "their-own-password")
    result = classmood("demo", "--no-serve", "--db", str(path), env=fresh_home(tmp_path))
    assert result.returncode == 2
    assert "has a real account named 'teacher'" in result.stderr and "Traceback" not in result.stderr
    with open_database(str(path)) as db:
        assert auth.authenticate(db, "teacher", "their-own-password") is not None
