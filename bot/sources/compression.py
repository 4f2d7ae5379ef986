"""How heavily a recorded source's pictures were compressed, and the one warning a teacher sees about it.

JPEG, MJPG and MPEG-4 code a picture in 8x8 blocks; compressed hard, each block is smoothed inside and steps
at its edges. :func:`blockiness` compares the brightness steps across the 8-pixel grid with those between
it: about 1.0 for a clean picture, more the blockier it is. It averages the steps down each column (and
along each row), takes the median over the columns at each of the 8 grid positions (a tile border that
happens to lie on the grid is one column among hundreds) and adds :data:`GRADIENT_FLOOR` to both sides (a
flat test pattern has almost no steps at all). The file's bits per
pixel were measured too and do not tell: they depend on the codec, not on what the splitter sees (see
:data:`HEAVY_BLOCKINESS`).

:class:`CompressionWatch` measures the first few pictures of a recording or a folder of screenshots and
says once, in plain words, when they are heavily compressed.
"""

from __future__ import annotations

from statistics import median

import numpy as np

#: added to the grid and between-grid steps (grey levels per pixel): a flat picture measures about 1.0
GRADIENT_FLOOR = 1.0
#: the blockiness from which the bot warns. Measured with ``bot/synthetic`` on 30 rendered galleries (1080p,
#: 555 tiles; every platform and variant): tile recall of the splitter on each copy against its tiles on the
#: lossless frame (IoU 0.5, all 30 frames), blockiness median [min-max] over the frames (video: every third
#: frame, 10), bpp the file's bits per pixel (video: 10-frame clips at 5 fps of the still frame).
#:
#: =========================  ================  ======  =====
#: copy                       blockiness        recall  bpp
#: =========================  ================  ======  =====
#: lossless PNG               1.01 [0.96-1.09]  1.000
#: JPEG q95                   1.02 [0.95-1.10]  0.998   1.05
#: JPEG q75                   1.13 [1.00-1.48]  0.989   0.52
#: JPEG q50                   1.29 [1.11-1.74]  0.978   0.39
#: JPEG q30                   1.53 [1.18-2.14]  0.890   0.32
#: JPEG q20                   1.77 [1.29-2.63]  0.903   0.27
#: JPEG q10                   2.25 [1.60-3.32]  0.951   0.21
#: JPEG q5                    2.95 [2.04-4.02]  0.695   0.18
#: MJPG, OpenCV quality 5     1.43 [1.12-1.79]  0.978   0.39
#: mp4v, OpenCV's default     1.39 [1.08-1.58]  0.986   0.056
#: mp4v 50 kbit/s             1.66 [1.19-2.05]  0.980   0.046
#: VP8 500 kbit/s             1.11 [1.01-1.30]  1.000   0.038
#: VP8 100 kbit/s             1.22 [1.15-1.37]  0.944   0.009
#: VP8 50 kbit/s              1.29 [1.23-1.33]  0.941   0.007
#: VP9 2 Mbit/s               1.06 [1.02-1.14]  0.995   0.025
#: VP9 200 kbit/s             1.08 [1.06-1.17]  0.980   0.015
#: VP9 50 kbit/s              1.15 [1.09-1.20]  0.953   0.009
#: =========================  ================  ======  =====
#:
#: Over the lossless frames and their JPEG copies (240 frames), those measuring 1.5 or more kept 0.862 of their tiles,
#: the others 0.972; 1.5 flags no lossless or q95 frame, 5/30 at q50, 17/30 at q30, 25/30 at q20 and every one at q10.
#: The real screenshots of ``../shared/real-galleries`` (JPEGs of about q75-q90, recall 0.97) measure 1.05-1.18, their
#: flat Webex test pattern 1.26. Bits per pixel do not tell: mp4v at 0.05 bpp loses fewer tiles than JPEG at 0.18. Not
#: seen: VP8 and VP9 (like H.264) smooth their block edges; at 50-100 kbit/s they lose about 5 % of the tiles while
#: measuring under 1.4 (a blurred picture, not a blocky one), and the bot says nothing.
HEAVY_BLOCKINESS = 1.5
#: pictures measured before deciding (their median is compared with the threshold)
SAMPLES = 3
#: a picture this even (standard deviation of grey levels) is blank (a black intro): not measured
BLANK_STD = 2.0
#: pictures looked at, at most, for :data:`SAMPLES` that are not blank
LOOK_AT = 30

WARNINGS = {
    "video": "This recording is heavily compressed (blockiness {blockiness:.1f}, where a clean picture measures "
    "about 1.0): tiles and names may be missed; record at a higher quality if you can.",
    "images": "These screenshots are heavily compressed (blockiness {blockiness:.1f}, where a clean picture "
    "measures about 1.0): tiles and names may be missed; save them as PNG, or as JPEG at a higher quality, if "
    "you can.",
    "image": "This screenshot is heavily compressed (blockiness {blockiness:.1f}, where a clean picture measures "
    "about 1.0): tiles and names may be missed; save it as PNG if you can.",
}


def _grey(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        import cv2

        image = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
    return image.astype(np.float32)


def blockiness(image: np.ndarray) -> float:
    """Steps across the 8-pixel grid over steps between it (see the module docstring): about 1.0 when clean."""
    grey = _grey(image)
    steps = np.zeros(8)
    for axis in (1, 0):  # steps between columns, then between rows
        per_line = np.abs(np.diff(grey, axis=axis)).mean(axis=1 - axis)
        whole = len(per_line) - len(per_line) % 8
        if whole < 16:
            return 1.0  # too small to have a grid
        steps += np.median(per_line[:whole].reshape(-1, 8), axis=0)
    return float((steps[7] + GRADIENT_FLOOR) / (steps[:7].mean() + GRADIENT_FLOOR))


def compression_warning(blockiness_value: float, kind: str) -> str | None:
    """The plain-words warning for a picture (``kind``: video, images or image) this blocky; None when fine."""
    if blockiness_value < HEAVY_BLOCKINESS:
        return None
    return WARNINGS[kind].format(blockiness=blockiness_value)


class CompressionWatch:
    """Measures the first :data:`SAMPLES` pictures that are not blank of a recorded source (``kind``: video or
    images) and gives its warning once, then nothing more."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.measured: list[float] = []
        self.looked_at = 0
        self.done = False

    def observe(self, image: np.ndarray) -> str | None:
        if self.done:
            return None
        self.looked_at += 1
        if float(image.std()) >= BLANK_STD:
            self.measured.append(blockiness(image))
        if len(self.measured) < SAMPLES and self.looked_at < LOOK_AT:
            return None
        return self.finish()

    def finish(self) -> str | None:
        """Decide on what was measured (the source ended before :data:`SAMPLES` pictures); once."""
        if self.done:
            return None
        self.done = True
        return compression_warning(median(self.measured), self.kind) if self.measured else None


def watch_for(source: object) -> CompressionWatch | None:
    """A watch for a recorded source (a video or a folder of screenshots); None for any other."""
    kind = getattr(source, "kind", "")
    return CompressionWatch(kind) if kind in ("video", "images") else None
