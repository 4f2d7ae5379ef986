"""Tesseract for the name reader: where its language models are and which ones it reads with."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path


class OcrUnavailableError(RuntimeError):
    """Tesseract is not installed."""


TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
    "C:/Program Files/Tesseract-OCR/tessdata",
)


def tessdata_dir() -> Path | None:
    """Where Tesseract's language models are: $TESSDATA_PREFIX, else the usual install folders."""
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_CANDIDATES]
    for candidate in candidates:
        if candidate and any(Path(candidate).glob("*.traineddata")):
            return Path(candidate)
    return None


def installed_languages() -> set[str]:
    folder = tessdata_dir()
    return {path.stem for path in folder.glob("*.traineddata")} if folder else set()


def default_languages() -> str:
    """``Latin`` plus every other script model installed (``Cyrillic``, ``Greek`` ...), else ``eng``."""
    installed = installed_languages()
    scripts = sorted(lang for lang in installed if lang[:1].isupper() and lang != "Latin")
    if "Latin" in installed:
        return "+".join(["Latin", *scripts])
    return "eng" if "eng" in installed or not installed else "+".join(sorted(installed - {"osd"}))


def tesseract_available() -> bool:
    return importlib.util.find_spec("tesserocr") is not None and tessdata_dir() is not None


@dataclass(frozen=True)
class LineReading:
    """What Tesseract read on one line, word by word with its confidence (0-100)."""

    text: str
    words: tuple[tuple[str, float], ...]

    @property
    def weight(self) -> float:
        """Confidence summed over the letters and digits read: a long, sure reading outweighs a short one."""
        return sum(confidence * sum(ch.isalnum() for ch in word) for word, confidence in self.words)

    @property
    def confidence(self) -> float:
        """Mean confidence per letter or digit (icons read as symbols do not drag a good name down)."""
        letters = sum(sum(ch.isalnum() for ch in word) for word, _ in self.words)
        return self.weight / letters if letters else 0.0
