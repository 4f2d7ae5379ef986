"""Wild renderings (bot/synthetic/wild.py, wild_tiles.py): reproducible from the scene's seed, varied across
seeds, and with truth boxes that lie in the frame on the tiles drawn there."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import replace

import numpy as np
import pytest

from bot.synthetic.render import render_scene
from bot.synthetic.scene import FrameTruth, random_scene
from bot.synthetic.styles import style_for
from bot.synthetic.wild import enlarge, wild_setup


def _wild(seed: int, platform: str | None = None, tiles: int | None = None, variant: str = "mixed"):
    return replace(random_scene(random.Random(seed), platform, tiles, variant), wild=True)


def _digest(frame: np.ndarray, truth: FrameTruth) -> tuple[str, str]:
    return (
        hashlib.sha256(frame.tobytes()).hexdigest(),
        hashlib.sha256(json.dumps(truth.to_dict(), sort_keys=True, default=str).encode()).hexdigest(),
    )


def test_a_wild_frame_is_reproducible_from_its_seed():
    scene = replace(_wild(3, "zoom", 6, "speaker"), size=(1280, 720))
    first = _digest(*render_scene(scene))
    assert _digest(*render_scene(scene)) == first
    assert _digest(*render_scene(replace(scene, seed=scene.seed + 1))) != first


def test_wild_choices_vary_across_seeds():
    scales, positions, backings, fonts, stages, themes, borders, textured = (set() for _ in range(8))
    for seed in range(20):
        scene = _wild(seed)
        _, style, look = wild_setup(scene, style_for(scene.platform, scene.theme, scene.bg_variant))
        scales.add(look.scale)
        positions.add(look.label.position)
        backings.add("none" if look.label.backing is None else look.label.backing[3] // 64)
        fonts.add(look.label.family)
        stages.add(style.stage_bg)
        themes.add(style.theme)
        borders.add((look.border.colour, look.border.width))
        textured.add(look.textured)
    assert len(scales) >= 3 and 1.0 in scales and max(scales) > 1.4
    assert positions == {"bottom", "top"}
    assert len(backings) >= 3 and "none" in backings
    assert len(fonts) >= 3
    assert len(stages) >= 10 and themes == {"dark", "light"}
    assert len(borders) >= 5 and len(textured) >= 3


def test_the_same_scene_drawn_wild_keeps_its_plain_rendering_unchanged():
    scene = random_scene(random.Random(5), "teams", 4, "plain")
    before = _digest(*render_scene(scene))
    render_scene(replace(scene, wild=True))
    assert _digest(*render_scene(scene)) == before


def test_enlarging_scales_every_truth_box():
    scene = random_scene(random.Random(8), "zoom", 30, "pages")
    frame, truth = render_scene(scene)
    big = enlarge(frame, truth, 2.0)
    _, plain = render_scene(scene)
    assert big.shape[:2] == (2 * frame.shape[0], 2 * frame.shape[1]) and truth.size == (3840, 2160)
    for small, large in zip(plain.tiles, truth.tiles, strict=True):
        assert large.box == tuple(2 * v for v in small.box)
        assert large.label_box == tuple(2 * v for v in small.label_box)
    assert truth.pages is not None and plain.pages is not None
    assert truth.pages.next_arrow == tuple(2 * v for v in plain.pages.next_arrow)


def _inside(inner, outer, slack: int = 0) -> bool:
    ix, iy, iw, ih = inner
    ox, oy, ow, oh = outer
    return ox - slack <= ix and oy - slack <= iy and ix + iw <= ox + ow + slack and iy + ih <= oy + oh + slack


def _band(frame: np.ndarray, box, offset: int, width: int, corner: int) -> np.ndarray:
    """The pixels of a ring ``width`` wide starting ``offset`` pixels outside (negative: inside) ``box``'s edge,
    the ``corner`` pixels at each end of a side left out."""
    x, y, w, h = box
    out = []
    for k in range(width):
        d = offset + k
        top, bottom = y - 1 - d, y + h + d
        left, right = x - 1 - d, x + w + d
        out += [frame[top, x + corner : x + w - corner], frame[bottom, x + corner : x + w - corner]]
        out += [frame[y + corner : y + h - corner, left], frame[y + corner : y + h - corner, right]]
    return np.concatenate(out).astype(np.float32)


@pytest.mark.parametrize("seed", [0, 2, 10, 29, 31])  # each platform, light and dark, 1x-2x, gaps >= 4 px
def test_truth_boxes_lie_in_the_frame_on_the_tiles(seed):
    scene = replace(_wild(seed, ("zoom", "meet", "teams")[seed % 3], 4 + seed % 5, "plain"), self_view=False)
    _, style, look = wild_setup(scene, style_for(scene.platform, scene.theme, scene.bg_variant))
    frame, truth = render_scene(scene)
    height, width = frame.shape[:2]
    assert truth.size == (width, height)
    stage = np.array(style.stage_bg[::-1], np.float32)
    inner_diffs = []
    corner = int(style.radius * look.scale) + 4
    for tile in truth.tiles:
        assert _inside(tile.box, (0, 0, width, height))
        assert tile.label_box is not None and _inside(tile.label_box, tile.box, slack=2)
        if tile.face_box is not None:
            assert _inside(tile.face_box, tile.box, slack=1)
        inner_diffs.append(np.abs(_band(frame, tile.box, -6, 3, corner) - stage).mean())
        gap = int(style.gap * look.scale)
        if gap >= 4 and not tile.speaker:  # the gap and margin around a tile show the stage
            outside = _band(frame, tile.box, 1, min(gap // 2 - 1, 3), corner)
            assert np.abs(outside - stage).mean() < 14, (tile.box, np.abs(outside - stage).mean())
    assert np.median(inner_diffs) > 12, inner_diffs  # tiles stand apart from the stage
