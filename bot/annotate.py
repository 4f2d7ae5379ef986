"""Drawing what the bot saw onto a screenshot (``classmood bot inspect --annotate``)."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bot.pipeline import CaptureResult
from model.labels import DISPLAY_NAMES

TILE_COLOUR = (80, 200, 80)
FACE_COLOUR = (0, 200, 255)
LABEL_COLOUR = (255, 160, 60)
FONT_SIZE = 14


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont:
    """DejaVu Sans (inside matplotlib's wheel): it has the accents and scripts of students' names."""
    from bot.fonts import dejavu

    return ImageFont.truetype(str(dejavu("Regular")), FONT_SIZE)


def _bgr_to_rgb(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    return colour[2], colour[1], colour[0]


def annotate(image: np.ndarray, result: CaptureResult) -> np.ndarray:
    """A copy of ``image`` with tiles, name-label boxes, faces, names and emotions drawn on it."""
    out = image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    captions: list[tuple[str, tuple[int, int], tuple[int, int, int]]] = []
    for number, observation in enumerate(result.observations, 1):
        x, y, w, h = observation.tile.box
        cv2.rectangle(out, (x, y), (x + w - 1, y + h - 1), TILE_COLOUR, 2)
        if observation.tile.label_box is not None:
            lx, ly, lw, lh = observation.tile.label_box
            cv2.rectangle(out, (lx, ly), (lx + lw - 1, ly + lh - 1), LABEL_COLOUR, 1)
        captions.append((f"{number}. {observation.label_text or '?'}", (x + 4, y + 4), TILE_COLOUR))
        if observation.face_box is not None:
            fx, fy, fw, fh = observation.face_box
            cv2.rectangle(out, (fx, fy), (fx + fw - 1, fy + fh - 1), FACE_COLOUR, 2)
            emotion = DISPLAY_NAMES.get(observation.label or "", observation.label or "")
            captions.append((f"{emotion} {observation.confidence:.0%}", (fx, fy + fh + 2), FACE_COLOUR))
    canvas = Image.fromarray(np.ascontiguousarray(out[:, :, 2::-1]))
    draw = ImageDraw.Draw(canvas)
    font = _font()
    for text, (x, y), colour in captions:
        _, _, right, bottom = draw.textbbox((x + 3, y + 2), text, font=font)
        draw.rectangle((x, y, right + 3, bottom + 3), fill=(0, 0, 0))
        draw.text((x + 3, y + 2), text, font=font, fill=_bgr_to_rgb(colour))
    return np.asarray(canvas)[:, :, ::-1].copy()
