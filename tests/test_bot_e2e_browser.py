"""The bot on a real screen: a meeting gallery in a real Chromium window under Xvfb.

``classmood bot start --source window:...`` finds the window by its title,
captures it, and the database must end up with the right students, faces and
sensible expressions; a 30-student class shown 25 per page is recorded whole
with ``--all-pages``, whose real pyautogui clicks turn the gallery's pages.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import pytest

from analytics.schema import normalize_name
from bot.names import tesseract_available
from bot.synthetic.html import demo_scene, write_gallery_html

xvfb = pytest.importorskip("xvfb")

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
VIEWPORT = (1440, 860)

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/install-browser.sh)"),
    pytest.mark.skipif(not tesseract_available(), reason="Tesseract's models are not installed"),
]


@pytest.fixture(scope="module")
def display():
    with xvfb.using_display() as server:
        yield server


def _show(display, page: Path) -> subprocess.Popen:
    """The gallery page in a Chromium app window (no tabs or address bar), as a meeting client would be."""
    profile = tempfile.mkdtemp(prefix="classmood-chromium-")
    process = subprocess.Popen(
        [
            CHROMIUM,
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--force-device-scale-factor=1",
            f"--user-data-dir={profile}",
            f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
            "--window-position=0,0",
            f"--app=file://{page}",
        ],
        env={**os.environ, **display.env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "synthetic"],
            env={**os.environ, **display.env()},
            capture_output=True,
            text=True,
        )
        if found.stdout.strip():
            time.sleep(1.5)  # let the page finish drawing
            return process
        time.sleep(0.3)
    process.kill()
    pytest.fail("the Chromium window did not appear")


def _record(display, db: Path, *extra: str) -> subprocess.CompletedProcess:
    args = ["bot", "start", "--course", "E2E", "--source", "window:synthetic", "--db", f"sqlite:///{db}", *extra]
    return subprocess.run(
        [sys.executable, "-m", "classmood", *args],
        cwd=ROOT,
        env={**os.environ, **display.env()},
        capture_output=True,
        text=True,
        timeout=240,
    )


def _record_shown(display, folder: Path, *extra: str) -> subprocess.CompletedProcess:
    """``classmood bot start`` on ``folder/meeting.html`` shown in Chromium, into ``folder/class.db``."""
    browser = _show(display, folder / "meeting.html")
    try:
        return _record(display, folder / "class.db", *extra)
    finally:
        browser.kill()
        browser.communicate()


def _letters(name: str) -> str:
    """A name without its diacritics."""
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))


def _rows(db: Path, query: str) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(query).fetchall()


def test_bot_records_a_gallery_shown_in_a_real_browser_window(display, tmp_path):
    scene = demo_scene(participants=12, platform="zoom", per_page=25, seed=4)
    (truth,) = write_gallery_html(tmp_path / "meeting.html", scene, viewport=VIEWPORT)
    result = _record_shown(display, tmp_path, "--interval", "2s", "--duration", "7s")
    db = tmp_path / "class.db"
    assert result.returncode == 0, result.stderr
    tiles_per_capture = _rows(db, "select tiles from captures")
    assert len(tiles_per_capture) >= 2 and all(tiles == 12 for (tiles,) in tiles_per_capture), tiles_per_capture

    stored = {normalize_name(name): pid for name, pid in _rows(db, "select display_name, id from participants")}
    expected = {tile.normalized_name: tile for tile in truth.tiles}
    matched = set(stored) & set(expected)
    # Small diacritics (Å, ę) are where OCR still slips: exact for most, all right but for accents
    assert len(matched) >= 10, f"names read: {sorted(stored)}; expected {sorted(expected)}"
    assert len({_letters(n) for n in stored} & {_letters(n) for n in expected}) >= 11

    faces = right = with_camera = 0
    for name in matched:
        tile = expected[name]
        labels = _rows(db, f"select face_found, top_label from observations where participant_id = {stored[name]}")
        if tile.face_box is None:
            continue
        with_camera += len(labels)
        faces += sum(found for found, _ in labels)
        right += sum(label == tile.emotion for _, label in labels)
    assert faces >= 0.85 * with_camera
    assert right >= 0.5 * with_camera, f"{right} of {with_camera} expressions as shown"


def test_all_pages_records_every_student_of_a_large_class(display, tmp_path):
    scene = demo_scene(participants=30, platform="zoom", per_page=25, seed=6)
    pages = write_gallery_html(tmp_path / "meeting.html", scene, viewport=VIEWPORT)
    assert len(pages) == 2
    result = _record_shown(display, tmp_path, "--interval", "5s", "--duration", "6s", "--all-pages")
    db = tmp_path / "class.db"
    assert result.returncode == 0, result.stderr
    tiles_per_capture = _rows(db, "select tiles from captures")
    assert tiles_per_capture and all(tiles == 30 for (tiles,) in tiles_per_capture), tiles_per_capture
    stored = {normalize_name(name) for (name,) in _rows(db, "select display_name from participants")}
    expected = {tile.normalized_name for page in pages for tile in page.tiles}
    assert len(expected) == 30 and len(stored) == 30  # one participant per student, none merged
    second_page = {tile.normalized_name for tile in pages[1].tiles}
    assert len(stored & second_page) >= 3, "students of page 2 missing: the page was not turned"
    # Names are read exactly for most students; the rest get a stable placeholder (see the OCR notes)
    assert len(stored & expected) >= 24, f"missing: {sorted(expected - stored)}"
