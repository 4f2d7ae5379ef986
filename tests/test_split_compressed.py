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


def _planned(index: int, expected: tuple[str, str, int], seed: int = 7) -> np.ndarray:
    """Frame ``index`` of ``frame_plan(30, seed)`` (the frames ``--compressed 30 --seed 7`` copies)."""
    platform, variant, tiles, seed = frame_plan(30, seed)[index]
    assert (platform, variant, tiles) == expected
    return render_scene(random_scene(random.Random(seed), platform, tiles, variant))[0]


def _copy(image: np.ndarray, copy: str) -> np.ndarray:
    if copy.startswith("q"):
        return real_split.jpeg_copy(image, int(copy[1:]))
    return real_split.video_copies([image], copy)[0]


def _assert_same_tiles(image: np.ndarray, copy: str, tiles: int) -> None:
    """The layout's tiles of the copy are those of the lossless frame (a floating self-view, found by its
    face or not, is no cell of the layout: bot.gallery.floating)."""
    reference = [t.box for t in split_gallery(image).tiles if not t.floating]
    found = [t.box for t in split_gallery(_copy(image, copy)).tiles if not t.floating]
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


@pytest.mark.parametrize("copy", ["q90", "q75", "mp4v"])
def test_a_tile_pillarboxed_in_the_stages_colour_is_kept_in_a_full_row(copy):
    """Zoom, 3 + 3 + 1, the top-left video pillarboxed in black on the black stage: its sides hardly show. On
    the copies the stage frames only a few tiles; every row but the last is full, so the cell of a full row
    at the full rows' column holds a tile if anything is in it (q90 lost it, q75 and mp4v it and another)."""
    _assert_same_tiles(_planned(9, ("zoom", "pillarbox", 7)), copy, 7)


def test_a_lone_stage_blob_takes_its_lattice_gap_from_the_stage_beside_it():
    """Meet, 22 tiles, JPEG q50: the stage frames one tile, so no pitch shows; the gap was guessed (2 % of a
    tile: 3 working pixels where the stage beside the tile shows 2), and the cells predicted from that
    lattice drifted off one tile (21 of 22)."""
    _assert_same_tiles(_planned(7, ("meet", "speaker", 22)), "q50", 22)


@pytest.mark.parametrize("copy", ["q75", "q50", "mp4v"])
def test_a_camera_off_tile_a_shade_off_the_stage_is_kept_by_centring_the_rows(copy):
    """Zoom, 2 + 1, the top-right tile camera-off, 9 grey levels off the stage: the copies' smoothed stage
    swallows it and its sides are too faint for the edge splitter, leaving a top row of one tile half a pitch
    left of the last row's middle. Rows are centred, so the top row lacks its right-hand tile; that cell's
    four sides show on faint edges (2 of 3 tiles before)."""
    _assert_same_tiles(_planned(3, ("zoom", "camera_off", 3)), copy, 3)


def test_one_blob_on_a_flat_stage_does_not_make_a_video_frame_lossless():
    """Teams sharing a spreadsheet beside a column of 4 tiles, through OpenCV's MJPG: the dark stage stays
    exactly flat round the shared screen, one blob, and the frame passed for lossless, so the smoothed stage
    that frames the 4 tiles was never tried (the shared screen came back as the one tile)."""
    _assert_same_tiles(_planned(17, ("teams", "share_side", 45)), "MJPG", 4)


def test_a_floating_self_view_is_not_added_to_a_compressed_gallery():
    """Teams, 43 tiles and the floating self-view beside the one-tile last row, JPEG q75: the edge splitter
    finds the self-view at the tiles' size and in the last row's line; a tile the stage missed is in step
    with the tiles' columns (or half a pitch off them, in a centred last row), which the self-view is not
    (44 tiles before)."""
    _assert_same_tiles(_planned(14, ("teams", "self_view", 43)), "q75", 43)


@pytest.mark.parametrize("copy", ["q95", "q50"])
def test_a_self_view_that_would_push_the_last_row_off_centre_is_not_a_tile(copy):
    """Meet, 33 tiles, the floating self-view below the last column, in the last row's line and on a column:
    the last row is centred on the full rows' line without it and would be off it with it (34 tiles on
    every copy before). Frame 13 of ``frame_plan(30, 8)``."""
    _assert_same_tiles(_planned(13, ("meet", "self_view", 33), seed=8), copy, 33)


@pytest.mark.parametrize("copy", ["q90", "mp4v"])
def test_rows_are_complete_only_with_the_stage_beside_them(copy):
    """Zoom, 4 + 4 + 2 with camera-off tiles: the copy's stage stays exactly flat round the middle two
    columns only, 2 + 2 + 2, full and centred, so the gallery passed for complete; the cell beyond each row
    end is a tile, not the stage, so the lattice is checked (6 of 10 before). Frame 3 of ``frame_plan(30, 8)``."""
    _assert_same_tiles(_planned(3, ("zoom", "camera_off", 10), seed=8), copy, 10)


@pytest.mark.parametrize("copy", ["q75", "q50"])
def test_rows_between_take_the_full_rows_columns_not_the_centred_last_rows(copy):
    """Zoom, 4 + 4 + 4 + 3: the copy's smoothed stage frames one tile of the top row and two of the centred
    last row, half a pitch off the full rows' columns; the rows between are full rows, on the full rows'
    columns (they were filled on both, overlapping cells: 8 of 15 at q50). Frame 0 of ``frame_plan(30, 9)``."""
    _assert_same_tiles(_planned(0, ("zoom", "plain", 15), seed=9), copy, 15)


def test_a_lossless_looking_copys_missed_cells_are_centred_too():
    """Zoom, 5 + 5 + 5 + 2 with camera-off tiles, JPEG q95: the stage stays exactly flat and frames the
    left three columns; the lattice check finds the fourth, and the full rows, half a pitch left of the
    last row's middle, lack the fifth column's camera-off tiles, which show on faint edges (14 of 17
    before). Frame 3 of ``frame_plan(30, 9)``."""
    _assert_same_tiles(_planned(3, ("zoom", "camera_off", 17), seed=9), "q95", 17)


@pytest.mark.parametrize("copy", ["q90", "MJPG"])
def test_a_short_last_row_off_centre_lacks_its_other_end(copy):
    """Zoom, 6 + 6 + 6 + 3, the last row's right-hand tile camera-off on the dark stage: the last row shows
    two tiles half a pitch left of the full rows' middle, and the full rows cannot grow (they span the
    frame), so the last row lacks its right-hand tile, which shows on faint edges (20 of 21 on every copy
    before). Frame 9 of ``frame_plan(30, 9)``."""
    _assert_same_tiles(_planned(9, ("zoom", "pillarbox", 21), seed=9), copy, 21)


def test_stage_blobs_the_edges_find_only_at_another_size_are_not_confirmed():
    """Zoom, 28 tiles, two videos pillarboxed in the stage's colour one above the other, JPEG q75: the
    smoothed stage frames their two pictures (316 x 144) as two tiles, which the edge splitter's 310 x 174
    tiles overlap but do not confirm; its 28 tiles are the answer (4 of 28 before). Frame 9 of
    ``frame_plan(30, 10)``."""
    _assert_same_tiles(_planned(9, ("zoom", "pillarbox", 28), seed=10), "q75", 28)


@pytest.mark.parametrize("copy", ["q95", "q90", "q50", "mp4v", "MJPG"])
def test_pillarboxed_videos_on_a_black_stage_are_not_the_tiles(copy):
    """Zoom, 14 pillarboxed videos in tiles drawn in the stage's black: the copy's stage stays exactly flat
    and frames only two videos (q90: 2 of 14 tiles before; MJPG: 19 video-sized cells, none right); the edge
    splitter's tiles, which hold them, win, and portrait blobs are videos, never tiles. The centred last
    row's two tiles show no sides at all: each is found by its video, which spans the cell's height, centred
    (bot.gallery.pillarbox; 12 of 14 before). The q95 copy keeps the black exactly flat round two columns
    only (9 of 14 before), the mp4v copy frames a lattice of the wrong width on it (9, none right): the
    smoothed stage frames all 14. Frame 9 of ``frame_plan(30, 1)``."""
    _assert_same_tiles(_planned(9, ("zoom", "pillarbox", 14), seed=1), copy, 14)


def test_tiles_a_jpeg_merged_into_one_blob_are_split_again():
    """Zoom, 3 x 3 with dark camera-off tiles and the floating self-view, JPEG q75: the stage stays exactly
    flat and frames three blobs, each two tiles tall (the thin gaps closed); they are whole numbers of the
    edge splitter's tiles, which win (0 of 9 before). Frame 12 of ``frame_plan(30, 0)``."""
    _assert_same_tiles(_planned(12, ("zoom", "self_view", 9), seed=0), "q75", 9)


@pytest.mark.parametrize("copy", ["q90", "MJPG"])
def test_a_title_bar_is_not_a_row_of_tiles(copy):
    """Zoom in a window, 5 + 5 + 5 + 4: the edge splitter finds three cells in the title bar above the top
    row; a row above the top one counts only with all but one of the widest row's cells (22 tiles before).
    Frame 27 of ``frame_plan(30, 0)``."""
    _assert_same_tiles(_planned(27, ("zoom", "window", 19), seed=0), copy, 19)


@pytest.mark.parametrize("copy", ["q50", "mp4v"])
def test_camera_off_tiles_a_codec_flattened_into_the_stage_are_kept_by_their_drawings(copy):
    """Zoom, 4 + 4 + 2 with the right column's two tiles camera-off (initials on a tile a shade off the
    black stage): the copy flattens the shade away and no side shows. The centred last row says the full
    rows lack their right end, and each cell there holds a drawing in its middle (8 of 10 before).
    Frame 3 of ``frame_plan(30, 1)``."""
    _assert_same_tiles(_planned(3, ("zoom", "camera_off", 10), seed=1), copy, 10)


def test_a_windows_title_bar_corners_are_not_a_row_of_tiles():
    """Zoom in a window, 6 x 4 + 2, JPEG q50: the window's corners under its title bar show three sides of a
    cell each, and the edge splitter's lattice took two of them as a row above the top one; a row there
    counts only whole (27 found before, the camera-off tile of the last row lost behind them).
    Frame 27 of ``frame_plan(30, 1)``."""
    _assert_same_tiles(_planned(27, ("zoom", "window", 26), seed=1), "q50", 26)


@pytest.mark.parametrize(
    ("index", "expected", "tiles"), [(15, ("zoom", "share_side", 11), 4), (18, ("zoom", "share_top", 13), 6)]
)
def test_a_noisy_capture_of_a_shared_screen_keeps_its_filmstrip(index, expected, tiles):
    """Grey noise of 6 levels over the whole frame (a photo of a monitor, a grainy recording): no stage stays
    flat, the light smoothings frame nothing, and the edges took the slide for the one tile (0 of the
    filmstrip's tiles); a median of 5 or 7 px frames them (split.NOISY_PASSES)."""
    image = _planned(index, expected)
    noisy = np.clip(image + np.random.default_rng(0).normal(0, 6, image.shape), 0, 255).astype(np.uint8)
    reference = [t.box for t in split_gallery(image).tiles if not t.floating]
    found = [t.box for t in split_gallery(noisy).tiles if not t.floating]
    assert len(reference) == tiles
    assert len(match_tiles(reference, found, real_split.REAL_IOU)) == tiles == len(found)
