"""Which FER2013 Training image is which FER+ image (the two labelings of one image set).

FER+ names its images by row of Kaggle's ``fer2013.csv`` (``fer0000123.png``);
the image-folder FER2013 names them ``Training_<id>.jpg`` with an unrelated
id, and stores them as JPEG (lossy) while FER+ stores PNG. So the two are
matched by their pixels: every FER2013 face is compared with every FER+ face
on a 12x12 thumbnail (one matrix product), and the nearest is accepted when
the full 48x48 images differ by at most ``MAX_MEAN_ABS_DIFF`` grey levels on
average. Measured on the shared datasets: 28,559 faces differ from their
nearest FER+ image by under 2 levels (JPEG noise), the other 148 by 8 or more.
Exact duplicate faces within FER2013 all match the same FER+ copy (27,330
distinct FER+ images for the 28,559), so they also share its votes.

The result is cached as a small CSV (``training_id,ferplus_image,mean_abs_diff``;
an empty image name for an unmatched face) so training reads it in a blink.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from model.labels import FER2013_CLASSES

log = logging.getLogger(__name__)

MAX_MEAN_ABS_DIFF = 6.0
THUMB = 12
_TRAINING_ID = re.compile(r"^Training_(\d+)\.\w+$")


@dataclass(frozen=True)
class FerImage:
    """One FER2013 image-folder file: its id (from ``Training_<id>.jpg``), class index and path."""

    image_id: int
    label: int
    path: Path


def training_id(name: str) -> int:
    """``Training_10019449.jpg`` -> 10019449."""
    found = _TRAINING_ID.match(name)
    if not found:
        raise ValueError(f"{name}: not a FER2013 Training_<id> file name")
    return int(found.group(1))


def list_fer2013(root: str | Path) -> list[FerImage]:
    """The files of a FER2013 image folder (``root/<class>/Training_<id>.jpg``), sorted by id."""
    root = Path(root)
    images = [
        FerImage(training_id(path.name), FER2013_CLASSES.index(folder.name), path)
        for folder in sorted(root.iterdir())
        if folder.is_dir() and folder.name in FER2013_CLASSES
        for path in folder.iterdir()
        if _TRAINING_ID.match(path.name)
    ]
    return sorted(images, key=lambda image: image.image_id)


def _read(paths: list[Path]) -> np.ndarray:
    stack = np.zeros((len(paths), 48, 48), dtype=np.uint8)
    for i, path in enumerate(paths):
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if image is not None:
            stack[i] = image if image.shape == (48, 48) else cv2.resize(image, (48, 48), interpolation=cv2.INTER_AREA)
    return stack


def _thumbs(images: np.ndarray) -> np.ndarray:
    small = np.stack([cv2.resize(im, (THUMB, THUMB), interpolation=cv2.INTER_AREA) for im in images])
    return small.reshape(len(images), -1).astype(np.float32)


def nearest(queries: np.ndarray, pool: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """Index into ``pool`` of each query's nearest image (squared distance between thumbnails)."""
    q, p = _thumbs(queries), _thumbs(pool)
    pool_norm = (p * p).sum(axis=1)
    best = np.empty(len(q), dtype=np.int64)
    for start in range(0, len(q), chunk):
        block = q[start : start + chunk]
        distance = pool_norm[None, :] - 2.0 * block @ p.T  # + |q|^2, the same for the whole row
        best[start : start + chunk] = distance.argmin(axis=1)
    return best


def match_images(fer_pixels: np.ndarray, ferplus_pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each FER2013 face: the index of its FER+ copy (-1 when none is close enough) and the mean |difference|."""
    if len(ferplus_pixels) == 0:
        return np.full(len(fer_pixels), -1), np.full(len(fer_pixels), np.inf, dtype=np.float32)
    candidate = nearest(fer_pixels, ferplus_pixels)
    difference = np.abs(fer_pixels.astype(np.int16) - ferplus_pixels[candidate].astype(np.int16)).mean(axis=(1, 2))
    matched = np.where(difference <= MAX_MEAN_ABS_DIFF, candidate, -1)
    return matched, difference.astype(np.float32)


def build_matching(fer2013_train: str | Path, ferplus_train: str | Path) -> dict[int, tuple[str, float]]:
    """``{training_id: (ferplus image name or "", mean |difference|)}`` for every FER2013 Training file."""
    fer = list_fer2013(fer2013_train)
    ferplus_paths = sorted(Path(ferplus_train).glob("fer*.png"))
    log.info("matching %d FER2013 files against %d FER+ files", len(fer), len(ferplus_paths))
    matched, difference = match_images(_read([im.path for im in fer]), _read(ferplus_paths))
    return {
        image.image_id: (ferplus_paths[m].name if m >= 0 else "", float(d))
        for image, m, d in zip(fer, matched, difference, strict=True)
    }


def write_matching(matching: dict[int, tuple[str, float]], path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["training_id", "ferplus_image", "mean_abs_diff"])
        for image_id in sorted(matching):
            name, difference = matching[image_id]
            writer.writerow([image_id, name, f"{difference:.3f}"])


def read_matching(path: str | Path) -> dict[int, tuple[str, float]]:
    with Path(path).open(newline="") as handle:
        return {int(r["training_id"]): (r["ferplus_image"], float(r["mean_abs_diff"])) for r in csv.DictReader(handle)}


def load_matching(
    fer2013_train: str | Path, ferplus_train: str | Path, cache: str | Path
) -> dict[int, tuple[str, float]]:
    """The matching from ``cache`` when it is there, else built (a minute or so) and written to it."""
    cache = Path(cache)
    if cache.is_file():
        return read_matching(cache)
    matching = build_matching(fer2013_train, ferplus_train)
    write_matching(matching, cache)
    found = sum(1 for name, _ in matching.values() if name)
    log.info("matched %d of %d FER2013 Training faces to FER+ (cached in %s)", found, len(matching), cache)
    return matching
