"""A heavily compressed recording is said once, in plain words (issue 15, "never silently wrong").

Real bot runs (:class:`bot.runner.BotRunner`, the real video and image-folder sources, a real database) over
recordings made from a rendered gallery: a clean one and a heavily compressed one.
"""

from __future__ import annotations

import logging
import random
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from test_bot_store_failures import COURSE, FakePipeline

from analytics.db import open_database
from analytics.store import Store
from bot.sources.compression import HEAVY_BLOCKINESS, blockiness

SIZE = (960, 540)
WARNING = "heavily compressed"


@pytest.fixture(scope="module")
def gallery() -> np.ndarray:
    from bot.synthetic.render import render_scene
    from bot.synthetic.scene import random_scene

    image, _truth = render_scene(random_scene(random.Random(5), platform="zoom", tiles=12, variant="plain"))
    return cv2.resize(image, SIZE, interpolation=cv2.INTER_AREA)


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def write_video(path: Path, image: np.ndarray, frames: int = 10, fps: float = 2.0) -> Path:
    """An MJPG recording at OpenCV's quality 95 of ``image`` (5 s: five captures at 1 s)."""
    writer = cv2.VideoWriter(str(path), cv2.CAP_OPENCV_MJPEG, cv2.VideoWriter_fourcc(*"MJPG"), fps, SIZE)
    assert writer.isOpened(), "OpenCV cannot write MJPG here"
    writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 95)
    for _ in range(frames):
        writer.write(image)
    writer.release()
    return path


def record(source: str, sqlite_url: str, caplog) -> list[str]:
    """Run the bot over ``source``; the warnings it logged."""
    from bot.runner import BotOptions, BotRunner, StatusLine
    from bot.sources import open_source

    db = open_database(sqlite_url)
    try:
        options = BotOptions(course=COURSE, source=source, interval_s=1.0)
        runner = BotRunner(options, Store(db), FakePipeline(), open_source, StatusLine(sys.stderr))
        with caplog.at_level(logging.INFO):
            summary = runner.run()
    finally:
        db.dispose()
    assert summary.captures == 5
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_a_heavily_compressed_recording_is_said_once(gallery, tmp_path, sqlite_url, caplog):
    # a recording of a heavily compressed stream: each picture JPEG q10, then stored in an MJPG file
    video = write_video(tmp_path / "blocky.avi", jpeg(gallery, 10))
    warnings = record(f"video:{video}", sqlite_url, caplog)
    said = [w for w in warnings if WARNING in w]
    assert len(said) == 1, warnings
    assert said[0].startswith("This recording is heavily compressed") and "record at a higher quality" in said[0]


def test_a_clean_recording_says_nothing(gallery, tmp_path, sqlite_url, caplog, capsys):
    video = write_video(tmp_path / "clean.avi", gallery)
    assert not [w for w in record(f"video:{video}", sqlite_url, caplog) if WARNING in w]
    start = next(line for line in capsys.readouterr().err.splitlines() if line.startswith("recording "))
    assert start.count(" every ") == 1, start  # the recording's own pace, said once


def test_heavily_compressed_screenshots_are_said_once(gallery, tmp_path, sqlite_url, caplog):
    for k in range(5):
        cv2.imwrite(str(tmp_path / f"shot{k}.jpg"), gallery, [cv2.IMWRITE_JPEG_QUALITY, 10])
    said = [w for w in record(f"images:{tmp_path}", sqlite_url, caplog) if WARNING in w]
    assert len(said) == 1 and said[0].startswith("These screenshots are heavily compressed")


def test_the_measure_on_the_clean_and_the_compressed_picture(gallery):
    """The gallery itself and a q95 copy are clean; q10 is far over the threshold (see HEAVY_BLOCKINESS)."""
    assert blockiness(gallery) < 1.15 and blockiness(jpeg(gallery, 95)) < 1.15
    assert blockiness(jpeg(gallery, 10)) > HEAVY_BLOCKINESS + 0.5
    assert blockiness(np.zeros((540, 960, 3), np.uint8)) == pytest.approx(1.0)  # flat: no grid to see


def test_inspect_says_a_screenshot_is_heavily_compressed(gallery, tmp_path):
    import subprocess

    shot = tmp_path / "shot.jpg"
    cv2.imwrite(str(shot), gallery, [cv2.IMWRITE_JPEG_QUALITY, 10])
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-m", "classmood", "bot", "inspect", str(shot), "--no-ocr"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "This screenshot is heavily compressed" in result.stdout
