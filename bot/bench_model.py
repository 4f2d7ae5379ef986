"""``classmood bench model``: classifier and face-detector speed on this machine.

The classifier is timed on a batch of 49 faces (a full 7x7 gallery, the bot's
one batched call per capture) and on single faces; the detector on tiles of a
1920x1080 7x7 gallery (274x154 pixels) showing the sample faces, one batched
call for all 49 tiles and one call per tile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

import cv2
import numpy as np

FACES_DIR = Path(__file__).resolve().parent / "synthetic" / "faces"
GALLERY_TILE = (274, 154)  # one tile of a 7x7 gallery at 1920x1080


def sample_faces() -> list[np.ndarray]:
    """The shipped sample faces (48x48 gray), sorted by file name."""
    return [cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) for path in sorted(FACES_DIR.glob("*.png"))]


def face_tile(face: np.ndarray, size: tuple[int, int] = GALLERY_TILE) -> np.ndarray:
    """A BGR tile of ``size`` (w, h) with the face enlarged to ~80% of its height, centred."""
    width, height = size
    side = int(height * 0.8)
    tile = np.full((height, width, 3), 48, dtype=np.uint8)
    x, y = (width - side) // 2, (height - side) // 2
    tile[y : y + side, x : x + side] = cv2.cvtColor(cv2.resize(face, (side, side)), cv2.COLOR_GRAY2BGR)
    return tile


def _median_ms(work: Callable[[], Any], repeats: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000.0)
    return median(times)


def _face_crops(faces: list[np.ndarray]) -> list[np.ndarray]:
    """49 face crops (a full gallery) from the sample faces, as the classifier gets them."""
    return [cv2.resize(faces[i % len(faces)], (96, 96)) for i in range(49)]


def bench_model(model: str = "ferplus", repeats: int = 20) -> dict[str, Any]:
    from model.classifier import ExpressionClassifier
    from model.detector import FaceDetector

    faces = sample_faces()
    crops = _face_crops(faces)
    classifier = ExpressionClassifier.load(model)
    batch_ms = _median_ms(lambda: classifier.predict(crops), repeats)
    single_ms = _median_ms(lambda: classifier.predict(crops[:1]), repeats * 5)

    detector = FaceDetector()
    tiles = [face_tile(faces[i % len(faces)]) for i in range(49)]
    found = sum(box is not None for box in detector.largest_faces(tiles))
    batched_ms = _median_ms(lambda: detector.detect_batch(tiles), max(3, repeats // 4), warmup=1)
    per_tile_ms = _median_ms(lambda: detector.detect(tiles[0]), repeats)
    return {
        "model": model,
        "arch": classifier.info.arch,
        "classifier_batch49_median_ms": round(batch_ms, 2),
        "classifier_faces_per_s_batch49": round(49_000.0 / batch_ms, 1),
        "classifier_batch1_median_ms": round(single_ms, 3),
        "detector_tile_size": list(GALLERY_TILE),
        "detector_ms_per_tile_batched49": round(batched_ms / 49, 2),
        "detector_ms_per_tile_single": round(per_tile_ms, 2),
        "detector_faces_found": f"{found}/49",
        "goal_classifier_batch49_ms": 30.0,
    }


def summary(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"classifier {result['model']} ({result['arch']}):",
            f"  49 faces: {result['classifier_batch49_median_ms']:.1f} ms median "
            f"({result['classifier_faces_per_s_batch49']:.0f} faces/s; goal <= 30 ms)",
            f"  1 face:   {result['classifier_batch1_median_ms']:.2f} ms median",
            f"face detector on {result['detector_tile_size'][0]}x{result['detector_tile_size'][1]} tiles:",
            f"  {result['detector_ms_per_tile_batched49']:.1f} ms per tile in one batch of 49, "
            f"{result['detector_ms_per_tile_single']:.1f} ms for a tile alone; found {result['detector_faces_found']}",
        ]
    )


def compare_models(model: str, other: str, rounds: int = 60) -> dict[str, Any]:
    """Both classifiers on the same 49 faces, timed in turn (A, B, A, B ...) so that the machine's load falls
    on both alike: each one's median ms and their ratio (``other`` / ``model``)."""
    from model.classifier import ExpressionClassifier

    crops = _face_crops(sample_faces())
    pair = [ExpressionClassifier.load(model), ExpressionClassifier.load(other)]
    times: list[list[float]] = [[], []]
    for round_ in range(rounds + 2):
        for index in (0, 1) if round_ % 2 else (1, 0):
            start = time.perf_counter()
            pair[index].predict(crops)
            if round_ >= 2:  # the first two rounds warm both up
                times[index].append((time.perf_counter() - start) * 1000.0)
    first, second = median(times[0]), median(times[1])
    return {
        "model": model,
        "against": other,
        "arch": [classifier.info.arch for classifier in pair],
        "batch49_median_ms": [round(first, 2), round(second, 2)],
        "ratio": round(second / first, 3),
        "rounds": rounds,
    }


def compare_summary(result: dict[str, Any]) -> str:
    (a, b), (arch_a, arch_b) = result["batch49_median_ms"], result["arch"]
    return "\n".join(
        [
            f"49 faces, {result['rounds']} rounds taken in turn:",
            f"  {result['model']} ({arch_a}): {a:.1f} ms median",
            f"  {result['against']} ({arch_b}): {b:.1f} ms median",
            f"  ratio {result['ratio']:.2f} (second / first)",
        ]
    )
