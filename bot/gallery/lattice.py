"""Find the tiles of a meeting gallery from its straight edges, robust to compression and gapless layouts.

Why a second splitter: :mod:`bot.gallery.split` finds tiles as blobs on a flat stage colour. That is exact
and fast on lossless captures, and fails where the stage is not flat (JPEG, video codecs, photos of a
screen) or absent (Google Meet and Webex draw tiles edge to edge). Every client still draws equal
rectangles whose sides are long straight lines, so here a tile is a rectangle whose four sides are
supported by edges along most of their length:

1. an edge map per direction (largest channel difference across two pixels, above a contrast bar that
   compression noise stays under), thickened by a pixel so a side may be off by one;
2. tile sizes are proposed from the distances between long straight lines (the width and the pitch of a
   gallery recur between every pair of its columns);
3. for each proposed size, every position is scored at once with cumulative sums (the share of each side
   covered by edges), and the best non-overlapping rectangles are taken greedily; a rectangle crossed by a
   full-height or full-width line inside is two tiles, not one, and is dropped;
4. the size whose tiles explain the most edge is kept, then completed on its lattice: cells in step with
   the found tiles with weaker evidence (a dark room beside the dark stage) are added.

Measured on the real development set (``python -m bot.synthetic.evaluate --real``) the blob splitter finds
38 % of the tiles and this one the great majority; on lossless renderings the blob splitter is exact, so
:func:`bot.gallery.split.split_gallery` keeps its answer where it is sure and asks this module otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import cv2
import numpy as np

from bot.frames import Box, Gallery

Rect = tuple[int, int, int, int]

#: central differences (0-255) below this are compression noise or texture, not a tile's side
EDGE_CONTRAST = 22
#: the same where the lattice is known and only its missing cells are checked
VERIFY_CONTRAST = 10
#: a frame with more of its pixels on (vertical) edges than this shows no gallery
NOISE_DENSITY = 0.5
#: working resolution: the longer side of the frame is brought to at most this many pixels
WORK_SIDE = 480
#: how much of the edge share just inside a side is taken off the side's own
INNER_WEIGHT = 0.6
#: mean side support of a tile found on its own, and of one the lattice predicts
SEED_BAR, COMPLETION_BAR = 0.62, 0.4
#: every side of a tile stands out along at least this share of its length
WEAKEST_SIDE = 0.4
#: how many of the best-covering tile sizes are completed and compared by the edge they explain
TOP_SIZES = 3
#: the same, for a cell of a full row (every row but the last is full)
FULL_ROW_BAR = 0.45
#: mean support of the three best sides of a tile the lattice predicts
THREE_SIDED_BAR = 0.7
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


@dataclass
class LatticeResult:
    tiles: list[Rect]  # working pixels
    score: float  # mean side support of the tiles, 0..1
    size: tuple[int, int]


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


def _line_profile(lines: np.ndarray, axis: int) -> np.ndarray:
    """Per column (axis=0) or row (axis=1): how many pixels lie on long straight runs."""
    return lines.sum(axis=axis).astype(np.float64)


def _long_lines(edges: EdgeMaps) -> tuple[np.ndarray, np.ndarray]:
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


def _size_candidates(lines: np.ndarray, axis: int, limit: int, count: int) -> list[int]:
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
    return found + [d // 2 for d in found[:3] if d // 2 >= MIN_SIDE and all(abs(d // 2 - e) > 2 for e in found)]


def _run_lengths(lines: np.ndarray, count: int) -> list[int]:
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


def _split_in_half(edges: EdgeMaps, rect: Rect) -> bool:
    """Is the rectangle cut in half by a line along most of its length (two or four tiles taken for one)?
    Only the middle is looked at: an avatar square or a door frame elsewhere in a tile is no cut."""
    x, y, w, h = rect
    cx, cy = x + w // 2, y + h // 2
    cols = (edges.along_y[y + h, cx - 3 : cx + 4] - edges.along_y[y, cx - 3 : cx + 4]) / h
    rows = (edges.along_x[cy - 3 : cy + 4, x + w] - edges.along_x[cy - 3 : cy + 4, x]) / w
    return bool(cols.max() >= 0.75 or rows.max() >= 0.75)


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


def _in_step_positions(starts: list[int], pitch: int, limit: int, slack: int = 3) -> list[int]:
    """Every position in [0, limit) in step with one of ``starts`` (starts within ``slack`` of each other's
    step count once)."""
    residues: list[int] = []
    for start in sorted(starts):
        if not any(_in_step(start, r, pitch, slack) for r in residues):
            residues.append(start)
    return sorted({r % pitch + k * pitch for r in residues for k in range(-1, limit // pitch + 2)} & set(range(limit)))


def _lattice_cells(
    edges: EdgeMaps, tiles: list[tuple[Rect, float]], w: int, h: int, px: int, py: int
) -> list[tuple[Rect, float]]:
    """Cells of the found tiles' lattice (their columns and rows, in step) holding a tile with three
    supported sides, as long as they overlap no tile found."""
    height, width = edges.shape
    three = score_map(edges, w, h, sides_needed=3)
    columns = _in_step_positions([r[0] for r, _ in tiles], px, three.shape[1], slack=1)
    rows = _in_step_positions([r[1] for r, _ in tiles], py, three.shape[0], slack=1)
    taken = np.zeros((height, width), bool)
    for (x, y, _, _), _ in tiles:
        taken[y : y + h, x : x + w] = True
    added: list[tuple[Rect, float]] = []
    for y in sorted(rows):
        for x in sorted(columns):
            lo_y, lo_x = max(0, y - 2), max(0, x - 2)
            window = three[lo_y : min(three.shape[0], y + 3), lo_x : min(three.shape[1], x + 3)]
            if window.size == 0 or window.max() < THREE_SIDED_BAR:
                continue
            dy, dx = np.unravel_index(int(window.argmax()), window.shape)
            cy, cx = lo_y + int(dy), lo_x + int(dx)
            if taken[cy + 3 : cy + h - 3, cx + 3 : cx + w - 3].any():
                continue
            taken[cy : cy + h, cx : cx + w] = True
            added.append(((cx, cy, w, h), float(window.max())))
    return added


def _best_near(score: np.ndarray, x: int, y: int, slack: int = 2) -> tuple[float, int, int]:
    """The best score within ``slack`` pixels of (x, y), and where it is."""
    lo_y, lo_x = max(0, y - slack), max(0, x - slack)
    window = score[
        lo_y : max(lo_y, min(score.shape[0], y + slack + 1)), lo_x : max(lo_x, min(score.shape[1], x + slack + 1))
    ]
    if window.size == 0:
        return 0.0, x, y
    dy, dx = np.unravel_index(int(window.argmax()), window.shape)
    return float(window.max()), lo_x + int(dx), lo_y + int(dy)


def _fill_full_rows(
    edges: EdgeMaps, tiles: list[tuple[Rect, float]], w: int, h: int, px: int
) -> list[tuple[Rect, float]]:
    """Every row but the last is full: a cell of such a row, between the gallery's outer sides and in step
    with the row's tiles, holds a tile even where its sides do not show (a dark room beside a dark panel),
    as long as something is in it."""
    rows: dict[int, list[Rect]] = {}
    for rect, _ in tiles:
        key = next((k for k in rows if abs(k - rect[1]) <= h // 4), rect[1])
        rows.setdefault(key, []).append(rect)
    if len(rows) < 2:
        return []
    left = min(r[0] for r, _ in tiles)
    right = max(r[0] + r[2] for r, _ in tiles)
    last = max(rows)
    added: list[tuple[Rect, float]] = []
    for y, row in rows.items():
        if y == last or len(row) < 2:
            continue
        anchor = min(row, key=lambda r: r[0])[0]
        start = anchor - ((anchor - left + 3) // px) * px
        for x in range(start - px, right - w + 4 + px, px):
            cell = (max(0, x), y, w, h)
            if any(_overlap(*cell, other, slack=6) for other in row) or not _has_content(edges, cell):
                continue
            value, sides, cx, cy = max(
                (float(np.mean(sides)), sides, cell[0] + dx, y + dy)
                for dx in range(-3, 4)
                for dy in range(-3, 4)
                for sides in [_sides(edges, cell[0] + dx, y + dy, w, h)]
            )
            # beyond the gallery's known sides, a row goes on only where its top and bottom lines do
            beyond = x < left - 3 or x + w > right + 3
            if value >= FULL_ROW_BAR and (not beyond or min(sides[:2]) >= 0.5):
                added.append(((cx, cy, w, h), value))
    return added


def _mean(tiles: list[tuple[Rect, float]]) -> float:
    return sum(v for _, v in tiles) / len(tiles)


def _flat_beside(edges: EdgeMaps, row: list[Rect], left: int, span: int) -> bool:
    """Is the band of a short row flat (stage) where the full rows hold tiles but this row does not?"""
    y0, y1 = row[0][1], row[0][1] + row[0][3]
    lo, hi = min(r[0] for r in row), max(r[0] + r[2] for r in row)
    parts = [(left, lo), (hi, left + span)]
    area = edges.vertical[y0:y1] | edges.horizontal[y0:y1]
    busy = [float(area[:, a:b].mean()) for a, b in parts if b - a >= 4]
    return not busy or max(busy) < 0.05


def _wider_last_row(
    edges: EdgeMaps, tiles: list[tuple[Rect, float]], w: int, h: int, px: int, py: int
) -> list[tuple[Rect, float]]:
    """Google Meet stretches the fewer tiles of its last row to the full rows' width: look for n tiles of
    the rows' height spanning that width just below the lattice, or in place of a short last row (whose
    tiles, at the full rows' width, straddle the wide tiles' sides) where the wide ones fit better."""
    gap = max(0, px - w)
    rows: dict[int, list[tuple[Rect, float]]] = {}
    for rect, value in tiles:
        key = next((k for k in rows if abs(k - rect[1]) <= h // 4), rect[1])
        rows.setdefault(key, []).append((rect, value))
    widest = max((len(r) for r in rows.values()), default=0)
    if widest < 2:
        return tiles
    full = [r for r in rows.values() if len(r) == widest]
    left = min(b[0] for r in full for b, _ in r)
    span = max(b[0] + b[2] for r in full for b, _ in r) - left
    last = max(rows)
    short = last if len(rows[last]) < widest else None
    for y in (last + py, short):
        if y is None or y < 0 or y + h > edges.shape[0] + 2:
            continue
        replaced = rows.get(y, [])
        if replaced and _flat_beside(edges, [r for r, _ in replaced], left, span):
            continue  # a centred short row on the stage: the stage shows beside it
        best: list[tuple[Rect, float]] = []
        for count in range(2, widest):
            wide = round((span - (count - 1) * gap) / count)
            if wide >= edges.shape[1] or not w * 1.15 < wide <= w * 2:
                continue
            three = score_map(edges, wide, h, sides_needed=3)
            cells = [_best_near(three, left + k * (wide + gap), y) for k in range(count)]
            mean = sum(v for v, _, _ in cells) / count
            if min(v for v, _, _ in cells) >= THREE_SIDED_BAR and (not best or mean > _mean(best)):
                best = [((cx, cy, wide, h), v) for v, cx, cy in cells]
        if best:
            return [t for t in tiles if t not in replaced] + best
    return tiles


def greedy_tiles(
    score: np.ndarray, w: int, h: int, bar: float, taken: np.ndarray, top: int = 0
) -> list[tuple[Rect, float]]:
    """The best non-overlapping w x h rectangles scoring at least ``bar`` (local maxima, strongest first);
    ``score`` may be a band of the score map starting at row ``top``; ``taken`` (the whole working image)
    marks pixels already in a tile and is updated."""
    found: list[tuple[Rect, float]] = []
    live = np.where(score >= bar, score, 0).astype(np.float32)
    if not live.any():
        return found
    peak = cv2.dilate(live, np.ones((2 * (h // 4) + 1, 2 * (w // 4) + 1), np.uint8))
    ys, xs = np.nonzero((live > 0) & (live >= peak))
    values = live[ys, xs]
    mx, my = min(3, w // 8), min(3, h // 8)
    for k in np.argsort(-values, kind="stable")[:2000]:
        y, x = int(ys[k]) + top, int(xs[k])
        # a tile may touch another (no gap) but not overlap it by more than a few pixels
        if taken[y + my : y + h - my, x + mx : x + w - mx].any():
            continue
        found.append(((x, y, w, h), float(values[k])))
        taken[y : y + h, x : x + w] = True
        if len(found) >= 64:
            break
    return found


def _pitch(starts: list[int], side: int) -> int | None:
    """The distance between neighbouring tiles' starts (side + gap), from the found tiles."""
    ordered = sorted(set(starts))
    steps = [b - a for a, b in pairwise(ordered)]
    steps = [d / round(d / side) for d in steps if d >= side * 0.97 and round(d / side) >= 1]
    good = [d for d in steps if side * 0.97 <= d <= side * 1.2]
    return round(float(np.median(good))) if good else None


def _in_step(a: int, b: int, pitch: int, slack: int = 3) -> bool:
    offset = (a - b) % pitch
    return min(offset, pitch - offset) <= slack


def consistent_seeds(seeds: list[tuple[Rect, float]], w: int, h: int) -> list[tuple[Rect, float]]:
    """The seeds that sit on one lattice (rows in step, columns in step or half a step off in a row of their
    own): the lattice with the most support wins, and seeds found between its cells are dropped."""
    best: tuple[float, list[tuple[Rect, float]]] = (0.0, [])
    for gap in range(0, max(2, round(0.06 * w)) + 1):
        px, py = w + gap, h + gap
        for (ax, ay, _, _), _ in seeds:
            on_rows = [(r, v) for r, v in seeds if _in_step(r[1], ay, py)]
            rows: dict[int, list[tuple[Rect, float]]] = {}
            for r, v in on_rows:
                rows.setdefault(round((r[1] - ay) / py), []).append((r, v))
            kept = []
            for row in rows.values():
                straight = [(r, v) for r, v in row if _in_step(r[0], ax, px)]
                shifted = [(r, v) for r, v in row if _in_step(r[0], ax + px // 2, px)]
                kept += max(straight, shifted, key=lambda cells: sum(v for _, v in cells))
            support = sum(v for _, v in kept)
            if support > best[0]:
                best = (support, kept)
    return best[1]


def complete(score: np.ndarray, seeds: list[tuple[Rect, float]], w: int, h: int) -> list[tuple[Rect, float]]:
    """Add the tiles that the seeds' lattice predicts, with weaker support (a dark room beside a dark stage):
    cells in step with the seeds' rows and columns, and cells half a step off them (a centred last row)."""
    height, width = score.shape[0] + h - 1, score.shape[1] + w - 1
    taken = np.zeros((height, width), bool)
    for (x, y, _, _), _ in seeds:
        taken[y : y + h, x : x + w] = True
    px, py = _pitch([r[0] for r, _ in seeds], w), _pitch([r[1] for r, _ in seeds], h)
    gap = (px - w) if px is not None else (py - h) if py is not None else max(1, round(0.02 * w))
    px, py = px or w + gap, py or h + gap
    xs = {x0 + k * px + half for x0 in {r[0] for r, _ in seeds} for k in range(-9, 10) for half in (0, px // 2)}
    ys = {y0 + k * py for y0 in {r[1] for r, _ in seeds} for k in range(-9, 10)}
    cells = []
    for y in ys:
        for x in xs:
            if -2 <= x <= width - w + 2 and -2 <= y <= height - h + 2:
                value, cx, cy = _best_near(score, x, y)
                if value >= COMPLETION_BAR:
                    cells.append((value, cx, cy))
    tiles = list(seeds)
    for value, x, y in sorted(cells, reverse=True):
        if not taken[y + 3 : y + h - 3, x + 3 : x + w - 3].any():
            taken[y : y + h, x : x + w] = True
            tiles.append(((x, y, w, h), value))
    return tiles


def solve(image: np.ndarray, size: tuple[int, int] | None = None) -> LatticeResult | None:
    """The most supported gallery of equal tiles in ``image`` (working resolution), or None. ``size``:
    the tile size another splitter found, to complete its tiles rather than search for a size."""
    edges = edge_maps(image)
    height, width = edges.shape
    if size is None:
        thin = edge_maps(image, thickness=0)
        if float(thin.vertical.mean()) > NOISE_DENSITY:
            return None  # edges everywhere (noise, a dense texture): no side can stand out
        vertical, horizontal = _long_lines(thin)
        widths = _size_candidates(vertical, 0, width - 2, 8) + _run_lengths(horizontal, 3)
        heights = _size_candidates(horizontal, 1, height - 2, 8) + _run_lengths(vertical, 3)
        widths = sorted({w for w in widths if w >= 0.085 * width})
        heights = sorted({h for h in heights if h >= 0.085 * height})
        combos = [(w, h) for w in widths for h in heights if 0.95 <= w / h <= 2.1]
    else:
        combos = [size]
    hypotheses: list[tuple[float, int, int, np.ndarray, list]] = []
    for w, h in combos:
        score = score_map(edges, w, h)
        seeds = greedy_tiles(score, w, h, SEED_BAR, np.zeros((height, width), bool))
        if seeds:
            # first cut: the sizes whose sure tiles cover the most (many tiles above one big frame)
            hypotheses.append((sum(s for _, s in seeds) * w * h * np.log1p(len(seeds)), w, h, score, seeds))
    hypotheses.sort(key=lambda hyp: -hyp[0])
    best: tuple[float, int, int, list] | None = None
    for _, w, h, score, seeds in hypotheses[:TOP_SIZES]:
        w, h, score, seeds = _settle_size(edges, w, h, score, seeds) if size is None else (w, h, score, seeds)
        tiles = complete(score, consistent_seeds(seeds, w, h), w, h)
        px = _pitch([r[0] for r, _ in tiles], w) or w
        py = _pitch([r[1] for r, _ in tiles], h) or h
        tiles += _lattice_cells(edges, tiles, w, h, px, py)
        tiles = _wider_last_row(edges, tiles, w, h, px, py)
        tiles += _fill_full_rows(edges, tiles, w, h, px)
        # then: the size whose completed lattice explains the most edge (the supported length of its
        # sides): four tiles explain the lines between them, one tile drawn around them does not
        explained = sum(2 * s * (w + h) for _, s in tiles)
        if best is None or explained > best[0]:
            best = (explained, w, h, tiles)
    if best is None:
        return None
    _, w, h, tiles = best
    tiles = [(r, v) for r, v in tiles if _has_content(edges, r)]
    if not tiles:
        return None
    return LatticeResult([r for r, _ in tiles], float(np.mean([s for _, s in tiles])), (w, h))


def _settle_size(edges: EdgeMaps, w: int, h: int, score: np.ndarray, seeds: list) -> tuple:
    """The proposed sizes are a pixel or two off at times: settle each side's length on its neighbours."""
    height, width = edges.shape
    best = (sum(s for _, s in seeds), w, h, score, seeds)
    for dw, dh in ((-2, 0), (-1, 0), (1, 0), (2, 0), (0, -2), (0, -1), (0, 1), (0, 2)):
        nw, nh = w + dw, h + dh
        score = score_map(edges, nw, nh)
        tiles = greedy_tiles(score, nw, nh, SEED_BAR, np.zeros((height, width), bool))
        support = sum(s for _, s in tiles)
        if support > best[0]:
            best = (support, nw, nh, score, tiles)
    return best[1:]


def split_by_edges(frame: np.ndarray, size: tuple[int, int] | None = None) -> Gallery:
    """The gallery of a BGR frame by its tiles' straight sides, in frame pixels; ``size`` (frame pixels):
    the tile size to complete, where another splitter found some tiles already."""
    from bot.gallery.split import gallery_of

    height, width = frame.shape[:2]
    factor = max(1.0, max(height, width) / WORK_SIDE)
    small = frame
    if factor > 1:
        small = cv2.resize(frame, (round(width / factor), round(height / factor)), interpolation=cv2.INTER_AREA)
    result = solve(small, None if size is None else (round(size[0] / factor), round(size[1] / factor)))
    if result is None:
        return Gallery(method="edges")
    boxes: list[Box] = []
    for x, y, w, h in result.tiles:
        x0, y0 = max(0, round(x * factor)), max(0, round(y * factor))
        x1, y1 = min(width, round((x + w) * factor)), min(height, round((y + h) * factor))
        if x1 > x0 and y1 > y0:
            boxes.append((x0, y0, x1 - x0, y1 - y0))
    return gallery_of(boxes, round(min(1.0, result.score), 3), "edges")


def _has_content(edges: EdgeMaps, rect: Rect) -> bool:
    """Is there anything inside the rectangle (a face, a name, an avatar), clear of its sides? An empty cell
    of the stage between tiles has sides too."""
    x, y, w, h = rect
    inside = edges.vertical[y + 3 : y + h - 3, x + 3 : x + w - 3]
    return bool(inside.size) and float(inside.mean()) >= 0.01


def _sides(edges: EdgeMaps, x: int, y: int, w: int, h: int) -> list[float]:
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


def _rect_support(edges: EdgeMaps, x: int, y: int, w: int, h: int) -> float:
    """Mean side support of one rectangle (0 when a side is bare)."""
    sides = _sides(edges, x, y, w, h)
    return 0.0 if min(sides) < WEAKEST_SIDE else sum(sides) / 4


def missed_cells(frame: np.ndarray, boxes: list[Box]) -> list[Box]:
    """Cells next to the given tiles (frame pixels) that the tiles' lattice predicts and whose four sides
    stand out, with something in them: the tiles another splitter missed at the ends of rows, in holes, and
    in a row below (centred or in step)."""
    if len(boxes) < 2:
        return []
    height, width = frame.shape[:2]
    factor = max(1.0, max(height, width) / WORK_SIDE)
    small = (
        frame
        if factor == 1
        else cv2.resize(frame, (round(width / factor), round(height / factor)), interpolation=cv2.INTER_AREA)
    )
    # the lattice is known, so fainter sides will do (a camera-off tile a shade off the stage)
    edges = edge_maps(small, contrast=VERIFY_CONTRAST)
    work = [tuple(round(v / factor) for v in b) for b in boxes]
    w = int(np.median([b[2] for b in work]))
    h = int(np.median([b[3] for b in work]))
    px, py = _pitch([b[0] for b in work], w), _pitch([b[1] for b in work], h)
    gap = (px - w) if px is not None else (py - h) if py is not None else max(1, round(0.02 * w))
    px, py = px or w + gap, py or h + gap
    height_w, width_w = edges.shape
    x_ref, y_ref = work[0][0], work[0][1]
    # the tiles' own rows and one below them (a row whose videos touch the stage colour); the row above the
    # top one is where title bars and toolbars are, not a missed row
    top, bottom = min(b[1] for b in work), max(b[1] for b in work) + py
    xs = {x_ref % px + k * px + half for k in range(-1, width_w // px + 2) for half in (0, px // 2)}
    ys = {y_ref % py + k * py for k in range(-1, height_w // py + 2)}
    taken = [(b[0], b[1], b[2], b[3]) for b in work]
    found: list[Box] = []
    for y in sorted(v for v in ys if top - 3 <= v <= bottom + 3):
        for x in sorted(v for v in xs if -2 <= v <= width_w - w + 2):
            if any(_overlap(x, y, w, h, t) for t in taken) or _rect_support(edges, x, y, w, h) < 0.3 * SEED_BAR:
                continue
            value, bx, by = max(
                (_rect_support(edges, x + dx, y + dy, w, h), x + dx, y + dy)
                for dx in (-2, -1, 0, 1, 2)
                for dy in (-2, -1, 0, 1, 2)
            )
            if value >= SEED_BAR and _has_content(edges, (bx, by, w, h)):
                taken.append((bx, by, w, h))
                found.append((bx, by, w, h))
    out = []
    for x, y, cw, ch in found:
        x0, y0 = max(0, round(x * factor)), max(0, round(y * factor))
        x1, y1 = min(width, round((x + cw) * factor)), min(height, round((y + ch) * factor))
        out.append((x0, y0, x1 - x0, y1 - y0))
    return out


def _overlap(x: int, y: int, w: int, h: int, other: tuple[int, int, int, int], slack: int = 4) -> bool:
    ox, oy, ow, oh = other
    return x + slack < ox + ow and ox + slack < x + w and y + slack < oy + oh and oy + slack < y + h
