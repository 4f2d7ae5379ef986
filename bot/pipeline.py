"""One capture, end to end: frame -> tiles -> names -> faces -> expressions -> observations.

Each stage is timed; the classifier runs once per capture on all faces. A
tile that fails (a crop that cannot be read, say) becomes an observation
without a face and an error note; the rest of the frame is kept.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from bot.frames import Frame, Gallery, Observation, Tile
from bot.names import NameReader, OcrUnavailableError, ParticipantRegistry, label_hash
from bot.tile_names import read_tile_names
from model.classifier import ExpressionClassifier
from model.detector import FaceDetector
from model.labels import EMOTIONS
from model.preprocess import crop_face

log = logging.getLogger(__name__)

Splitter = Callable[[np.ndarray], Gallery]
#: Detection runs on tiles shrunk to this longest side, and keeps faces the
#: detector is this sure of. On 216 faces of 12 synthetic galleries, 160 px found 89%, 192 px 83-89%, 224 px 96%,
#: 256 px 99-100% (0.6-0.7), 320 px 100% at 1.4x the time of 256 px.
DETECT_MAX_SIDE = 256
DETECT_SCORE = 0.6
THUMBNAIL_SIDE = 64


@dataclass
class CaptureResult:
    """What one capture produced, ready for the store."""

    frames: list[Frame]
    galleries: list[Gallery]
    observations: list[Observation]
    timings_ms: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def tiles(self) -> int:
        return len(self.observations)

    @property
    def gallery(self) -> Gallery:
        """The capture's gallery: its pages' tiles together, as sure as the least sure page."""
        if len(self.galleries) == 1:
            return self.galleries[0]
        tiles = [tile for gallery in self.galleries for tile in gallery.tiles]
        confidence = min((g.confidence for g in self.galleries), default=0.0)
        return Gallery(tiles=tiles, confidence=confidence, method="pages")

    @property
    def faces(self) -> int:
        return sum(o.face_box is not None for o in self.observations)

    @property
    def names(self) -> int:
        return sum(o.name is not None and not o.name.startswith("Unnamed ") for o in self.observations)

    @property
    def total_ms(self) -> float:
        return sum(self.timings_ms.values())


def default_splitter(platform: str | None = None) -> Splitter:
    """:func:`bot.gallery.split_gallery`, told the meeting client where it is known (``--platform``)."""
    from bot.gallery import split_gallery

    return functools.partial(split_gallery, platform=platform) if platform else split_gallery


class CapturePipeline:
    """Wires the stages; one instance per bot session (it remembers names and identities)."""

    def __init__(
        self,
        classifier: ExpressionClassifier,
        detector: FaceDetector | None = None,
        name_reader: NameReader | None = None,
        splitter: Splitter | None = None,
        keep_thumbnails: bool = False,
    ) -> None:
        self.classifier = classifier
        self.detector = detector or FaceDetector(score_threshold=DETECT_SCORE, max_side=DETECT_MAX_SIDE)
        self.name_reader = name_reader
        self.splitter = splitter or default_splitter()
        self.keep_thumbnails = keep_thumbnails
        self.registry = ParticipantRegistry()

    def process(self, frames: Sequence[Frame], galleries: Sequence[Gallery] | None = None) -> CaptureResult:
        """Run the stages on one capture: one frame, or one frame per gallery page."""
        timings: dict[str, float] = {}
        errors: list[str] = []
        started = time.perf_counter()
        if galleries is None:
            galleries = [self.splitter(frame.image) for frame in frames]
        timings["split"] = _ms_since(started)

        tiles: list[tuple[Frame, Tile]] = [
            (frame, tile) for frame, g in zip(frames, galleries, strict=True) for tile in g.tiles
        ]
        # where each label is: the gallery page (frame) of this capture and the label's box on it
        places = [(page, tile.label_box) for page, g in enumerate(galleries) for tile in g.tiles]

        started = time.perf_counter()
        crops = [tile.crop(frame.image) for frame, tile in tiles]
        face_boxes = self._faces(crops, errors)
        timings["faces"] = _ms_since(started)

        started = time.perf_counter()
        read, names = self._names(tiles, places, face_boxes, errors)
        timings["names"] = _ms_since(started)

        started = time.perf_counter()
        by_tile = self._expressions(crops, face_boxes, errors)
        timings["expressions"] = _ms_since(started)

        observations = [
            _observation(tile, name, text, face_boxes[index], by_tile.get(index))
            for index, ((_frame, tile), name, text) in enumerate(zip(tiles, names, read, strict=True))
        ]
        return CaptureResult(list(frames), list(galleries), observations, timings, errors)

    def _names(
        self,
        tiles: list[tuple[Frame, Tile]],
        places: list,
        face_boxes: list[tuple[int, int, int, int] | None],
        errors: list[str],
    ) -> tuple[list[str | None], list[str]]:
        """What each tile's label reads (None where unreadable) and the participant stored for it."""
        label_crops = [tile.label_crop(frame.image) for frame, tile in tiles]
        read: list[str | None] = [None] * len(tiles)
        if self.name_reader is not None:
            try:
                # a tile without a face may show its name in the middle (Zoom, camera off): see bot.tile_names
                pairs = [(frame.image, tile) for frame, tile in tiles]
                read = read_tile_names(self.name_reader, pairs, faces=face_boxes, places=places)
            except Exception as error:  # OCR failing must not lose the capture
                errors.append(f"names: {error}")
                log.warning("reading names failed: %s", error)
        keys = [
            label_hash(crop) if name is None and crop is not None and crop.size else None
            for crop, name in zip(label_crops, read, strict=True)
        ]
        return read, self.registry.resolve(read, keys)

    def _faces(self, crops: list[np.ndarray], errors: list[str]) -> list[tuple[int, int, int, int] | None]:
        """The face box in each tile (tile pixels), None where there is none or detection failed."""
        face_boxes: list[tuple[int, int, int, int] | None] = [None] * len(crops)
        try:
            found = self.detector.largest_faces(crops) if crops else []
            face_boxes = [face.box if face is not None else None for face in found]
        except Exception as error:
            errors.append(f"faces: {error}")
            log.warning("face detection failed: %s", error)
        return face_boxes

    def _expressions(
        self, crops: list[np.ndarray], face_boxes: list[tuple[int, int, int, int] | None], errors: list[str]
    ) -> dict[int, np.ndarray]:
        """Expression probabilities by tile index, one classifier call for all faces; a face that cannot be
        cropped is dropped (its box set to None) with an error note."""
        face_crops: list[np.ndarray] = []
        with_face: list[int] = []
        for index, (crop, box) in enumerate(zip(crops, face_boxes, strict=True)):
            if box is None:
                continue
            try:
                face_crops.append(crop_face(crop, box))
                with_face.append(index)
            except Exception as error:
                errors.append(f"tile {index}: {error}")
                face_boxes[index] = None
        probabilities = self.classifier.predict_emotions(face_crops) if face_crops else np.zeros((0, len(EMOTIONS)))
        return dict(zip(with_face, probabilities, strict=True))

    def thumbnail(self, result: CaptureResult, observation: Observation) -> bytes | None:
        """A small JPEG of the face, only when the instructor asked to keep thumbnails."""
        if not self.keep_thumbnails or observation.face_box is None:
            return None
        frame = next(f for f, g in zip(result.frames, result.galleries, strict=True) if observation.tile in g.tiles)
        x, y, w, h = observation.face_box
        face = cv2.resize(frame.image[y : y + h, x : x + w], (THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        ok, encoded = cv2.imencode(".jpg", face, [cv2.IMWRITE_JPEG_QUALITY, 80])
        return encoded.tobytes() if ok else None


def _observation(
    tile: Tile,
    name: str,
    text: str | None,
    face: tuple[int, int, int, int] | None,
    probs: np.ndarray | None,
) -> Observation:
    """One tile's observation; ``face`` in tile pixels becomes frame pixels."""
    if face is not None:
        face = (face[0] + tile.box[0], face[1] + tile.box[1], face[2], face[3])
    top = int(np.argmax(probs)) if probs is not None else None
    return Observation(
        tile=tile,
        name=name,
        face_box=face,
        probabilities=probs,
        label=EMOTIONS[top] if top is not None else None,
        confidence=float(probs[top]) if top is not None else None,
        label_text=text,
    )


def build_pipeline(
    model: str = "ferplus",
    *,
    keep_thumbnails: bool = False,
    ocr: bool = True,
    names: str = "auto",
    on_no_reader: Callable[[OcrUnavailableError], None] | None = None,
    platform: str | None = None,
) -> CapturePipeline:
    """The capture pipeline with the shipped models: expression ``model``, name engine ``names``.

    Raises :class:`model.classifier.ModelNotFoundError` when the expression model is missing. A name
    reader that cannot start (:class:`bot.names.OcrUnavailableError`: Tesseract asked for but not
    installed) is not fatal: the pipeline runs without names after ``on_no_reader(error)`` (default:
    a logged warning), and students are recorded as "Unnamed N". ``platform`` (a :mod:`bot.platforms`
    name) tells the splitter the meeting client's stage colours; None: any client.
    """
    classifier = ExpressionClassifier.load(model)
    reader = None
    if ocr:
        try:
            reader = NameReader(engine=names)
        except OcrUnavailableError as error:
            if on_no_reader is None:
                log.warning("%s; students will be recorded as 'Unnamed N'", error)
            else:
                on_no_reader(error)
    return CapturePipeline(
        classifier, name_reader=reader, splitter=default_splitter(platform), keep_thumbnails=keep_thumbnails
    )


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 2)
