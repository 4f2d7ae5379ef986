"""The name reader's lexicon: CTC scoring, corrections towards known names, and the shipped word list."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from model.name_lexicon import LEXICON_PATH, NameLexicon, lexicon_available
from model.text_recognizer import ctc_log_likelihood, greedy_decode

CHARSET = "Asaå"  # letters 1..4 of a toy network's output; 0 is CTC's blank


def _collapse(path: tuple[int, ...]) -> list[int]:
    labels, previous = [], 0
    for index in path:
        if index != previous and index != 0:
            labels.append(index)
        previous = index
    return labels


def test_ctc_likelihood_sums_every_alignment():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 3))
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    for labels in ([1], [1, 2], [1, 1], [2, 1, 2]):
        brute = sum(
            np.exp(sum(log_probs[t, i] for t, i in enumerate(path)))
            for path in itertools.product(range(3), repeat=5)
            if _collapse(path) == labels
        )
        assert ctc_log_likelihood(log_probs, labels) == pytest.approx(np.log(brute), rel=1e-9)
    assert ctc_log_likelihood(log_probs[:1], [1, 2]) == -np.inf  # two letters need two steps


def _network_output(letters: list[dict[str, float]]) -> np.ndarray:
    """Log-probabilities of a toy network that shows each letter for one step, with blanks between."""
    steps = []
    for letter in letters:
        row = np.full(len(CHARSET) + 1, 1e-6)
        for ch, p in letter.items():
            row[CHARSET.index(ch) + 1] = p
        steps += [row / row.sum(), np.eye(len(CHARSET) + 1)[0] * (1 - 1e-5) + 2e-6]
    return np.log(np.array(steps))


def test_an_unsure_accent_is_read_as_the_known_name():
    lexicon = NameLexicon(["åsa"])  # the toy alphabet has no "Å"
    unsure = _network_output([{"A": 0.55, "å": 0.45}, {"s": 1.0}, {"a": 1.0}])
    assert greedy_decode(unsure, CHARSET).text == "Asa"
    assert lexicon.correct("Asa", unsure, CHARSET) == "åsa"


def test_a_surely_read_name_is_kept_known_or_not():
    lexicon = NameLexicon(["åsa"])
    sure = _network_output([{"A": 0.999, "å": 0.001}, {"s": 1.0}, {"a": 1.0}])
    assert lexicon.correct("Asa", sure, CHARSET) == "Asa"
    both_known = NameLexicon(["Asa", "åsa"])
    unsure = _network_output([{"A": 0.55, "å": 0.45}, {"s": 1.0}, {"a": 1.0}])
    assert both_known.correct("Asa", unsure, CHARSET) == "Asa"  # two known names: the network decides


def test_only_whole_known_names_count_as_known():
    lexicon = NameLexicon(["Åsa", "Nguyễn", "García"])
    assert lexicon.all_known("Åsa Nguyễn (Guest)") is False  # "Guest" is no name
    assert lexicon.all_known("García-Nguyễn") is True
    assert lexicon.all_known("42") is False


@pytest.mark.skipif(not lexicon_available(), reason="model/weights/name_lexicon.txt is not built")
def test_the_shipped_lexicon_is_what_its_command_writes():
    pytest.importorskip("faker")
    from training.name_lexicon import lexicon_words

    shipped = LEXICON_PATH.read_text(encoding="utf-8").split()
    assert shipped == lexicon_words()
    assert {"Nguyễn", "Søren", "García", "Łukasz"} <= set(shipped)
