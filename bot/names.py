"""Reading participants' name labels, cached, and keeping identities stable.

Two readers, chosen by :class:`NameReader`'s ``engine``:

- the shipped CRNN (:mod:`model.text_recognizer`, onnxruntime, ~1 ms a
  label, nothing to install): the Latin script with every European and
  Vietnamese accent, digits and the punctuation of annotations and dial-in
  numbers. It exists because Tesseract's Latin model misread accents with
  full confidence (é -> ė, ł -> t, ễ -> ë): that was most of its misses on
  the synthetic classes. It is trained on rendered labels in 18 free fonts,
  the meeting clients' faces among them, and on names the synthetic classes
  do not use (``training/name_data.py``; card: ``model/weights/names.md``).
- Tesseract (through ``tesserocr``; language models from the system's
  tessdata folder) for every other script whose model is installed
  (``tesseract-ocr-script-cyrl``, ``-grek``, ``-hans``, ``-arab`` ...):
  :func:`default_languages` uses them all. In ``auto`` mode it reads the
  lines the CRNN is unsure of, and its reading wins only when it is sure.
  Language models are not added to it: measured on 66 synthetic frames
  (1418 labels), ``Latin+pol+ces+vie`` read 76 labels right that ``Latin``
  missed but lost 69 that it had read, because Tesseract keeps, word by
  word, the surest language, and one that lacks a letter reads it
  confidently without its accent (García -> Garcia).

Labels are also cached by a print of their text line, so in steady state no
OCR runs at all.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import os
import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from statistics import median

import cv2
import numpy as np

from analytics.schema import display_name, is_truncated, normalize_name
from model.text_recognizer import LineText, greedy_decode

log = logging.getLogger(__name__)

#: Label crops are scaled so that their height is about this many pixels.
OCR_HEIGHT = 64
#: Text lines are this many pixels high for the name reader's network.
RECOGNIZER_HEIGHT = 24
#: Other heights a doubtful line is read at as well.
RETRY_HEIGHTS = (48, 80)
#: Share of the strongest stroke response that still counts as ink when a found line is followed to its ends.
WEAK_STROKE_SHARE = 0.3
LIGHT_TEXT_PREFERENCE = 0.75
#: Line prints (see _line_print) are this many pixels high; two that differ in at most PRINT_TOLERANCE of their
#: ink are the same label. Measured on synthetic classes: the same label over time differed by 0 in 96% of
#: pairs (and > 0.1 or in width otherwise, which only costs a second OCR), different names by >= 0.76.
PRINT_HEIGHT = 24
PRINT_TOLERANCE = 0.05
#: ... and in at most this share (and PRINT_LETTER_MIN pixels) of the ink in any letter-wide window of columns.
PRINT_LETTER_TOLERANCE = 0.15
PRINT_LETTER_MIN = 3
#: A line print whose ink covers less or more of it than this cannot tell labels apart (see _telling_print).
PRINT_INK_SHARE = (0.02, 0.8)
#: Line prints kept per print width (the newest); a class has a few dozen labels.
CACHE_PER_WIDTH = 64
#: Label hashes (the key of an unreadable label's placeholder) are 8 x HASH_WIDTH bits.
HASH_WIDTH = 32
#: Label crops whose gray levels vary less than this (std) are blank.
MIN_LABEL_CONTRAST = 8.0
#: A line read with at least this mean word confidence is not read again inverted.
GOOD_LINE_CONFIDENCE = 85.0
#: Name engines (see NameReader); the CLI spells them out as bot.commands.bot_cmd.ENGINE_CHOICES.
ENGINES = ("auto", "crnn", "tesseract")
#: In "auto" mode Tesseract reads a line where the CRNN's least sure letter has a probability under
#: SURE_LETTER, and its reading wins where its mean letter confidence (0-100) is above
#: TESSERACT_BAR + TESSERACT_BAR_PER_LEAST x that probability: the surer the CRNN, the surer Tesseract must be.
#: A CRNN reading made only of known names (model.name_lexicon) is kept. With the lexicon, on --seed 3 frames
#: (2729 labels): bar 85 -> 2655 right, 87 -> 2660, 88 -> 2661, 90 -> 2657; the CRNN alone 2656.
SURE_LETTER = 0.9
TESSERACT_BAR = 88.0
TESSERACT_BAR_PER_LEAST = 10.0
#: Of the CRNN's readings of a line in both polarities, the one with the larger sum of letter probabilities
#: plus this many times its least sure letter's wins (chosen on --seed 3 frames: 0 gave 2569 of 2729 labels
#: right, 1-4 gave 2580-2584, 3 the most).
POLARITY_LEAST_WEIGHT = 3.0
#: Tesseract's reading wins where it holds one of these characters (the CRNN was not trained on them: it reads
#: "@" as "O" or "Q" and commas as full stops) with at least this mean confidence.
TESSERACT_ONLY_CHARS = frozenset("@,")
#: ... or a username's full stop between two words ("Jonathan.Sears", "Ming.Chan"; the CRNN reads "-").
_USERNAME_DOT = re.compile(r"[^\W\d_]{2}\.[^\W\d_]{2}")
TESSERACT_ONLY_BAR = 80.0
#: A script model's reading of a line (Cyrillic, Hangul ...) wins where its confidence is above this and the
#: Latin model's.
SCRIPT_BAR = 60.0
#: Other scripts are tried only where the CRNN's least sure letter is under this and Tesseract's Latin reading is
#: under GOOD_LINE_CONFIDENCE (a Cyrillic name read as Latin: "Роман" -> "PoMaH").
SCRIPT_SURE = 0.7
#: ... and where at most this share of its letters look like Latin ones (see _own_letters).
SCRIPT_LOOKALIKE_SHARE = 0.7
SCRIPT_LATIN_SHARE = 0.2
#: Where a label reads as nothing or as junk (least sure letter under BAND_SURE), the strip's lowest rows are read
#: again: these shares of its height (at least MIN_BAND_HEIGHT rows), twice as large where under BAND_UPSCALE_BELOW
#: rows; that reading replaces junk where it is at least BAND_WINS sure. Measured on the real development set
#: (python -m bot.realset) and 60 synthetic frames (seed 7): readings under 0.2 were junk on both, and a band's
#: reading of a synthetic label read at 0.25-0.5 was more often wrong (accents lost) than right.
LABEL_BANDS = (0.6, 0.35)
BAND_SURE = 0.2
BAND_WINS = 0.5
MIN_BAND_HEIGHT = 14
BAND_UPSCALE_BELOW = 32
#: A cut-short label matches a full name only on at least this many characters.
MIN_TRUNCATED_MATCH = 8
#: Characters that OCR makes of microphone / video icons at a label's ends. A handle's "@" and the comma after a
#: word are text ("Jean, @jeanb, Paris"); a comma at the line's end is dropped apart.
_EDGE_JUNK = re.compile(r"^(?:[^\w(@]|_|@(?!\w))+|(?:[^\w).…,]|_)+$")
#: Roles and pronouns meeting clients append to names, letters only ("(she/her)" -> "sheher").
_ANNOTATIONS = ("host", "cohost", "guest", "me", "hehim", "sheher", "theythem", "shethey", "hethey", "zezir")
_CLOSING_BRACKETS = str.maketrans("]}", "))")
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘ʼ`", "'"))
_ROMAN_SUFFIX = re.compile(r"^([Il1]{2,3})(?=$|\.\.\.$|…$)")
_BROKEN_HYPHEN = re.compile(r"(?<=\w)- +(?=\w)")
#: A word of four or more letters and one full stop: no name ends so, an icon read as "." does.
_STRAY_FULL_STOP = re.compile(r"^[^\W\d_]{4,}\.$")
#: A phone number, masked ("*", "•") or not, as meeting clients show dial-in callers.
_PHONE = re.compile(r"[+(]?[\d*•#][\d*•#\s().-]{4,}[\d*•#]")


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
    gray = _gray(crop)
    lines = locate_lines(gray)
    return _image_hash(_line_image(gray, lines[0], lines[0].light, clean=False) if lines else gray)


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


@dataclass(frozen=True)
class TextLine:
    """Where a label's name is in its strip, and whether it is drawn light on dark."""

    x0: int
    y0: int
    x1: int
    y1: int
    light: bool
    char_height: float


def _stroke_response(gray: np.ndarray, light: bool) -> np.ndarray:
    """Thin light (top-hat) or dark (black-hat) strokes, with the video or backing box behind them removed.

    The kernel is wider than a letter's strokes and narrower than a label's
    backing box (text is ~30% of the strip's height).
    """
    side = max(3, int(0.4 * gray.shape[0])) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    return cv2.morphologyEx(gray, cv2.MORPH_TOPHAT if light else cv2.MORPH_BLACKHAT, kernel)


def _stroke_mask(response: np.ndarray, share: float = 0.5) -> np.ndarray:
    """Stroke pixels: the strongest part of the response (Otsu alone also keeps video edges under the text).

    ``share`` of the strongest response is the bar; a thin, anti-aliased "I" or "l" stays under half of it.
    """
    otsu, _ = cv2.threshold(response, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bar = max(40.0, share * float(np.percentile(response, 99.5)))
    return (response > (max(bar, otsu) if share >= 0.5 else bar)).astype(np.uint8)


def _best_run(
    boxes: list[tuple[int, int, int, int]], marks: list[tuple[int, int, int, int]] = ()
) -> tuple[list[tuple[int, int, int, int]], float] | None:
    """The longest left-to-right run of letter-sized boxes on one text line, and its letter height.

    Every box's middle row is tried as the line; boxes crossing that row, of
    about the line's median height, form runs that a gap wider than a
    letter ends. ``marks`` (pieces too small to be letters: a thin "s"
    broken in two, a hyphen) on the line's rows bridge gaps but are not
    counted. Ties go to the leftmost run (names are left-aligned).
    """
    best: tuple[int, int, list[tuple[int, int, int, int]], float] | None = None
    boxes = sorted(boxes)
    for row in sorted({y + h / 2 for _, y, _, h in boxes}):
        crossing = [b for b in boxes if b[1] <= row < b[1] + b[3]]
        char_height = float(median(b[3] for b in crossing))
        letter_sized = [0.45 * char_height <= b[3] <= 1.6 * char_height for b in crossing]
        line = [b for b, letter in zip(crossing, letter_sized, strict=True) if letter]
        if not line:  # e.g. one tall and one short piece: neither is near their median height
            continue
        top = min(b[1] for b in line)
        bottom = max(b[1] + b[3] for b in line)
        # a piece on the line of another height (a "J" reaching below the baseline, a letter joined to its
        # accent) is not counted as a letter, but does not split the name in two either
        odd = [b for b, letter in zip(crossing, letter_sized, strict=True) if not letter]
        # commas, full stops and underscores sit on or just under the baseline: "Jean, @jean", "user_02"
        hanging = bottom + 0.4 * char_height
        below = [b for b in boxes if b[1] >= row and b[3] <= 0.6 * char_height and b[1] + b[3] / 2 <= hanging]
        bridges = [m for m in marks if top <= m[1] + m[3] / 2 <= hanging] + odd + below
        runs: list[list[tuple[int, int, int, int]]] = []
        right = -(10**9)
        for box, counts in sorted([(b, True) for b in line] + [(m, False) for m in bridges]):
            if box[0] - right > 1.2 * char_height:
                if not counts:
                    continue
                runs.append([])
            if counts:
                runs[-1].append(box)
            right = max(right, box[0] + box[2])
        for run in runs:
            if best is None or (len(run), -run[0][0]) > (best[0], best[1]):
                best = (len(run), -run[0][0], run, char_height)
    return (best[2], best[3]) if best else None


def _extend(inked: np.ndarray, start: int, step: int, max_gap: float) -> int:
    """From ``start``, follow inked columns in direction ``step`` across gaps up to ``max_gap``; the last inked one."""
    last, gap, x = start, 0, start + step
    while 0 <= x < len(inked):
        if inked[x]:
            last, gap = x, 0
        else:
            gap += 1
            if gap > max_gap:
                break
        x += step
    return last


def locate_lines(gray: np.ndarray) -> list[TextLine]:
    """Candidate name lines in a label strip (gray), the longest run of letters first; empty when there is none.

    Labels sit on a backing box (Zoom, Teams) or straight on the video
    (Meet), so a global threshold splits the strip into "label" and
    "video" rather than "text" and "background". Thin strokes are kept
    instead (:func:`_stroke_response`); letter-sized pieces that do not
    touch the strip's top or bottom (video edges and stripes do) and line up
    on one baseline are the name. Both polarities give a candidate.
    """
    height = gray.shape[0]
    found: list[tuple[int, TextLine]] = []
    for light in (True, False):
        response = _stroke_response(gray, light)
        mask = _stroke_mask(response)
        _count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        inside = [(int(x), int(y), int(w), int(h), int(area)) for x, y, w, h, area in stats[1:] if 0 < y < height - h]
        boxes = [
            (x, y, w, h)
            for x, y, w, h, area in inside
            if 0.12 * height <= h <= 0.6 * height and area >= 3 and w <= 3 * h
        ]
        marks = [(x, y, w, h) for x, y, w, h, area in inside if h < 0.12 * height and area >= 2]
        best = _best_run(boxes, marks) if boxes else None
        if best is None:
            continue
        run, char_height = best
        y0 = min(b[1] for b in run)
        y1 = max(b[1] + b[3] for b in run)
        # Columns holding any stroke pixel on the text's rows: a letter that touches the video behind it is
        # not letter-sized, but its strokes still fill these columns, so the line does not break there.
        inked = _stroke_mask(response, WEAK_STROKE_SHARE)[y0:y1].any(axis=0)
        x0 = _extend(inked, run[0][0], -1, 0.5 * char_height)
        x1 = _extend(inked, max(b[0] + b[2] for b in run) - 1, 1, 1.2 * char_height) + 1
        # a letter that reaches past the line's rows (the hook of a "J" below the baseline) is kept whole
        for x, y, w, h in boxes:
            if x < x1 and x + w > x0 and y < y1 and y + h > y0:
                x0, x1 = min(x0, x), max(x1, x + w)
        # Accents above the capitals (É, ễ) and tails below the baseline (ę, ç) are pieces of their own.
        for x, y, w, h, _area in stats[1:]:
            if x >= x0 and x + w <= x1 and h < char_height:
                if y0 - 0.7 * char_height <= y < y0 and y + h > y0 - 0.7 * char_height:
                    y0 = int(y)
                if y1 < y + h <= y1 + 0.6 * char_height and y < y1 + 0.6 * char_height:
                    y1 = int(y + h)
        # Light text wins unless the dark reading has clearly more letters: meeting clients draw names white
        # (dark only on a light backing box, where the light reading finds next to nothing), and Meet's
        # white names cast a dark shadow of the same shape.
        found.append(
            (len(run) / (LIGHT_TEXT_PREFERENCE if light else 1.0), TextLine(x0, y0, x1, y1, light, char_height))
        )
    return [line for _, line in sorted(found, key=lambda item: -item[0])]


def _line_image(
    gray: np.ndarray,
    found: TextLine,
    light: bool,
    clean: bool,
    height: int = OCR_HEIGHT,
    response: np.ndarray | None = None,
    border: bool = True,
) -> np.ndarray:
    """The text line, dark on light, scaled to ``height`` pixels and with a margin.

    ``response`` is :func:`_stroke_response` of ``gray`` for ``light``, where the caller has it already.

    ``clean`` paints the line's background over everything on the far side
    of the background from the text (a drop shadow, which outlines the
    letters) and over whatever is not a stroke beyond the line's ends:
    Tesseract reads those as doubled strokes or extra letters.
    """
    pad = max(2, (found.y1 - found.y0) // 3)
    rows = slice(max(0, found.y0 - pad), found.y1 + pad)
    cols = slice(max(0, found.x0 - pad), found.x1 + pad)
    line = gray[rows, cols]
    if light:
        line = 255 - line
    if clean:
        core = gray[found.y0 : found.y1, found.x0 : found.x1]
        background = np.uint8(round(float(np.median(255 - core if light else core))))
        line = np.minimum(line, background)
        # Beyond the line's ends only strokes (and what touches them) are kept: not the video round a label's
        # rounded corners, nor stripes and icons' halos.
        reach = max(1, round(0.25 * found.char_height))
        if response is None:
            response = _stroke_response(gray, light)
        strokes = _stroke_mask(response)[rows, cols]
        keep = cv2.dilate(strokes, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
        keep[:, found.x0 - cols.start : found.x1 - cols.start] = 1
        line = np.where(keep > 0, line, background).astype(np.uint8)
        ink = float(np.percentile(line, 2))  # full contrast: black ink on white paper
        line = np.clip((line.astype(np.float32) - ink) * (255.0 / max(1.0, float(background) - ink)), 0, 255)
        line = line.astype(np.uint8)
    scale = height / max(1, line.shape[0])
    if not border:
        size = (max(1, round(line.shape[1] * scale)), height)
        return cv2.resize(line, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    line = cv2.resize(line, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(line, 12, 12, 16, 16, cv2.BORDER_REPLICATE)


def recognizer_input(gray: np.ndarray, line: TextLine) -> np.ndarray:
    """What the name reader's network reads (:mod:`model.text_recognizer`): the cleaned line, dark on light,
    :data:`RECOGNIZER_HEIGHT` pixels high; training cuts its rendered strips with this same function."""
    image = _line_image(gray, line, line.light, clean=True, height=RECOGNIZER_HEIGHT, border=False)
    # a line found in the wrong polarity (the gaps of dark letters on a light box) comes out light on dark
    return 255 - image if np.median(np.concatenate([image[0], image[-1]])) < 128 else image


def _line_print(image: np.ndarray) -> np.ndarray:
    """The ink of a cleaned line image (:func:`_line_image`) at :data:`PRINT_HEIGHT` pixels high (bool):
    what tells one label from another."""
    width = max(1, round(image.shape[1] * PRINT_HEIGHT / image.shape[0]))
    return cv2.resize(image, (width, PRINT_HEIGHT), interpolation=cv2.INTER_AREA) < 128


def _cleaned_line(gray: np.ndarray, line: TextLine) -> tuple[TextLine, np.ndarray, np.ndarray]:
    """The line, its cleaned image and its print; in the other polarity where the first one prints as a block.

    Dark letters on a light box can pass for light strokes (the box between the letters), and cleaning that
    reading leaves one block of ink: such a line is dark text.
    """
    image = _line_image(gray, line, line.light, clean=True)
    line_print = _line_print(image)
    if not _telling_print(line_print):
        flipped = dataclasses.replace(line, light=not line.light)
        flipped_image = _line_image(gray, flipped, flipped.light, clean=True)
        flipped_print = _line_print(flipped_image)
        if _telling_print(flipped_print):
            return flipped, flipped_image, flipped_print
    return line, image, line_print


def find_name_line(gray: np.ndarray) -> tuple[TextLine, np.ndarray, np.ndarray] | None:
    """The name's line in a label strip, its cleaned image for Tesseract and its print; None without one."""
    lines = locate_lines(gray)
    return _cleaned_line(gray, lines[0]) if lines else None


def _telling_print(line_print: np.ndarray) -> bool:
    """Whether a line print can tell labels apart: its letters ink some of the line, never (nearly) all of it.

    A line found in the wrong polarity (dark letters on a light box taken for light letters) prints as one
    block of ink; two such blocks of the same width are alike whatever names they hold.
    """
    return PRINT_INK_SHARE[0] <= float(line_print.mean()) <= PRINT_INK_SHARE[1]


def _same_print(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two line prints show the same label: as wide (+-1 column) and differing in at most
    :data:`PRINT_TOLERANCE` of their ink. One digit of a dial-in number changes about a tenth of it."""
    if abs(a.shape[1] - b.shape[1]) > 1 or not (_telling_print(a) and _telling_print(b)):
        return False
    width = min(a.shape[1], b.shape[1])
    a, b = a[:, :width], b[:, :width]
    ink = max(int(a.sum()), int(b.sum()), 1)
    if int((a ^ b).sum()) > PRINT_TOLERANCE * ink:
        return False
    # one letter of a long label ("multistream_05" / "_06") is a small share of the whole line's ink, but not
    # of the ink around it: the difference is also compared letter by letter
    window = np.ones(PRINT_HEIGHT // 2)
    differ = np.convolve((a ^ b).sum(axis=0), window, "valid")
    around = np.convolve(np.maximum(a.sum(axis=0), b.sum(axis=0)), window, "valid")
    return not bool((differ > np.maximum(PRINT_LETTER_MIN, PRINT_LETTER_TOLERANCE * around)).any())


def _phone_number(text: str) -> str | None:
    """A dial-in caller's label ("+1 425-***-**25", "(•••) •••-••40") as read, or None when the text is a name."""
    if sum(ch.isalpha() for ch in text) >= 2:
        return None
    match = _PHONE.search(text)
    if match is None or sum(ch.isdigit() for ch in match.group()) < 2:
        return None
    return match.group().strip()


def _ends_junk(token: str) -> bool:
    """A token at a label's end that is an icon read as text ("4.", "$", "%4", "3,"), not part of a name.

    A lone character counts (microphone icons read as "4" or "l"); a number of
    two or more digits is kept ("Student 12" is not "Student").
    """
    if len(token) == 1:
        return True
    if len(token) == 2 and token[0].islower() and token[1] == ".":
        return True  # an icon read as "ş." or "ẹ.": an initial is a capital
    letters = sum(ch.isalpha() for ch in token)
    if letters and len(token) <= 3 and any(ch.isdigit() for ch in token):
        return True  # an icon read as "1L" or "X4.": short names and initials hold no digits
    return not letters and not token.isdigit()


def _misread_annotation(token: str) -> bool:
    """Whether a trailing "(...)" is a role or pronouns that OCR garbled: "(sheher)", "(heżhim)", "tthey/them)".

    Intact annotations are removed by :func:`analytics.schema.display_name`; this catches the near misses
    (similarity >= 0.75 to a known one), so that they do not become part of the name.
    """
    if not token.endswith(")") or "(" in token[1:]:
        return False  # only "(...)" or "...)" (its "(" lost or read as a letter) can be an annotation
    letters = "".join(ch for ch in token.casefold() if ch.isalpha())
    return any(SequenceMatcher(None, letters, known).ratio() >= 0.75 for known in _ANNOTATIONS)


def _round_brackets(token: str) -> str:
    """A token's curly or square brackets as the round ones they were: "{Guest}" -> "(Guest)".

    An opening one counts only where the token also closes: a microphone icon read as "{L" stays junk.
    """
    closed = token.translate(_CLOSING_BRACKETS)
    if closed[:1] in "{[" and closed.endswith(")"):
        return "(" + closed[1:]
    return closed


def clean_label_text(text: str) -> str | None:
    """OCR text of a label -> a display name, or None when nothing name-like is left.

    Microphone, video and hand icons beside a name come out of OCR as stray
    tokens or symbols at the ends of the line: they are dropped (an initial
    such as "J." is kept). A phone dial-in label is kept as its number.
    """
    phone = _phone_number(text)
    if phone is not None:
        return phone
    text = text.translate(_APOSTROPHES)  # O’Brien and O'Brien are one student
    # OCR often reads an annotation's round brackets as curly or square ones: "{Guest}", "(she/her}".
    text = " ".join(_round_brackets(token) for token in text.split())
    # A hyphenated name read as two words ("Montgomery- Fitzwilliam") is one word.
    text = _BROKEN_HYPHEN.sub("-", text)
    tokens = [_EDGE_JUNK.sub("", token) or token for token in text.split()]
    tokens = [token for token in tokens if token]
    if len(tokens) > 1:
        # A generational suffix read with l or 1 for I: "Fitzwilliam Ill" -> "Fitzwilliam III".
        tokens[-1] = _ROMAN_SUFFIX.sub(lambda m: "I" * len(m.group(1)), tokens[-1])
    while tokens and _ends_junk(tokens[0]):
        tokens.pop(0)
    while tokens and _ends_junk(tokens[-1]) and tokens[-1] not in {"…", "..."}:
        tokens.pop()
    cut = next((i for i, token in enumerate(tokens) if i and is_truncated(token)), None)
    if cut is not None:
        del tokens[cut + 1 :]  # a label the client cut short ends at its dots: what follows is an icon
    if tokens and tokens[-1].endswith(","):
        tokens[-1] = tokens[-1].rstrip(",")
    if tokens and tokens[-1][:1] in "({" and ")" not in tokens[-1] and not is_truncated(tokens[-1]):
        # "(Guest" with its ")" lost to an icon; "(Co-h…" is a label cut short, not a lost ")"
        tokens[-1] = "(" + tokens[-1][1:] + ")"
    if len(tokens) > 1 and _misread_annotation(tokens[-1]):
        tokens.pop()
    if len(tokens) > 1 and _STRAY_FULL_STOP.match(tokens[-1]):
        tokens[-1] = tokens[-1][:-1]  # an icon's dot after a surname: "Emma Silva." (initials, "Jr." are shorter)
    if tokens and tokens[-1].endswith(")") and "(" not in " ".join(tokens):
        tokens[-1] = tokens[-1].rstrip(")")  # an icon read as a closing bracket: "Farah Szabó)"
    name = display_name(" ".join(tokens))
    return name if sum(ch.isalpha() for ch in name) >= 2 else None


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


#: Cyrillic and Greek letters drawn like Latin ones: a Latin name read by those models comes out of them.
_LATIN_LOOKALIKES = frozenset("АВЕЅІЈКМНОРСТУХаеѕіјорсухԁһӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικνυ")


def _own_letters(text: str) -> bool:
    """Whether a script model's reading is in its own script: letters not drawn like Latin ones ("Ава Кауа" is
    "Ava Kaya" read by the Cyrillic model, "Роман Куб'як" is Cyrillic), next to no Latin letters (the script
    models know Latin too), and a name's worth of them (a Han or Hangul syllable counts for two letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    scripts = [unicodedata.name(ch, "LATIN").split()[0] for ch in letters]
    latin = sum(script == "LATIN" for script in scripts)
    lookalike = sum(ch in _LATIN_LOOKALIKES for ch in letters)
    weight = sum(2 if script in ("CJK", "HANGUL") else 1 for script in scripts)
    return (
        weight >= 3
        and latin <= SCRIPT_LATIN_SHARE * len(letters)
        and latin + lookalike <= SCRIPT_LOOKALIKE_SHARE * len(letters)
    )


def _tesseract_only(reading: LineReading, crnn_text: str) -> bool:
    """Whether Tesseract's reading is the one to keep although the CRNN's would win on confidence: it surely
    read characters the CRNN never learned (a handle's "@", commas between words: "Jean, @jeanb, Paris", a
    username's full stop: "Ming.Chan"), or
    the same letters with other digits (the CRNN's small digits: 5 for 6; student numbers)."""
    if reading.confidence < TESSERACT_ONLY_BAR:
        return False
    if TESSERACT_ONLY_CHARS & set(reading.text) or _USERNAME_DOT.search(reading.text):
        return True

    def letters(text: str) -> str:
        return "".join(ch for ch in text.casefold() if ch.isalpha())

    def digits(text: str) -> str:
        return "".join(ch for ch in text if ch.isdigit())

    return letters(reading.text) == letters(crnn_text) and digits(reading.text) != digits(crnn_text) != ""


def tesseract_wins(least_letter: float, tesseract_confidence: float) -> bool:
    """Whether Tesseract's reading (mean letter confidence 0-100) beats the CRNN's, whose least sure
    letter has probability ``least_letter``."""
    return tesseract_confidence > TESSERACT_BAR + TESSERACT_BAR_PER_LEAST * least_letter


class NameReader:
    """Reads name labels: the shipped CRNN first, Tesseract where it is installed and the CRNN is unsure.

    ``engine``: ``"auto"`` (the default, as above), ``"crnn"`` (the shipped
    reader only: Latin script, no system install) or ``"tesseract"`` (Tesseract
    only: every script whose model is installed). Each distinct label is read once.
    ``lexicon``: correct the CRNN's readings towards known name words
    (:mod:`model.name_lexicon`); off, it reads letter by letter.
    """

    def __init__(self, languages: str | None = None, engine: str = "auto", lexicon: bool = True) -> None:
        from model.name_lexicon import NameLexicon, lexicon_available
        from model.text_recognizer import TextRecognizer, recognizer_available

        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
        self.engine = engine
        self._recognizer = TextRecognizer() if engine != "tesseract" and recognizer_available() else None
        self._lexicon = None
        if self._recognizer is not None and lexicon and lexicon_available():
            self._lexicon = NameLexicon.load()
        self._api = None
        self.languages = ""
        wants_tesseract = engine == "tesseract" or (engine == "auto" and tesseract_available())
        if engine == "crnn" and self._recognizer is None:
            raise OcrUnavailableError(
                "the shipped name reader model/weights/names.onnx is missing (reinstall classmood)"
            )
        if self._recognizer is None and not tesseract_available():
            raise OcrUnavailableError(
                "Tesseract's language models were not found, so names cannot be read "
                "(Debian/Ubuntu: apt install tesseract-ocr tesseract-ocr-script-latn; macOS: brew install tesseract; "
                "Windows: the UB Mannheim installer; or set TESSDATA_PREFIX)"
            )
        self._script_apis: dict[str, object] = {}
        if wants_tesseract:
            import tesserocr

            self.languages = languages or default_languages()
            main = self.languages
            if engine == "auto":  # script models read alone, each line in the surest script (see _ocr)
                parts = self.languages.split("+")
                scripts = [lang for lang in parts[1:] if lang[:1].isupper()]
                main = "+".join(lang for lang in parts if lang not in scripts)
                for script in scripts:
                    self._script_apis[script] = tesserocr.PyTessBaseAPI(
                        path=str(tessdata_dir()), lang=script, psm=tesserocr.PSM.SINGLE_LINE
                    )
            self._api = tesserocr.PyTessBaseAPI(path=str(tessdata_dir()), lang=main, psm=tesserocr.PSM.SINGLE_LINE)
        self._cache: dict[int, list[tuple[np.ndarray, str | None]]] = {}  # print width -> (print, name) read
        self._by_place: dict[Hashable, tuple[TextLine, np.ndarray, str | None]] = {}
        self.ocr_calls = 0

    def close(self) -> None:
        for api in [self._api, *self._script_apis.values()]:
            if api is not None:
                api.End()

    def _cached(self, line_print: np.ndarray) -> tuple[bool, str | None]:
        for width in (line_print.shape[1], line_print.shape[1] - 1, line_print.shape[1] + 1):
            for known, name in self._cache.get(width, ()):
                if _same_print(known, line_print):
                    return True, name
        return False, None

    def read(self, crops: Sequence[np.ndarray | None], places: Sequence[Hashable] | None = None) -> list[str | None]:
        """Display names for label crops (None where unreadable); OCR only for labels not seen before.

        ``places`` (e.g. each tile's label box) let a steady gallery skip finding the text line again:
        where the line found last time at the same place still shows the same label, ending where it
        ended, the name read then is kept (see :meth:`_same_as_before`).
        """
        names: list[str | None] = []
        for index, crop in enumerate(crops):
            place = places[index] if places is not None else None
            if crop is None or crop.size == 0 or min(crop.shape[:2]) < 6 or not has_text(crop):
                names.append(None)
                continue
            gray = _gray(crop)
            before = self._by_place.get(place) if place is not None else None
            if before is not None and self._same_as_before(gray, *before[:2]):
                names.append(before[2])
                continue
            candidates = locate_lines(gray)
            if not candidates:
                names.append(self._read_bands(gray)[0])
                continue
            line, image, line_print = _cleaned_line(gray, candidates[0])
            hit, name = self._cached(line_print)
            if not hit:
                text, sure = self._ocr(gray, line, image, candidates)
                name = clean_label_text(text)
                if name is None or sure < BAND_SURE:
                    band_name, band_sure = self._read_bands(gray)
                    if band_name is not None and (name is None or band_sure >= BAND_WINS):
                        name = band_name
                if _telling_print(line_print):
                    bucket = self._cache.setdefault(line_print.shape[1], [])
                    bucket.append((line_print, name))
                    del bucket[:-CACHE_PER_WIDTH]  # labels over changing video leave many prints: keep the newest
            if place is not None:
                self._by_place[place] = (line, line_print, name)
            names.append(name)
        return names

    def _read_bands(self, gray: np.ndarray) -> tuple[str | None, float]:
        """The surest name read in the lower parts of a label strip (see :data:`LABEL_BANDS`), and how sure.

        Real clients draw labels of many sizes: Zoom's 2023 UI a small one at the very bottom of a large
        tile, where the strip's other rows (video) swamp the line finder, which sizes letters by the strip.
        """
        best: tuple[str | None, float] = (None, 0.0)
        height = gray.shape[0]
        for share in LABEL_BANDS:
            rows = max(MIN_BAND_HEIGHT, round(share * height))
            if rows >= height:
                continue
            band = gray[height - rows :]
            if rows < BAND_UPSCALE_BELOW:
                band = cv2.resize(band, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            candidates = locate_lines(band)
            if not candidates:
                continue
            line, image, _print = _cleaned_line(band, candidates[0])
            text, sure = self._ocr(band, line, image, candidates, scripts=False)
            name = clean_label_text(text)
            if name is not None and sure > best[1]:
                best = (name, sure)
        return best

    @staticmethod
    def _same_as_before(gray: np.ndarray, line: TextLine, line_print: np.ndarray) -> bool:
        """Whether ``gray`` shows, where ``line`` was found, the same text line (``line_print``), starting and
        ending where it did: a longer or shorter name that shares the beginning is not taken for it."""
        height, width = gray.shape
        if line.x1 > width or line.y1 > height:
            return False
        response = _stroke_response(gray, line.light)
        if not _same_print(_line_print(_line_image(gray, line, line.light, clean=True, response=response)), line_print):
            return False
        inked = _stroke_mask(response, WEAK_STROKE_SHARE)[line.y0 : line.y1].any(axis=0)
        before = int(np.ceil(0.5 * line.char_height)) + 1
        after = int(np.ceil(1.2 * line.char_height)) + 1
        edge = max(1, int(0.5 * line.char_height))
        return (
            not inked[max(0, line.x0 - before) : line.x0].any()
            and not inked[line.x1 : line.x1 + after].any()
            and bool(inked[line.x0 : line.x0 + edge].any())
            and bool(inked[line.x1 - edge : line.x1].any())
        )

    def _ocr(
        self, gray: np.ndarray, line: TextLine, image: np.ndarray, candidates: Sequence[TextLine], scripts: bool = True
    ) -> tuple[str, float]:
        """Read one text line (``image``: its cleaned image for Tesseract; ``candidates``: :func:`locate_lines`).

        The CRNN reads the line in both polarities (it may have been found in
        the wrong one: the outlines of light letters, or the gaps between dark
        ones) and the surer reading is kept. Where the CRNN is unsure of a
        letter and Tesseract is sure of its own reading (another script, or a
        line the CRNN reads badly), Tesseract's wins (see :data:`SURE_LETTER`,
        :func:`tesseract_wins`). Each installed script model (Cyrillic, Greek,
        Hangul ...) reads the line too, alone, and the surest script wins: the
        bot picks the script per label. Returns the text and how sure it is
        (the CRNN's least sure letter, or Tesseract's confidence / 100).
        """
        if self._recognizer is None:
            reading = self._tesseract(gray, line, image)
            return reading.text, reading.confidence / 100.0
        self.ocr_calls += 1
        reading = self.crnn_reading(gray, line, candidates)
        if self._api is None or reading.least >= SURE_LETTER:
            return reading.text, reading.least
        if self._lexicon is not None and self._lexicon.all_known(reading.text):
            return reading.text, reading.least  # known names: Tesseract's Latin model is weaker on their accents
        tesseract = self._tesseract(gray, line, image)
        if tesseract_wins(reading.least, tesseract.confidence) or _tesseract_only(tesseract, reading.text):
            best = (tesseract.text, tesseract.confidence / 100.0)
        else:
            best = (reading.text, reading.least)
        if not scripts or reading.least >= SCRIPT_SURE or tesseract.confidence >= GOOD_LINE_CONFIDENCE:
            return best  # a Latin reading sure enough of itself is not read in other scripts
        for api in self._script_apis.values():
            script = self._read_line(image, api)
            if not _own_letters(script.text):
                continue  # not this script: no retries (six script models would cost six times the reads)
            if script.confidence < GOOD_LINE_CONFIDENCE:
                script = self._tesseract(gray, line, image, api)
            if (
                _letters(script.text) >= 2
                and _own_letters(script.text)
                and script.confidence > max(SCRIPT_BAR, tesseract.confidence, 100 * best[1])
            ):
                best = (script.text, script.confidence / 100.0)
        return best

    def crnn_reading(self, gray: np.ndarray, line: TextLine, candidates: Sequence[TextLine]) -> LineText:
        """The CRNN's surer reading of the line in either polarity (each in its own line's ends where the
        other polarity has a line among ``candidates``, :func:`locate_lines` of ``gray``: the gaps between
        light letters can miss a "T"'s bar).

        "Surer": the larger sum of its letters' probabilities plus :data:`POLARITY_LEAST_WEIGHT` times its
        least sure letter's, so that a reading does not win by an extra, doubtful letter. Its words are then
        corrected towards known names (:meth:`model.name_lexicon.NameLexicon.correct`); the letter
        probabilities stay the greedy reading's.
        """
        others = [found for found in candidates if found.light != line.light]
        flipped = others[0] if others else dataclasses.replace(line, light=not line.light)
        outputs = self._recognizer.log_probs([recognizer_input(gray, line), recognizer_input(gray, flipped)])
        readings = [greedy_decode(output, self._recognizer.charset) for output in outputs]
        surer = max(range(len(readings)), key=lambda i: readings[i].total + POLARITY_LEAST_WEIGHT * readings[i].least)
        reading = readings[surer]
        if self._lexicon is None or not reading.text:
            return reading
        text = self._lexicon.correct(reading.text, outputs[surer], self._recognizer.charset)
        return dataclasses.replace(reading, text=text)

    def _tesseract(self, gray: np.ndarray, line: TextLine, image: np.ndarray, api=None) -> LineReading:
        """Tesseract's surest reading of the line.

        When the first reading is poor, the line is read again as if drawn in
        the other polarity (light letters leave dark gaps between them, and
        Meet's white letters a dark shadow, so the line found may be either)
        and at :data:`RETRY_HEIGHTS` (Tesseract misreads some small text at one
        scale and not at another: ``python -m bot.synthetic.evaluate --frames 330
        --seed 7 --names --engine tesseract`` went from 87.1% to 87.4% exact names with the retries).
        """
        api = api or self._api
        first = self._read_line(image, api)
        if first.text and first.confidence >= GOOD_LINE_CONFIDENCE:
            return first
        retries = [_line_image(gray, line, not line.light, clean=True)]
        retries += [_line_image(gray, line, line.light, clean=True, height=h) for h in RETRY_HEIGHTS]
        return max([first, *(self._read_line(image, api) for image in retries)], key=lambda r: r.weight)

    def _read_line(self, image: np.ndarray, api) -> LineReading:
        from PIL import Image

        self.ocr_calls += 1
        api.SetImage(Image.fromarray(image))
        words = api.GetUTF8Text().split()
        confidences = api.AllWordConfidences()
        if len(confidences) != len(words):
            confidences = [0] * len(words)
        # Every word is kept, however unsure: masked phone numbers ("425-***-**25") read at confidence 0,
        # and icons read as junk are dropped by clean_label_text at the line's ends.
        return LineReading(" ".join(words), tuple(zip(words, confidences, strict=True)))


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


@dataclass
class ParticipantRegistry:
    """Keeps each student's identity stable within a session.

    - A truncated label ("Alexandra Konstantin…") and the full name seen in a
      wider tile are the same person, stored under the full name where it is
      known: from this session, or from the class's earlier sessions
      (:meth:`know`). A truncated label stays stored with its dots (flagged:
      :func:`analytics.schema.is_truncated`) until the full name is seen.
    - Two tiles with the same name in one frame are two people: the second is
      stored as "Name (2)".
    - A tile whose label cannot be read gets a placeholder ("Unnamed 3") tied
      to its label's look, never the name of another student.
    """

    _stored: dict[str, str] = field(default_factory=dict)  # normalized key -> name stored for that person
    _placeholders: dict[int, str] = field(default_factory=dict)

    def know(self, names: Iterable[str]) -> None:
        """Participants of the class seen before (the store's names): a truncated label that only one of
        them begins with is that student, not a new one."""
        for name in names:
            if name and not is_truncated(name):
                self._stored.setdefault(normalize_name(name), name)

    def _canonical(self, name: str) -> str:
        """The name this person is stored under: the full name where one is known, else the first form seen."""
        key = normalize_name(name)
        if key in self._stored and not (is_truncated(self._stored[key]) and not is_truncated(name)):
            return self._stored[key]
        truncated = is_truncated(name)
        matches = {
            known
            for known_key, known in self._stored.items()
            if min(len(key), len(known_key)) >= MIN_TRUNCATED_MATCH
            and ((truncated and known_key.startswith(key)) or (is_truncated(known) and key.startswith(known_key)))
        }
        full = {known for known in matches if not is_truncated(known)}
        if not truncated and len(full) <= 1 and len(matches - full) >= 1:
            # the full name of a label seen cut short: from now on both are stored under the full name
            fulls = [k for k, known in self._stored.items() if not is_truncated(known)]
            for known_key, known in list(self._stored.items()):
                others = any(other.startswith(known_key) for other in fulls)  # then it may be them: leave it
                if known in matches and is_truncated(known) and not others:
                    self._stored[known_key] = name
            self._stored[key] = name
            return name
        if len(matches) == 1 or len(full) == 1:  # a unique prefix match only: never merge two students
            (known,) = full or matches
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
