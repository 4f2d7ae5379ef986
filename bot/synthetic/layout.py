"""Where the platforms put gallery tiles: the same arithmetic for the images and the HTML pages.

All three platforms fill their stage with equal tiles of one aspect ratio,
choose the column count that makes tiles largest, centre the grid, and centre
an incomplete last row. Screen sharing shrinks the gallery to a strip beside
or above the shared content.
"""

from __future__ import annotations

import math

Box = tuple[int, int, int, int]


def best_columns(n: int, width: float, height: float, aspect: float, gap: float, max_cols: int | None = None) -> int:
    """The column count that gives the largest tiles for ``n`` tiles in ``width`` x ``height``."""
    best, best_w = 1, -1.0
    for cols in range(1, (max_cols or n) + 1):
        rows = math.ceil(n / cols)
        tile_w = min((width - (cols - 1) * gap) / cols, (height - (rows - 1) * gap) / rows * aspect)
        if tile_w > best_w + 1e-6:
            best, best_w = cols, tile_w
    return best


def grid_boxes(
    n: int,
    area: Box,
    aspect: float = 16 / 9,
    gap: int = 4,
    cols: int | None = None,
    max_tile_w: int | None = None,
) -> list[tuple[Box, int, int]]:
    """``n`` tiles (box, row, col) laid out in ``area``, centred; the last row is centred too."""
    if n <= 0:
        return []
    ax, ay, aw, ah = area
    if cols is None:
        cols = best_columns(n, aw, ah, aspect, gap)
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    tile_w = min((aw - (cols - 1) * gap) / cols, (ah - (rows - 1) * gap) / rows * aspect)
    if max_tile_w:
        tile_w = min(tile_w, max_tile_w)
    tw = max(8, int(tile_w))
    th = max(5, int(tile_w / aspect))
    grid_w = cols * tw + (cols - 1) * gap
    grid_h = rows * th + (rows - 1) * gap
    x0 = ax + (aw - grid_w) // 2
    y0 = ay + (ah - grid_h) // 2
    out = []
    for i in range(n):
        row, col = divmod(i, cols)
        in_row = min(cols, n - row * cols)
        offset = (cols - in_row) * (tw + gap) // 2
        out.append(((x0 + offset + col * (tw + gap), y0 + row * (th + gap), tw, th), row, col))
    return out


def strip_capacity(length: int, tile_len: int, gap: int) -> int:
    """How many tiles of ``tile_len`` fit in a strip ``length`` long."""
    return max(1, (length + gap) // (tile_len + gap))
