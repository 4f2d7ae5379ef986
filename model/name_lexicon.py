"""Known name words, and the name reader's readings corrected towards them.

The CRNN reads small accented letters with little margin: at 9-10 px the ring
of "å" and the acute of "á", or the tilde over "ễ", are a pixel or two. Where
its greedy reading of a word is not a known name but a known name one edit
away explains the same network output almost as well, the known name is the
better guess. "Almost as well" is CTC's own measure
(:func:`model.text_recognizer.ctc_log_likelihood` of the whole line with the
word replaced) plus :data:`LEXICON_BONUS` for a known word: a name the network
reads surely is never changed, known or not (a student whose name is in no
list keeps it).

The lexicon (``model/weights/name_lexicon.txt``, ~29k words) is every word of
Faker's person names in the reader's training locales, written by
``classmood train-names --lexicon`` (:mod:`training.name_lexicon`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from model.text_recognizer import WEIGHTS_DIR, ctc_log_likelihood

LEXICON_PATH = WEIGHTS_DIR / "name_lexicon.txt"
#: Log-likelihood credit of a known word. Chosen on --seed 3 frames of the name benchmark
#: (python -m bot.synthetic.evaluate --names --engine crnn, 2729 labels): 2 -> 2628 right, 3 -> 2650,
#: 4 -> 2656, 5 -> 2653, 6 -> 2655, 10 -> 2573 (known names forced over right readings), none -> 2603.
LEXICON_BONUS = 4.0
#: Known words this many edits (Levenshtein) from the word read are candidates (2 was no better and slower).
LEXICON_DISTANCE = 1
#: Candidates scored per word, nearest first.
LEXICON_CANDIDATES = 10
#: A word: a run of letters (digits, brackets, hyphens and apostrophes end it).
_WORD = re.compile(r"[^\W\d_]+")


class NameLexicon:
    """A set of known name words that corrects CTC readings (see the module docstring)."""

    def __init__(self, words: list[str]) -> None:
        self.words = list(dict.fromkeys(words))
        self._known = set(self.words)

    @classmethod
    def load(cls, path: Path | str = LEXICON_PATH) -> NameLexicon:
        return cls(Path(path).read_text(encoding="utf-8").split())

    def all_known(self, text: str) -> bool:
        """Whether ``text`` has words and every word of two or more letters is a known name."""
        words = [word for word in _WORD.findall(text) if len(word) >= 2]
        return bool(words) and all(word in self._known for word in words)

    def correct(self, text: str, log_probs: np.ndarray, charset: str) -> str:
        """``text`` (the greedy reading of ``log_probs``) with each word replaced by the known word, at most
        :data:`LEXICON_DISTANCE` edits away, that best explains the line, where one explains it better."""
        index = {ch: i + 1 for i, ch in enumerate(charset)}

        def score(line: str) -> float:
            labels = [index.get(ch) for ch in line]
            return -np.inf if None in labels else ctc_log_likelihood(log_probs, labels)

        line_score = score(text)
        for match in reversed(list(_WORD.finditer(text))):  # from the right: earlier spans stay valid
            word = match.group()
            if len(word) < 2:
                continue
            nearby = process.extract(
                word, self.words, scorer=Levenshtein.distance, score_cutoff=LEXICON_DISTANCE, limit=LEXICON_CANDIDATES
            )
            best, best_score = word, line_score + (LEXICON_BONUS if word in self._known else 0.0)
            for candidate, _distance, _ in nearby:
                if candidate == word:
                    continue
                candidate_line = text[: match.start()] + candidate + text[match.end() :]
                candidate_score = score(candidate_line) + LEXICON_BONUS
                if candidate_score > best_score:
                    best, best_score = candidate, candidate_score
            if best != word:
                text = text[: match.start()] + best + text[match.end() :]
                line_score = score(text)
        return text


def lexicon_available() -> bool:
    return LEXICON_PATH.is_file()
