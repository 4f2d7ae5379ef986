"""``region:X,Y,W,H``: a fixed rectangle of the screen, via mss."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from bot.sources._mss import ScreenGrabber, clip
from bot.sources.base import Source, SourceError, utc_now


class RegionSource(Source):
    kind = "region"
    live = True

    def __init__(self, region: tuple[int, int, int, int], interval_s: float) -> None:
        super().__init__(interval_s)
        self._grabber = ScreenGrabber()
        bounds = self._grabber.virtual_screen()
        if clip(region, bounds) != tuple(region):
            self._grabber.close()
            x, y, w, h = region
            bx, by, bw, bh = bounds
            raise SourceError(f"region {w}x{h} at ({x}, {y}) is not inside the screen ({bw}x{bh} at ({bx}, {by}))")
        self._rect = tuple(region)
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
        return f"screen region {w}x{h} at {x},{y}"

    def close(self) -> None:
        self._grabber.close()
        super().close()
