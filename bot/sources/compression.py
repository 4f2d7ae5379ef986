"""How heavily a recorded source's pictures were compressed, and the one warning a teacher sees about it.

JPEG, MJPG and MPEG-4 code a picture in 8x8 blocks; compressed hard, each block is smoothed inside and steps
at its edges. :func:`blockiness` compares the brightness steps across the 8-pixel grid with those between
it: about 1.0 for a clean picture, more the blockier it is. Per line of pixels it takes the median over the
picture (a tile border that happens to lie on the grid is one line among hundreds) and adds
:data:`GRADIENT_FLOOR` to both sides (a flat test pattern has almost no steps at all). The file's bits per
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
#: the blockiness from which the bot warns. Measured (``bot/synthetic``, 30 rendered 1080p galleries, 555
#: tiles; tile recall against the lossless frame at IoU 0.5; blockiness median [min-max] over the frames):
#:
#: ===============  ==================  ======  ======  ============================
#: copy             blockiness          recall  bpp     (bpp: file bits per pixel)
#: ===============  ==================  ======  ======  ============================
#: lossless PNG     1.01 [0.96-1.09]    1.000
#: JPEG q95         1.02 [0.95-1.10]    0.998   1.05
#: JPEG q75         1.13 [1.00-1.48]    0.989   0.52
#: JPEG q50         1.29 [1.11-1.74]    0.978   0.39
#: JPEG q30         1.53 [1.18-2.14]    0.890   0.32
#: JPEG q20         1.77 [1.29-2.63]    0.903   0.27
#: JPEG q10         2.25 [1.60-3.32]    0.951   0.21
#: JPEG q5          2.95 [2.04-4.02]    0.695   0.18
#: ===============  ==================  ======  ======  ============================
#:
#: VIDEO_TABLE
#:
#: The real screenshots of ``../shared/real-galleries`` measure 1.05-1.18 (JPEGs saved at about q75-q90, tile
#: recall 0.97), their flat Webex test pattern 1.26. Recall holds to q50 and drops by a tenth from q30, where
#: the median frame crosses 1.5; no lossless frame, q95 copy or real screenshot comes near it.
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

        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
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
