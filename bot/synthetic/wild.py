"""Renderings that look less like one style (domain randomization).

ClassMood's own renderings proved a poor judge of the splitter: it found 99.99 % of their tiles and half of
those on real screens. A *wild* scene (``Scene.wild``) is drawn with the look's fixed choices randomized
and the capture degraded as real ones are:

- gaps between tiles of 0-12 px (Meet has none), corners from square to well rounded;
- webcam noise, a little blur (a scaled or out-of-focus capture), and JPEG compression at a quality from
  95 down to 50, as screenshots pasted into chats and frames of recordings are.

``python -m bot.synthetic.evaluate --wild`` scores the splitter on such frames beside the plain ones.
"""

from __future__ import annotations

import random
from dataclasses import replace

import cv2
import numpy as np

from bot.synthetic.real_split import jpeg_copy
from bot.synthetic.styles import Style

GAPS = tuple(range(0, 13))
RADII = (0, 0, 4, 8, 12, 16)
JPEG_QUALITIES = (95, 90, 85, 75, 60, 50)


def wild_style(style: Style, rng: random.Random) -> Style:
    """The platform's look with its gap and corner radius drawn at random."""
    return replace(style, gap=rng.choice(GAPS), radius=rng.choice(RADII))


def degrade(frame: np.ndarray, rng: random.Random) -> np.ndarray:
    """A BGR frame as a lossy capture shows it: noise, maybe blur, then JPEG at a random quality."""
    noisy = frame.astype(np.float32)
    sigma = rng.uniform(0.0, 5.0)
    if sigma > 0.5:
        noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, sigma, frame.shape)
        noisy += noise.astype(np.float32)
    out = np.clip(noisy, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        out = cv2.GaussianBlur(out, (3, 3), rng.uniform(0.4, 1.0))
    return jpeg_copy(out, rng.choice(JPEG_QUALITIES))
