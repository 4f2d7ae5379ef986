"""Batch prediction over image files (``classmood model predict``): one CSV row per image.

Rows are ``path,label,confidence,p_<class>...,error``; an image that cannot be read (or, with a
detector, shows no face) gets an empty label and the reason in ``error``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np
from tqdm import tqdm

from model.classifier import ExpressionClassifier
from model.image_files import ImageReadError, read_image
from model.preprocess import crop_face

if TYPE_CHECKING:
    from model.detector import FaceDetector

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


def iter_images(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, and image files under folders (recursive, sorted)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            yield path


def _faces(chunk: list[Path], detector: FaceDetector | None, errors: dict[Path, str]) -> list[tuple[Path, np.ndarray]]:
    """The readable images of ``chunk`` (their faces, with a detector); the reason for the others in ``errors``."""
    images = []
    for path in chunk:
        try:
            images.append((path, read_image(path)))
        except ImageReadError as error:  # missing, unreadable or truncated: the reason goes in the error column
            errors[path] = str(error)
    if detector is None or not images:
        return images
    kept = []
    for (path, image), box in zip(images, detector.largest_faces([image for _, image in images]), strict=True):
        if box is None:
            errors[path] = "no face found"
        else:
            kept.append((path, crop_face(image, box.box)))
    return kept


def write_predictions(
    paths: list[Path],
    classifier: ExpressionClassifier,
    out: TextIO,
    detector: FaceDetector | None = None,
    batch_size: int = 128,
) -> tuple[int, int]:
    """Classify ``paths`` in batches and write the CSV to ``out``; returns (classified, failed)."""
    classes = classifier.classes
    writer = csv.writer(out)
    writer.writerow(["path", "label", "confidence", *[f"p_{name}" for name in classes], "error"])
    classified = failed = 0
    for start in tqdm(range(0, len(paths), batch_size), desc="classifying", unit="batch", disable=None):
        chunk = paths[start : start + batch_size]
        errors: dict[Path, str] = {}
        faces = _faces(chunk, detector, errors)
        probabilities = classifier.predict([face for _, face in faces]) if faces else np.zeros((0, len(classes)))
        by_path = dict(zip([path for path, _ in faces], probabilities, strict=True))
        for path in chunk:
            if path in by_path:
                p = by_path[path]
                top = int(p.argmax())
                writer.writerow([str(path), classes[top], f"{p[top]:.6f}", *[f"{v:.6f}" for v in p], ""])
                classified += 1
            else:
                writer.writerow([str(path), "", "", *([""] * len(classes)), errors.get(path, "error")])
                failed += 1
    return classified, failed
