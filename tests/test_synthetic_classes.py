"""The synthetic meeting renderer, the class simulator and the HTML galleries: the truth matches the drawing."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace

import numpy as np
import pytest

from bot.fonts import ellipsize, get_font
from bot.frames import Frame
from bot.synthetic.classroom import simulate_class
from bot.synthetic.evaluate import contained, frame_plan
from bot.synthetic.html import demo_scene, gallery_html, write_gallery_html
from bot.synthetic.names import initials, normalize_name, random_names
from bot.synthetic.render import render_scene
from bot.synthetic.scene import EMOTIONS, PLATFORMS, VARIANTS, random_participants, random_scene


def _inside(inner, outer, slack=0):
    ix, iy, iw, ih = inner
    ox, oy, ow, oh = outer
    return ox - slack <= ix and oy - slack <= iy and ix + iw <= ox + ow + slack and iy + ih <= oy + oh + slack


@pytest.mark.parametrize("variant", VARIANTS)
def test_truth_is_consistent(variant):
    rng = random.Random(variant)
    platform = PLATFORMS[VARIANTS.index(variant) % 3]
    scene = random_scene(rng, platform, rng.randint(1, 49), variant)
    image, truth = render_scene(scene)
    width, height = scene.size
    assert image.shape == (height, width, 3) and image.dtype == np.uint8
    assert truth.tiles, "a frame shows at least one tile"
    boxes = [t.box for t in truth.tiles]
    for t in truth.tiles:
        assert _inside(t.box, (0, 0, width, height))
        assert _inside(t.label_box, t.box)
        assert (t.face_box is None) == (t.camera != "on") == (t.emotion is None)
        if t.face_box is not None:
            assert _inside(t.face_box, t.box) and t.emotion in EMOTIONS
        assert t.normalized_name == normalize_name(t.display_name) and t.normalized_name
        assert t.shown_name == t.display_name or t.shown_name.endswith("…")
    for i, a in enumerate(boxes):  # tiles never overlap
        for b in boxes[i + 1 :]:
            assert a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]
    # reading order: rows top to bottom, columns left to right, cells numbered from 0
    order = sorted(truth.tiles, key=lambda t: (t.row, t.col))
    assert [t.box for t in order] == sorted(boxes, key=lambda b: (b[1], b[0]))
    for row in {t.row for t in truth.tiles}:
        assert sorted(t.col for t in truth.tiles if t.row == row) == list(range(sum(t.row == row for t in truth.tiles)))
    assert truth.gallery_area is not None and all(_inside(b, truth.gallery_area) for b in boxes)
    if truth.self_view is not None:
        assert all(a != truth.self_view for a in boxes)
    if truth.shared_area is not None:
        assert all(contained(b, truth.shared_area) == 0 for b in boxes)
    if truth.pages is not None and truth.pages.current is not None:
        assert 1 <= truth.pages.current <= truth.pages.total
        assert (truth.pages.previous_arrow is None) == (truth.pages.current == 1)
        assert (truth.pages.next_arrow is None) == (truth.pages.current == truth.pages.total)


def test_speaker_and_centred_last_row():
    rng = random.Random(1)
    scene = replace(random_scene(rng, "zoom", 7, "plain"), speaker=2, chrome="none")
    image, truth = render_scene(scene)
    assert [t.speaker for t in truth.tiles].count(True) == 1 and truth.tiles[2].speaker
    last = [t for t in truth.tiles if t.row == max(t.row for t in truth.tiles)]
    full = [t for t in truth.tiles if t.row == 0]
    centre = lambda ts: (min(t.box[0] for t in ts) + max(t.box[0] + t.box[2] for t in ts)) / 2  # noqa: E731
    assert len(last) < len(full) and abs(centre(last) - centre(full)) <= 1
    x, y, w, _ = truth.tiles[2].box  # the highlight border is drawn in the tile's rim
    rim = image[y + 1, x + w // 2].astype(int)
    assert rim[1] > 150 and rim[2] < 80  # Zoom's green, BGR


def test_pages_hold_25_or_49():
    rng = random.Random(2)
    people = random_participants(rng, 60, "zoom")
    for per_page, page, shown in ((25, 0, 25), (25, 2, 10), (49, 1, 11)):
        scene = replace(random_scene(rng, "zoom", 5, "plain"), participants=people, per_page=per_page, page=page)
        _, truth = render_scene(scene)
        assert len(truth.tiles) == shown
        assert (truth.pages.current, truth.pages.total) == (page + 1, -(-60 // per_page))


def test_names_and_ellipsis():
    names = random_names(random.Random(0), 200)
    assert len(set(names)) == 200
    assert any(re.search(r"[^\x00-\x7f]", n) for n in names)  # accented Latin
    assert any(n.endswith(("(she/her)", "(he/him)", "(they/them)", "(she/they)")) for n in names)
    assert normalize_name("Chloé Martin (Host)") == normalize_name("chloé  martin") == "chloé martin"
    assert initials("Ana María López (she/her)") == "AL"
    font = get_font("lato", 13)
    long = "Maximiliano Alejandro Fernández-Castellanos de la Vega"
    cut = ellipsize(long, font, 150)
    assert cut.endswith("…") and font.getlength(cut) <= 150 and long.startswith(cut[:-1].rstrip())


def test_frame_plan_covers_platforms_variants_and_sizes():
    plan = frame_plan(330)
    assert {p for p, *_ in plan} == set(PLATFORMS)
    assert {v for _, v, *_ in plan} == set(VARIANTS)
    tiles = {t for _, _, t, _ in plan}
    assert min(tiles) == 1 and max(tiles) == 49


def test_simulated_class_follows_its_script():
    captures = list(simulate_class(students=8, minutes=2, interval_s=5, platform="meet", seed=3))
    assert len(captures) == 24
    at, frame, _ = captures[0]
    assert isinstance(frame, Frame) and frame.captured_at == at and frame.image.shape == (1080, 1920, 3)
    assert (captures[1].at - at).total_seconds() == 5
    present = [{t.participant for t in c.truth.tiles} for c in captures]
    assert 3 not in present[0] and 3 in present[-1]  # joins late (10 %)
    assert 1 in present[0] and 1 not in present[10] and 1 in present[-1]  # leaves at 35 %, back at 55 %
    assert all(t.camera == "off" and t.emotion is None for c in captures for t in c.truth.tiles if t.participant == 2)
    assert captures[-1].truth.tiles[-1].participant == 1  # rejoined at the end of the gallery
    assert all(c.truth.self_view is not None for c in captures)  # the instructor's own video floats
    emotions = {t.emotion for c in captures for t in c.truth.tiles if t.emotion}
    assert len(emotions) >= 3  # expressions drift


def test_simulated_class_share_stretch():
    captures = list(simulate_class(students=12, minutes=1, interval_s=10, platform="zoom", seed=1, share=(0.5, 1)))
    layouts = [c.truth.layout for c in captures]
    assert layouts[0] == "gallery" and layouts[-1] == "share_top"


def test_html_gallery(tmp_path):
    scene = demo_scene(60, "zoom", 25, seed=4)
    truths = write_gallery_html(tmp_path / "g.html", scene)
    document = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert [len(t.tiles) for t in truths] == [25, 25, 10]
    assert document.count('class="tile"') == 60
    assert document.count("<button") == 2 and 'id="next"' in document and 'id="prev"' in document
    assert document.count("data:image/jpeg;base64,") >= 30 and "@font-face" in document
    embedded = json.loads(
        re.search(r'id="classmood-truth" type="application/json">(.*?)</script>', document, re.S).group(1)
    )
    assert [len(p["tiles"]) for p in embedded] == [25, 25, 10]
    assert embedded[0]["pages"]["current"] == 1 and embedded[0]["pages"]["previous_arrow"] is None
    for truth in truths:
        for t in truth.tiles:
            assert t.display_name in document.replace("&#x27;", "'")
    light, _ = gallery_html(replace(demo_scene(5, "teams", 49, seed=1), theme="light"))
    assert "<button" not in light  # one page: no arrows
