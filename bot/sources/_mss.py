"""Screen grabbing with mss, shared by the screen, region and window sources.

mss objects hold per-thread platform handles (a device context on Windows, a connection on
Linux), so one is opened lazily in each thread that grabs: the scheduler may grab from a worker
thread other than the one that opened the source.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from datetime import datetime
from typing import Any

import numpy as np

from bot.sources.base import Source, SourceError, bgra_to_bgr, utc_now


def no_display_message(detail: object) -> str:
    hint = "screen, region and window capture need a desktop session"
    if sys.platform.startswith("linux"):
        display = os.environ.get("DISPLAY")
        where = f"DISPLAY={display}" if display else "DISPLAY is not set"
        hint += f" with an X11 display ({where}; on Wayland run the meeting client under XWayland)"
    return f"no display to capture: {detail} ({hint})"


class ScreenGrabber:
    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[Any] = []

    def _sct(self) -> Any:
        sct = getattr(self._local, "sct", None)
        if sct is not None:
            return sct
        try:
            import mss
            import mss.exception
        except ImportError as error:  # pragma: no cover - mss is a dependency
            raise SourceError(f"screen capture needs the mss package ({error}); pip install mss") from None
        factory = getattr(mss, "MSS", None) or mss.mss  # mss >= 10.2 spells it MSS
        try:
            sct = factory()
            sct.monitors  # noqa: B018 - connects now, so a missing display fails here with a clear message
        except mss.exception.ScreenShotError as error:
            raise SourceError(no_display_message(error)) from None
        self._local.sct = sct
        with self._lock:
            self._opened.append(sct)
        return sct

    def monitors(self) -> list[dict[str, Any]]:
        """mss's monitor list: [0] is all monitors together, [1:] one each."""
        return list(self._sct().monitors)

    def primary(self) -> dict[str, Any]:
        monitors = self.monitors()
        if len(monitors) < 2:
            raise SourceError("no monitor found to capture")
        return next((m for m in monitors[1:] if m.get("is_primary")), monitors[1])

    def virtual_screen(self) -> tuple[int, int, int, int]:
        """(x, y, w, h) of all monitors together."""
        everything = self.monitors()[0]
        return (everything["left"], everything["top"], everything["width"], everything["height"])

    def grab(self, x: int, y: int, w: int, h: int) -> tuple[np.ndarray, float]:
        """BGR pixels of a screen rectangle and the scale (image pixels per screen unit)."""
        import mss.exception

        try:
            shot = self._sct().grab({"left": int(x), "top": int(y), "width": int(w), "height": int(h)})
        except mss.exception.ScreenShotError as error:
            raise SourceError(f"screen capture of {w}x{h} at ({x}, {y}) failed: {error}") from None
        image = bgra_to_bgr(np.asarray(shot, dtype=np.uint8))
        scale = image.shape[1] / w if w else 1.0
        return image, scale

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for sct in opened:
            with contextlib.suppress(Exception):  # a handle of a thread that is gone: nothing to do
                sct.close()
        self._local = threading.local()


def clip(rect: tuple[int, int, int, int], bounds: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The part of ``rect`` inside ``bounds`` (both x, y, w, h), or None when they do not overlap."""
    x, y, w, h = rect
    bx, by, bw, bh = bounds
    left, top = max(x, bx), max(y, by)
    right, bottom = min(x + w, bx + bw), min(y + h, by + bh)
    if right <= left or bottom <= top:
        return None
    return (left, top, right - left, bottom - top)


class ScreenRectSource(Source):
    """A fixed rectangle of the screen (a monitor or a region): what screen and region sources share."""

    live = True

    def __init__(self, interval_s: float) -> None:
        super().__init__(interval_s)
        self._grabber = ScreenGrabber()
        self._rect: tuple[int, int, int, int] = (0, 0, 0, 0)
        self._scale = 1.0

    def _grab_image(self) -> tuple[np.ndarray, datetime]:
        image, self._scale = self._grabber.grab(*self._rect)
        return image, utc_now()

    @property
    def screen_origin(self) -> tuple[int, int]:
        return (self._rect[0], self._rect[1])

    @property
    def scale(self) -> float:
        return self._scale

    def close(self) -> None:
        self._grabber.close()
        super().close()
