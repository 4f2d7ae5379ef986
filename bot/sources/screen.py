"""``screen[:N]``: a whole monitor, via mss (default: the primary monitor)."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from bot.sources._mss import ScreenGrabber
from bot.sources.base import Source, SourceError, utc_now


class ScreenSource(Source):
    kind = "screen"
    live = True

    def __init__(self, monitor: int | None, interval_s: float) -> None:
        super().__init__(interval_s)
        self._grabber = ScreenGrabber()
        monitors = self._grabber.monitors()
        if monitor is None:
            chosen = self._grabber.primary()
            self._number = monitors.index(chosen) if chosen in monitors else 1
        else:
            if monitor >= len(monitors):
                self._grabber.close()
                count = len(monitors) - 1
                raise SourceError(
                    f"no monitor {monitor}: this display has {count} monitor(s) (use screen:1..{count}, "
                    "or screen:0 for all of them)"
                )
            chosen, self._number = monitors[monitor], monitor
        self._rect = (chosen["left"], chosen["top"], chosen["width"], chosen["height"])
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

    def describe(self) -> str:
        x, y, w, h = self._rect
        which = "all monitors" if self._number == 0 else f"monitor {self._number}"
        return f"screen {which} ({w}x{h} at {x},{y})"

    def close(self) -> None:
        self._grabber.close()
        super().close()
