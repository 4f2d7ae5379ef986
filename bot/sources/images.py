"""``images:DIR``: saved screenshots replayed in name order, one per capture interval.

Image ``k`` (in natural name order: ``shot2.png`` before ``shot10.png``) is stamped
``start + k * interval``. A file that cannot be decoded is skipped with a warning; its slot in
the timeline stays empty, so the stamps of the others do not shift.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from bot.sources.base import Source, SourceEnded, SourceError, as_utc, bgra_to_bgr

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")


def natural_key(path: Path) -> list[object]:
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", path.name)]


class ImageFolderSource(Source):
    kind = "images"
    live = False

    def __init__(self, folder: Path | str, interval_s: float, start: datetime | None = None) -> None:
        super().__init__(interval_s)
        self.folder = Path(folder)
        if not self.folder.exists():
            raise SourceError(f"image folder not found: {self.folder}")
        if not self.folder.is_dir():
            raise SourceError(f"not a folder: {self.folder} (images: needs a folder of screenshots)")
        self.files = sorted(
            (p for p in self.folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES), key=natural_key
        )
        if not self.files:
            raise SourceError(f"no images in {self.folder} (looked for {', '.join(IMAGE_SUFFIXES)})")
        self.start = as_utc(start)
        self._sample = 0
        self._current = 0

    def _grab_image(self) -> tuple[np.ndarray, datetime]:
        import cv2

        while self._sample < len(self.files):
            k = self._sample
            path = self.files[k]
            self._sample += 1
            try:
                data = np.fromfile(path, dtype=np.uint8)  # imread cannot open non-ASCII paths on Windows
                image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
            except OSError as error:
                log.warning("skipping %s: %s", path.name, error)
                continue
            if image is None:
                log.warning("skipping %s: not an image OpenCV can decode", path.name)
                continue
            if image.dtype != np.uint8:
                image = cv2.convertScaleAbs(image, alpha=255.0 / max(float(image.max()), 1.0))
            self._current = k
            return bgra_to_bgr(image), self.start + timedelta(seconds=k * self.interval_s)
        raise SourceEnded(f'the image folder "{self.folder}" is exhausted ({len(self.files)} image(s) replayed)')

    def _frame_index(self) -> int:
        return self._current

    def describe(self) -> str:
        return f'images "{self.folder}" ({len(self.files)} files) every {self.interval_s:g} s'
