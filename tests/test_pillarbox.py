"""A last row of pillarboxed videos, whose tiles' sides nothing shows, is found by its videos alone."""

from __future__ import annotations

import cv2
import numpy as np

from bot.gallery.edges import VERIFY_CONTRAST, edge_maps
from bot.gallery.pillarbox import centred_content, pillarbox_row

W, H, GAP = 80, 45, 4


def _gallery(last_row_shift: int = 0) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Two full rows of three textured tiles on black, then two tiles drawn in the stage's black with a
    portrait video centred in each (shifted by ``last_row_shift`` pixels inside its tile)."""
    rng = np.random.default_rng(0)
    image = np.zeros((200, 300, 3), np.uint8)
    tiles = []
    for row in range(2):
        for col in range(3):
            x, y = 20 + col * (W + GAP), 10 + row * (H + GAP)
            image[y : y + H, x : x + W] = rng.integers(60, 200, (H, W, 3), dtype=np.uint8)
            tiles.append((x, y, W, H))
    y = 10 + 2 * (H + GAP)
    for x in (20 + (W + GAP) // 2, 20 + (W + GAP) // 2 + W + GAP):  # centred under the three columns
        video = x + (W - 26) // 2 + last_row_shift
        image[y : y + H, video : video + 26] = rng.integers(60, 200, (H, 26, 3), dtype=np.uint8)
    return image, tiles


def test_a_centred_row_of_pillarboxed_videos_is_two_tiles():
    image, tiles = _gallery()
    cells = pillarbox_row(edge_maps(image, contrast=VERIFY_CONTRAST), tiles, W, H, W + GAP, H + GAP)
    expected = [(20 + (W + GAP) // 2, 10 + 2 * (H + GAP)), (20 + (W + GAP) // 2 + W + GAP, 10 + 2 * (H + GAP))]
    assert len(cells) == 2
    for (x, y, w, h), (ex, ey) in zip(cells, expected, strict=True):
        assert abs(x - ex) <= 1 and abs(y - ey) <= 1 and (w, h) == (W, H)


def test_videos_off_their_cells_middle_are_not_taken_for_tiles():
    """Columns of picture that do not stand mirrored in a cell (a shared slide's bars, say) are not videos."""
    image, tiles = _gallery(last_row_shift=12)
    assert pillarbox_row(edge_maps(image, contrast=VERIFY_CONTRAST), tiles, W, H, W + GAP, H + GAP) == []


def _cell_with_disc(centre_x: int) -> np.ndarray:
    """A 120 x 68 dark cell with an initials disc at ``centre_x`` and a name at the bottom left."""
    image = np.full((68, 120, 3), 26, np.uint8)
    cv2.circle(image, (centre_x, 28), 14, (200, 120, 40), -1)
    cv2.putText(image, "Farah", (4, 63), cv2.FONT_HERSHEY_SIMPLEX, 0.3, (230, 230, 230), 1)
    return image


def test_a_camera_off_tiles_initials_stand_in_its_middle():
    assert centred_content(edge_maps(_cell_with_disc(60), contrast=VERIFY_CONTRAST), 0, 0, 120, 68)
    assert not centred_content(edge_maps(_cell_with_disc(25), contrast=VERIFY_CONTRAST), 0, 0, 120, 68)
    empty = np.full((68, 120, 3), 26, np.uint8)
    assert not centred_content(edge_maps(empty, contrast=VERIFY_CONTRAST), 0, 0, 120, 68)
