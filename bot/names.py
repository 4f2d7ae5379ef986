"""Reading participants' name labels (Tesseract OCR), cached, and keeping identities stable.

Why Tesseract: with its Latin-script model (Debian ``tesseract-ocr-script-latn``)
it read every synthetic label exactly, accents and all (José Núñez, Łukasz
Żółć), while ``rapidocr-onnxruntime`` (pip-only, Chinese + English models)
dropped accents and spaces. Other scripts read once their Tesseract models are
installed (``tesseract-ocr-script-cyrl``, ``-grek``, ``-hans``, ``-arab`` ...):
:func:`default_languages` uses every script model that is present.

OCR is slow (~1 s per call, mostly loading the model), so labels are read in
one call per capture for all tiles whose label changed, and cached by a
perceptual hash of the label: in steady state no OCR runs at all.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from analytics.schema import display_name, is_truncated, normalize_name

log = logging.getLogger(__name__)

#: Label crops are scaled so that their height is about this many pixels.
OCR_HEIGHT = 48
#: Two label hashes within this many differing bits count as the same label.
HASH_TOLERANCE = 4
#: Label crops whose gray levels vary less than this (std) are blank.
MIN_LABEL_CONTRAST = 8.0
#: Words Tesseract is less sure of than this (0-100) are dropped as noise.
MIN_WORD_CONFIDENCE = 30.0
#: A cut-short label matches a full name only on at least this many characters.
MIN_TRUNCATED_MATCH = 8
#: Characters that OCR makes of microphone / video icons at a label's ends.
_EDGE_JUNK = re.compile(r"^[^\w(]+|[^\w).…]+$")


class OcrUnavailableError(RuntimeError):
    """Tesseract is not installed."""


def installed_languages() -> set[str]:
    """Tesseract's installed models (``tesseract --list-langs``)."""
    try:
        result = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        raise OcrUnavailableError(f"cannot run tesseract: {error}") from None
    return {line.strip() for line in result.stdout.splitlines()[1:] if line.strip()}


def default_languages() -> str:
    """``Latin`` plus every other script model installed (``Cyrillic``, ``Greek`` ...), else ``eng``."""
    installed = installed_languages()
    scripts = sorted(lang for lang in installed if lang[:1].isupper() and lang != "Latin")
    if "Latin" in installed:
        return "+".join(["Latin", *scripts])
    return "eng" if "eng" in installed or not installed else "+".join(sorted(installed - {"osd"}))


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def label_hash(crop: np.ndarray) -> int:
    """64-bit difference hash of a label's binarized text, stable under small video noise."""
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(binarize(gray), (9, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    return int(np.packbits(bits).view(">u8")[0])


def has_text(crop: np.ndarray) -> bool:
    """Whether a label crop has any contrast at all (a blank strip is not worth an OCR call)."""
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    return float(gray.std()) >= MIN_LABEL_CONTRAST


def binarize(gray: np.ndarray) -> np.ndarray:
    """Dark text on white: Otsu threshold, with the text taken to be the minority of pixels."""
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if (mask == 255).mean() < 0.5:  # light text on a dark label: the white class is the text
        mask = 255 - mask
    return mask


def prepare_label(crop: np.ndarray) -> np.ndarray:
    """A label crop as Tesseract reads it best: gray, ~48 px high, dark text on light, a margin.

    Kept gray rather than thresholded: binarizing erased the thin strokes of
    accents (Núñez read as "Ndnez").
    """
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    if (binarize(gray) != cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]).any():
        gray = 255 - gray  # light text on a dark label
    scale = OCR_HEIGHT / max(1, gray.shape[0])
    gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(gray, 12, 12, 16, 16, cv2.BORDER_REPLICATE)


def clean_label_text(text: str) -> str | None:
    """OCR text of a label -> a display name, or None when nothing name-like is left."""
    text = " ".join(text.split())
    text = _EDGE_JUNK.sub("", text).strip()
    name = display_name(text)
    return name if sum(ch.isalpha() for ch in name) >= 2 else None


class NameReader:
    """Reads name labels; one Tesseract call per batch of changed labels."""

    def __init__(self, languages: str | None = None) -> None:
        if not tesseract_available():
            raise OcrUnavailableError(
                "Tesseract OCR is not installed, so names cannot be read "
                "(Debian/Ubuntu: apt install tesseract-ocr tesseract-ocr-script-latn; macOS: brew install tesseract; "
                "Windows: the UB Mannheim installer)"
            )
        self.languages = languages or default_languages()
        self._cache: dict[int, str | None] = {}
        self.ocr_calls = 0

    def _cached(self, key: int) -> tuple[bool, str | None]:
        if key in self._cache:
            return True, self._cache[key]
        for known, name in self._cache.items():
            if (known ^ key).bit_count() <= HASH_TOLERANCE:
                self._cache[key] = name
                return True, name
        return False, None

    def read(self, crops: Sequence[np.ndarray | None]) -> list[str | None]:
        """Display names for label crops (None where unreadable), OCR only for unseen labels."""
        names: list[str | None] = [None] * len(crops)
        pending: dict[int, list[int]] = {}
        keys: dict[int, np.ndarray] = {}
        for index, crop in enumerate(crops):
            if crop is None or crop.size == 0 or min(crop.shape[:2]) < 6 or not has_text(crop):
                continue
            key = label_hash(crop)
            hit, name = self._cached(key)
            if hit:
                names[index] = name
            else:
                pending.setdefault(key, []).append(index)
                keys.setdefault(key, crop)
        if pending:
            order = list(pending)
            texts = self._ocr([prepare_label(keys[key]) for key in order])
            for key, text in zip(order, texts, strict=True):
                name = clean_label_text(text)
                self._cache[key] = name
                for index in pending[key]:
                    names[index] = name
        return names

    def _ocr(self, images: list[np.ndarray]) -> list[str]:
        """One Tesseract call for many labels: stacked as lines of one page, words mapped back by position."""
        import pytesseract

        self.ocr_calls += 1
        gap = 24
        width = max(image.shape[1] for image in images)
        page = np.full((sum(image.shape[0] + gap for image in images) + gap, width + 2 * gap), 255, np.uint8)
        spans = []
        y = gap
        for image in images:
            page[y : y + image.shape[0], gap : gap + image.shape[1]] = image
            spans.append((y, y + image.shape[0]))
            y += image.shape[0] + gap
        data = pytesseract.image_to_data(
            page, lang=self.languages, config="--psm 6", output_type=pytesseract.Output.DICT
        )
        words: list[list[tuple[int, str]]] = [[] for _ in images]
        for text, top, height, left, conf in zip(
            data["text"], data["top"], data["height"], data["left"], data["conf"], strict=True
        ):
            if not text.strip() or float(conf) < MIN_WORD_CONFIDENCE:
                continue
            centre = top + height / 2
            for index, (start, end) in enumerate(spans):
                if start - gap / 2 <= centre < end + gap / 2:
                    words[index].append((left, text))
                    break
        return [" ".join(text for _, text in sorted(line)) for line in words]


@dataclass
class ParticipantRegistry:
    """Keeps each student's identity stable within a session.

    - A truncated label ("Alexandra Konstantin…") and the full name seen in a
      wider tile are the same person.
    - Two tiles with the same name in one frame are two people: the second is
      stored as "Name (2)".
    - A tile whose label cannot be read gets a placeholder ("Unnamed 3") tied
      to its label's look, never the name of another student.
    """

    _stored: dict[str, str] = field(default_factory=dict)  # normalized key -> name stored for that person
    _placeholders: dict[int, str] = field(default_factory=dict)

    def _canonical(self, name: str) -> str:
        """The name this person is stored under: the first form seen (the store keys on it)."""
        key = normalize_name(name)
        if key in self._stored:
            return self._stored[key]
        truncated = is_truncated(name)
        matches = {
            known
            for known_key, known in self._stored.items()
            if min(len(key), len(known_key)) >= MIN_TRUNCATED_MATCH
            and ((truncated and known_key.startswith(key)) or (is_truncated(known) and key.startswith(known_key)))
        }
        if len(matches) == 1:  # a unique prefix match only: never merge two students
            (known,) = matches
            self._stored[key] = known
            return known
        self._stored[key] = name
        return name

    def resolve(self, names: Sequence[str | None], label_keys: Sequence[int | None]) -> list[str]:
        """Stored participant names for one frame's tiles (read names, or None where unreadable)."""
        resolved: list[str] = []
        seen: dict[str, int] = {}
        for name, label_key in zip(names, label_keys, strict=True):
            if name:
                person = self._canonical(name)
            else:
                placeholder_key = label_key if label_key is not None else -len(resolved) - 1
                person = self._placeholders.setdefault(placeholder_key, f"Unnamed {len(self._placeholders) + 1}")
            key = normalize_name(person)
            seen[key] = seen.get(key, 0) + 1
            resolved.append(person if seen[key] == 1 else f"{person} ({seen[key]})")
        return resolved
