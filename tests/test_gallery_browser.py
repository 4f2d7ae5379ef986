"""The splitter on a gallery page rendered by a real browser (headless Chromium), where one is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import cv2
import pytest

from bot.gallery import split_gallery
from bot.synthetic.evaluate import match_tiles
from bot.synthetic.html import demo_scene, write_gallery_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_split_on_a_chromium_screenshot(tmp_path: Path):
    scene = demo_scene(34, "teams", 25, seed=7)
    truths = write_gallery_html(tmp_path / "gallery.html", scene)
    shot = tmp_path / "page2.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--hide-scrollbars",
                f"--screenshot={shot}",
                "--window-size=1920,1080",
                f"file://{tmp_path / 'gallery.html'}#page=2",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[:2] == (1080, 1920)
    truth = truths[1]
    gallery = split_gallery(image)
    matches = match_tiles([t.box for t in truth.tiles], [t.box for t in gallery.tiles])
    assert len(matches) == len(truth.tiles) == len(gallery.tiles) == 9
    assert gallery.pages is not None and (gallery.pages.current, gallery.pages.total) == (2, 2)
    assert gallery.pages.next_arrow is None and gallery.pages.previous_arrow is not None
    x, y, w, h = truth.pages.previous_arrow
    px, py, pw, ph = gallery.pages.previous_arrow
    assert x <= px + pw / 2 <= x + w and y <= py + ph / 2 <= y + h
