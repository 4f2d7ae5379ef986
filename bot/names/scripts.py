"""Which reader's text to keep: Tesseract's where it read what the CRNN cannot, a script model's in its script.

The CRNN (:mod:`model.text_recognizer`) was trained on Latin names: it reads a handle's "@" as "O", commas as
full stops and a username's full stop as a hyphen, and another script as Latin look-alikes ("Роман" ->
"PoMaH"). Tesseract's Latin model and its script models (Cyrillic, Hangul, Greek ...) read those; these
rules say when their reading is the one kept (:meth:`bot.names.reader.NameReader._ocr`).
"""

from __future__ import annotations

import re
import unicodedata

from bot.names.tesseract import LineReading

#: Tesseract's reading wins where it holds one of these characters (the CRNN was not trained on them: it reads
#: "@" as "O" or "Q" and commas as full stops) with at least this mean confidence.
TESSERACT_ONLY_CHARS = frozenset("@,")
#: ... or a username's full stop between two words ("Jonathan.Sears", "Ming.Chan"; the CRNN reads "-").
USERNAME_DOT = re.compile(r"[^\W\d_]{2}\.[^\W\d_]{2}")
TESSERACT_ONLY_BAR = 80.0
#: A script model's reading of a line (Cyrillic, Hangul ...) wins where its confidence is above this and the
#: Latin model's.
SCRIPT_BAR = 60.0
#: Other scripts are tried only where the CRNN's least sure letter is under this and Tesseract's Latin reading is
#: under GOOD_LINE_CONFIDENCE (a Cyrillic name read as Latin: "Роман" -> "PoMaH").
SCRIPT_SURE = 0.7
#: ... and where at most this share of its letters look like Latin ones (see own_letters).
SCRIPT_LOOKALIKE_SHARE = 0.7
SCRIPT_LATIN_SHARE = 0.2
#: Cyrillic and Greek letters drawn like Latin ones: a Latin name read by those models comes out of them.
_LATIN_LOOKALIKES = frozenset("АВЕЅІЈКМНОРСТУХаеѕіјорсухԁһӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικνυ")


def split_scripts(languages: str) -> tuple[str, list[str]]:
    """``Latin+Cyrillic+Greek`` -> (``Latin``, [``Cyrillic``, ``Greek``]): the main model's languages and the
    script models (capitalised names after the first) that read each line alone."""
    parts = languages.split("+")
    scripts = [lang for lang in parts[1:] if lang[:1].isupper()]
    return "+".join(lang for lang in parts if lang not in scripts), scripts


def letter_count(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def own_letters(text: str) -> bool:
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


def tesseract_only(reading: LineReading, crnn_text: str) -> bool:
    """Whether Tesseract's reading is the one to keep although the CRNN's would win on confidence: it surely
    read characters the CRNN never learned (a handle's "@", commas between words: "Jean, @jeanb, Paris", a
    username's full stop: "Ming.Chan"), or the same letters with other digits (the CRNN's small digits: 5 for
    6; student numbers)."""
    if reading.confidence < TESSERACT_ONLY_BAR:
        return False
    if TESSERACT_ONLY_CHARS & set(reading.text) or USERNAME_DOT.search(reading.text):
        return True

    def letters(text: str) -> str:
        return "".join(ch for ch in text.casefold() if ch.isalpha())

    def digits(text: str) -> str:
        return "".join(ch for ch in text if ch.isdigit())

    return letters(reading.text) == letters(crnn_text) and digits(reading.text) != digits(crnn_text) != ""
