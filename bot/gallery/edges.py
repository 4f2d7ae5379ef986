"""Evidence for the edge splitter (:mod:`bot.gallery.lattice`): where straight lines run in a frame, and how
well a rectangle's four sides lie on them.

A side counts where the largest channel difference across two pixels is above a contrast bar that
compression noise stays under; a side "stands out" by its share on such edges less most of the share of
the line a few pixels inside it (texture is edges everywhere; a tile's side is a line with calmer content
inside). Scores for every position of a w x h rectangle come at once from running sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Rect = tuple[int, int, int, int]

#: central differences (0-255) below this are compression noise or texture, not a tile's side
EDGE_CONTRAST = 22
#: the same where the lattice is known and only its missing cells are checked
VERIFY_CONTRAST = 10
#: the same for the one cell a row's centring asks for (a camera-off tile 9 grey levels off the stage)
FAINT_CONTRAST = 5
#: how much of the edge share just inside a side is taken off the side's own
INNER_WEIGHT = 0.6
#: every side of a tile stands out along at least this share of its length
WEAKEST_SIDE = 0.4
MIN_SIDE = 16  # working pixels: the shortest straight run that can be a tile's side


@dataclass
class EdgeMaps:
    """Thick binary edge maps of the working image and their running sums along each side's direction."""

    horizontal: np.ndarray  # 1 where a horizontal side may run (brightness changes from row to row)
    vertical: np.ndarray  # 1 where a vertical side may run
    along_x: np.ndarray  # cumulative sum of ``horizontal`` along x, one column longer
    along_y: np.ndarray  # cumulative sum of ``vertical`` along y, one row longer

    @property
    def shape(self) -> tuple[int, int]:
        return self.horizontal.shape


def edge_maps(image: np.ndarray, thickness: int = 1, contrast: int = EDGE_CONTRAST) -> EdgeMaps:
    """Edges between pixels two apart, in any colour channel, above :data:`EDGE_CONTRAST`, widened by
    ``thickness`` pixels across the line (a side found at a proposed size may be that far off)."""
    blurred = cv2.GaussianBlur(image, (3, 3), 0).astype(np.int16)
    if blurred.ndim == 2:
        blurred = blurred[:, :, None]
    height, width = blurred.shape[:2]
    dx = np.abs(blurred[:, 2:] - blurred[:, :-2]).max(axis=2)
    dy = np.abs(blurred[2:] - blurred[:-2]).max(axis=2)
    vertical = np.zeros((height, width), np.uint8)
    horizontal = np.zeros((height, width), np.uint8)
    vertical[:, 1:-1] = dx > contrast
    horizontal[1:-1] = dy > contrast
    # a side is a line: let it be off by a pixel, and bridge the breaks compression leaves in it
    vertical = cv2.dilate(vertical, np.ones((3, 2 * thickness + 1), np.uint8))
    horizontal = cv2.dilate(horizontal, np.ones((2 * thickness + 1, 3), np.uint8))
    along_x = np.zeros((height, width + 1), np.int32)
    along_y = np.zeros((height + 1, width), np.int32)
    np.cumsum(horizontal, axis=1, out=along_x[:, 1:])
    np.cumsum(vertical, axis=0, out=along_y[1:])
    return EdgeMaps(horizontal, vertical, along_x, along_y)


def long_lines(edges: EdgeMaps) -> tuple[np.ndarray, np.ndarray]:
    """Edge pixels on straight runs of at least :data:`MIN_SIDE` (vertical runs, horizontal runs)."""
    vertical = cv2.morphologyEx(edges.vertical, cv2.MORPH_OPEN, np.ones((MIN_SIDE, 1), np.uint8))
    horizontal = cv2.morphologyEx(edges.horizontal, cv2.MORPH_OPEN, np.ones((1, MIN_SIDE), np.uint8))
    return vertical, horizontal


def _peaks(profile: np.ndarray, count: int, radius: int = 3) -> list[int]:
    """Positions of the strongest local maxima of ``profile`` (at least ``radius`` apart)."""
    smooth = profile.copy()
    order = np.argsort(smooth)[::-1]
    taken: list[int] = []
    blocked = np.zeros(len(profile), bool)
    for i in order:
        if smooth[i] <= 0 or len(taken) >= count:
            break
        if blocked[i]:
            continue
        taken.append(int(i))
        blocked[max(0, i - radius) : i + radius + 1] = True
    return taken


def size_candidates(lines: np.ndarray, axis: int, limit: int, count: int) -> list[int]:
    """Distances that recur between long parallel lines that run side by side (the two sides of a tile
    span the same rows): a gallery's tile side and its pitch. ``lines`` holds the long runs; ``axis`` 0
    for vertical lines (widths), 1 for horizontal lines (heights)."""
    runs = lines if axis == 0 else lines.T  # runs along axis 0, one column per line position
    profile = runs.sum(axis=0).astype(np.float64)
    peaks = _peaks(profile, 40)
    if len(peaks) < 2:
        return []
    columns = runs[:, peaks].astype(np.float32)
    together = columns.T @ columns  # rows where both lines run
    votes = np.zeros(limit + 2)
    for i, a in enumerate(peaks):
        for j in range(i + 1, len(peaks)):
            d = abs(peaks[j] - a)
            if MIN_SIDE <= d <= limit:
                votes[d] += together[i, j]
    votes = np.convolve(votes, [0.5, 1.0, 0.5], mode="same")
    found = [d for d in _peaks(votes, count, radius=2) if votes[d] > 0]
    # where the line between two tiles is invisible (dark rooms side by side), two tiles make one distance
    return found + [d // 2 for d in found if d // 2 >= MIN_SIDE and all(abs(d // 2 - e) > 2 for e in found)]


def run_lengths(lines: np.ndarray, count: int) -> list[int]:
    """The commonest lengths of straight runs: a tile's side where tiles stand apart, or where the video
    inside a tile runs from its top to its bottom."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    lengths = np.maximum(stats[1:, 2], stats[1:, 3])
    if not len(lengths):
        return []
    votes = np.convolve(np.bincount(lengths).astype(np.float64) * np.arange(lengths.max() + 1), [0.5, 1, 0.5], "same")
    return [d for d in _peaks(votes, count, radius=2) if votes[d] > 0 and d > MIN_SIDE]


def side_support(edges: EdgeMaps, w: int, h: int) -> tuple[np.ndarray, ...]:
    """For every top-left corner (y, x) of a w x h rectangle: how well each of its top, bottom, left and
    right sides stands out as a line: the share of the side on edges, less most of the share of the line a
    few pixels inside (texture is edges everywhere; a tile's side is a line with calmer content inside).
    Sides along the image border count as half supported."""
    height, width = edges.shape
    d = max(3, min(w, h) // 10)
    runs_x = (edges.along_x[:, w:] - edges.along_x[:, :-w]) / w  # (height, width - w + 1)
    runs_y = (edges.along_y[h:] - edges.along_y[:-h]) / h  # (height - h + 1, width)
    ny, nx = height - h + 1, width - w + 1
    top = runs_x[:ny] - INNER_WEIGHT * runs_x[d : d + ny]
    bottom = runs_x[h - 1 : h - 1 + ny] - INNER_WEIGHT * runs_x[h - 1 - d : h - 1 - d + ny]
    left = runs_y[:, :nx] - INNER_WEIGHT * runs_y[:, d : d + nx]
    right = runs_y[:, w - 1 : w - 1 + nx] - INNER_WEIGHT * runs_y[:, w - 1 - d : w - 1 - d + nx]
    top, bottom, left, right = (np.array(a, dtype=np.float32) for a in (top, bottom, left, right))
    for side, index in ((top, 0), (bottom, -1)):
        side[index] = np.maximum(side[index], 0.5)
    for side, index in ((left, (slice(None), 0)), (right, (slice(None), -1))):
        side[index] = np.maximum(side[index], 0.5)
    return top, bottom, left, right


def score_map(edges: EdgeMaps, w: int, h: int, sides_needed: int = 4) -> np.ndarray:
    """Mean side support of a w x h rectangle at every top-left corner, over its ``sides_needed`` best
    sides (0 where one of those is nearly bare). Three sides: a tile the lattice predicts whose fourth side
    is invisible (a dark room beside the dark stage)."""
    height, width = edges.shape
    if not (MIN_SIDE <= w < width - 1 and MIN_SIDE <= h < height - 1):
        return np.zeros((max(1, height - h + 1), max(1, width - w + 1)), np.float32)
    a, b, c, d = side_support(edges, w, h)
    low1, high1 = np.minimum(a, b), np.maximum(a, b)
    low2, high2 = np.minimum(c, d), np.maximum(c, d)
    weakest = np.minimum(low1, low2)
    total = a + b + c + d
    if sides_needed == 4:
        score, floor = total / 4, weakest
    else:  # the best three: all but the weakest; the weakest of them is the second weakest of all four
        score = (total - weakest) / 3
        floor = np.minimum(np.maximum(low1, low2), np.minimum(high1, high2))
    score[floor < WEAKEST_SIDE] = 0
    return score


def best_near(score: np.ndarray, x: int, y: int, slack: int = 2) -> tuple[float, int, int]:
    """The best score within ``slack`` pixels of (x, y), and where it is."""
    lo_y, lo_x = max(0, y - slack), max(0, x - slack)
    window = score[
        lo_y : max(lo_y, min(score.shape[0], y + slack + 1)), lo_x : max(lo_x, min(score.shape[1], x + slack + 1))
    ]
    if window.size == 0:
        return 0.0, x, y
    dy, dx = np.unravel_index(int(window.argmax()), window.shape)
    return float(window.max()), lo_x + int(dx), lo_y + int(dy)


def has_content(edges: EdgeMaps, rect: Rect) -> bool:
    """Is there anything inside the rectangle (a face, a name, an avatar), clear of its sides? An empty cell
    of the stage between tiles has sides too."""
    x, y, w, h = rect
    inside = edges.vertical[y + 3 : y + h - 3, x + 3 : x + w - 3]
    return bool(inside.size) and float(inside.mean()) >= 0.01


def rect_sides(edges: EdgeMaps, x: int, y: int, w: int, h: int) -> list[float]:
    """The support of one rectangle's top, bottom, left and right sides, as :func:`side_support` scores them
    (all 0 where the rectangle leaves the image)."""
    height, width = edges.shape
    d = max(3, min(w, h) // 10)
    if x < 0 or y < 0 or x + w > width or y + h > height:
        return [0.0] * 4

    def run_x(row: int) -> float:
        return float(edges.along_x[row, x + w] - edges.along_x[row, x]) / w

    def run_y(col: int) -> float:
        return float(edges.along_y[y + h, col] - edges.along_y[y, col]) / h

    return [
        run_x(y) - INNER_WEIGHT * run_x(y + d),
        run_x(y + h - 1) - INNER_WEIGHT * run_x(y + h - 1 - d),
        run_y(x) - INNER_WEIGHT * run_y(x + d),
        run_y(x + w - 1) - INNER_WEIGHT * run_y(x + w - 1 - d),
    ]


def rect_support(edges: EdgeMaps, x: int, y: int, w: int, h: int) -> float:
    """Mean side support of one rectangle (0 when a side is bare)."""
    sides = rect_sides(edges, x, y, w, h)
    return 0.0 if min(sides) < WEAKEST_SIDE else sum(sides) / 4


def overlaps(x: int, y: int, w: int, h: int, other: tuple[int, int, int, int], slack: int = 4) -> bool:
    ox, oy, ow, oh = other
    return x + slack < ox + ow and ox + slack < x + w and y + slack < oy + oh and oy + slack < y + h
