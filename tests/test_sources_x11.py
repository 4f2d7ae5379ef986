"""Live sources on a real X server (Xvfb + openbox): screen, region and window capture of real Tk windows."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
import xvfb

from bot.sources import SourceEnded, SourceError, SourceUnavailable, open_source


@pytest.fixture(scope="module")
def x11():
    with xvfb.using_display() as server:
        yield server


@pytest.fixture(scope="module")
def picture(tmp_path_factory) -> tuple[np.ndarray, Path]:
    """A 320x240 image of random pixels: any misplaced or scaled capture shows."""
    image = np.random.default_rng(7).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    path = tmp_path_factory.mktemp("window") / "known.png"
    cv2.imwrite(str(path), image)
    return image, path


@pytest.fixture
def window(x11, picture):
    _, path = picture
    win = xvfb.open_window(x11, "image", "Zoom Meeting - Physics 101", "--png", path, "--x", 200, "--y", 150)
    yield win
    win.close()


def test_screen_captures_the_whole_primary_monitor(window, picture) -> None:
    image, _ = picture
    x, y, w, h = window.client_rect()
    with open_source("screen", 5) as source:
        frame = source.grab()
        assert source.live and source.screen_origin == (0, 0)
        assert "monitor 1 (1600x1000 at 0,0)" in source.describe()
    assert frame.image.shape == (1000, 1600, 3) and frame.image.dtype == np.uint8
    assert frame.captured_at.tzinfo is not None and frame.index == 0
    assert np.array_equal(frame.image[y : y + h, x : x + w], image)
    with open_source("screen:1", 5) as source:
        assert source.grab().image.shape == (1000, 1600, 3)


def test_region_captures_exactly_its_rectangle(window, picture) -> None:
    image, _ = picture
    x, y, _, _ = window.client_rect()
    with open_source(f"region:{x + 10},{y + 20},100,50", 5) as source:
        first, second = source.grab(), source.grab()
        assert source.screen_origin == (x + 10, y + 20)
    assert np.array_equal(first.image, image[20:70, 10:110])
    assert (first.index, second.index) == (0, 1)
    assert source.describe() == f"screen region 100x50 at {x + 10},{y + 20}"


def test_region_and_monitor_outside_the_screen_are_refused(x11) -> None:
    with pytest.raises(SourceError, match=r"not inside the screen \(1600x1000 at \(0, 0\)\)"):
        open_source("region:1500,900,200,200", 5)
    with pytest.raises(SourceError, match="no monitor 5: this display has 1 monitor"):
        open_source("screen:5", 5)


def test_window_found_by_title_captures_only_its_rectangle(window, picture) -> None:
    image, _ = picture
    with open_source("window:zoom meeting", 5) as source:  # case-insensitive substring
        frame = source.grab()
        rect = window.client_rect()
        assert source.screen_origin == rect[:2]
        assert source.title == "Zoom Meeting - Physics 101"
        assert source.describe().startswith('window "Zoom Meeting - Physics 101" (320x240 at')
    assert np.array_equal(frame.image, image)  # the client area only: no title bar, no desktop


def test_window_is_followed_when_moved_and_resized(window, picture) -> None:
    image, _ = picture
    with open_source("window:Physics 101", 5) as source:
        source.grab()
        before = source.screen_origin
        xvfb.xdotool("windowmove", window.window_id, 700, 500)
        assert xvfb.wait_for(lambda: window.client_rect()[:2] != before)
        frame = source.grab()
        x, y, _, _ = window.client_rect()
        assert source.screen_origin == (x, y) != before
        assert np.array_equal(frame.image, image)

        xvfb.xdotool("windowsize", window.window_id, 400, 300)
        assert xvfb.wait_for(lambda: window.client_rect()[2:] == (400, 300))
        frame = source.grab()
        assert frame.image.shape == (300, 400, 3)
        assert np.array_equal(frame.image[:240, :320], image)
        assert not frame.image[240:, :].any() and not frame.image[:, 320:].any()  # the canvas' black background

        xvfb.xdotool("windowmove", window.window_id, 1450, 100)  # partly off the right edge: clipped
        assert xvfb.wait_for(lambda: window.client_rect()[0] != x)
        frame = source.grab()
        cx, cy, _, _ = window.client_rect()
        assert frame.image.shape == (300, 1600 - cx, 3)
        assert source.screen_origin == (cx, cy)
        assert np.array_equal(frame.image[:240], image[:, : 1600 - cx])


def test_minimized_window_is_unavailable_then_back(window, picture) -> None:
    image, _ = picture
    with open_source("window:Zoom Meeting", 5) as source:
        xvfb.xdotool("windowminimize", window.window_id)
        assert xvfb.wait_for(lambda: "IsUnMapped" in _map_state(window), timeout=3)
        with pytest.raises(SourceUnavailable, match='the window "Zoom Meeting - Physics 101" is minimized'):
            source.grab()
        xvfb.xdotool("windowactivate", window.window_id)
        assert xvfb.wait_for(lambda: "IsViewable" in _map_state(window), timeout=3)
        time.sleep(0.1)  # the window redraws after being mapped again
        assert np.array_equal(source.grab().image, image)


def _map_state(window) -> str:
    import subprocess

    return subprocess.run(
        ["xwininfo", "-display", window.display, "-id", str(window.window_id)], capture_output=True, text=True
    ).stdout


def test_closed_window_ends_the_source(window) -> None:
    source = open_source("window:Zoom", 5)
    source.grab()
    window.close()
    deadline = time.monotonic() + 5
    with pytest.raises(SourceEnded) as ended:
        while time.monotonic() < deadline:
            source.grab()
            time.sleep(0.05)
    assert str(ended.value) == 'the window "Zoom Meeting - Physics 101" was closed'
    source.close()


def test_window_not_found_lists_open_windows(window) -> None:
    with pytest.raises(SourceError) as error:
        open_source("window:Microsoft Teams", 5)
    message = str(error.value)
    assert message.startswith('window not found: no window title contains "Microsoft Teams" (open windows: ')
    assert '"Zoom Meeting - Physics 101"' in message and "\n" not in message


def test_window_listing_without_a_window_manager(picture) -> None:
    """No EWMH client list: windows are found by walking the window tree."""
    from bot.window import X11Backend, find_windows

    if xvfb.missing_tools():
        pytest.skip(f"{' and '.join(xvfb.missing_tools())} not installed (run .ci/install-bot-deps.sh)")
    _, path = picture
    bare = xvfb.start_xvfb(size=(800, 600), window_manager=False)
    try:
        win = xvfb.open_window(bare, "image", "Meet - abc-defg-hij", "--png", path, "--x", 40, "--y", 30)
        backend = X11Backend(bare.display)
        try:
            (found,) = find_windows("meet", backend.list_windows())
            assert found.title == "Meet - abc-defg-hij"
            assert found.rect == (40, 30, 320, 240) and found.visible
            win.close()
            from bot.window import WindowGone

            with pytest.raises(WindowGone):
                xvfb.wait_for(lambda: backend.state(found.handle) and False, timeout=3)
        finally:
            backend.close()
            win.close()
    finally:
        bare.stop()
