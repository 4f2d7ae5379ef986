"""``screen[:N]``: a whole monitor, via mss (default: the primary monitor)."""

from __future__ import annotations

from bot.sources._mss import ScreenRectSource
from bot.sources.base import SourceError


class ScreenSource(ScreenRectSource):
    kind = "screen"

    def __init__(self, monitor: int | None, interval_s: float) -> None:
        super().__init__(interval_s)
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

    def describe(self) -> str:
        x, y, w, h = self._rect
        which = "all monitors" if self._number == 0 else f"monitor {self._number}"
        return f"screen {which} ({w}x{h} at {x},{y})"
