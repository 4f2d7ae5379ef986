"""The splitter on a gallery page rendered by a real browser (headless Chromium), where one is installed."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from bot.gallery import split_gallery
from bot.names import tesseract_available
from bot.synthetic.browser_eval import chromium, evaluate, screenshot
from bot.synthetic.evaluate import match_tiles
from bot.synthetic.html import demo_scene, write_gallery_html

CHROMIUM = chromium()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_split_on_a_chromium_screenshot(tmp_path: Path):
    scene = demo_scene(34, "teams", 25, seed=7)
    truths = write_gallery_html(tmp_path / "gallery.html", scene)
    shot = tmp_path / "page2.png"
    screenshot(tmp_path / "gallery.html", shot, CHROMIUM, fragment="page=2")
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


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
@pytest.mark.skipif(not tesseract_available(), reason="Tesseract OCR is not installed")
def test_names_are_read_on_chromium_screenshots_of_each_platform(tmp_path: Path):
    result = evaluate(frames=3, seed=1, out=tmp_path, browser=CHROMIUM)  # one zoom, one meet, one teams gallery
    assert result["tile_recall"] == 1.0
    assert set(result["names_per_platform"]) == {"zoom", "meet", "teams"}
    assert result["names_exact_rate"] >= 0.8, result["some_misses"]
