"""The picture ``classmood bot inspect --annotate`` draws."""

from __future__ import annotations

import numpy as np

from bot.annotate import annotate
from bot.frames import Observation, Tile
from bot.pipeline import CaptureResult


def _drawn(name: str) -> np.ndarray:
    image = np.full((200, 300, 3), 60, np.uint8)
    tile = Tile(box=(10, 10, 280, 180), row=0, col=0, label_box=(10, 150, 280, 40))
    result = CaptureResult(frames=[], galleries=[], observations=[Observation(tile, name, None, label_text=name)])
    return annotate(image, result)


def test_names_are_drawn_with_their_accents():
    plain, accented = _drawn("Tomas Zolc"), _drawn("Tomáš Żółć")
    assert plain.shape == accented.shape == (200, 300, 3)
    caption = (slice(10, 40), slice(10, 200))
    # not drawn as "Tom?? ????", which is what an ASCII-only font would show
    assert (plain[caption] != accented[caption]).any()
    assert (_drawn("Tom?? ????")[caption] != accented[caption]).any()
    assert (plain[50:] == accented[50:]).all()
