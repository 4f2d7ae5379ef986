"""Tiles as the splitters hand them on: reading order, the name-label strip, the gallery around them."""

from __future__ import annotations

import numpy as np

from bot.frames import Box, Gallery, PageControls, Tile


def cluster_1d(values: list[float], tol: float) -> list[list[int]]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    groups: list[list[int]] = []
    for i in order:
        if groups and values[i] - values[groups[-1][-1]] <= tol:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def reading_order(boxes: list[Box], th: float) -> list[tuple[Box, int, int]]:
    rows = cluster_1d([float(b[1]) for b in boxes], max(2.0, 0.25 * th))
    rows.sort(key=lambda g: min(boxes[i][1] for i in g))
    out = []
    for r, g in enumerate(rows):
        for c, i in enumerate(sorted(g, key=lambda i: boxes[i][0])):
            out.append((boxes[i], r, c))
    return out


def label_box_for(box: Box, slack: int = 0) -> Box:
    """The bottom-left strip of a tile where Zoom, Meet and Teams draw the name (full tile width), reaching
    ``slack`` pixels below the tile where its box may be that far off (a label's descenders and underscores
    sit on its bottom edge)."""
    x, y, w, h = box
    strip = int(np.clip(round(h * 0.12) + 24, 30, 60))
    strip = min(strip, h)
    return (x, y + h - strip, w, strip + slack)


def gallery_of(
    boxes: list[Box], confidence: float, method: str, pages: PageControls | None = None, label_slack: int = 0
) -> Gallery:
    """A gallery of the given frame boxes: reading order, label strips (see :func:`label_box_for`) and the
    area they cover."""
    if not boxes:
        return Gallery(confidence=confidence, method=method, label_slack=label_slack)
    th = float(np.median([b[3] for b in boxes]))
    tiles = [Tile(box=b, row=r, col=c, label_box=label_box_for(b, label_slack)) for b, r, c in reading_order(boxes, th)]
    x0 = min(t.box[0] for t in tiles)
    y0 = min(t.box[1] for t in tiles)
    x1 = max(t.box[0] + t.box[2] for t in tiles)
    y1 = max(t.box[1] + t.box[3] for t in tiles)
    area = (x0, y0, x1 - x0, y1 - y0)
    return Gallery(tiles=tiles, pages=pages, area=area, confidence=confidence, method=method, label_slack=label_slack)


def intersection(a: Box, b: Box) -> int:
    """The area two (x, y, w, h) boxes share (0 where they do not meet)."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return ix * iy


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two (x, y, w, h) boxes (0 for empty ones)."""
    inter = intersection(a, b)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0
