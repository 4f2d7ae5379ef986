"""Tiny synthetic face datasets in the layouts users download (built in a temp folder per test)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from model.labels import FER2013_CLASSES


def fake_face(rng: np.random.Generator, label: int, size: int = 48) -> np.ndarray:
    """A 48x48 gray 'face' whose brightness pattern depends on the label (learnable, not random)."""
    image = rng.integers(0, 60, (size, size)).astype(np.uint8)
    cv2.circle(image, (size // 2, size // 2), size // 3, 120, -1)
    cv2.rectangle(image, (4 + 5 * label, 30), (10 + 5 * label, 40), 250, -1)
    return image


def make_image_folder(root: Path, per_class: int = 6, seed: int = 0, corrupt: int = 0) -> Path:
    """``root/<class>/*.jpg`` for the 7 FER2013 classes, plus ``corrupt`` unreadable files."""
    rng = np.random.default_rng(seed)
    for label, name in enumerate(FER2013_CLASSES):
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            cv2.imwrite(str(folder / f"Training_{label}{i:03d}.jpg"), fake_face(rng, label))
    for i in range(corrupt):
        (root / FER2013_CLASSES[0] / f"broken_{i}.jpg").write_bytes(b"not a jpeg")
    return root


def make_fer2013_csv(path: Path, rows_per_usage: int = 5, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    lines = ["emotion,pixels,Usage"]
    for usage in ("Training", "PublicTest", "PrivateTest"):
        for i in range(rows_per_usage):
            label = i % 7
            pixels = " ".join(str(v) for v in fake_face(rng, label).ravel())
            lines.append(f"{label},{pixels},{usage}")
    lines.append("3,1 2 3,Training")  # corrupt: not a square image
    lines.append("9," + " ".join(["0"] * 2304) + ",Training")  # corrupt: label out of range
    path.write_text("\n".join(lines) + "\n")
    return path


def make_ferplus_folder(folder: Path, votes: list[list[int]], seed: int = 0) -> Path:
    """A FER+ split folder: ``ferNNNNNNN.png`` and a header-less ``label.csv`` with the given votes."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, vote in enumerate(votes):
        name = f"fer{i:07d}.png"
        cv2.imwrite(str(folder / name), fake_face(rng, int(np.argmax(vote[:7]))))
        rows.append(f'{name},"(0, 0, 48, 48)",' + ",".join(str(v) for v in vote))
    (folder / "label.csv").write_text("\n".join(rows) + "\n")
    return folder
