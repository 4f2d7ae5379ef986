"""Recorded sources (video, image folder), spec parsing and the errors users see. No display needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from bot.sources import SourceEnded, SourceError, SourceException, open_source, parse_spec

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _frame_value(image: np.ndarray) -> int:
    """The grey level a test frame was filled with (MJPG is lossy: the median survives)."""
    return int(np.median(image))


def _make_video(path: Path, frames: int, fps: float, size=(64, 48)) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    assert writer.isOpened(), "OpenCV cannot write MJPG here"
    for n in range(frames):
        writer.write(np.full((size[1], size[0], 3), n * 7, np.uint8))
    writer.release()


def _drain(source) -> list:
    frames = []
    with pytest.raises(SourceEnded) as ended:
        for _ in range(1000):
            frames.append(source.grab())
    return frames, str(ended.value)


def test_video_is_sampled_by_video_time(tmp_path: Path) -> None:
    video = tmp_path / "class.avi"
    _make_video(video, frames=35, fps=10)  # 3.5 s
    with open_source(f"video:{video}", interval_s=0.5, start=START) as source:
        assert not source.live and source.screen_origin == (0, 0)
        frames, message = _drain(source)
    # sample k is the frame shown at k * 0.5 s: frame 5k
    assert [_frame_value(f.image) for f in frames] == pytest.approx([5 * k * 7 for k in range(7)], abs=3)
    assert [f.index for f in frames] == list(range(7))
    assert [f.captured_at for f in frames] == [START + timedelta(seconds=0.5 * k) for k in range(7)]
    assert all(f.captured_at.tzinfo is not None and f.image.dtype == np.uint8 for f in frames)
    assert frames[0].image.shape == (48, 64, 3)
    assert "class.avi" in message and "ended" in message


def test_video_interval_not_a_multiple_of_the_frame_period(tmp_path: Path) -> None:
    video = tmp_path / "class.avi"
    _make_video(video, frames=12, fps=10)
    with open_source(f"video:{video}", interval_s=0.25, start=START) as source:
        frames, _ = _drain(source)
    # t = 0, .25, .5, .75, 1.0 -> frames 0, 2, 5, 7, 10
    assert [round(_frame_value(f.image) / 7) for f in frames] == [0, 2, 5, 7, 10]


def test_video_interval_shorter_than_a_frame_repeats_the_frame(tmp_path: Path) -> None:
    video = tmp_path / "slow.avi"
    _make_video(video, frames=3, fps=2)  # frames at 0, 0.5, 1.0 s
    with open_source(f"video:{video}", interval_s=0.25, start=START) as source:
        frames, _ = _drain(source)
    assert [round(_frame_value(f.image) / 7) for f in frames] == [0, 0, 1, 1, 2, 2]


def test_images_replay_in_name_order(tmp_path: Path) -> None:
    for n in (1, 2, 10, 3):
        image = np.full((20, 30, 3), n * 10, np.uint8)
        cv2.imwrite(str(tmp_path / f"shot_{n}.png"), image)
    (tmp_path / "shot_4.png").write_bytes(b"not a png")  # skipped, its slot kept
    (tmp_path / "notes.txt").write_text("ignored")
    gray = np.full((20, 30), 200, np.uint8)
    cv2.imwrite(str(tmp_path / "shot_11.png"), gray)  # grey -> BGR
    with open_source(f"images:{tmp_path}", interval_s=2, start=START) as source:
        assert "6 files" in source.describe()
        frames, message = _drain(source)
    assert [int(f.image[0, 0, 0]) for f in frames] == [10, 20, 30, 100, 200]
    assert [f.index for f in frames] == [0, 1, 2, 4, 5]
    assert [f.captured_at for f in frames] == [START + timedelta(seconds=2 * k) for k in (0, 1, 2, 4, 5)]
    assert all(f.image.shape == (20, 30, 3) for f in frames)
    assert "exhausted" in message


def test_naive_start_is_taken_as_local_time(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((4, 4, 3), np.uint8))
    naive = datetime(2026, 3, 2, 9, 0)
    with open_source(f"images:{tmp_path}", 1, start=naive) as source:
        frame = source.grab()
    assert frame.captured_at == naive.astimezone(UTC) and frame.captured_at.tzinfo == UTC


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("", "empty"),
        ("webcam:0", "unknown kind 'webcam'"),
        ("screen:first", "the monitor must be a number"),
        ("screen:-1", "cannot be negative"),
        ("region:1,2,3", "4 integers"),
        ("region:a,b,c,d", "4 integers"),
        ("region:0,0,0,10", "must be positive"),
        ("window:", "window needs a window title"),
        ("video", "video needs a video file"),
        ("images:  ", "images needs a folder"),
    ],
)
def test_bad_specs_give_one_line_errors(spec: str, expected: str) -> None:
    with pytest.raises(SourceError) as error:
        open_source(spec, 5)
    message = str(error.value)
    assert expected in message
    assert "\n" not in message
    assert "valid forms: screen, screen:N, region:X,Y,W,H, window:TITLE, video:PATH, images:DIR" in message


def test_specs_parse() -> None:
    assert parse_spec("screen").monitor is None
    assert parse_spec("SCREEN:2").monitor == 2
    assert parse_spec("region:-1920, 0, 800,600").region == (-1920, 0, 800, 600)
    assert parse_spec("window:Zoom Meeting").title == "Zoom Meeting"
    assert parse_spec("video:C:/classes/mon.mp4").path == Path("C:/classes/mon.mp4")
    assert issubclass(SourceError, SourceException) and issubclass(SourceEnded, SourceException)


def test_missing_files_and_bad_interval(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="video not found"):
        open_source(f"video:{tmp_path / 'none.mp4'}", 5)
    (tmp_path / "fake.mp4").write_bytes(b"\x00" * 100)
    with pytest.raises(SourceError, match="cannot read the video"):
        open_source(f"video:{tmp_path / 'fake.mp4'}", 5)
    with pytest.raises(SourceError, match="image folder not found"):
        open_source(f"images:{tmp_path / 'nope'}", 5)
    with pytest.raises(SourceError, match="no images in"):
        open_source(f"images:{tmp_path}", 5)
    with pytest.raises(SourceError, match="interval must be positive"):
        open_source(f"images:{tmp_path}", 0)


def test_no_display_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(SourceError) as error:
        open_source("screen", 5)
    assert str(error.value).startswith("no display to capture") and "DISPLAY is not set" in str(error.value)
    with pytest.raises(SourceError, match="no X display: DISPLAY is not set"):
        open_source("window:Zoom", 5)
