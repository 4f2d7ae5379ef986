"""Scoring a shipped model (ONNX, the bot's own inference path) on a labelled split, and drawing its confusion matrix.

Free of torch (``classmood model eval`` runs without the train extra); matplotlib loads only to draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from model.classifier import ExpressionClassifier
from training.datasets import DatasetError, load_faces
from training.metrics import classification_report


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


def evaluate_split(model: str, data_path: str | Path, tta: bool = False) -> dict[str, Any]:
    """Score expression model ``model`` (ferplus, fer2013 or an .onnx path) on a labelled split.

    The split is a FER+ folder (with ``label.csv``; 8-class models) or a FER2013 folder or csv
    (7-class models). Returns :func:`training.metrics.classification_report` plus the model, data,
    tta and skipped faces. Raises :class:`model.classifier.ModelNotFoundError` for a missing model and
    :class:`training.datasets.DatasetError` for a split that cannot be read or does not fit the model.
    """
    classifier = ExpressionClassifier.load(model)
    data = Path(data_path)
    dataset = "ferplus" if (data / "label.csv").is_file() else "fer2013"
    wanted = 8 if dataset == "ferplus" else 7
    if len(classifier.classes) != wanted:
        raise DatasetError(
            f"{model} has {len(classifier.classes)} classes but {data} is a {dataset} split "
            f"({wanted} classes): use the {dataset} model"
        )
    faces = load_faces(dataset, data, classifier.image_size, role="val")
    probabilities = predict_with_tta(classifier, faces.pixels, tta)
    report = classification_report(faces.labels, probabilities.argmax(axis=1), faces.classes)
    report.update({"model": model, "data": str(data), "tta": bool(tta), "skipped": faces.skipped})
    return report


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
