"""The bot end to end on recorded and live sources: what lands in the database, and clean stops."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest

from analytics.schema import normalize_name
from bot.names import tesseract_available
from bot.synthetic.classroom import simulate_class
from bot.synthetic.render import render_scene
from bot.synthetic.scene import random_scene

CLASSMOOD = [sys.executable, "-m", "classmood"]
ROOT = Path(__file__).resolve().parents[1]


def classmood(*args: str, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLASSMOOD, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env or os.environ.copy()
    )


def iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0, min(ay + ah, by + bh) - max(ay, by))
    return w * h / float(aw * ah + bw * bh - w * h)


@pytest.fixture(scope="module")
def gallery_png(tmp_path_factory):
    scene = random_scene(random.Random(5), platform="zoom", tiles=12, variant="plain")
    image, truth = render_scene(scene)
    path = tmp_path_factory.mktemp("inspect") / "gallery.png"
    cv2.imwrite(str(path), image)
    return path, truth


@pytest.mark.skipif(not tesseract_available(), reason="Tesseract's models are not installed")
def test_inspect_shows_tiles_names_faces_and_emotions(gallery_png, tmp_path):
    path, truth = gallery_png
    annotated = tmp_path / "seen.png"
    result = classmood("bot", "inspect", str(path), "--json", "--annotate", str(annotated))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert len(seen["tiles"]) == len(truth.tiles) == 12
    assert not any(t["floating"] for t in seen["tiles"])  # every tile is one of the gallery's
    for tile in truth.tiles:
        best = max(seen["tiles"], key=lambda t: iou(t["box"], tile.box))
        assert iou(best["box"], tile.box) >= 0.85
        if tile.face_box is not None:
            assert best["face"] is not None and best["emotion"] is not None
            assert 0.0 < best["confidence"] <= 1.0
    names = {normalize_name(t["name"] or "") for t in seen["tiles"]}
    matched = sum(normalize_name(t.shown_name) in names for t in truth.tiles)
    assert matched >= 10, f"only {matched}/12 names read"
    assert {"split", "names", "faces", "expressions", "total"} <= set(seen["timings_ms"])
    assert seen["split"] == {"confidence": 1.0, "method": "stage"}  # a lossless render: the stage is sure
    assert cv2.imread(str(annotated)).shape == cv2.imread(str(path)).shape
    plain = classmood("bot", "inspect", str(path), "--no-ocr")
    assert "12 tiles (split confidence 1.00)" in plain.stdout


def test_inspect_bad_file_is_one_clear_line(tmp_path):
    bad = tmp_path / "not-an-image.png"
    bad.write_text("hello")
    result = classmood("bot", "inspect", str(bad))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"classmood: error: cannot read {bad} as an image"]


@pytest.fixture(scope="module")
def recorded_class(tmp_path_factory):
    """Six captures of a 10-student class, saved as screenshots."""
    folder = tmp_path_factory.mktemp("recorded")
    names: set[str] = set()
    for index, capture in enumerate(simulate_class(students=10, minutes=0.5, interval_s=5, seed=2)):
        cv2.imwrite(str(folder / f"shot_{index:03d}.png"), capture.frame.image)
        names |= {tile.normalized_name for tile in capture.truth.tiles}
    return folder, names


def _db_rows(db_path: Path, query: str) -> list[tuple]:
    with sqlite3.connect(db_path) as connection:
        return connection.execute(query).fetchall()


def _captures(db_path: Path) -> int:
    """Captures stored so far (0 until the bot has created the schema)."""
    if not db_path.exists():
        return 0
    try:
        return _db_rows(db_path, "select count(*) from captures")[0][0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.skipif(not tesseract_available(), reason="Tesseract's models are not installed")
@pytest.mark.parametrize("keep_thumbnails", [False, True])
def test_bot_records_a_replayed_class(recorded_class, tmp_path, keep_thumbnails):
    folder, truth_names = recorded_class
    db = tmp_path / "class.db"
    args = ["bot", "start", "--course", "Physics 101", "--source", f"images:{folder}", "--interval", "5s"]
    result = classmood(*args, "--db", f"sqlite:///{db}", *(["--keep-thumbnails"] if keep_thumbnails else []))
    assert result.returncode == 0, result.stderr
    ((status, ended),) = _db_rows(db, "select status, ended_at from class_sessions")
    assert status == "finished" and ended is not None
    assert _db_rows(db, "select count(*) from captures")[0][0] == len(list(folder.glob("*.png")))
    stored = {normalize_name(name) for (name,) in _db_rows(db, "select display_name from participants")}
    assert len(stored & truth_names) >= 0.9 * len(truth_names)
    with_face = _db_rows(
        db,
        "select count(*), sum(p_neutral + p_happiness + p_surprise + p_sadness + p_anger "
        "+ p_disgust + p_fear + p_contempt) from observations where face_found",
    )[0]
    assert with_face[0] > 0 and abs(with_face[1] / with_face[0] - 1.0) < 1e-3  # probabilities sum to 1
    thumbnails = _db_rows(db, "select count(*) from observations where thumbnail is not null")[0][0]
    assert (thumbnails > 0) is keep_thumbnails
    leftovers = [p for p in tmp_path.rglob("*") if p.suffix.lower() in {".png", ".jpg", ".jpeg"}]
    assert leftovers == []  # no image of a student written anywhere


def _start_live_bot(server, db: Path, course: str) -> tuple[subprocess.Popen, dict]:
    """``classmood bot start`` on the Xvfb screen, returned once it has stored two captures."""
    env = {**os.environ, **server.env()}
    args = ["bot", "start", "--course", course, "--source", "screen", "--interval", "1s", "--db", f"sqlite:///{db}"]
    process = subprocess.Popen(
        [*CLASSMOOD, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and _captures(db) < 2 and process.poll() is None:
        time.sleep(0.5)
    return process, env


def test_sigterm_finishes_the_capture_and_closes_the_session(tmp_path):
    xvfb = pytest.importorskip("xvfb")
    with xvfb.using_display() as server:
        db = tmp_path / "live.db"
        process, _env = _start_live_bot(server, db, "Live")
        try:
            process.send_signal(signal.SIGTERM)
            _out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, err
        ((status, ended, last),) = _db_rows(
            db, "select status, ended_at, (select max(captured_at) from captures) from class_sessions"
        )
        assert status == "finished" and ended == last  # closed at the last capture, which was stored
        assert "stopped (SIGTERM)" in err


def test_a_killed_bot_session_is_closed_by_the_next_start(tmp_path, recorded_class):
    folder, _ = recorded_class
    db = tmp_path / "crash.db"
    xvfb = pytest.importorskip("xvfb")
    with xvfb.using_display() as server:
        process, env = _start_live_bot(server, db, "Crash")
        process.kill()  # kill -9: no chance to close the session
        process.communicate(timeout=30)
        assert _db_rows(db, "select status from class_sessions") == [("running",)]
        captured = _db_rows(db, "select count(*) from captures")[0][0]
        result = classmood(
            "bot",
            "start",
            "--course",
            "Crash",
            "--source",
            f"images:{folder}",
            "--interval",
            "5s",
            "--db",
            f"sqlite:///{db}",
            env=env,
        )
        assert result.returncode == 0, result.stderr
        first, second = _db_rows(
            db,
            "select status, ended_at = (select max(captured_at) from captures c "
            "where c.session_id = s.id) from class_sessions s order by id",
        )
        assert first == ("interrupted", 1)  # closed at its last capture, nothing lost
        assert second[0] == "finished"
        assert _db_rows(db, "select count(*) from captures where session_id = 1")[0][0] == captured


def test_bench_model_times_two_classifiers_side_by_side():
    """`bench model --against`: both models on the same faces, taken in turn, and the ratio of their medians."""
    result = classmood("bench", "model", "--model", "ferplus", "--against", "fer2013", "--repeats", "3", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    first, second = figures["batch49_median_ms"]
    assert first > 0 and second > 0 and figures["rounds"] == 3
    assert figures["ratio"] == pytest.approx(second / first, abs=0.01)
    plain = classmood("bench", "model", "--against", "fer2013", "--repeats", "2")
    assert "ratio" in plain.stdout and "fer2013" in plain.stdout
