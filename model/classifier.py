"""Expression classification with onnxruntime: the bot's inference path, no torch.

The shipped models are ONNX files in ``model/weights/``, exported from timm
checkpoints by ``classmood model export``. Each file carries its class
names and input size in its metadata, and outputs softmax probabilities.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from model.labels import LABEL_SETS, to_ferplus_probabilities
from model.preprocess import face_pixels, normalize
from model.sessions import cpu_session

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
SHIPPED_MODELS: tuple[str, ...] = ("ferplus", "fer2013")
DEFAULT_MODEL = "ferplus"


class ModelNotFoundError(FileNotFoundError):
    """A model name or path that names no readable ONNX file."""


def resolve_model_path(name_or_path: str) -> Path:
    """``ferplus`` / ``fer2013`` -> the shipped file; anything else is a path to an .onnx file."""
    if name_or_path in SHIPPED_MODELS:
        path = WEIGHTS_DIR / f"{name_or_path}.onnx"
        if not path.is_file():
            raise ModelNotFoundError(
                f"the shipped model {name_or_path!r} is missing from {WEIGHTS_DIR} (reinstall classmood)"
            )
        return path
    path = Path(name_or_path)
    if path.is_dir():
        path = path / "model.onnx"
    if not path.is_file():
        raise ModelNotFoundError(
            f"no model {name_or_path!r}: use {' or '.join(SHIPPED_MODELS)}, or the path of an .onnx file"
        )
    return path


@dataclass(frozen=True)
class ModelInfo:
    name: str
    classes: tuple[str, ...]
    image_size: int
    arch: str


class ExpressionClassifier:
    """Batched facial-expression classifier over an ONNX model.

    >>> classifier = ExpressionClassifier.load("ferplus")
    >>> probabilities = classifier.predict(face_crops)  # (N, len(classifier.classes))
    """

    def __init__(self, session: ort.InferenceSession, info: ModelInfo) -> None:
        self._session = session
        self._input_name = session.get_inputs()[0].name
        self.info = info

    @property
    def classes(self) -> tuple[str, ...]:
        return self.info.classes

    @property
    def image_size(self) -> int:
        return self.info.image_size

    @classmethod
    def load(cls, name_or_path: str = DEFAULT_MODEL, threads: int | None = None) -> ExpressionClassifier:
        path = resolve_model_path(name_or_path)
        try:
            session = cpu_session(path, threads)
        except Exception as error:  # onnxruntime raises its own untyped errors for a corrupt or foreign file
            detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ModelNotFoundError(f"{path}: not a usable ONNX model ({detail[:200]})") from None
        meta = session.get_modelmeta().custom_metadata_map
        classes = tuple(json.loads(meta["classes"])) if "classes" in meta else LABEL_SETS.get(path.stem, ())
        if not classes:
            raise ModelNotFoundError(f"{path}: no class names in the model's metadata")
        image_size = int(meta.get("image_size") or session.get_inputs()[0].shape[-1])
        return cls(session, ModelInfo(path.stem, classes, image_size, meta.get("arch", "unknown")))

    def predict_pixels(self, pixels: np.ndarray) -> np.ndarray:
        """(N, S, S) uint8 faces at the model's input size -> (N, C) probabilities."""
        if len(pixels) == 0:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        (probabilities,) = self._session.run(None, {self._input_name: normalize(pixels)})
        return probabilities

    def predict(self, faces: Sequence[np.ndarray]) -> np.ndarray:
        """Face crops of any size, gray or BGR -> (N, C) probabilities in ``classes`` order."""
        if len(faces) == 0:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        return self.predict_pixels(np.stack([face_pixels(face, self.image_size) for face in faces]))

    def predict_emotions(self, faces: Sequence[np.ndarray]) -> np.ndarray:
        """Probabilities mapped onto the database's 8 FER+ emotions (contempt 0 for a FER2013 model)."""
        return to_ferplus_probabilities(self.predict(faces), self.classes)
