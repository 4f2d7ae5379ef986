"""What every frame source is: the :class:`Source` interface and the exceptions sources raise.

A source hands out :class:`~bot.frames.Frame` objects (BGR ``uint8`` image, tz-aware UTC
``captured_at``, running ``index``) one :meth:`Source.grab` at a time. Live sources (screen,
region, window) capture "now"; recorded ones (video, images) replay at the capture interval.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from types import TracebackType

import numpy as np

from bot.frames import Frame

log = logging.getLogger(__name__)


class SourceException(Exception):
    """Base of everything a frame source raises on purpose (catch this to catch them all)."""


class SourceError(SourceException):
    """The source cannot be opened or used: a bad spec, a missing file, no display, the window not found.

    The message is one line meant for the user (the CLI prints it as is).
    """


class SourceEnded(SourceException):
    """No more frames: the video or image folder is exhausted, or the captured window was closed.

    Not a failure: the session ends normally. The message says which source ended and why.
    """


class SourceUnavailable(SourceException):
    """No frame this time, but the source may come back (a minimized or fully off-screen window).

    A capture loop skips the cycle and tries again at the next one.
    """


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime:
    """``moment`` as a tz-aware UTC datetime (naive values are taken as local time); now when None."""
    if moment is None:
        return utc_now()
    if moment.tzinfo is None:
        moment = moment.astimezone()  # naive: local wall-clock time
    return moment.astimezone(UTC)


def bgra_to_bgr(pixels: np.ndarray) -> np.ndarray:
    """A contiguous BGR ``uint8`` copy of a BGRA (or BGR, or gray) array."""
    if pixels.ndim == 2:
        import cv2

        return cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR)
    if pixels.shape[2] == 4:
        return np.ascontiguousarray(pixels[:, :, :3])
    return np.ascontiguousarray(pixels)


class Source(ABC):
    """A place frames come from. Use as a context manager, or call :meth:`close`."""

    #: the spec's kind: "screen", "region", "window", "video" or "images"
    kind: str = ""
    #: True for sources that show the screen now (screen, region, window): only those can be clicked
    live: bool = False

    def __init__(self, interval_s: float) -> None:
        self.interval_s = float(interval_s)
        self._index = 0
        self._closed = False

    @abstractmethod
    def _grab_image(self) -> tuple[np.ndarray, datetime]:
        """The next image (BGR uint8) and when it was taken (UTC); raise SourceEnded/SourceUnavailable."""

    def _frame_index(self) -> int:
        """The index of the frame just grabbed: the grab count (recorded sources: the sample number)."""
        return self._index

    def grab(self) -> Frame:
        """The next frame.

        Raises :class:`SourceEnded` when there are no more, :class:`SourceUnavailable` when there is
        none this time (a minimized window), :class:`SourceError` on failure.
        """
        if self._closed:
            raise SourceError(f"{self.describe()} is closed")
        image, captured_at = self._grab_image()
        frame = Frame(image=image, captured_at=captured_at, source=self.describe(), index=self._frame_index())
        self._index += 1
        return frame

    @property
    def frames_grabbed(self) -> int:
        return self._index

    @property
    def screen_origin(self) -> tuple[int, int]:
        """Screen coordinates of the captured area's top-left corner (as of the last grab).

        A point ``(fx, fy)`` in a frame is at ``(x + fx / scale, y + fy / scale)`` on the screen.
        Recorded sources are not on the screen and report ``(0, 0)``.
        """
        return (0, 0)

    @property
    def scale(self) -> float:
        """Frame pixels per screen coordinate unit (2.0 on a Retina display where mss grabs physical pixels)."""
        return 1.0

    def to_screen(self, x: float, y: float) -> tuple[int, int]:
        """Frame pixel ``(x, y)`` -> screen coordinates (what pyautogui clicks)."""
        ox, oy = self.screen_origin
        return (round(ox + x / self.scale), round(oy + y / self.scale))

    @abstractmethod
    def describe(self) -> str:
        """One line for logs and status: what is captured."""

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> Source:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"
