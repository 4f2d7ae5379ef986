"""Scoring a model (ONNX, the bot's own inference path) and drawing its confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from model.classifier import ExpressionClassifier


def predict_with_tta(classifier: ExpressionClassifier, pixels: np.ndarray, tta: bool, batch: int = 256) -> np.ndarray:
    """Probabilities for (N, S, S) uint8 faces; ``tta`` averages with the mirrored faces."""
    outputs = []
    for start in range(0, len(pixels), batch):
        chunk = pixels[start : start + batch]
        probabilities = classifier.predict_pixels(chunk)
        if tta:
            probabilities = (probabilities + classifier.predict_pixels(np.ascontiguousarray(chunk[:, :, ::-1]))) / 2
        outputs.append(probabilities)
    return np.concatenate(outputs)


def save_confusion_png(report: dict[str, Any], path: str | Path, title: str) -> None:
    """Row-normalized confusion matrix with counts, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.array(report["confusion_matrix"], dtype=np.float64)
    classes: Sequence[str] = report["classes"]
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    figure, axes = plt.subplots(figsize=(1.0 + 0.8 * len(classes), 0.8 + 0.75 * len(classes)), dpi=110)
    axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(classes)), classes, rotation=40, ha="right")
    axes.set_yticks(range(len(classes)), classes)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    for i in range(len(classes)):
        for j in range(len(classes)):
            colour = "white" if shares[i, j] > 0.55 else "black"
            axes.text(
                j, i, f"{shares[i, j]:.2f}\n{int(matrix[i, j])}", ha="center", va="center", fontsize=7, color=colour
            )
    axes.set_title(f"{title}\naccuracy {report['accuracy']:.4f}, macro-F1 {report['macro_f1']:.4f}", fontsize=9)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
