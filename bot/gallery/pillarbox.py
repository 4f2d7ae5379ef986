"""A last row of pillarboxed videos: tiles whose own sides nothing shows.

Zoom draws a tile in the stage's own black, and a phone's portrait video stands in the middle of it with
black bars on either side. In a lossless capture the tile is a grey level or two off the stage; after a
JPEG or a video codec nothing marks its sides, and a last row made only of such tiles (centred under the
full rows) is missed by both splitters: the edge splitter needs a tile's four sides, and
:func:`bot.gallery.lattice.centring_cells` needs a partial last row to start from.

The video itself says where its tile is: it spans the tile's full height, so its top and bottom are the
tile's, and it is centred, so its two sides stand at the same distance from the tile's. A cell of the row
below the found ones (on the lattice's columns or half a pitch off them, as a centred row of any length
stands) is taken where such a video fills it: two vertical sides, one each side of the middle at mirrored
places, running the cell's full height, and horizontal sides along the video at the cell's top and bottom.
The taken cells must stand side by side and centred under the full rows (``frame_plan(30, 1)`` frame 9:
14 Zoom tiles, the last row's two pillarboxed, lost at q50-q95, mp4v and MJPG).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from bot.frames import Box
from bot.gallery.edges import EdgeMaps, has_content, overlaps
from bot.gallery.rows import rows_by_top

#: a video's side runs along at least this share of the cell's height, and its top and bottom along this
#: share of its width
SIDE_COVER = 0.85
#: the video's two sides stand at mirrored places: this many working pixels apart at most
MIRROR_SLACK = 2
#: the video is at least this share of the tile's width (narrower is a stripe of the picture, not a video)
MIN_VIDEO_SHARE = 0.25
#: a camera-off tile's drawing: at least this share of the cell above its label strip (the top LABEL_FREE of its
#: height) is on edges, and their centre is within CENTRED of the cell's width of its middle
MIN_CONTENT = 0.02
LABEL_FREE = 0.8
CENTRED = 0.08
#: how far (working pixels) the row's cells are looked for around their lattice place
REACH = 3


def _column_cover(edges: EdgeMaps, col: int, y: int, h: int) -> float:
    return float(edges.along_y[y + h, col] - edges.along_y[y, col]) / h


def _row_cover(edges: EdgeMaps, row: int, x0: int, x1: int) -> float:
    return float(edges.along_x[row, x1] - edges.along_x[row, x0]) / max(1, x1 - x0)


def pillarbox_offset(edges: EdgeMaps, x: int, y: int, w: int, h: int) -> float | None:
    """How far (working pixels) from the middle of the w x h cell at (x, y) stands a video that runs from the
    cell's top to its bottom with bars beside it (see the module's docstring); None where there is none."""
    height, width = edges.shape
    if x < 0 or y < 1 or x + w > width or y + h > height:
        return None
    middle = x + (w - 1) / 2
    sides = [col for col in range(x + 2, x + w - 2) if _column_cover(edges, col, y + 1, h - 2) >= SIDE_COVER]
    lefts = [c for c in sides if c < middle - MIN_VIDEO_SHARE * w / 2]
    rights = [c for c in sides if c > middle + MIN_VIDEO_SHARE * w / 2]
    best: float | None = None
    for left in lefts:
        for right in rights:
            offset = abs((left + right) / 2 - middle)
            if offset > MIRROR_SLACK / 2 or (best is not None and offset >= best):
                continue
            top = max(_row_cover(edges, row, left, right) for row in (y - 1, y, y + 1))
            # the size a compressed copy's lattice gives may be a few pixels short or long
            bottom = max(
                _row_cover(edges, row, left, right) for row in range(y + h - REACH, min(height, y + h + REACH))
            )
            if min(top, bottom) >= SIDE_COVER:
                best = offset
    return best


def centred_content(edges: EdgeMaps, x: int, y: int, w: int, h: int) -> bool:
    """Whether the w x h cell at (x, y) holds something centred across it above its label strip: a camera-off
    tile's initials or photo, a face, a pillarboxed video. Zoom draws a camera-off tile a grey level or two
    off its stage, which a video codec flattens away (``frame_plan(30, 1)`` frame 3, mp4v: the column of two
    camera-off tiles at the end of the full rows lost); what is drawn in it still stands in its middle."""
    height, width = edges.shape
    x0, x1 = max(0, x + 3), min(width, x + w - 3)
    inside = (edges.vertical | edges.horizontal)[max(0, y + 3) : min(height, y + round(LABEL_FREE * h)), x0:x1]
    if inside.size == 0 or float(inside.mean()) < MIN_CONTENT:
        return False
    mass = inside.sum(axis=0).astype(float)
    centroid = x0 + float((np.arange(inside.shape[1]) * mass).sum() / mass.sum())
    return abs(centroid - (x + w / 2)) <= CENTRED * w


def pillarbox_row(edges: EdgeMaps, tiles: list[Box], w: int, h: int, px: int, py: int) -> list[Box]:
    """The cells of a pillarboxed last row under the found ``tiles`` (working pixels, a lattice of w x h
    tiles at pitch px, py; every row full): side by side, centred under the rows above, each holding a
    pillarboxed video (:func:`pillarbox_offset`). Empty where there is no such row."""
    rows = rows_by_top(tiles, h)
    if len({len(row) for row in rows.values()}) != 1:
        return []  # a partial last row is already found: centring_cells completes it
    left = min(t[0] for t in tiles)
    right = max(t[0] + w for t in tiles)
    y = round(np.median([t[1] for t in rows[max(rows)]])) + py
    # a centred row's cells stand under the full rows' columns, or half a pitch off them
    columns = sorted(t[0] for t in rows[max(rows)])
    starts = sorted(columns + [round((a + b) / 2) for a, b in pairwise(columns)])
    reach = range(-REACH, REACH + 1)
    cells: list[Box] = []
    for start in starts:
        if start + w > right + REACH or any(overlaps(*cell, (start, y, w, h)) for cell in cells):
            continue
        offsets = [
            (offset, abs(dx) + abs(dy), start + dx, y + dy)
            for dy in reach
            for dx in reach
            if (offset := pillarbox_offset(edges, start + dx, y + dy, w, h)) is not None
        ]
        found = min(offsets)[2:] if offsets else None
        if found is not None and has_content(edges, (*found, w, h)):
            cells.append((*found, w, h))
    if not cells:
        return []
    # one centred row, the cells a pitch apart
    cells.sort()
    steps = [b[0] - a[0] for a, b in pairwise(cells)]
    centre = (cells[0][0] + cells[-1][0] + w) / 2
    if any(abs(step - px) > REACH for step in steps) or abs(centre - (left + right) / 2) > max(REACH, 0.1 * px):
        return []
    return cells
