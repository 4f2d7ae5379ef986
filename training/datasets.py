"""Readers for FER2013 (image folders and Kaggle's fer2013.csv) and FER+ (label.csv).

Every reader returns a :class:`FaceSet`: all faces as uint8 pixels already at
the model's input size (through :func:`model.preprocess.face_pixels`, the
same function the bot uses), with soft targets and hard labels. FER2013 is
small (28,709 faces of 48x48), so holding it in memory is cheaper than any
data-loader worker on a two-core machine.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from model.labels import FER2013_CLASSES, FERPLUS_CLASSES
from model.preprocess import face_pixels

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
CSV_USAGE = {"train": "Training", "val": "PublicTest", "test": "PrivateTest"}


class DatasetError(ValueError):
    """A dataset path or file that cannot be read as the requested format."""


@dataclass
class FaceSet:
    """Faces with their targets, ready for training or evaluation."""

    pixels: np.ndarray  # (N, S, S) uint8
    targets: np.ndarray  # (N, C) float32, rows sum to 1 (one-hot or vote shares)
    classes: tuple[str, ...]
    paths: list[str] = field(default_factory=list)
    skipped: int = 0

    @property
    def labels(self) -> np.ndarray:
        """Hard label per face: the class with the largest target."""
        return self.targets.argmax(axis=1)

    def __len__(self) -> int:
        return int(self.pixels.shape[0])

    def class_counts(self) -> np.ndarray:
        return np.bincount(self.labels, minlength=len(self.classes))

    def subset(self, indices: np.ndarray) -> FaceSet:
        return FaceSet(
            self.pixels[indices],
            self.targets[indices],
            self.classes,
            [self.paths[i] for i in indices] if self.paths else [],
            self.skipped,
        )


def _read_gray(path: Path) -> np.ndarray | None:
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None or image.size == 0:
        return None
    return image


def _collect(
    items: Iterable[tuple[Path, np.ndarray]], size: int, classes: tuple[str, ...], total: int, desc: str
) -> FaceSet:
    pixels: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    paths: list[str] = []
    skipped = 0
    for path, target in tqdm(items, total=total, desc=desc, unit="img", leave=False, mininterval=1.0):
        image = _read_gray(path)
        if image is None:
            skipped += 1
            log.warning("skipped unreadable image %s", path)
            continue
        pixels.append(face_pixels(image, size))
        targets.append(target)
        paths.append(str(path))
    if skipped:
        log.warning("%s: skipped %d unreadable image(s)", desc, skipped)
    if not pixels:
        raise DatasetError(f"{desc}: no readable images")
    return FaceSet(np.stack(pixels), np.stack(targets).astype(np.float32), classes, paths, skipped)


def read_image_folder(root: str | Path, size: int, classes: tuple[str, ...] = FER2013_CLASSES) -> FaceSet:
    """FER2013 as distributed on Kaggle: ``root/<class>/*.jpg``."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder")
    found = sorted(p.name for p in root.iterdir() if p.is_dir())
    unknown = [name for name in found if name not in classes]
    if not found or unknown:
        raise DatasetError(
            f"{root}: expected one folder per class ({', '.join(classes)}), found {', '.join(found) or 'none'}"
        )
    eye = np.eye(len(classes), dtype=np.float32)
    items = [
        (path, eye[classes.index(name)])
        for name in found
        for path in sorted((root / name).iterdir())
        if path.suffix.lower() in IMAGE_SUFFIXES
    ]
    return _collect(items, size, classes, len(items), root.name)


def read_fer2013_csv(path: str | Path, size: int, usage: str = "Training") -> FaceSet:
    """Kaggle's ``fer2013.csv`` (columns emotion, pixels, Usage); one ``Usage`` split."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    pixels: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    paths: list[str] = []
    skipped = 0
    eye = np.eye(len(FER2013_CLASSES), dtype=np.float32)
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"emotion", "pixels"} <= set(reader.fieldnames):
            raise DatasetError(f"{path}: expected columns emotion, pixels, Usage")
        for row_number, row in enumerate(tqdm(reader, desc=path.name, unit="row", leave=False, mininterval=1.0)):
            if row.get("Usage", usage) != usage:
                continue
            try:
                label = int(row["emotion"])
                values = np.array(row["pixels"].split(), dtype=np.uint8)
                side = round(np.sqrt(values.size))
                if side * side != values.size or not 0 <= label < len(FER2013_CLASSES):
                    raise ValueError("bad row")
            except (ValueError, TypeError, AttributeError):
                skipped += 1
                continue
            pixels.append(face_pixels(values.reshape(side, side), size))
            targets.append(eye[label])
            paths.append(f"{path.name}:{row_number}")
    if skipped:
        log.warning("%s: skipped %d corrupt row(s)", path.name, skipped)
    if not pixels:
        raise DatasetError(f"{path}: no rows with Usage={usage}")
    return FaceSet(np.stack(pixels), np.stack(targets), FER2013_CLASSES, paths, skipped)


def ferplus_majority(votes: np.ndarray) -> np.ndarray:
    """FER+ majority-vote labels for (N, 10) vote counts; -1 where the face is left out.

    Protocol (Barsoum et al. 2016): single votes are dropped as noise; the
    label is the emotion holding more than half of the remaining votes; faces
    with no such emotion, or whose majority is unknown / not-a-face, are left out.
    """
    votes = np.where(votes == 1, 0, votes).astype(np.float64)
    total = votes.sum(axis=1)
    top = votes.argmax(axis=1)
    top_votes = votes[np.arange(len(votes)), top]
    ok = (top_votes > total / 2.0) & (top < len(FERPLUS_CLASSES)) & (total > 0)
    return np.where(ok, top, -1)


def ferplus_soft_targets(votes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vote-share targets over the 8 emotions, and which faces have one.

    Single votes are dropped as in the test protocol; a face is kept when its
    emotion votes outnumber its unknown / not-a-face votes.
    """
    votes = np.where(votes == 1, 0, votes).astype(np.float64)
    emotion = votes[:, : len(FERPLUS_CLASSES)]
    emotion_total = emotion.sum(axis=1)
    keep = (emotion_total > 0) & (emotion_total > votes[:, len(FERPLUS_CLASSES) :].sum(axis=1))
    shares = emotion / np.maximum(emotion_total, 1.0)[:, None]
    return shares.astype(np.float32), keep


def read_ferplus_labels(label_csv: str | Path) -> tuple[list[str], np.ndarray]:
    """Image names and (N, 10) vote counts of a FER+ ``label.csv`` (no header)."""
    names: list[str] = []
    votes: list[list[int]] = []
    with Path(label_csv).open(newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 12 or not row[0].strip():
                continue
            try:
                votes.append([int(v) for v in row[2:12]])
            except ValueError:
                continue  # a header line or a corrupt row
            names.append(row[0].strip())
    return names, np.array(votes, dtype=np.int64).reshape(-1, 10)


def read_ferplus(folder: str | Path, size: int, soft: bool = True) -> FaceSet:
    """A FER+ split folder (``ferNNNNNNN.png`` + ``label.csv``).

    ``soft=True`` (training): vote shares as targets. ``soft=False``
    (evaluation): one-hot majority-vote labels, ambiguous faces left out.
    """
    folder = Path(folder)
    label_csv = folder / "label.csv"
    if not label_csv.is_file():
        raise DatasetError(f"{folder}: no label.csv (expected a FER+ split folder such as FER2013Train)")
    names, votes = read_ferplus_labels(label_csv)
    if soft:
        targets, keep = ferplus_soft_targets(votes)
    else:
        majority = ferplus_majority(votes)
        keep = majority >= 0
        targets = np.eye(len(FERPLUS_CLASSES), dtype=np.float32)[np.maximum(majority, 0)]
    items = [(folder / name, targets[i]) for i, name in enumerate(names) if keep[i]]
    log.info("%s: %d of %d faces have a usable label", folder.name, len(items), len(names))
    return _collect(items, size, FERPLUS_CLASSES, len(items), folder.name)


def load_faces(dataset: str, path: str | Path, size: int, role: str = "train") -> FaceSet:
    """Read a dataset by kind: ``fer2013`` (folder or .csv) or ``ferplus`` (split folder).

    ``role`` is ``train`` (soft FER+ targets; the csv's Training rows) or
    ``val`` / ``test`` (majority-vote FER+ labels; the csv's PublicTest /
    PrivateTest rows).
    """
    path = Path(path)
    if dataset == "fer2013":
        if path.suffix.lower() == ".csv":
            return read_fer2013_csv(path, size, CSV_USAGE[role])
        return read_image_folder(path, size)
    if dataset == "ferplus":
        return read_ferplus(path, size, soft=(role == "train"))
    raise DatasetError(f"unknown dataset kind {dataset!r} (use fer2013 or ferplus)")
