"""``region:X,Y,W,H``: a fixed rectangle of the screen, via mss."""

from __future__ import annotations

from bot.sources._mss import ScreenRectSource, clip
from bot.sources.base import SourceError


class RegionSource(ScreenRectSource):
    kind = "region"

    def __init__(self, region: tuple[int, int, int, int], interval_s: float) -> None:
        super().__init__(interval_s)
        bounds = self._grabber.virtual_screen()
        if clip(region, bounds) != tuple(region):
            self._grabber.close()
            x, y, w, h = region
            bx, by, bw, bh = bounds
            raise SourceError(f"region {w}x{h} at ({x}, {y}) is not inside the screen ({bw}x{bh} at ({bx}, {by}))")
        self._rect = tuple(region)

    def describe(self) -> str:
        x, y, w, h = self._rect
        return f"screen region {w}x{h} at {x},{y}"
