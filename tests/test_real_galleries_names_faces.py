"""Names and faces on real meeting screenshots (../shared/real-galleries), on the manifest's own tile boxes.

The figures asserted per image are what the bot read when this test was written (python -m bot.realset):
a change that reads fewer real names or finds fewer real faces fails here, whatever it does on our renderings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.names import installed_languages, tesseract_available
from bot.realset import load_manifest, measure, name_correct, score_faces, script_of

FOLDER = Path(__file__).resolve().parents[1] / ".." / "shared" / "real-galleries"
if not (FOLDER / "manifest.csv").is_file():
    FOLDER = Path("/work/shared/real-galleries")

pytestmark = pytest.mark.skipif(
    not (FOLDER / "manifest.csv").is_file(), reason="the real development set ../shared/real-galleries is absent"
)

#: file -> (Latin names right, Latin names scored, faces found, camera-on tiles)
EXPECTED = {
    "zoom_2.jpg": (4, 12, 8, 8),
    "zoom_4.png": (6, 6, 6, 6),
    "zoom_5.jpg": (5, 6, 6, 6),  # 4 before the reader read the lowest quarter of a strip, doubled
    "zoom_6.jpg": (0, 0, 5, 5),
    "zoom_11.jpg": (24, 25, 25, 25),
    "meet_1.jpg": (0, 0, 9, 9),
    "meet_2.jpg": (0, 0, 9, 9),
    "meet_4.jpg": (1, 1, 16, 16),
    "webex_1.png": (25, 25, 0, 0),
    "webex_2.png": (0, 1, 8, 8),
}


@pytest.fixture(scope="module")
def rows() -> dict[str, dict]:
    if not tesseract_available() or "Latin" not in installed_languages():
        pytest.skip("Tesseract with its Latin model is not installed (.ci/install-ocr.sh)")
    return {row["file"]: row for row in measure(FOLDER)}


def test_the_manifest_loads_with_camera_states_and_kinds():
    images = {image.name: image for image in load_manifest(FOLDER)}
    assert set(EXPECTED) <= set(images)
    assert images["zoom_2.jpg"].camera_off == {8, 9, 10, 11}
    assert images["webex_1.png"].kind == "synthetic" and images["webex_1.png"].camera_on() == []
    assert len(images["zoom_11.jpg"].boxes) == len(images["zoom_11.jpg"].names) == 25
    assert script_of("Роман Куб'як") == "cyrillic" and script_of("Zhuoyue.Zhou") == "latin"


def test_name_scoring_follows_the_issues_rules():
    assert name_correct("Cheryl Porter", "cheryl  porter")
    assert name_correct("Christopher Vill...", "Christopher Vill")  # the text before the dots is right
    assert name_correct("Christopher Vill...", "Christopher Vill…")
    assert not name_correct("Christopher Vill...", "Christopher Vil")
    assert not name_correct("Jonathan.Sears", "Jonathan Sears")
    assert not name_correct("Kim", None)


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_names_and_faces_per_image(rows, file):
    right, scored, found, camera_on = EXPECTED[file]
    row = rows[file]
    assert (row["names_total"], row["camera_on"]) == (scored, camera_on)
    assert row["names_correct"] >= right, row["misread"]
    assert row["faces_found"] >= found
    assert row["false_faces"] == 0  # no face on a test pattern or a camera-off tile


def test_the_whole_set_meets_the_bars(rows):
    names = sum(r["names_correct"] for r in rows.values()), sum(r["names_total"] for r in rows.values())
    faces = sum(r["faces_found"] for r in rows.values()), sum(r["camera_on"] for r in rows.values())
    assert faces[0] >= 0.95 * faces[1]
    assert names[0] >= 0.75 * names[1]


def test_faces_are_scored_per_camera_state():
    image = next(i for i in load_manifest(FOLDER) if i.name == "zoom_2.jpg")
    faces = [object()] * 8 + [None, None, object(), None]
    score = score_faces(image, faces)
    assert (score.found, score.camera_on, score.false_faces) == (8, 8, 1)


def test_faces_on_the_splitters_own_tiles():
    """End to end, as the bot reads a screen: the splitter's tiles (floating videos among them), then faces.
    A face on at least 95% of the camera-on tiles (85 of 92 before floating videos were found: the missed
    tiles' faces), none on a camera-off tile or the test pattern."""
    from bot.gallery import split_gallery

    rows = measure(FOLDER, split=lambda image: split_gallery(image).tiles, reader=_NoNames)
    found, camera_on = sum(r["faces_found"] for r in rows), sum(r["camera_on"] for r in rows)
    assert found >= 0.95 * camera_on, [(r["file"], r["faces_found"], r["camera_on"]) for r in rows]
    assert sum(r["false_faces"] for r in rows) == 0


class _NoNames:
    """A name reader that reads nothing (this test is about faces; names have their own)."""

    def read(self, crops, places=None):
        return [None] * len(crops)


def test_a_long_label_read_as_a_short_word_is_read_again_from_its_band():
    """zoom_5's 'Seth Rice Nulty' on the splitter's tile (a pixel off the manifest's) read as 'Da', sure enough
    of its two letters to pass; a line 7.8 letter heights long cannot hold two, so its lower band is read too,
    which comes within a letter of the name: what the class list's fuzzy join needs."""
    if not tesseract_available() or "Latin" not in installed_languages():
        pytest.skip("Tesseract with its Latin model is not installed (.ci/install-ocr.sh)")
    from rapidfuzz.distance import Levenshtein

    from bot.gallery import split_gallery
    from bot.names import NameReader

    real = next(image for image in load_manifest(FOLDER) if image.name == "zoom_5.jpg")
    image = real.image()
    truth = real.boxes[real.names.index("Seth Rice Nulty")]
    tile = next(
        t for t in split_gallery(image).tiles if abs(t.box[0] - truth[0]) <= 4 and abs(t.box[1] - truth[1]) <= 4
    )
    (name,) = NameReader().read([tile.label_crop(image)])
    assert name is not None and Levenshtein.distance(name, "Seth Rice Nulty") <= 1
