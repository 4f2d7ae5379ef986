"""``video:PATH``: a recorded class, sampled at the capture interval by video time.

Sample ``k`` is the frame shown at ``k * interval`` seconds into the video (frame
``floor(k * interval * fps)``), stamped ``start + k * interval``, so a replayed class gets the same
timeline as the live one would have. Frames are decoded in order (skipped ones are grabbed, not
converted), which is exact for every container OpenCV reads; seeking is not trusted.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from bot.sources.base import Source, SourceEnded, SourceError, as_utc, bgra_to_bgr

log = logging.getLogger(__name__)

FALLBACK_FPS = 30.0


class VideoSource(Source):
    kind = "video"
    live = False

    def __init__(self, path: Path | str, interval_s: float, start: datetime | None = None) -> None:
        import cv2

        super().__init__(interval_s)
        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(f"video not found: {self.path}")
        if not self.path.is_file():
            raise SourceError(f"not a video file: {self.path}")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise SourceError(f"cannot read the video {self.path}: OpenCV could not open it (not a video?)")
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        if not (math.isfinite(fps) and fps > 0):
            log.warning("the video %s does not say its frame rate: assuming %.0f fps", self.path, FALLBACK_FPS)
            fps = FALLBACK_FPS
        self.fps = fps
        count = self._cap.get(cv2.CAP_PROP_FRAME_COUNT)
        self.frame_count = int(count) if count and math.isfinite(count) and count > 0 else None
        self.size = (int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self.start = as_utc(start)
        self._sample = 0  # k of the next grab
        self._position = 0  # index of the frame the next read returns
        self._last: np.ndarray | None = None
        self._current = 0

    def _ended(self, at_s: float) -> SourceEnded:
        message = (
            f'the video "{self.path.name}" ended at {at_s:.1f} s of video ({self._sample} frame(s) sampled '
            f"every {self.interval_s:g} s)"
        )
        stated_s = self.frame_count / self.fps if self.frame_count else None
        # Frames missing well before the length the file states: cut short (a copy or recording interrupted).
        if stated_s is not None and self._position < self.frame_count - max(2.0, self.fps):
            log.warning(
                "warning: the video %s stopped at %.1f s of its stated %.1f s: the file looks truncated or damaged",
                self.path.name,
                self._position / self.fps,
                stated_s,
            )
            message += f", before its stated length of {stated_s:.1f} s (truncated file?)"
        return SourceEnded(message)

    def _grab_image(self) -> tuple[np.ndarray, datetime]:
        if self._cap is None:
            raise SourceError(f"the video {self.path} is closed")
        at_s = self._sample * self.interval_s
        target = math.floor(at_s * self.fps + 1e-6)
        if target < self._position and self._last is not None:
            image = self._last  # the interval is shorter than a frame: the same frame is still showing
        else:
            while self._position < target:
                if not self._cap.grab():
                    raise self._ended(at_s)
                self._position += 1
            ok, image = self._cap.read()
            if not ok or image is None:
                raise self._ended(at_s)
            self._position += 1
            image = bgra_to_bgr(image)
            self._last = image
        self._current = self._sample
        self._sample += 1
        return image.copy(), self.start + timedelta(seconds=at_s)

    def _frame_index(self) -> int:
        return self._current

    def describe(self) -> str:
        w, h = self.size
        length = f", {self.frame_count / self.fps:.1f} s" if self.frame_count else ""
        return f'video "{self.path.name}" ({w}x{h}, {self.fps:g} fps{length}) every {self.interval_s:g} s'

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        super().close()
