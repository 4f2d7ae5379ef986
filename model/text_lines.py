"""Where a name is in a label strip, and the line image the name reader reads (OpenCV, no model).

A participant's label strip (cut from a gallery tile) holds one line of
text, light or dark, on a backing box or straight on the video.
:func:`locate_lines` finds it from thin strokes; :func:`recognizer_input`
cuts what the CRNN of :mod:`model.text_recognizer` reads (dark on light,
:data:`RECOGNIZER_HEIGHT` pixels high); :func:`line_image` what Tesseract
reads; :func:`line_print_of` the print that tells one label from another
(:func:`same_print`). The bot reads names with these (:mod:`bot.names`),
and training cuts its rendered strips with the same functions
(``training/name_data.py``), so the network sees in training what it sees
at run time.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from statistics import median

import cv2
import numpy as np

#: Label crops are scaled so that their height is about this many pixels.
OCR_HEIGHT = 64
#: Text lines are this many pixels high for the name reader's network.
RECOGNIZER_HEIGHT = 24
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
#: A label strip's first or last row is a line across it (see without_edge_lines) where it differs from the row
#: inside it by more than EDGE_LINE_STEP grey levels along EDGE_LINE_SHARE of its width; at most EDGE_LINE_ROWS
#: such rows are taken off each end.
EDGE_LINE_STEP = 24
EDGE_LINE_SHARE = 0.6
EDGE_LINE_ROWS = 2


def to_gray(crop: np.ndarray) -> np.ndarray:
    return crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)


def without_edge_lines(gray: np.ndarray) -> np.ndarray:
    """The label strip without the rows at its top and bottom (:data:`EDGE_LINE_ROWS` at most each) that are a
    line across it: a tile's border, a speaker highlight, the first row of the gap below a tile.

    Such a row is darker or lighter than the row inside it along most of the strip; against it the whole label
    box passes for strokes (:func:`stroke_response` compares each pixel with the darkest or lightest around it),
    and 5 px letters merge with the box: zoom_2's 'Daniel Mailhot' read 'Darel Mhitat' on a strip one row
    longer than its tile."""
    rows = gray.astype(np.int16)
    if len(rows) <= 2 * EDGE_LINE_ROWS + 4:
        return gray

    def band(order: range) -> int:
        """How many rows from one end (``order`` runs from it inwards) make the widest edge band: every one of
        them differs from the first row inside it, along EDGE_LINE_SHARE of the strip."""
        for k in range(EDGE_LINE_ROWS, 0, -1):
            inner = rows[order[k]]
            if all(
                float(np.mean(np.abs(rows[order[i]] - inner) > EDGE_LINE_STEP)) >= EDGE_LINE_SHARE for i in range(k)
            ):
                return k
        return 0

    top = band(range(len(rows)))
    bottom = len(rows) - band(range(len(rows) - 1, -1, -1))
    return gray[top:bottom]


@dataclass(frozen=True)
class TextLine:
    """Where a label's name is in its strip, and whether it is drawn light on dark."""

    x0: int
    y0: int
    x1: int
    y1: int
    light: bool
    char_height: float


def stroke_response(gray: np.ndarray, light: bool) -> np.ndarray:
    """Thin light (top-hat) or dark (black-hat) strokes, with the video or backing box behind them removed.

    The kernel is wider than a letter's strokes and narrower than a label's
    backing box (text is ~30% of the strip's height).
    """
    side = max(3, int(0.4 * gray.shape[0])) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    return cv2.morphologyEx(gray, cv2.MORPH_TOPHAT if light else cv2.MORPH_BLACKHAT, kernel)


def stroke_mask(response: np.ndarray, share: float = 0.5) -> np.ndarray:
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
    instead (:func:`stroke_response`); letter-sized pieces that do not
    touch the strip's top or bottom (video edges and stripes do) and line up
    on one baseline are the name. Both polarities give a candidate.
    """
    height = gray.shape[0]
    found: list[tuple[int, TextLine]] = []
    for light in (True, False):
        response = stroke_response(gray, light)
        mask = stroke_mask(response)
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
        inked = stroke_mask(response, WEAK_STROKE_SHARE)[y0:y1].any(axis=0)
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


def line_image(
    gray: np.ndarray,
    found: TextLine,
    light: bool,
    clean: bool,
    height: int = OCR_HEIGHT,
    response: np.ndarray | None = None,
    border: bool = True,
) -> np.ndarray:
    """The text line, dark on light, scaled to ``height`` pixels and with a margin.

    ``response`` is :func:`stroke_response` of ``gray`` for ``light``, where the caller has it already.

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
            response = stroke_response(gray, light)
        strokes = stroke_mask(response)[rows, cols]
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
    image = line_image(gray, line, line.light, clean=True, height=RECOGNIZER_HEIGHT, border=False)
    # a line found in the wrong polarity (the gaps of dark letters on a light box) comes out light on dark
    return 255 - image if np.median(np.concatenate([image[0], image[-1]])) < 128 else image


def line_print_of(image: np.ndarray) -> np.ndarray:
    """The ink of a cleaned line image (:func:`line_image`) at :data:`PRINT_HEIGHT` pixels high (bool):
    what tells one label from another."""
    width = max(1, round(image.shape[1] * PRINT_HEIGHT / image.shape[0]))
    return cv2.resize(image, (width, PRINT_HEIGHT), interpolation=cv2.INTER_AREA) < 128


def cleaned_line(gray: np.ndarray, line: TextLine) -> tuple[TextLine, np.ndarray, np.ndarray]:
    """The line, its cleaned image and its print; in the other polarity where the first one prints as a block.

    Dark letters on a light box can pass for light strokes (the box between the letters), and cleaning that
    reading leaves one block of ink: such a line is dark text.
    """
    image = line_image(gray, line, line.light, clean=True)
    line_print = line_print_of(image)
    if not telling_print(line_print):
        flipped = dataclasses.replace(line, light=not line.light)
        flipped_image = line_image(gray, flipped, flipped.light, clean=True)
        flipped_print = line_print_of(flipped_image)
        if telling_print(flipped_print):
            return flipped, flipped_image, flipped_print
    return line, image, line_print


def find_name_line(gray: np.ndarray) -> tuple[TextLine, np.ndarray, np.ndarray] | None:
    """The name's line in a label strip, its cleaned image for Tesseract and its print; None without one."""
    lines = locate_lines(gray)
    return cleaned_line(gray, lines[0]) if lines else None


def telling_print(line_print: np.ndarray) -> bool:
    """Whether a line print can tell labels apart: its letters ink some of the line, never (nearly) all of it.

    A line found in the wrong polarity (dark letters on a light box taken for light letters) prints as one
    block of ink; two such blocks of the same width are alike whatever names they hold.
    """
    return PRINT_INK_SHARE[0] <= float(line_print.mean()) <= PRINT_INK_SHARE[1]


def same_print(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two line prints show the same label: as wide (+-1 column) and differing in at most
    :data:`PRINT_TOLERANCE` of their ink. One digit of a dial-in number changes about a tenth of it."""
    if abs(a.shape[1] - b.shape[1]) > 1 or not (telling_print(a) and telling_print(b)):
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
