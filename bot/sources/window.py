"""``window:TITLE``: the meeting window (Zoom, Meet in a browser, Teams), found by title.

The first window whose title contains TITLE (case-insensitive; see :func:`bot.window.find_windows`
for which one wins when several do) is chosen when the source opens, then followed by its handle:
every grab re-queries its rectangle, so moving or resizing it is followed, and a retitled window
(a browser tab switching) is still the same window. Only the window's client area is captured,
clipped to the screen. What mss captures is what is on screen: a window covering the meeting
window is captured too, so keep the meeting window uncovered.

Grabs raise :class:`SourceEnded` when the window was closed and :class:`SourceUnavailable` while it
is minimized or entirely off-screen.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import numpy as np

from bot.sources._mss import ScreenGrabber, clip
from bot.sources.base import Source, SourceEnded, SourceError, SourceUnavailable, utc_now
from bot.window import WindowBackend, WindowError, WindowGone, describe_titles, find_windows, window_backend

log = logging.getLogger(__name__)


class WindowSource(Source):
    kind = "window"
    live = True

    def __init__(self, title: str, interval_s: float, backend: WindowBackend | None = None) -> None:
        super().__init__(interval_s)
        self.query = title
        try:
            self._backend = backend or window_backend()
        except WindowError as error:
            raise SourceError(str(error)) from None
        windows = self._backend.list_windows()
        matches = find_windows(title, windows)
        if not matches:
            self._backend.close()
            raise SourceError(f'window not found: no window title contains "{title}" ({describe_titles(windows)})')
        chosen = matches[0]
        if len(matches) > 1:
            others = ", ".join(f'"{w.title}"' for w in matches[1:4])
            log.info('%d windows match "%s": using "%s" (also: %s)', len(matches), title, chosen.title, others)
        self._handle: Any = chosen.handle
        self.title = chosen.title
        self._rect = chosen.rect
        self._scale = 1.0
        self._grabber = ScreenGrabber()
        try:
            self._bounds = self._grabber.virtual_screen()
        except SourceError:
            self._backend.close()
            raise
        log.debug('window source: "%s" at %s', self.title, chosen.rect)

    @property
    def handle(self) -> Any:
        """The backend's handle of the window (an X11 window id on Linux)."""
        return self._handle

    @property
    def backend(self) -> WindowBackend:
        return self._backend

    @property
    def window_rect(self) -> tuple[int, int, int, int]:
        """The window's client rectangle (x, y, w, h) on screen, as of the last grab (before clipping)."""
        return self._rect

    def _grab_image(self) -> tuple[np.ndarray, datetime]:
        try:
            state = self._backend.state(self._handle)
        except WindowGone as error:
            log.debug("window gone: %s", error)
            raise SourceEnded(f'the window "{self.title}" was closed') from None
        if state.title:
            self.title = state.title
        self._rect = state.rect
        if not state.visible:
            raise SourceUnavailable(f'the window "{self.title}" is minimized or hidden')
        rect = clip(state.rect, self._bounds)
        if rect is None:
            raise SourceUnavailable(f'the window "{self.title}" is entirely off-screen')
        image, self._scale = self._grabber.grab(*rect)
        self._captured = rect
        return image, utc_now()

    @property
    def screen_origin(self) -> tuple[int, int]:
        rect = getattr(self, "_captured", None) or self._rect
        return (rect[0], rect[1])

    @property
    def scale(self) -> float:
        return self._scale

    def activate(self) -> None:
        """Bring the window to the front and give it the keyboard focus (for shortcuts)."""
        self._backend.activate(self._handle)

    def describe(self) -> str:
        x, y, w, h = self._rect
        return f'window "{self.title}" ({w}x{h} at {x},{y})'

    def close(self) -> None:
        self._grabber.close()
        self._backend.close()
        super().close()
