"""Reading participants' name labels (Tesseract OCR), cached, and keeping identities stable.

Why Tesseract: with its Latin-script model (Debian ``tesseract-ocr-script-latn``)
it read every synthetic label exactly, accents and all (José Núñez, Łukasz
Żółć), while ``rapidocr-onnxruntime`` (pip-only, Chinese + English models)
dropped accents and spaces. Other scripts read once their Tesseract models are
installed (``tesseract-ocr-script-cyrl``, ``-grek``, ``-hans``, ``-arab`` ...):
:func:`default_languages` uses every script model that is present.

Tesseract runs in-process through ``tesserocr`` (its wheel bundles
libtesseract; the language models come from the system's tessdata folder),
so the model loads once and a label takes ~15 ms; labels are also cached by a
perceptual hash of their text, so in steady state no OCR runs at all.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from analytics.schema import display_name, is_truncated, normalize_name

log = logging.getLogger(__name__)

#: Label crops are scaled so that their height is about this many pixels.
OCR_HEIGHT = 64
#: Label hashes are 8 x HASH_WIDTH bits; two within HASH_TOLERANCE differing bits are the same label.
HASH_WIDTH = 32
HASH_TOLERANCE = 8
#: Label crops whose gray levels vary less than this (std) are blank.
MIN_LABEL_CONTRAST = 8.0
#: A line read with at least this mean word confidence is not read again inverted.
GOOD_LINE_CONFIDENCE = 70.0
#: Words Tesseract is less sure of than this (0-100) are dropped as noise.
MIN_WORD_CONFIDENCE = 5.0
#: A cut-short label matches a full name only on at least this many characters.
MIN_TRUNCATED_MATCH = 8
#: Characters that OCR makes of microphone / video icons at a label's ends.
_EDGE_JUNK = re.compile(r"^[^\w(]+|[^\w).…]+$")


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


def label_hash(crop: np.ndarray) -> int:
    """Difference hash of a label's text line, stable under video noise around it."""
    prepared = prepare_label(crop)
    return _image_hash(prepared if prepared is not None else _gray(crop))


def _image_hash(image: np.ndarray) -> int:
    """256-bit difference hash (33x8 thumbnail): fine enough along the line to tell names apart."""
    _, text = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    small = cv2.resize(text, (HASH_WIDTH + 1, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def _gray(crop: np.ndarray) -> np.ndarray:
    return crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)


def has_text(crop: np.ndarray) -> bool:
    """Whether a label crop has any contrast at all (a blank strip is not worth an OCR call)."""
    return float(_gray(crop).std()) >= MIN_LABEL_CONTRAST


def locate_text(gray: np.ndarray) -> tuple[int, int, int, int, bool] | None:
    """The first line of text from the left in a label strip: ``(x0, y0, x1, y1, light_text)``.

    Labels sit on a backing box (Zoom, Teams) or straight on the video
    (Meet), so a global threshold splits the strip into "label" and
    "video" rather than "text" and "background". A morphological top-hat
    (bright text) or black-hat (dark text) keeps only strokes thinner than
    the kernel; character-sized components on one baseline, from the left
    until a wide gap, are the name.
    """
    height, width = gray.shape
    # wider than a letter's strokes, narrower than a label's backing box (text is ~30% of the strip's height)
    side = max(3, int(0.4 * height)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    best: tuple[float, tuple[int, int, int, int, bool]] | None = None
    for light in (True, False):
        response = cv2.morphologyEx(gray, cv2.MORPH_TOPHAT if light else cv2.MORPH_BLACKHAT, kernel)
        threshold, _ = cv2.threshold(response, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        mask = (response > max(40.0, threshold)).astype(np.uint8)
        _count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        boxes = [
            (int(x), int(y), int(w), int(h))
            for x, y, w, h, area in stats[1:]
            if 0.12 * height <= h <= 0.5 * height and area >= 3 and w <= width * 0.6
        ]
        if not boxes:
            continue
        centres = np.array([y + h / 2 for _, y, _, h in boxes])
        weights = np.array([w * h for _, _, w, h in boxes], dtype=np.float64)
        band = float(np.median(np.repeat(centres, np.maximum(1, (weights / weights.min()).astype(int)))))
        char_height = float(np.median([h for _, _, _, h in boxes]))
        line = sorted(b for b, c in zip(boxes, centres, strict=True) if abs(c - band) <= 0.35 * height)
        if not line:
            continue
        run = [line[0]]
        y0 = min(b[1] for b in line)
        y1 = max(b[1] + b[3] for b in line)
        # Columns holding any stroke pixel on the text's rows: a letter that touches the video behind it
        # forms one large component, but its strokes still fill these columns, so the line does not break.
        inked = mask[y0:y1].any(axis=0)
        x0 = run[0][0]
        x1 = x0
        gap = 0
        for x in range(x0, width):
            if inked[x]:
                x1, gap = x + 1, 0
            else:
                gap += 1
                if gap > 1.6 * char_height:
                    break
        score = sum(0.5 * char_height <= b[3] <= 1.5 * char_height for b in line if b[0] < x1)  # letters on a line
        if best is None or score > best[0]:
            best = (score, (x0, y0, x1, y1, _text_is_lighter(gray[y0:y1, x0:x1])))
    return best[1] if best else None


def _text_is_lighter(gray: np.ndarray) -> bool:
    """Whether a text line is light on dark: bright strokes stand out more than dark ones.

    White names with a dark drop shadow (Meet) have both, but the letters
    themselves are the stronger of the two.
    """
    side = max(3, gray.shape[0] // 2) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    bright = cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, kernel)
    dark = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel)
    return float(np.percentile(bright, 97)) >= float(np.percentile(dark, 97))


def prepare_label(crop: np.ndarray) -> np.ndarray | None:
    """The name's text line as Tesseract reads it best: gray, ~48 px high, dark on light, with a margin.

    Kept gray rather than thresholded: binarizing erased the thin strokes of
    accents (Núñez read as "Ndnez"). None when the strip holds no text.
    """
    gray = _gray(crop)
    found = locate_text(gray)
    if found is None:
        return None
    x0, y0, x1, y1, light = found
    pad = max(2, (y1 - y0) // 3)
    line = gray[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]
    if light:
        line = 255 - line
    scale = OCR_HEIGHT / max(1, line.shape[0])
    line = cv2.resize(line, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(line, 12, 12, 16, 16, cv2.BORDER_REPLICATE)


def clean_label_text(text: str) -> str | None:
    """OCR text of a label -> a display name, or None when nothing name-like is left.

    Microphone, video and hand icons beside a name come out of OCR as stray
    one-character tokens or symbols at the ends of the line: they are dropped
    (an initial such as "J." is kept).
    """
    tokens = [_EDGE_JUNK.sub("", token) or token for token in text.split()]
    tokens = [token for token in tokens if token]

    def junk(token: str) -> bool:
        return len(token) == 1 or not any(ch.isalnum() for ch in token)

    while tokens and junk(tokens[0]):
        tokens.pop(0)
    while tokens and junk(tokens[-1]) and tokens[-1] not in {"…", "..."}:
        tokens.pop()
    name = display_name(" ".join(tokens))
    return name if sum(ch.isalpha() for ch in name) >= 2 else None


class NameReader:
    """Reads name labels with one in-process Tesseract engine; each distinct label is read once."""

    def __init__(self, languages: str | None = None) -> None:
        if not tesseract_available():
            raise OcrUnavailableError(
                "Tesseract's language models were not found, so names cannot be read "
                "(Debian/Ubuntu: apt install tesseract-ocr tesseract-ocr-script-latn; macOS: brew install tesseract; "
                "Windows: the UB Mannheim installer; or set TESSDATA_PREFIX)"
            )
        import tesserocr

        self.languages = languages or default_languages()
        self._api = tesserocr.PyTessBaseAPI(
            path=str(tessdata_dir()), lang=self.languages, psm=tesserocr.PSM.SINGLE_LINE
        )
        self._cache: dict[int, str | None] = {}
        self.ocr_calls = 0

    def close(self) -> None:
        self._api.End()

    def _cached(self, key: int) -> tuple[bool, str | None]:
        if key in self._cache:
            return True, self._cache[key]
        for known, name in self._cache.items():
            if (known ^ key).bit_count() <= HASH_TOLERANCE:
                self._cache[key] = name
                return True, name
        return False, None

    def read(self, crops: Sequence[np.ndarray | None]) -> list[str | None]:
        """Display names for label crops (None where unreadable); OCR only for labels not seen before."""
        names: list[str | None] = []
        for crop in crops:
            if crop is None or crop.size == 0 or min(crop.shape[:2]) < 6 or not has_text(crop):
                names.append(None)
                continue
            prepared = prepare_label(crop)
            if prepared is None:
                names.append(None)
                continue
            key = _image_hash(prepared)
            hit, name = self._cached(key)
            if not hit:
                name = clean_label_text(self._ocr(prepared))
                self._cache[key] = name
            names.append(name)
        return names

    def _ocr(self, line: np.ndarray) -> str:
        """Read one text line (dark on light). When that reading is poor, the inverted line is read too:
        white names with a dark shadow, as Meet draws them on the video, can read either way."""
        first_text, first_confidence = self._read_line(line)
        if first_text and first_confidence >= GOOD_LINE_CONFIDENCE:
            return first_text
        second_text, second_confidence = self._read_line(255 - line)
        return second_text if second_confidence > first_confidence else first_text

    def _read_line(self, image: np.ndarray) -> tuple[str, float]:
        from PIL import Image

        self.ocr_calls += 1
        self._api.SetImage(Image.fromarray(image))
        words = self._api.GetUTF8Text().split()
        confidences = self._api.AllWordConfidences()
        if len(confidences) != len(words):
            confidences = [0] * len(words)
        kept = [(w, c) for w, c in zip(words, confidences, strict=True) if c >= MIN_WORD_CONFIDENCE]
        if not kept:
            return "", 0.0
        return " ".join(w for w, _ in kept), sum(c for _, c in kept) / len(kept)


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
