"""A participant's camera picture for the synthetic meetings: a sample face in a room.

The faces are the shipped 48x48 gray FER crops (``faces/``), tinted and enlarged, pasted with soft edges over
shoulders in front of a random room (or a blurred virtual background), all seeded by the participant's ``look``.
"""

from __future__ import annotations

import colorsys
import random
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from bot.synthetic.layout import Box
from bot.synthetic.scene import EMOTIONS, Participant

FACES_DIR = Path(__file__).resolve().parent / "faces"


@lru_cache(maxsize=1)
def sample_faces() -> dict[str, list[np.ndarray]]:
    """The shipped 48x48 gray faces by emotion."""
    faces: dict[str, list[np.ndarray]] = {}
    for emotion in EMOTIONS:
        for path in sorted(FACES_DIR.glob(f"{emotion}_*.png")):
            image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            if image is not None:
                faces.setdefault(emotion, []).append(image)
    if not faces:
        raise FileNotFoundError(f"no sample faces in {FACES_DIR}")
    return faces


def face_image(emotion: str, index: int) -> np.ndarray:
    faces = sample_faces()
    options = faces.get(emotion) or next(iter(faces.values()))
    return options[index % len(options)]


_SKIN_TINTS = ((1.0, 0.87, 0.76), (0.98, 0.82, 0.68), (0.86, 0.68, 0.54), (0.7, 0.52, 0.4), (1.0, 0.93, 0.86))


@lru_cache(maxsize=256)
def _room(look: int) -> np.ndarray:
    """A small RGB picture of someone's room (or a blurred virtual background), 96x160; resized per tile."""
    rng = random.Random(look)
    h, w = 96, 160
    hue = rng.random()
    dark = rng.random() < 0.06  # a dim room: near-black walls, as webcams show at night
    top = (
        np.array(
            colorsys.hsv_to_rgb(
                hue, rng.uniform(0.05, 0.35), rng.uniform(0.0, 0.06) if dark else rng.uniform(0.35, 0.9)
            )
        )
        * 255
    )
    bottom = (
        np.array(
            colorsys.hsv_to_rgb(
                (hue + rng.uniform(-0.1, 0.1)) % 1,
                rng.uniform(0.1, 0.4),
                rng.uniform(0.0, 0.05) if dark else rng.uniform(0.2, 0.7),
            )
        )
        * 255
    )
    t = np.linspace(0, 1, h)[:, None, None]
    room = (top * (1 - t) + bottom * t) * np.ones((1, w, 1))
    for _ in range(0 if dark else rng.randint(1, 4)):  # shelves, a window, a picture, a door
        x0, y0 = rng.randrange(w), rng.randrange(h * 2 // 3)
        x1, y1 = min(w, x0 + rng.randint(10, 60)), min(h, y0 + rng.randint(8, 50))
        colour = np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.1, 0.7), rng.uniform(0.2, 1.0))) * 255
        room[y0:y1, x0:x1] = colour
        if rng.random() < 0.4:  # books on a shelf
            for bx in range(x0, x1, 3):
                room[y0 + 2 : y1, bx : bx + 2] = (
                    np.array(colorsys.hsv_to_rgb(rng.random(), 0.6, rng.uniform(0.3, 0.9))) * 255
                )
    room = room.astype(np.uint8)
    if rng.random() < 0.35:  # blurred background
        room = cv2.GaussianBlur(room, (0, 0), 6)
    return room


@lru_cache(maxsize=64)
def _feather(side: int) -> np.ndarray:
    """Alpha for pasting a face square: opaque centre, soft edges (the crop's border fades into the room)."""
    ramp = np.clip(np.minimum(np.arange(side), np.arange(side)[::-1]) / max(1.0, side * 0.12), 0, 1)
    alpha = np.minimum.outer(ramp, ramp)
    return alpha[..., None].astype(np.float32)


def render_video(
    person: Participant, width: int, height: int, emotion: str | None = None, room: np.ndarray | None = None
) -> tuple[np.ndarray, Box]:
    """One camera frame (RGB, ``height`` x ``width``) of ``person`` and the face box in it; ``room`` (RGB,
    ``height`` x ``width``) replaces the picture of their room behind them."""
    rng = random.Random(person.look * 7919 + 13)
    if room is None:
        room = cv2.resize(_room(person.look), (width, height), interpolation=cv2.INTER_LINEAR)
    frame = room.astype(np.float32)
    tint = np.array(_SKIN_TINTS[person.look % len(_SKIN_TINTS)], dtype=np.float32)
    side = max(8, min(int(height * rng.uniform(0.5, 0.68)), int(width * 0.9)))
    cx = width / 2 + rng.uniform(-0.08, 0.08) * width
    x = int(np.clip(cx - side / 2, 0, width - side))
    y = int(np.clip(height * rng.uniform(0.1, 0.2), 0, height - side))
    # shoulders and neck under the face
    shirt = np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8))) * 255
    body = np.zeros((height, width), np.uint8)
    cv2.ellipse(body, (int(x + side / 2), int(y + side * 1.75)), (int(side * 0.95), int(side * 0.75)), 0, 0, 360, 1, -1)
    frame[body > 0] = shirt
    neck_x0, neck_x1 = int(x + side * 0.33), int(x + side * 0.67)
    frame[y + side // 2 : min(height, int(y + side * 1.15)), neck_x0:neck_x1] = tint * 150
    gray = cv2.resize(
        face_image(emotion or person.emotion or "neutral", person.face), (side, side), interpolation=cv2.INTER_LINEAR
    ).astype(np.float32)
    face = gray[..., None] * tint
    alpha = _feather(side)
    patch = frame[y : y + side, x : x + side]
    frame[y : y + side, x : x + side] = patch * (1 - alpha) + face * alpha
    return np.clip(frame, 0, 255).astype(np.uint8), (x, y, side, side)
