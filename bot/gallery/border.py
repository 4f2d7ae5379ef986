"""Cells the image's border cuts: a capture of part of the meeting window, or a client that crops its outer
columns (Google Meet's marketing layouts; meet_4 of the real development set).

Every other rule of the splitters wants a tile's four sides. A cell cut by the image's border shows three
(two at a corner); the lattice predicts where it is, so its visible sides are enough when they stand out.
"""

from __future__ import annotations

from itertools import product

from bot.gallery.edges import WEAKEST_SIDE, EdgeMaps, has_content, overlaps, rect_sides
from bot.gallery.rows import FULL_ROW_BAR

Rect = tuple[int, int, int, int]

#: the least of a tile (share of its width or height) that shows for a cell the image's border cuts to count
MIN_VISIBLE = 0.5
#: how far (working pixels) a cut cell's inner side is looked for around where the lattice puts it
REACH = 3


def cropped_cells(
    edges: EdgeMaps, tiles: list[tuple[Rect, float]], w: int, h: int, px: int, py: int
) -> list[tuple[Rect, float]]:
    """The lattice's cells that the image's border cuts (a screenshot of part of the window, or a client
    that crops its outer column): in a row (column) of found tiles, the next cell past the outermost one
    whose visible part is at least :data:`MIN_VISIBLE` of a tile and whose three visible sides stand out,
    with something in it. Returned clipped to the image; they count in the explained edge with their
    visible sides only, so a lattice of whole tiles is not outscored by one of narrower cells that fit
    between the image's border and the first line."""
    height, width = edges.shape
    if len(tiles) < 2:
        return []
    sides: dict[tuple[bool, bool], list[tuple[Rect, float]]] = {}
    rects = [r for r, _ in tiles]
    for horizontal in (True, False):
        side, pitch, limit = (w, px, width) if horizontal else (h, py, height)
        lines: dict[int, list[Rect]] = {}
        for r in rects:
            key = r[1] if horizontal else r[0]
            near = next((k for k in lines if abs(k - key) <= 3), key)
            lines.setdefault(near, []).append(r)
        for line in lines.values():
            starts = [r[0] if horizontal else r[1] for r in line]
            for predicted in (min(starts) - pitch, max(starts) + pitch):
                best: tuple[float, Rect] | None = None
                # the lattice predicts the cell within a few pixels: a JPEG moves the found tiles' sides, and the
                # pitch taken from them, by two or three (meet_4 as JPEG q65: 142 px for 145), so the cell's inner
                # side is looked for up to REACH further out, never nearer the tile beside it, whose own side it
                # would take (a rendered Zoom frame: a cell on the black stage past a centred last row); and a
                # JPEG moves the row's tops (the column's lefts) apart by a pixel or two: each is tried
                outwards = (
                    range(predicted - REACH, predicted + 1)
                    if predicted < 0
                    else range(predicted, predicted + REACH + 1)
                )
                across = sorted({r[1] if horizontal else r[0] for r in line})
                for start, at in product(outwards, across):
                    lo, hi = max(0, start), min(limit, start + side)
                    if not (start < 0 or start + side > limit) or hi - lo < MIN_VISIBLE * side:
                        continue
                    cell = (lo, at, hi - lo, h) if horizontal else (at, lo, w, hi - lo)
                    if any(overlaps(*cell, t) for t in rects):
                        continue
                    value = _visible_support(edges, cell)
                    if best is None or value > best[0]:
                        best = (value, cell)
                if best and best[0] >= FULL_ROW_BAR and has_content(edges, best[1]):
                    sides.setdefault((horizontal, predicted < 0), []).append((best[1], best[0]))
    found = sides.get((True, True), []) + sides.get((True, False), [])
    # above and below are title bars and toolbars: a row the border cuts counts only whole
    for low in (True, False):
        edge_y = min(r[1] for r in rects) if low else max(r[1] for r in rects)
        row = sum(abs(r[1] - edge_y) <= 3 for r in rects)
        cut = sides.get((False, low), [])
        if len(cut) >= max(2, row):
            found += cut
    return found


def _visible_support(edges: EdgeMaps, cell: Rect) -> float:
    """Mean support of a border-cut cell's sides that lie inside the image (0 when one is bare)."""
    height, width = edges.shape
    x, y, w, h = cell
    on_border = (y <= 1, y + h >= height - 2, x <= 1, x + w >= width - 2)  # rounding to working pixels
    inside = [v for v, border in zip(rect_sides(edges, *cell), on_border, strict=True) if not border]
    return 0.0 if not inside or min(inside) < WEAKEST_SIDE else sum(inside) / len(inside)
