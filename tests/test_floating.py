"""Videos apart from the layout's lattice (bot.gallery.floating): found by their faces, after the layout."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from bot.bench_model import sample_faces
from bot.gallery import split_gallery
from bot.gallery.floating import floating_videos, video_around
from bot.gallery.tiles import iou
from bot.synthetic.evaluate import match_tiles
from bot.synthetic.render import render_scene
from bot.synthetic.scene import random_scene

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real-galleries"


def _gallery_with_thumbnail(
    face: np.ndarray, box: tuple[int, int, int, int], left: int = 0, width: int = 1100
) -> tuple[np.ndarray, list]:
    """A rendered 2 x 2 Zoom gallery shrunk into ``width`` pixels from ``left`` of a 1920 x 1080 frame of its
    stage's colour, and a video of ``face`` at ``box`` on the stage beside it (a recording's speaker
    thumbnail)."""
    image, truth = render_scene(random_scene(random.Random(3), "zoom", 4, "plain"))
    scale, top = width / image.shape[1], 230
    frame = np.empty((1080, 1920, 3), np.uint8)
    frame[:] = image[image.shape[0] // 2, 2]  # the stage at the frame's left edge
    small = cv2.resize(image, (width, round(image.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    frame[top : top + small.shape[0], left : left + width] = small
    tiles = [
        (left + round(x * scale), top + round(y * scale), round(w * scale), round(h * scale))
        for x, y, w, h in (t.box for t in truth.tiles)
    ]
    x, y, w, h = box
    video = np.full((h, w, 3), (150, 170, 190), np.uint8)
    side = int(h * 0.55)
    video[int(h * 0.15) : int(h * 0.15) + side, (w - side) // 2 : (w - side) // 2 + side] = cv2.cvtColor(
        cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC), cv2.COLOR_GRAY2BGR
    )
    frame[y : y + h, x : x + w] = video
    return frame, tiles


@pytest.fixture(scope="module")
def face() -> np.ndarray:
    return sample_faces()[25]  # happiness_0.png, a shipped 48 x 48 face


def test_a_video_beside_the_gallery_is_a_floating_tile_after_its_rows(face):
    box = (1400, 380, 240, 300)  # portrait, apart from the 2 x 2 lattice
    frame, tiles = _gallery_with_thumbnail(face, box)
    gallery = split_gallery(frame)
    floating = [t for t in gallery.tiles if t.floating]
    assert len(floating) == 1 and iou(floating[0].box, box) >= 0.85
    assert floating[0].row > max(t.row for t in gallery.tiles if not t.floating)
    layout = [t.box for t in gallery.tiles if not t.floating]
    assert len(layout) == len(tiles) == len(match_tiles(tiles, layout))
    assert gallery.method.endswith("+floating")


def test_a_patch_without_a_face_is_no_video(face):
    frame, _ = _gallery_with_thumbnail(face, (1400, 380, 240, 300))
    noise = np.random.default_rng(0).integers(0, 255, (300, 240, 3), np.uint8)
    frame[380:680, 1400:1640] = cv2.GaussianBlur(noise, (9, 9), 0)  # a busy patch, no face
    assert not any(t.floating for t in split_gallery(frame).tiles)


def test_a_shared_screen_with_a_face_beside_the_gallery_is_no_tile(face):
    """A film shared beside the participants (zoom_108 of the extra real set): the rectangle round its face has
    a video's shape, but it fills the meeting's main stage, so it is no participant's video."""
    shared = (40, 100, 1400, 880)
    frame, tiles = _gallery_with_thumbnail(face, (0, 0, 10, 10), left=1480, width=420)
    x, y, w, h = shared
    scene = cv2.GaussianBlur(np.random.default_rng(1).integers(60, 200, (h, w, 3), np.uint8), (0, 0), 6)
    side = int(h * 0.45)
    fx, fy = (w - side) // 2, int(h * 0.2)
    feather = cv2.GaussianBlur(np.pad(np.ones((side - 40, side - 40)), 20), (0, 0), 10)[..., None]
    portrait = cv2.cvtColor(cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC), cv2.COLOR_GRAY2BGR)
    scene[fy : fy + side, fx : fx + side] = feather * portrait + (1 - feather) * scene[fy : fy + side, fx : fx + side]
    frame[y : y + h, x : x + w] = scene
    assert iou(video_around(frame, (x + fx, y + fy, side, side), tiles), shared) >= 0.85  # framed like a video
    assert floating_videos(frame, tiles) == ([], [])


def test_the_rectangle_round_a_face_is_the_video_not_its_background(face):
    box = (1300, 300, 320, 240)
    frame, _ = _gallery_with_thumbnail(face, box)
    x, y, _, h = box
    cv2.line(frame, (x + 40, y), (x + 40, y + h - 1), (40, 40, 40), 2)  # a door frame behind the speaker
    found = video_around(frame, (x + 120, y + 40, 80, 100))
    assert found is not None and iou(found, box) >= 0.85


@pytest.mark.parametrize("own_face", [False, True])
def test_a_lattice_cell_inside_a_video_is_part_of_it_unless_it_shows_a_face(face, own_face):
    """A lattice that runs into a speaker's video (webex_2's filmstrip) leaves cells inside it: they are
    dropped. A cell with a face of its own is a tile: the rectangle round the other face is no video."""
    video = (1250, 300, 600, 450)
    frame, tiles = _gallery_with_thumbnail(face, video)
    cell = (1270, 625, 160, 110)
    if own_face:
        x, y, _, h = cell
        frame[y + 5 : y + h - 5, x + 45 : x + 145] = cv2.cvtColor(cv2.resize(face, (100, 100)), cv2.COLOR_GRAY2BGR)
    videos, inside = floating_videos(frame, [*tiles, cell])
    if own_face:
        assert inside == [] and not any(iou(v, video) >= 0.5 for v in videos)
    else:
        assert inside == [cell] and len(videos) == 1 and iou(videos[0], video) >= 0.85


@pytest.mark.skipif(not (REAL / "manifest.csv").is_file(), reason="the real development set is absent")
@pytest.mark.parametrize(
    ("file", "truth"),
    [
        ("meet_1.jpg", (1575, 404, 209, 271)),  # the recording's active-speaker thumbnail
        ("webex_2.png", (578, 190, 60, 39)),  # the self-view picture-in-picture over the speaker
        ("webex_2.png", (406, 77, 234, 154)),  # the speaker, over the filmstrip's lattice
    ],
)
def test_real_floating_videos(file, truth):
    gallery = split_gallery(cv2.imread(str(REAL / file)))
    assert any(t.floating and iou(t.box, truth) >= 0.75 for t in gallery.tiles)  # the match bar is 0.5
