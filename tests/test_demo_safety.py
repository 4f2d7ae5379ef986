"""`classmood demo --db` and real databases (issue 17, item 9).

The demo refuses a database holding real users or courses unless told
(--into-existing), and never gives a database other than its own fresh file
an account with the well-known demo password.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from analytics import auth
from analytics.db import open_database
from analytics.store import Store

ROOT = Path(__file__).resolve().parents[1]
TINY = ("--students", "1", "--minutes", "0.1", "--interval", "5", "--no-serve")


def classmood(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "classmood", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _real_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'school.db'}"
    db = open_database(url)
    auth.create_user(db, "principal", "a-real-password-1", role="admin")
    Store(db).start_session("Physics 101")
    db.dispose()
    return url


def test_demo_refuses_a_database_with_real_data(tmp_path):
    url = _real_database(tmp_path)
    result = classmood("demo", "--db", url, *TINY, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "already holds 1 user(s), 1 course(s)" in result.stderr and "--into-existing" in result.stderr
    db = open_database(url)
    try:
        assert [user.username for user in auth.list_users(db)] == ["principal"]
    finally:
        db.dispose()


def test_demo_into_an_existing_database_never_uses_the_known_password(tmp_path):
    from analytics.demo_data import DEMO_PASSWORD, DEMO_USER

    url = _real_database(tmp_path)
    result = classmood("demo", "--db", url, "--into-existing", *TINY, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    db = open_database(url)
    try:
        assert auth.authenticate(db, DEMO_USER, DEMO_PASSWORD) is None
    finally:
        db.dispose()
    assert f"log in as {DEMO_USER!r} with password" in result.stdout and DEMO_PASSWORD not in result.stdout
