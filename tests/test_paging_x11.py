"""Paging a real multi-page gallery with real pyautogui clicks (Xvfb + openbox + a Tk test client).

The test client (``tests/xvfb.py pages``) draws a gallery whose page indicator and arrows are
in distinct colours; ``split`` below is a small real detector that finds them by colour, so the
turner is driven only by what is detected in the captured frames.
"""

from __future__ import annotations

import logging
import time

import cv2
import numpy as np
import pytest
import xvfb

from bot.frames import Gallery, PageControls, Tile
from bot.paging import PageTurner, ensure_gallery, load_pyautogui
from bot.sources import open_source


@pytest.fixture(scope="module")
def x11():
    with xvfb.using_display() as server:
        yield server


def _components(image: np.ndarray, rgb: tuple[int, int, int], min_area: int = 50) -> list[tuple[int, int, int, int]]:
    bgr = np.array(rgb[::-1], np.int16)
    mask = (np.abs(image.astype(np.int16) - bgr).max(axis=2) <= 8).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    boxes = [tuple(int(v) for v in stats[i, :4]) for i in range(1, count) if stats[i, 4] >= min_area]
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def split(image: np.ndarray) -> Gallery:
    """Tiles = big blocks of a page colour; arrows and page dots by their colours."""
    next_boxes = _components(image, xvfb.NEXT_RGB)
    previous_boxes = _components(image, xvfb.PREVIOUS_RGB)
    dots = _components(image, xvfb.DOT_RGB, min_area=100)
    current = _components(image, xvfb.CURRENT_DOT_RGB, min_area=100)
    indicator = sorted(dots + current, key=lambda b: b[0])
    pages = PageControls(
        current=indicator.index(current[0]) + 1 if current else None,
        total=len(indicator) or None,
        next_arrow=next_boxes[0] if next_boxes else None,
        previous_arrow=previous_boxes[0] if previous_boxes else None,
    )
    tiles = []
    for rgb in xvfb.PAGE_TILE_RGB:
        for box in _components(image, rgb, min_area=5000):
            tiles.append(box)
    tiles.sort(key=lambda b: (b[1], b[0]))
    return Gallery(tiles=[Tile(box=b, row=i // 2, col=i % 2) for i, b in enumerate(tiles)], pages=pages)


def _tile_rgb(frame, gallery: Gallery) -> tuple[int, int, int]:
    x, y, w, h = gallery.tiles[0].box
    b, g, r = (int(v) for v in frame.image[y + h // 2, x + w // 2])
    return (r, g, b)


@pytest.fixture
def pages_window(x11, request):
    args = getattr(request, "param", ())
    win = xvfb.open_window(x11, "pages", "Zoom Meeting", "--x", 150, "--y", 120, *args)
    yield win
    win.close()


@pytest.mark.parametrize("pages_window", [("--pages", "3")], indirect=True)
def test_turner_reads_every_page_with_real_clicks_and_returns_to_page_1(pages_window) -> None:
    pyautogui = load_pyautogui()

    pyautogui.moveTo(1200, 900)
    with open_source("window:zoom meeting", 5) as source:
        turner = PageTurner(source, split, settle_s=0.2, timeout_s=4)
        first = source.grab()
        pages = turner.collect(first)

        assert turner.last_problem is None
        assert [g.pages.current for _, g in pages] == [1, 2, 3]
        assert pages[0].frame is first
        # each collected frame really shows its page: four tiles in that page's colour
        for number, (frame, gallery) in enumerate(pages, start=1):
            assert len(gallery.tiles) == 4
            assert _tile_rgb(frame, gallery) == xvfb.PAGE_TILE_RGB[number - 1]
        # two clicks on "next", two on "previous", each inside the detected arrow on screen
        assert [why.split()[0] for _, _, why in turner.clicks] == ["next", "next", "previous", "previous"]
        x0, y0 = source.screen_origin
        for (sx, sy, why), (_, gallery) in zip(turner.clicks, [*pages[:2], *pages[:0:-1]], strict=True):
            arrow = gallery.pages.next_arrow if why.startswith("next") else gallery.pages.previous_arrow
            ax, ay, aw, ah = arrow
            assert x0 + ax <= sx < x0 + ax + aw and y0 + ay <= sy < y0 + ay + ah
        # the client is back on page 1, and the pointer where it was
        time.sleep(0.3)
        assert split(source.grab().image).pages.current == 1
        assert tuple(pyautogui.position()) == (1200, 900)

        # the next cycle does it again
        assert [g.pages.current for _, g in turner.collect()] == [1, 2, 3]


@pytest.mark.parametrize("pages_window", [("--pages", "3")], indirect=True)
def test_turner_starting_on_a_later_page_goes_back_first(pages_window) -> None:
    with open_source("window:zoom meeting", 5) as source:
        gallery = split(source.grab().image)
        sx, sy = source.to_screen(*_centre(gallery.pages.next_arrow))
        xvfb.xdotool("mousemove", sx, sy, "click", "1")  # someone left the gallery on page 2
        assert xvfb.wait_for(lambda: split(source.grab().image).pages.current == 2, timeout=3)

        turner = PageTurner(source, split, settle_s=0.2, timeout_s=4)
        pages = turner.collect()
        assert [g.pages.current for _, g in pages] == [1, 2, 3]
        assert turner.last_problem is None
        time.sleep(0.3)
        assert split(source.grab().image).pages.current == 1


def _centre(box):
    x, y, w, h = box
    return (x + w / 2, y + h / 2)


@pytest.mark.parametrize("pages_window", [("--pages", "2")], indirect=True)
def test_dry_run_clicks_nothing_and_says_what_it_would_click(pages_window, caplog) -> None:
    with open_source("window:zoom meeting", 5) as source:
        turner = PageTurner(source, split, dry_run=True, settle_s=0.3)
        with caplog.at_level(logging.INFO, logger="bot.paging"):
            pages = turner.collect()
        assert len(pages) == 1 and turner.clicks == []
        ((sx, sy, why),) = turner.would_click
        arrow = pages[0].gallery.pages.next_arrow
        assert (sx, sy) == source.to_screen(*_centre(arrow))
        assert why == "next arrow on page 1/2"
        assert f"would click the next arrow at screen ({sx}, {sy})" in caplog.text
        time.sleep(0.5)
        assert split(source.grab().image).pages.current == 1  # nothing was clicked


@pytest.mark.parametrize("pages_window", [("--pages", "3", "--broken-next")], indirect=True)
def test_page_that_does_not_change_gives_up_cleanly(pages_window) -> None:
    with open_source("window:zoom meeting", 5) as source:
        turner = PageTurner(source, split, settle_s=0.2, timeout_s=1.0)
        started = time.monotonic()
        pages = turner.collect()
        assert time.monotonic() - started < 3
        assert [g.pages.current for _, g in pages] == [1]
        assert "the page did not change within 1 s" in turner.last_problem
        assert len(turner.clicks) == 1  # one try, no previous clicks needed: still on page 1


@pytest.mark.parametrize("pages_window", [("--pages", "1")], indirect=True)
def test_single_page_gallery_is_not_clicked(pages_window) -> None:
    with open_source("window:zoom meeting", 5) as source:
        turner = PageTurner(source, split)
        pages = turner.collect()
        assert len(pages) == 1 and turner.clicks == [] and pages[0].gallery.pages.total == 1


@pytest.mark.parametrize("pages_window", [("--pages", "2")], indirect=True)
def test_fail_safe_corner_switches_paging_off(pages_window) -> None:
    pyautogui = load_pyautogui()

    with open_source("window:zoom meeting", 5) as source:
        turner = PageTurner(source, split, settle_s=0.2, timeout_s=2)
        xvfb.xdotool("mousemove", 0, 0)  # the instructor takes the mouse back
        try:
            pages = turner.collect()
            assert len(pages) == 1 and not turner.enabled
            assert "fail-safe" in turner.last_problem
            assert tuple(pyautogui.position()) == (0, 0)  # left where the user put it
        finally:
            xvfb.xdotool("mousemove", 800, 500)
        assert len(turner.collect()) == 1 and turner.clicks == []  # off for the rest of the session
        assert split(source.grab().image).pages.current == 1


def test_ensure_gallery_presses_the_zoom_shortcut_in_the_meeting_window(x11) -> None:
    win = xvfb.open_window(x11, "keys", "Zoom Meeting ID 123")
    xvfb.xdotool("mousemove", 800, 500)
    try:
        with open_source("window:Zoom Meeting", 5) as source:
            dry = ensure_gallery(source, "zoom", dry_run=True, os_name="win32")
            assert dry == 'dry run: would bring "Zoom Meeting ID 123" to the front and press Alt+F2 (gallery view)'
            time.sleep(0.2)
            assert win.title_now() == "Zoom Meeting ID 123"
            # the Windows shortcut, sent for real (pyautogui over XTest) to the window brought to the front
            done = ensure_gallery(source, None, os_name="win32")  # platform guessed from the title
            assert done == 'gallery view: pressed Alt+F2 in "Zoom Meeting ID 123"'
            assert xvfb.wait_for(lambda: win.title_now() == "Zoom Meeting ID 123: Alt+F2", timeout=3)
            linux = ensure_gallery(source, "zoom", os_name="linux")
            assert linux.startswith("gallery view not switched automatically (no shortcut for zoom on linux)")
            meet = ensure_gallery(source, "meet")
            assert "Change layout > Tiled" in meet
        with open_source("screen", 5) as screen:
            assert "needs a window source" in ensure_gallery(screen, "zoom", os_name="darwin")
    finally:
        win.close()
