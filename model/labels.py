"""Label sets of the two shipped models and the database's emotion set.

The database always stores the FER+ emotion set (a superset of FER2013's);
:func:`to_ferplus_probabilities` maps any model's output onto it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: FER2013's seven classes, in the order of its ``emotion`` column (0..6)
#: and of the image-folder names sorted alphabetically.
FER2013_CLASSES: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise")

#: FER+'s eight emotions, in the order of the vote columns of ``label.csv``.
FERPLUS_CLASSES: tuple[str, ...] = (
    "neutral",
    "happiness",
    "surprise",
    "sadness",
    "anger",
    "disgust",
    "fear",
    "contempt",
)

#: The emotion set stored in the database (same order as FER+).
EMOTIONS: tuple[str, ...] = FERPLUS_CLASSES

#: Plain words shown to teachers.
DISPLAY_NAMES: dict[str, str] = {
    "neutral": "Neutral",
    "happiness": "Happy",
    "surprise": "Surprised",
    "sadness": "Sad",
    "anger": "Angry",
    "disgust": "Disgusted",
    "fear": "Afraid",
    "contempt": "Contemptuous",
}

#: FER2013 class name -> FER+ emotion name.
FER2013_TO_FERPLUS: dict[str, str] = {
    "angry": "anger",
    "disgust": "disgust",
    "fear": "fear",
    "happy": "happiness",
    "neutral": "neutral",
    "sad": "sadness",
    "surprise": "surprise",
}

LABEL_SETS: dict[str, tuple[str, ...]] = {"fer2013": FER2013_CLASSES, "ferplus": FERPLUS_CLASSES}


def to_emotion(name: str) -> str:
    """The database emotion for a class name of either label set."""
    if name in FERPLUS_CLASSES:
        return name
    try:
        return FER2013_TO_FERPLUS[name]
    except KeyError:
        raise ValueError(f"unknown emotion class {name!r}") from None


def to_ferplus_probabilities(probabilities: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """Reorder an (N, C) probability array of ``classes`` into the (N, 8) FER+ order.

    Emotions the model does not know (contempt for a FER2013 model) get 0.
    """
    probabilities = np.asarray(probabilities, dtype=np.float32)
    out = np.zeros((probabilities.shape[0], len(EMOTIONS)), dtype=np.float32)
    for column, name in enumerate(classes):
        out[:, EMOTIONS.index(to_emotion(name))] = probabilities[:, column]
    return out
