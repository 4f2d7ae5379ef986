"""Measures on the stage mask (255 where a pixel has the stage's colour) that the stage splitter's grid
model (:mod:`bot.gallery.stage_grid`) takes its evidence from: how much of a cell is content, how much of
the ring round it is stage, whether one of its sides is where content meets the stage, and how wide the
stage runs between a tile and its neighbour.
"""

from __future__ import annotations

import numpy as np


def ring_fraction(bg: np.ndarray, x: int, y: int, w: int, h: int, d: int = 1) -> float:
    """Share of background-coloured pixels on the rectangle ``d`` pixels outside the box (outside the image: not)."""
    height, width = bg.shape
    hits = 0
    x0, x1 = max(0, x - d), min(width, x + w + d)
    y0, y1 = max(0, y - d), min(height, y + h + d)
    if y - d >= 0:
        hits += int(np.count_nonzero(bg[y - d, x0:x1]))
    if y + h - 1 + d < height:
        hits += int(np.count_nonzero(bg[y + h - 1 + d, x0:x1]))
    if x - d >= 0:
        hits += int(np.count_nonzero(bg[y0:y1, x - d]))
    if x + w - 1 + d < width:
        hits += int(np.count_nonzero(bg[y0:y1, x + w - 1 + d]))
    total = 2 * (w + 2 * d) + 2 * (h + 2 * d)
    return hits / total


def fg_fraction(bg: np.ndarray, x: int, y: int, w: int, h: int) -> float:
    """Share of the cell that is not stage (0 where a tenth of it lies outside the image)."""
    height, width = bg.shape
    x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + w), min(height, y + h)
    if x1 <= x0 or y1 <= y0:
        return 0.0
    region = bg[y0:y1, x0:x1]
    inside = (x1 - x0) * (y1 - y0)
    return 1.0 - np.count_nonzero(region) / max(1, inside) if inside >= 0.9 * w * h else 0.0


def best_edge(bg: np.ndarray, x: int, y: int, w: int, h: int, d: int) -> float:
    """The best side of a cell: share of it where the pixel just inside is content and the one ``d`` outside
    is stage. A tile has such edges (all four, or top and bottom when its video is pillarboxed in the
    stage's colour); something merely overlapping the cell, like a floating self-view, has none."""
    height, width = bg.shape
    best = 0.0
    x1, y1 = x + w - 1, y + h - 1
    sides = (
        (y, y - d, slice(x, x1 + 1), True),
        (y1, y1 + d, slice(x, x1 + 1), True),
        (x, x - d, slice(y, y1 + 1), False),
        (x1, x1 + d, slice(y, y1 + 1), False),
    )
    for inner, outer, span, horizontal in sides:
        limit = height if horizontal else width
        if not (0 <= inner < limit and 0 <= outer < limit):
            continue
        if horizontal:
            a, b = bg[inner, span], bg[outer, span]
        else:
            a, b = bg[span, inner], bg[span, outer]
        if len(a):
            best = max(best, float(np.count_nonzero((a == 0) & (b > 0))) / len(a))
    return best


def stage_gap(bg: np.ndarray, boxes: list[tuple[float, ...]], limit: int) -> float | None:
    """The stage between a tile and a neighbour beside it (a blob whose neighbours merged into one another,
    in a JPEG): the lines just outside a side that are mostly stage, where content follows within ``limit``."""
    gaps = []
    for x, y, w, h in ([round(v) for v in b] for b in boxes):
        across, down = slice(x + w // 4, x + 3 * w // 4), slice(y + h // 4, y + 3 * h // 4)
        for shares in (
            bg[y + h : y + h + limit, across].mean(axis=1),
            bg[max(0, y - limit) : y, across].mean(axis=1)[::-1],
            bg[down, x + w : x + w + limit].mean(axis=0),
            bg[down, max(0, x - limit) : x].mean(axis=0)[::-1],
        ):
            run = int(np.argmin(shares >= 0.7 * 255)) if len(shares) else 0  # all stage: 0 as well
            if run > 0 and shares[run] <= 0.3 * 255:
                gaps.append(run)
    return float(np.median(gaps)) if gaps else None
