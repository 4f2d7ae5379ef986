"""The db/admin/bench commands, in process (classmood.cli.main) and as the installed ``classmood`` script."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analytics.db import open_database
from analytics.store import ObservationIn, Store
from classmood.cli import main

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/x"


def _classmood() -> str:
    candidate = Path(sys.executable).with_name("classmood")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("classmood")
    if found is None:
        pytest.skip("the classmood script is not installed (pip install -e .)")
    return found


@pytest.fixture
def filled_url(db_url):
    """A database with one finished class: Alice all along (2 min), Bob half of it, in course Algebra."""
    db = open_database(db_url)
    store = Store(db)
    sid = store.start_session("Algebra", started_at=T0, interval_s=10)
    for k in range(12):
        obs = [
            ObservationIn(
                name="Alice Smith", face_found=True, tile_box=(0, 0, 9, 9), probs=(0.2, 0.8, 0, 0, 0, 0, 0, 0)
            )
        ]
        if k < 6:
            obs.append(ObservationIn(name="Bob Jones", face_found=False, tile_box=(9, 0, 9, 9)))
        store.record_capture(sid, T0 + timedelta(seconds=10 * k), obs, tiles=len(obs), faces=1, names=len(obs))
    store.finish_session(sid, ended_at=T0 + timedelta(seconds=120))
    db.dispose()
    return db_url


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_admin_reports_in_every_format(filled_url, capsys):
    code, out, err = _run(capsys, "admin", "sessions", "--db", filled_url, "--format", "json")
    assert code == 0, err
    sessions = json.loads(out)
    assert len(sessions) == 1 and sessions[0]["course"] == "Algebra" and sessions[0]["minutes"] == 2.0
    assert sessions[0]["started_at"] == "2024-03-04T09:00:00+00:00"

    code, out, err = _run(capsys, "admin", "attendance", "--db", filled_url, "--format", "csv")
    assert code == 0, err
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(out))}
    assert float(rows["Alice Smith"]["minutes_present"]) == pytest.approx(2.0)
    assert float(rows["Alice Smith"]["minutes_camera_on"]) == pytest.approx(2.0)
    assert float(rows["Bob Jones"]["minutes_present"]) == pytest.approx(1.0)
    assert float(rows["Bob Jones"]["minutes_camera_on"]) == 0
    assert float(rows["Bob Jones"]["share"]) == pytest.approx(0.5)

    code, out, err = _run(capsys, "admin", "attendance", "--db", filled_url, "--session", "last", "--course", "Algebra")
    assert code == 0, err
    assert "Alice Smith" in out and "100%" in out and "50%" in out and out.startswith("session 1, Algebra")

    code, out, err = _run(
        capsys,
        "admin",
        "attendance",
        "--db",
        filled_url,
        "--since",
        "2024-03-04",
        "--until",
        "2024-03-04",
        "--format",
        "json",
    )
    assert code == 0, err
    assert {r["student"] for r in json.loads(out)} == {"Alice Smith", "Bob Jones"}
    code, out, err = _run(
        capsys, "admin", "attendance", "--db", filled_url, "--since", "2024-03-05T00:00:00+00:00", "--format", "json"
    )
    assert code == 0 and json.loads(out) == []

    code, out, err = _run(
        capsys, "admin", "history", "--student", "alice smith", "--db", filled_url, "--format", "json"
    )
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["present"] is True and row["happiness"] == 1.0 and row["mean_valence"] == pytest.approx(0.8)

    code, out, err = _run(capsys, "admin", "history", "--student", "Bob Jones", "--db", filled_url)
    assert code == 0, err
    assert "Bob Jones" in out.splitlines()[2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["admin", "attendance", "--course", "Nope"], "no course named 'Nope'"),
        (["admin", "sessions", "--course", "Nope"], "no course named 'Nope'"),
        (["admin", "attendance", "--session", "999"], "no session 999"),
        (["admin", "attendance", "--session", "soon"], "session must be a number or 'last'"),
        (["admin", "history", "--student", "Dave"], "no student named 'Dave'"),
        (["admin", "attendance", "--since", "2024-02-30"], "bad date '2024-02-30'"),
        (["admin", "attendance", "--until", "yesterday"], "bad date 'yesterday'"),
        (["admin", "attendance", "--session", "1", "--since", "2024-01-01"], "not both"),
        (["admin", "purge", "--older-than", "6 months"], "bad duration '6 months'"),
        (["admin", "users", "remove", "ghost"], "no user named 'ghost'"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(filled_url, capsys, args, message):
    code, _out, err = _run(capsys, *args, "--db", filled_url)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("classmood: error: ") and message in err
    assert "Traceback" not in err


def test_unreachable_database(capsys):
    code, out, err = _run(capsys, "admin", "sessions", "--db", UNREACHABLE)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "cannot open database" in err and "nobody@127.0.0.1:1" in err


def test_users_commands(db_url, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long secret\n"))
    code, out, err = _run(
        capsys,
        "admin",
        "users",
        "add",
        "marie",
        "--role",
        "admin",
        "--password-stdin",
        "--db",
        db_url,
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out)["added"] == "marie" and "a long secret" not in out + err

    monkeypatch.setattr(sys, "stdin", io.StringIO("another secret\n"))
    code, out, err = _run(capsys, "admin", "users", "add", "marie", "--password-stdin", "--db", db_url)
    assert code == 2 and "already exists" in err

    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    code, out, err = _run(capsys, "admin", "users", "add", "ali", "--password-stdin", "--db", db_url)
    assert code == 2 and "at least 8" in err

    code, out, err = _run(capsys, "admin", "users", "list", "--db", db_url, "--format", "csv")
    assert code == 0 and next(csv.DictReader(io.StringIO(out)))["username"] == "marie"
    assert "argon2" not in out

    monkeypatch.setattr(sys, "stdin", io.StringIO("a new long secret\n"))
    code, out, err = _run(capsys, "admin", "users", "passwd", "marie", "--password-stdin", "--db", db_url)
    assert code == 0, err
    from analytics import auth

    db = open_database(db_url)
    try:
        assert auth.authenticate(db, "marie", "a new long secret") is not None
        assert auth.authenticate(db, "marie", "a long secret") is None
    finally:
        db.dispose()

    code, out, err = _run(capsys, "admin", "users", "remove", "marie", "--db", db_url)
    assert code == 0 and "marie" in out
    code, out, err = _run(capsys, "admin", "users", "list", "--db", db_url, "--format", "json")
    assert json.loads(out) == []


def test_purge_command(filled_url, capsys):
    code, out, err = _run(
        capsys, "admin", "purge", "--older-than", "4w", "--dry-run", "--db", filled_url, "--format", "json"
    )
    assert code == 0, err
    preview = json.loads(out)
    assert preview["dry_run"] is True and preview["session_ids"] == [1]
    assert preview["captures"] == 12 and preview["observations"] == 18 and preview["participants"] == 2
    code, out, err = _run(capsys, "admin", "purge", "--older-than", "180d", "--db", filled_url)
    assert code == 0, err
    assert out.startswith("deleted 1 session(s)") and "18 observation(s)" in out
    code, out, err = _run(capsys, "admin", "sessions", "--db", filled_url, "--format", "json")
    assert json.loads(out) == []


def test_db_commands(sqlite_url, capsys):
    from analytics.migrate import head_revisions

    (head,) = head_revisions()
    code, out, err = _run(capsys, "db", "current", "--db", sqlite_url)
    assert code == 0 and "no schema yet" in out
    code, out, err = _run(capsys, "db", "upgrade", "--db", sqlite_url)
    assert code == 0 and f"upgraded from an empty database to {head}" in out
    code, out, err = _run(capsys, "db", "upgrade", "--db", sqlite_url)
    assert code == 0 and f"already at revision {head}" in out
    code, out, err = _run(capsys, "db", "current", "--db", sqlite_url)
    assert code == 0 and f"revision {head} (head)" in out
    code, out, err = _run(
        capsys, "db", "seed-demo", "--db", sqlite_url, "--students", "5", "--minutes", "1", "--format", "json"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 5 and all(r["course"] == "Demo class" for r in rows)
    code, out, err = _run(capsys, "db", "current", "--db", UNREACHABLE)
    assert code == 2 and err.count("\n") == 1


# ----------------------------------------------------------------------------- the installed script


def _script(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([_classmood(), *args], capture_output=True, text=True, input=stdin, timeout=120)


def test_script_reports_and_errors(tmp_path):
    url = f"sqlite:///{tmp_path / 'script.db'}"
    seeded = _script("db", "seed-demo", "--db", url, "--students", "6", "--minutes", "2", "--course", "Physics 101")
    assert seeded.returncode == 0, seeded.stderr
    assert "Amara Okafor" in seeded.stdout and seeded.stderr == ""

    as_csv = _script("admin", "attendance", "--db", url, "--course", "Physics 101", "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == 6 and {"student", "minutes_present", "share"} <= set(rows[0])
    as_json = _script("admin", "history", "--db", url, "--student", "amara okafor", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)[0]["course"] == "Physics 101"

    added = _script(
        "admin",
        "users",
        "add",
        "root-admin",
        "--role",
        "admin",
        "--password-stdin",
        "--db",
        url,
        stdin="s3cret passw0rd\n",
    )
    assert added.returncode == 0, added.stderr and "s3cret" not in added.stdout + added.stderr

    for args, message in [
        (("admin", "attendance", "--course", "Chemistry"), "no course named 'Chemistry'"),
        (("admin", "history", "--student", "Nobody Here"), "no student named 'Nobody Here'"),
        (("admin", "attendance", "--session", "42"), "no session 42"),
        (("admin", "attendance", "--since", "31/12/2024"), "bad date"),
        (("admin", "sessions", "--db", UNREACHABLE), "cannot open database"),
    ]:
        full = [*args, "--db", url] if "--db" not in args else list(args)
        result = _script(*full)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stderr.count("\n") == 1 and message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_script_bench_db_json(tmp_path):
    result = _script(
        "bench",
        "db",
        "--json",
        "--captures",
        "10",
        "--per-capture",
        "5",
        "--students",
        "5",
        "--minutes",
        "2",
        "--runs",
        "2",
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["observations"] == 5 * 60 and figures["backend"] == "sqlite"
    assert figures["capture_median_ms"] > 0 and figures["attendance_median_ms"] > 0
