"""Drawing what the bot saw onto a screenshot (``classmood bot inspect --annotate``)."""

from __future__ import annotations

import cv2
import numpy as np

from bot.pipeline import CaptureResult
from model.labels import DISPLAY_NAMES

TILE_COLOUR = (80, 200, 80)
FACE_COLOUR = (0, 200, 255)
LABEL_COLOUR = (255, 160, 60)


def _text(image: np.ndarray, text: str, origin: tuple[int, int], colour: tuple[int, int, int]) -> None:
    x, y = origin
    (width, height), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
    cv2.rectangle(image, (x, y - height - 6), (x + width + 6, y), (0, 0, 0), -1)
    cv2.putText(image, text, (x + 3, y - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 1, cv2.LINE_AA)


def annotate(image: np.ndarray, result: CaptureResult) -> np.ndarray:
    """A copy of ``image`` with tiles, name-label boxes, faces, names and emotions drawn on it.

    Names are drawn in ASCII (OpenCV's fonts have no accents); the JSON output has them exactly.
    """
    out = image.copy()
    for number, observation in enumerate(result.observations, 1):
        x, y, w, h = observation.tile.box
        cv2.rectangle(out, (x, y), (x + w - 1, y + h - 1), TILE_COLOUR, 2)
        if observation.tile.label_box is not None:
            lx, ly, lw, lh = observation.tile.label_box
            cv2.rectangle(out, (lx, ly), (lx + lw - 1, ly + lh - 1), LABEL_COLOUR, 1)
        name = observation.label_text or "?"
        _text(out, f"{number}. {name}".encode("ascii", "replace").decode(), (x + 4, y + 22), TILE_COLOUR)
        if observation.face_box is not None:
            fx, fy, fw, fh = observation.face_box
            cv2.rectangle(out, (fx, fy), (fx + fw - 1, fy + fh - 1), FACE_COLOUR, 2)
            emotion = DISPLAY_NAMES.get(observation.label or "", observation.label or "")
            _text(out, f"{emotion} {observation.confidence:.0%}", (fx, fy + fh + 20), FACE_COLOUR)
    return out
