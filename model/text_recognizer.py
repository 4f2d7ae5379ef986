"""Reading one line of a name label with the shipped CRNN (onnxruntime, no torch).

``model/weights/names.onnx`` is a small convolutional-recurrent network trained
with CTC on rendered label strips (``classmood train-names``, see
``model/weights/names.md``). It reads the Latin script with every accent of
the European and Vietnamese alphabets, digits and the punctuation names and
dial-in numbers carry: :data:`CHARSET`. Its input is a text line as
:func:`model.text_lines.recognizer_input` cuts it: dark on light,
:data:`model.text_lines.RECOGNIZER_HEIGHT` pixels high, any width.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
RECOGNIZER_PATH = WEIGHTS_DIR / "names.onnx"
#: The reader of small lines (letters under SMALL_CHAR_HEIGHT px in the capture): trained on screenshots scaled down
#: after capture (``classmood train-names --small-share``); see :class:`bot.names.NameReader`.
SMALL_RECOGNIZER_PATH = WEIGHTS_DIR / "names-small.onnx"
#: White columns added after every line, so that its last letter is not at the input's edge.
RIGHT_MARGIN = 6


def _charset() -> str:
    """The letters the reader knows; index 0 of the network's output is CTC's blank, letter i is index i + 1."""
    chars = [chr(c) for c in range(0x20, 0x7F)]  # ASCII: letters, digits, punctuation, space
    chars += [chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7)]  # Latin-1 letters
    chars += [chr(c) for c in range(0x100, 0x180)]  # Latin Extended-A: Central European, Baltic, Turkish
    chars += list("ƠơƯưȘșȚțƏə")  # Vietnamese horn letters, Romanian commas, Azerbaijani schwa
    chars += [chr(c) for c in range(0x1EA0, 0x1EFA)]  # Vietnamese letters with two marks
    chars += list("•…’‘ʻ–")
    return "".join(ch for ch in dict.fromkeys(chars) if unicodedata.category(ch)[0] in "LNPSZ")


CHARSET = _charset()


def output_steps(width: int) -> int:
    """The network's output steps that belong to a line ``width`` pixels wide (it halves the width; the
    white margin is read too)."""
    return (width + RIGHT_MARGIN + 1) // 2


@dataclass(frozen=True)
class LineText:
    """One line read: its text, the least sure letter's probability and the letters' probabilities summed
    (a long, sure reading outweighs a short one)."""

    text: str
    least: float
    total: float


def greedy_decode(log_probs: np.ndarray, charset: str = CHARSET) -> LineText:
    """Greedy CTC decoding of one line's steps (steps x (1 + letters) log-probabilities, blank first)."""
    best = log_probs.argmax(axis=1)
    sure = np.exp(log_probs.max(axis=1))
    text: list[str] = []
    probabilities: list[float] = []
    previous = 0
    for step, index in enumerate(best):
        if index != previous and index != 0:
            text.append(charset[index - 1])
            probabilities.append(float(sure[step]))
        previous = index
    if not text:
        return LineText("", 0.0, 0.0)
    return LineText("".join(text).strip(), min(probabilities), sum(probabilities))


def ctc_log_likelihood(log_probs: np.ndarray, labels: Sequence[int]) -> float:
    """log P(labels | line) under CTC: the sum over every alignment of ``labels`` (letter indices, blank is 0)
    to the line's steps (steps x (1 + letters) log-probabilities), by the forward algorithm.

    Greedy decoding keeps one alignment's letters; this scores any text against the same output, so two
    spellings of a name can be compared on what the network saw.
    """
    steps = len(log_probs)
    states = 2 * len(labels) + 1
    if steps == 0 or steps < len(labels):
        return -np.inf
    extended = np.zeros(states, dtype=np.int64)
    extended[1::2] = labels
    # a letter may follow the letter two states back directly, unless the two are the same letter
    can_skip = np.zeros(states, dtype=bool)
    can_skip[2:] = (extended[2:] != 0) & (extended[2:] != extended[:-2])
    alpha = np.full(states, -np.inf)
    alpha[0] = log_probs[0, 0]
    if states > 1:
        alpha[1] = log_probs[0, extended[1]]
    for step in range(1, steps):
        from_previous = np.concatenate(([-np.inf], alpha[:-1]))
        from_skip = np.where(can_skip, np.concatenate(([-np.inf, -np.inf], alpha[:-2])), -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, from_previous), from_skip) + log_probs[step, extended]
    return float(np.logaddexp(alpha[-1], alpha[-2])) if states > 1 else float(alpha[-1])


class TextRecognizer:
    """Reads text lines in batches."""

    def __init__(self, path: Path | str = RECOGNIZER_PATH) -> None:
        from model.sessions import cpu_session

        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"the name reader's model is missing: {path} (reinstall classmood)")
        self.session = cpu_session(path)
        meta = self.session.get_modelmeta().custom_metadata_map
        self.charset = meta.get("charset", CHARSET)
        self.height = int(meta.get("height", 24))
        self._input = self.session.get_inputs()[0].name

    def read(self, lines: Sequence[np.ndarray]) -> list[LineText]:
        """``lines``: uint8 gray images ``self.height`` pixels high, dark text on light."""
        return [greedy_decode(log_probs, self.charset) for log_probs in self.log_probs(lines)]

    def log_probs(self, lines: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Each line's output: steps x (1 + letters) log-probabilities, blank first."""
        results: list[np.ndarray] = [np.zeros((0, len(self.charset) + 1), np.float32)] * len(lines)
        # lines of similar width go together, so little of a batch is padding
        order = sorted(range(len(lines)), key=lambda i: lines[i].shape[1])
        for start in range(0, len(order), 16):
            chunk = order[start : start + 16]
            width = max(lines[i].shape[1] for i in chunk) + RIGHT_MARGIN
            width += -width % 4
            batch = np.full((len(chunk), 1, self.height, width), 1.0, np.float32)
            for row, index in enumerate(chunk):
                line = lines[index]
                batch[row, 0, :, : line.shape[1]] = line.astype(np.float32) / 255.0
            output = self.session.run(None, {self._input: (batch - 0.5) / 0.5})[0]  # N x T x classes
            for row, index in enumerate(chunk):
                results[index] = output[row, : output_steps(lines[index].shape[1])]
        return results


def recognizer_available(path: Path = RECOGNIZER_PATH) -> bool:
    return path.is_file()
