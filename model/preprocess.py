"""The one preprocessing path shared by training, evaluation and the bot.

A face goes through the same steps wherever it comes from:
``crop_face`` (bot only: a square crop around a detector box, with the margin
that makes a detector box look like a FER2013 crop) -> ``face_pixels``
(grayscale, resize to the model's input size, uint8) -> ``normalize``
(float32 in [-1, 1], shape (N, 1, S, S)). Training keeps the uint8 pixels in
memory, augments them, then applies the same normalization constants.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

#: Pixel normalization: x' = (x / 255 - MEAN) / STD.
MEAN = 0.5
STD = 0.5

#: How much wider than the detector's box the square face crop is. FER2013
#: crops are tight (brow to chin fills the frame) while RetinaFace's box runs
#: past the chin and brow, so the crop is a little *smaller* than the box.
#: Measured on 94 FER faces shown in synthetic gallery tiles (ferplus model,
#: accuracy by margin): -0.2: 69.1%, -0.1: 70.2%, 0: 64.9%, 0.1: 56.4%, 0.25: 46.8%.
DEFAULT_CROP_MARGIN = -0.1


def to_gray(image: np.ndarray) -> np.ndarray:
    """Grayscale uint8 from a gray, BGR or BGRA image."""
    image = np.asarray(image)
    if image.ndim == 2:
        gray = image
    elif image.ndim == 3 and image.shape[2] == 1:
        gray = image[:, :, 0]
    elif image.ndim == 3 and image.shape[2] == 3:
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    elif image.ndim == 3 and image.shape[2] == 4:
        gray = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    else:
        raise ValueError(f"expected a gray, BGR or BGRA image, got shape {image.shape}")
    if gray.dtype != np.uint8:
        gray = np.clip(gray, 0, 255).astype(np.uint8)
    return gray


def face_pixels(image: np.ndarray, size: int) -> np.ndarray:
    """A face image as the model's (size, size) grayscale uint8 input."""
    gray = to_gray(image)
    if gray.shape == (size, size):
        return np.ascontiguousarray(gray)
    shrinking = gray.shape[0] > size or gray.shape[1] > size
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(gray, (size, size), interpolation=interpolation)


def normalize(pixels: np.ndarray) -> np.ndarray:
    """(N, S, S) uint8 -> (N, 1, S, S) float32 model input."""
    pixels = np.asarray(pixels)
    if pixels.ndim == 2:
        pixels = pixels[None]
    scaled = pixels.astype(np.float32) / np.float32(255.0)
    return ((scaled - np.float32(MEAN)) / np.float32(STD))[:, None, :, :]


def prepare_batch(faces: Sequence[np.ndarray], size: int) -> np.ndarray:
    """Any number of face crops (any size, gray or BGR) -> one model input batch."""
    if len(faces) == 0:
        return np.zeros((0, 1, size, size), dtype=np.float32)
    return normalize(np.stack([face_pixels(face, size) for face in faces]))


def crop_face(image: np.ndarray, box: Sequence[float], margin: float = DEFAULT_CROP_MARGIN) -> np.ndarray:
    """Square crop around a face box ``(x, y, w, h)``, its side ``max(w, h) * (1 + margin)``.

    Parts of the square outside the image are filled by replicating the edge,
    so a face at a tile border keeps its proportions.
    """
    x, y, w, h = (float(v) for v in box)
    side = max(w, h) * (1.0 + margin)
    cx, cy = x + w / 2.0, y + h / 2.0
    x0, y0 = round(cx - side / 2.0), round(cy - side / 2.0)
    x1, y1 = x0 + max(1, round(side)), y0 + max(1, round(side))
    height, width = image.shape[:2]
    pad_left, pad_top = max(0, -x0), max(0, -y0)
    pad_right, pad_bottom = max(0, x1 - width), max(0, y1 - height)
    crop = image[max(0, y0) : min(height, y1), max(0, x0) : min(width, x1)]
    if pad_left or pad_top or pad_right or pad_bottom:
        crop = cv2.copyMakeBorder(crop, pad_top, pad_bottom, pad_left, pad_right, cv2.BORDER_REPLICATE)
    return crop
