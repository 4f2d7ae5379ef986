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
  Lines whose letters are under :data:`SMALL_CHAR_HEIGHT` px are read by a
  second CRNN as well, trained mostly on screenshots scaled down after
  capture (``model/weights/names-small.md``), and the surer reading is kept.
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
import logging
from collections.abc import Hashable, Sequence

import cv2
import numpy as np

from bot.names.cleanup import clean_label_text
from bot.names.scripts import SCRIPT_BAR, SCRIPT_SURE, letter_count, own_letters, split_scripts, tesseract_only
from bot.names.tesseract import (
    LineReading,
    OcrUnavailableError,
    default_languages,
    tessdata_dir,
    tesseract_available,
)
from model.text_lines import (
    WEAK_STROKE_SHARE,
    TextLine,
    cleaned_line,
    line_image,
    line_print_of,
    locate_lines,
    recognizer_input,
    same_print,
    stroke_mask,
    stroke_response,
    telling_print,
    to_gray,
    without_edge_lines,
)
from model.text_recognizer import LineText, greedy_decode

log = logging.getLogger(__name__)

#: Other heights a doubtful line is read at as well.
RETRY_HEIGHTS = (48, 80)
#: Line prints kept per print width (the newest); a class has a few dozen labels.
CACHE_PER_WIDTH = 64
#: Label hashes (the key of an unreadable label's placeholder) are 8 x HASH_WIDTH bits.
HASH_WIDTH = 32
#: Label crops whose gray levels vary less than this (std) are blank.
MIN_LABEL_CONTRAST = 8.0
#: A line read with at least this mean word confidence is not read again inverted.
GOOD_LINE_CONFIDENCE = 85.0
#: Name engines (see NameReader); the CLI spells them out as classmood.commands._models.ENGINE_CHOICES.
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
#: ... except that a reading sure of every letter (SURE_LETTER) beats one with a letter under JUNK_LETTER, however
#: long: the other polarity of a label over busy video reads as a long run of junk whose summed probabilities
#: outweighed a sure name (zoom_107 of the extra real set: a two-word name read at least 0.96 lost to 31 junk
#: letters, least 0.21).
JUNK_LETTER = 0.3
#: Where a label reads as nothing or as junk (least sure letter under BAND_SURE), the strip's lowest rows are read
#: again: these shares of its height (at least MIN_BAND_HEIGHT rows), each scaled up by its factor (None: twice
#: where under BAND_UPSCALE_BELOW rows); the surest reading replaces junk where it is at least BAND_WINS sure.
#: Measured on the real development set (python -m bot.realset) and 60 synthetic frames (seed 7): readings under
#: 0.2 were junk on both, and a band's reading of a synthetic label read at 0.25-0.5 was more often wrong (accents
#: lost) than right. The lowest quarter, doubled, reads Zoom's 2023 labels (7 px letters at the very bottom of a
#: large tile): zoom_5's 'Qiyun Zhu', read 'Oiyun Zhu' without it (manifest tiles 64 -> 65 of 76 Latin names;
#: 60 synthetic frames, seed 3: 1347 of 1382 either way).
LABEL_BANDS: tuple[tuple[float, int | None], ...] = ((0.6, None), (0.35, None), (0.25, 2))
BAND_SURE = 0.2
BAND_WINS = 0.5
#: A reading with fewer letters than this share of its line's length in letter heights is junk too, however sure
#: its letters: zoom_5's 'Seth Rice Nulty' (a line 7.8 letter heights long) was read as 'Da' at 0.23 on the
#: splitter's tile, a pixel off the manifest's, where its lower band reads 'Seth Rice Nuvlty' at 0.54
SHORT_SHARE = 0.4
MIN_BAND_HEIGHT = 14
BAND_UPSCALE_BELOW = 32
#: Lines whose letters (the line finder's char_height, in the capture's own pixels) are under this many pixels high
#: are read by the small-line reader (model/weights/names-small.onnx) as well, and the surer reading is kept (the
#: same measure as for the two polarities). On held-out rendered strips, half of them downscaled captures, exact
#: lines by letter height (main reader -> both): 4 px 0.025 -> 0.177, 5 px 0.131 -> 0.266, 6 px 0.308 -> 0.426,
#: 7 px 0.439 -> 0.507, 8 px 0.567 -> 0.578; on crisp strips, 6-7 px 0.607-0.661 -> 0.626-0.681 (the small reader
#: alone is worse there: reading both is what keeps them). Larger lines are left to the main reader alone: from
#: 8 px up the two read alike (8 px 0.567 -> 0.578 with both, crisp 0.627 -> 0.627).
SMALL_CHAR_HEIGHT = 8.0


def label_hash(crop: np.ndarray) -> int:
    """Difference hash of a label's text line, stable under video noise around it."""
    gray = to_gray(crop)
    lines = locate_lines(gray)
    return _image_hash(line_image(gray, lines[0], lines[0].light, clean=False) if lines else gray)


def _image_hash(image: np.ndarray) -> int:
    """256-bit difference hash (33x8 thumbnail): fine enough along the line to tell names apart."""
    _, text = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    small = cv2.resize(text, (HASH_WIDTH + 1, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def _weight(reading: LineText) -> float:
    return reading.total + POLARITY_LEAST_WEIGHT * reading.least


def surer_reading(readings: Sequence[LineText]) -> int:
    """Which of two readings of one line (in its two polarities) to keep: the larger sum of letter
    probabilities plus :data:`POLARITY_LEAST_WEIGHT` times the least sure letter's, unless the other is sure of
    every letter and this one has junk in it (:data:`JUNK_LETTER`)."""
    surer = max(range(len(readings)), key=lambda i: _weight(readings[i]))
    if readings[surer].least < JUNK_LETTER and readings[1 - surer].least >= SURE_LETTER:
        return 1 - surer
    return surer


def has_text(crop: np.ndarray) -> bool:
    """Whether a label crop has any contrast at all (a blank strip is not worth an OCR call)."""
    return float(to_gray(crop).std()) >= MIN_LABEL_CONTRAST


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
        from model.text_recognizer import SMALL_RECOGNIZER_PATH, TextRecognizer, recognizer_available

        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
        self.engine = engine
        self._recognizer = TextRecognizer() if engine != "tesseract" and recognizer_available() else None
        self._small_recognizer = None
        if self._recognizer is not None and recognizer_available(SMALL_RECOGNIZER_PATH):
            self._small_recognizer = TextRecognizer(SMALL_RECOGNIZER_PATH)
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
                main, scripts = split_scripts(self.languages)
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
                if same_print(known, line_print):
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
            gray = without_edge_lines(to_gray(crop))
            before = self._by_place.get(place) if place is not None else None
            if before is not None and self._same_as_before(gray, *before[:2]):
                names.append(before[2])
                continue
            candidates = locate_lines(gray)
            if not candidates:
                names.append(self._read_bands(gray)[0])
                continue
            line, image, line_print = cleaned_line(gray, candidates[0])
            hit, name = self._cached(line_print)
            if not hit:
                text, sure = self._ocr(gray, line, image, candidates)
                name = clean_label_text(text)
                if name is None or sure < BAND_SURE or _too_short(name, line):
                    band_name, band_sure = self._read_bands(gray)
                    if band_name is not None and (name is None or band_sure >= BAND_WINS):
                        name = band_name
                if telling_print(line_print):
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
        for share, upscale in LABEL_BANDS:
            rows = max(MIN_BAND_HEIGHT, round(share * height))
            if rows >= height:
                continue
            band = gray[height - rows :]
            factor = upscale or (2 if rows < BAND_UPSCALE_BELOW else 1)
            if factor > 1:
                band = cv2.resize(band, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
            candidates = locate_lines(band)
            if not candidates:
                continue
            line, image, _print = cleaned_line(band, candidates[0])
            text, sure = self._ocr(band, line, image, candidates, scripts=False, scale=factor)
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
        response = stroke_response(gray, line.light)
        if not same_print(line_print_of(line_image(gray, line, line.light, clean=True, response=response)), line_print):
            return False
        inked = stroke_mask(response, WEAK_STROKE_SHARE)[line.y0 : line.y1].any(axis=0)
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
        self,
        gray: np.ndarray,
        line: TextLine,
        image: np.ndarray,
        candidates: Sequence[TextLine],
        scripts: bool = True,
        scale: float = 1.0,
    ) -> tuple[str, float]:
        """Read one text line (``image``: its cleaned image for Tesseract; ``candidates``: :func:`locate_lines`).

        The CRNN reads the line in both polarities (it may have been found in
        the wrong one: the outlines of light letters, or the gaps between dark
        ones) and the surer reading is kept. Where the CRNN is unsure of a
        letter and Tesseract is sure of its own reading (another script, or a
        line the CRNN reads badly), Tesseract's wins (see :data:`SURE_LETTER`,
        :func:`tesseract_wins`, :func:`bot.names.scripts.tesseract_only`). Each
        installed script model (Cyrillic, Greek, Hangul ...) reads the line too,
        alone, and the surest script wins: the bot picks the script per label.
        Returns the text and how sure it is (the CRNN's least sure letter, or
        Tesseract's confidence / 100). ``scale``: how much ``gray`` was enlarged from the capture.
        """
        if self._recognizer is None:
            reading = self._tesseract(gray, line, image)
            return reading.text, reading.confidence / 100.0
        self.ocr_calls += 1
        reading = self.crnn_reading(gray, line, candidates, scale)
        if self._api is None or reading.least >= SURE_LETTER:
            return reading.text, reading.least
        if self._lexicon is not None and self._lexicon.all_known(reading.text):
            return reading.text, reading.least  # known names: Tesseract's Latin model is weaker on their accents
        tesseract = self._tesseract(gray, line, image)
        if tesseract_wins(reading.least, tesseract.confidence) or tesseract_only(tesseract, reading.text):
            best = (tesseract.text, tesseract.confidence / 100.0)
        else:
            best = (reading.text, reading.least)
        if not scripts or reading.least >= SCRIPT_SURE or tesseract.confidence >= GOOD_LINE_CONFIDENCE:
            return best  # a Latin reading sure enough of itself is not read in other scripts
        return self._surest_script(gray, line, image, best, tesseract.confidence)

    def _surest_script(
        self, gray: np.ndarray, line: TextLine, image: np.ndarray, best: tuple[str, float], latin: float
    ) -> tuple[str, float]:
        """``best`` (text, sureness), or an installed script model's reading where it is in its own script
        (:func:`bot.names.scripts.own_letters`) and surer than :data:`SCRIPT_BAR`, the Latin model (``latin``)
        and ``best``."""
        for api in self._script_apis.values():
            script = self._read_line(image, api)
            if not own_letters(script.text):
                continue  # not this script: no retries (six script models would cost six times the reads)
            if script.confidence < GOOD_LINE_CONFIDENCE:
                script = self._tesseract(gray, line, image, api)
            if (
                letter_count(script.text) >= 2
                and own_letters(script.text)
                and script.confidence > max(SCRIPT_BAR, latin, 100 * best[1])
            ):
                best = (script.text, script.confidence / 100.0)
        return best

    def crnn_reading(
        self, gray: np.ndarray, line: TextLine, candidates: Sequence[TextLine], scale: float = 1.0
    ) -> LineText:
        """The CRNN's surer reading of the line in either polarity (each in its own line's ends where the
        other polarity has a line among ``candidates``, :func:`locate_lines` of ``gray``: the gaps between
        light letters can miss a "T"'s bar).

        A line whose letters were under :data:`SMALL_CHAR_HEIGHT` pixels in the capture (``gray`` enlarged
        ``scale`` times from it) is read by the small-line reader as well, where it is installed, and the surer
        of the two readings is kept: a capture scaled down blurs 5-7 px letters into shapes the main reader
        never saw, while on crisp small letters the main reader is often the surer and the better.

        "Surer": the larger sum of its letters' probabilities plus :data:`POLARITY_LEAST_WEIGHT` times its
        least sure letter's, so that a reading does not win by an extra, doubtful letter. Its words are then
        corrected towards known names (:meth:`model.name_lexicon.NameLexicon.correct`); the letter
        probabilities stay the greedy reading's.
        """
        others = [found for found in candidates if found.light != line.light]
        flipped = others[0] if others else dataclasses.replace(line, light=not line.light)
        lines = [recognizer_input(gray, line), recognizer_input(gray, flipped)]
        recognizers = [self._recognizer]
        if self._small_recognizer is not None and line.char_height / scale < SMALL_CHAR_HEIGHT:
            recognizers.append(self._small_recognizer)
        best: tuple[LineText, np.ndarray, str] | None = None
        for recognizer in recognizers:
            outputs = recognizer.log_probs(lines)
            readings = [greedy_decode(output, recognizer.charset) for output in outputs]
            surer = surer_reading(readings)
            if best is None or _weight(readings[surer]) > _weight(best[0]):
                best = (readings[surer], outputs[surer], recognizer.charset)
        reading, output, charset = best
        if self._lexicon is None or not reading.text:
            return reading
        text = self._lexicon.correct(reading.text, output, charset)
        return dataclasses.replace(reading, text=text)

    def _tesseract(self, gray: np.ndarray, line: TextLine, image: np.ndarray, api: object = None) -> LineReading:
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
        retries = [line_image(gray, line, not line.light, clean=True)]
        retries += [line_image(gray, line, line.light, clean=True, height=h) for h in RETRY_HEIGHTS]
        return max([first, *(self._read_line(image, api) for image in retries)], key=lambda r: r.weight)

    def _read_line(self, image: np.ndarray, api: object) -> LineReading:
        """One Tesseract reading of a line image, by ``api`` (the Latin model, or a script model)."""
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


def _too_short(name: str, line: TextLine) -> bool:
    """Whether ``name`` has far fewer characters than ``line`` is long (see :data:`SHORT_SHARE`)."""
    return len(name.replace(" ", "")) < SHORT_SHARE * (line.x1 - line.x0) / max(line.char_height, 1.0)
