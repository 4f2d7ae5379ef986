"""Cells the image's border cuts: a capture of part of the meeting window, or a client that crops its outer
columns (Google Meet's marketing layouts; meet_4 of the real development set).

Every other rule of the splitters wants a tile's four sides. A cell cut by the image's border shows three
(two at a corner); the lattice predicts where it is, so its visible sides are enough when they stand out.
"""

from __future__ import annotations

from bot.gallery.edges import WEAKEST_SIDE, EdgeMaps, has_content, overlaps, rect_sides
from bot.gallery.rows import FULL_ROW_BAR

Rect = tuple[int, int, int, int]

#: the least of a tile (share of its width or height) that shows for a cell the image's border cuts to count
MIN_VISIBLE = 0.5


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
            for start in (min(starts) - pitch, max(starts) + pitch):
                lo, hi = max(0, start), min(limit, start + side)
                if not (start < 0 or start + side > limit) or hi - lo < MIN_VISIBLE * side:
                    continue
                r = line[0]
                cell = (lo, r[1], hi - lo, h) if horizontal else (r[0], lo, w, hi - lo)
                if any(overlaps(*cell, t) for t in rects):
                    continue
                value = _visible_support(edges, cell)
                if value >= FULL_ROW_BAR and has_content(edges, cell):
                    sides.setdefault((horizontal, start < 0), []).append((cell, value))
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
