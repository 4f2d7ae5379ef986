"""Compressed copies of rendered galleries split to the tiles of the lossless frame.

``python -m bot.synthetic.evaluate --frames 30 --seed 7 --compressed 30`` measures this over 30 frames; each
test here is one frame of that plan whose copy used to lose tiles, with the layout rule that keeps them.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from bot.gallery import split_gallery
from bot.synthetic import real_split
from bot.synthetic.evaluate import frame_plan, match_tiles
from bot.synthetic.render import render_scene
from bot.synthetic.scene import random_scene


def _planned(index: int, expected: tuple[str, str, int]) -> np.ndarray:
    """Frame ``index`` of ``frame_plan(30, 7)`` (the frames ``--compressed 30 --seed 7`` copies)."""
    platform, variant, tiles, seed = frame_plan(30, 7)[index]
    assert (platform, variant, tiles) == expected
    return render_scene(random_scene(random.Random(seed), platform, tiles, variant))[0]


def _copy(image: np.ndarray, copy: str) -> np.ndarray:
    if copy.startswith("q"):
        return real_split.jpeg_copy(image, int(copy[1:]))
    return real_split.video_copies([image], copy)[0]


def _assert_same_tiles(image: np.ndarray, copy: str, tiles: int) -> None:
    reference = [t.box for t in split_gallery(image).tiles]
    found = [t.box for t in split_gallery(_copy(image, copy)).tiles]
    matched = len(match_tiles(reference, found, real_split.REAL_IOU))
    assert len(reference) == tiles, f"lossless: {len(reference)} tiles"
    assert matched == tiles == len(found), f"{copy}: {matched}/{tiles} matched, {len(found)} found"


@pytest.mark.parametrize("copy", ["q90", "q50"])
def test_a_slides_chart_is_not_the_stage_of_a_compressed_filmstrip(copy):
    """Zoom sharing a slide below its filmstrip: in a JPEG the slide's white stays exactly flat round the
    chart's bars, which are too narrow to be tiles; that flat white is not the stage, so the frame is still
    treated as compressed and the filmstrip found on its smoothed stage (it was lost at q90-q50 and mp4v: the
    edge splitter took the slide for the one tile)."""
    _assert_same_tiles(_planned(18, ("zoom", "share_top", 13)), copy, 6)
