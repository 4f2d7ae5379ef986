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

import cv2
import numpy as np

from bot.frames import Box, Gallery
from bot.gallery.border import cropped_cells
from bot.gallery.edges import (
    FAINT_CONTRAST,
    VERIFY_CONTRAST,
    EdgeMaps,
    edge_maps,
    has_content,
    long_lines,
    overlaps,
    rect_support,
    run_lengths,
    score_map,
    size_candidates,
)
from bot.gallery.pillarbox import centred_content, pillarbox_row
from bot.gallery.rows import (
    SEED_BAR,
    cells_for_row_above,
    centre_full_rows,
    complete,
    consistent_seeds,
    fill_full_rows,
    greedy_tiles,
    lattice_cells,
    lattice_pitch,
    pitch_of,
    row_pitch_of,
    rows_by_top,
    wider_last_row,
)
from bot.gallery.tiles import gallery_of

Rect = tuple[int, int, int, int]

#: a frame with more of its pixels on (vertical) edges than this shows no gallery
NOISE_DENSITY = 0.5
#: how far (working pixels) a predicted cell is looked for around its place on the lattice: in the given
#: tiles' rows, and in rows beyond them, where the given tiles' few pixels of error (a compressed stage
#: widens them) add up (in the rows, the farther reach found bars of a slide's chart beside a filmstrip)
NEAR_REACH = (-2, -1, 0, 1, 2)
FAR_REACH = tuple(range(-4, 5))
#: sizes closer than this (working pixels, each side) are one size
SAME_SIZE = 2
#: working resolution: the longer side of the frame is brought to at most this many pixels
WORK_SIDE = 480
#: ... but a frame up to this long is solved as it is: brought down by under 1.5x it would save little time and
#: blur every line over two pixels, where its tiles are small already (webex_2, 640 x 400: its 64 x 40
#: filmstrip thumbnails were found in one place or another at each grey level of noise)
WHOLE_UP_TO = 720
#: how many of the best-covering tile sizes are completed and compared by the edge they explain
TOP_SIZES = 4


@dataclass
class LatticeResult:
    tiles: list[Rect]  # working pixels
    score: float  # mean side support of the tiles, 0..1
    size: tuple[int, int]


def solve(image: np.ndarray) -> LatticeResult | None:
    """The most supported gallery of equal tiles in ``image`` (working resolution), or None."""
    edges = edge_maps(image)
    height, width = edges.shape
    thin = edge_maps(image, thickness=0)
    if float(thin.vertical.mean()) > NOISE_DENSITY:
        return None  # edges everywhere (noise, a dense texture): no side can stand out
    vertical, horizontal = long_lines(thin)
    widths = size_candidates(vertical, 0, width - 2, 8) + run_lengths(horizontal, 3)
    heights = size_candidates(horizontal, 1, height - 2, 8) + run_lengths(vertical, 3)
    widths = sorted({w for w in widths if w >= 0.085 * width})
    heights = sorted({h for h in heights if h >= 0.085 * height})
    combos = [(w, h) for w in widths for h in heights if 0.95 <= w / h <= 2.1]
    hypotheses: list[tuple[float, int, int, np.ndarray, list]] = []
    for w, h in combos:
        score = score_map(edges, w, h)
        seeds = greedy_tiles(score, w, h, SEED_BAR, np.zeros((height, width), bool))
        if seeds:
            # first cut: the sizes whose sure tiles cover the most (many tiles above one big frame)
            hypotheses.append((sum(s for _, s in seeds) * w * h * np.log1p(len(seeds)), w, h, score, seeds))
    hypotheses.sort(key=lambda hyp: -hyp[0])
    best: tuple[float, int, int, list] | None = None
    for w, h, score, seeds in _distinct_sizes(edges, hypotheses):
        tiles = complete(score, consistent_seeds(seeds, w, h), w, h)
        px = pitch_of([r[0] for r, _ in tiles], w) or w
        py = row_pitch_of([r[1] for r, _ in tiles], h) or h
        tiles += lattice_cells(edges, tiles, w, h, px, py)
        tiles = wider_last_row(edges, tiles, w, h, px, py)
        for _ in range(2):  # a row filled out widens the gallery's known sides for the others
            added = fill_full_rows(edges, tiles, w, h, px)
            tiles += added
            if not added:
                break
        tiles += centre_full_rows(edges, tiles, w, h, px)
        tiles += cropped_cells(edges, tiles, w, h, px, py)
        # then: the size whose completed lattice explains the most edge (the supported length of its
        # sides): four tiles explain the lines between them, one tile drawn around them does not
        explained = sum(2 * s * (r[2] + r[3]) for r, s in tiles)
        if best is None or explained > best[0]:
            best = (explained, w, h, tiles)
    if best is None:
        return None
    _, w, h, tiles = best
    tiles = [(r, v) for r, v in tiles if has_content(edges, r)]
    if not tiles:
        return None
    return LatticeResult([r for r, _ in tiles], float(np.mean([s for _, s in tiles])), (w, h))


def _distinct_sizes(edges: EdgeMaps, hypotheses: list) -> list[tuple]:
    """The :data:`TOP_SIZES` best-covering sizes, settled (:func:`_settle_size`), that differ by more than
    :data:`SAME_SIZE` pixels: near-copies of one size (a JPEG blurs a line over a few) would otherwise take
    every place from the size that tiles the gallery."""
    kept: list[tuple] = []
    for _, w, h, score, seeds in hypotheses:
        if len(kept) == TOP_SIZES:
            break
        if any(abs(w - k[0]) <= SAME_SIZE and abs(h - k[1]) <= SAME_SIZE for k in kept):
            continue
        settled = _settle_size(edges, w, h, score, seeds)
        if not any(abs(settled[0] - k[0]) <= SAME_SIZE and abs(settled[1] - k[1]) <= SAME_SIZE for k in kept):
            kept.append(settled)
    return kept


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


def split_by_edges(frame: np.ndarray) -> Gallery:
    """The gallery of a BGR frame by its tiles' straight sides, in frame pixels."""
    small, factor = _working_image(frame)
    result = solve(small)
    if result is None:
        return Gallery(method="edges")
    # found at reduced size, each side may be a working pixel or two off: the label strips reach that far
    boxes = _aligned_rows(_frame_boxes(result.tiles, factor, frame))
    return gallery_of(boxes, round(min(1.0, result.score), 3), "edges", label_slack=round(2 * factor))


def _aligned_rows(boxes: list[Box]) -> list[Box]:
    """Every tile of a row (:func:`bot.gallery.rows.rows_by_top`) at the row's median top: clients lay tiles
    out in rows, and a cell placed on its own evidence may sit a few pixels off where its video has a stronger
    line than its side (webex_2's filmstrip: one thumbnail 8 px above its row, IoU 0.48 with its true box)."""
    if len(boxes) < 2:
        return boxes
    tops = {}
    for row in rows_by_top(boxes, round(float(np.median([b[3] for b in boxes])))).values():
        top = round(float(np.median([b[1] for b in row])))
        tops.update((box, top) for box in row)
    return [(x, tops[(x, y, w, h)], w, h) for x, y, w, h in boxes]


def _working_image(frame: np.ndarray) -> tuple[np.ndarray, float]:
    """The frame brought to :data:`WORK_SIDE` at most, and the frame pixels per working pixel."""
    height, width = frame.shape[:2]
    factor = _work_factor(frame.shape)
    if factor == 1:
        return frame, factor
    size = (round(width / factor), round(height / factor))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA), factor


def _work_factor(shape: tuple[int, ...]) -> float:
    """Frame pixels per working pixel (see :data:`WORK_SIDE`, :data:`WHOLE_UP_TO`)."""
    longest = max(shape[:2])
    return 1.0 if longest <= WHOLE_UP_TO else longest / WORK_SIDE


def _frame_boxes(rects: list[Rect], factor: float, frame: np.ndarray) -> list[Box]:
    """Working-resolution rectangles in frame pixels, clipped to the frame (empty ones dropped)."""
    height, width = frame.shape[:2]
    boxes: list[Box] = []
    for x, y, w, h in rects:
        x0, y0 = max(0, round(x * factor)), max(0, round(y * factor))
        x1, y1 = min(width, round((x + w) * factor)), min(height, round((y + h) * factor))
        if x1 > x0 and y1 > y0:
            boxes.append((x0, y0, x1 - x0, y1 - y0))
    return boxes


def _cells_in_row(
    edges: np.ndarray, xs: list[int], y: int, w: int, h: int, taken: list[Box], reach: tuple[int, ...] = NEAR_REACH
) -> list[Box]:
    """Cells of size w x h at lattice columns ``xs`` in the row at ``y`` (working pixels) whose four sides
    stand out, with something in them, overlapping nothing in ``taken`` (found cells are added to it).
    ``reach``: how far from its lattice place a cell is looked for (see :data:`FAR_REACH`)."""
    found: list[Box] = []
    for x in xs:
        if any(overlaps(x, y, w, h, t) for t in taken):
            continue
        if reach == NEAR_REACH and rect_support(edges, x, y, w, h) < 0.3 * SEED_BAR:
            continue
        value, bx, by = max((rect_support(edges, x + dx, y + dy, w, h), x + dx, y + dy) for dx in reach for dy in reach)
        if value >= SEED_BAR and has_content(edges, (bx, by, w, h)):
            taken.append((bx, by, w, h))
            found.append((bx, by, w, h))
    return found


def _known_lattice(frame: np.ndarray, boxes: list[Box]) -> tuple[EdgeMaps, float, list[Box], tuple[int, ...]]:
    """The given tiles' lattice at working resolution: the edge maps (fainter sides will do where the lattice
    is known: a camera-off tile a shade off the stage), frame pixels per working pixel, the tiles in working
    pixels, and (w, h, px, py): their size and pitch."""
    small, factor = _working_image(frame)
    edges = edge_maps(small, contrast=VERIFY_CONTRAST)
    work = [tuple(round(v / factor) for v in b) for b in boxes]
    w = int(np.median([b[2] for b in work]))
    h = int(np.median([b[3] for b in work]))
    return edges, factor, work, (w, h, *lattice_pitch(work, w, h))


def missed_cells(frame: np.ndarray, boxes: list[Box]) -> list[Box]:
    """Cells next to the given tiles (frame pixels) that the tiles' lattice predicts and whose four sides
    stand out, with something in them: the tiles another splitter missed at the ends of rows, in holes, in
    a row below (centred or in step), whole rows above, and cells the image's border cuts."""
    if len(boxes) < 2:
        return []
    edges, factor, work, (w, h, px, py) = _known_lattice(frame, boxes)
    height_w, width_w = edges.shape
    x_ref, y_ref = work[0][0], work[0][1]
    xs = sorted(
        v
        for v in {x_ref % px + k * px + half for k in range(-1, width_w // px + 2) for half in (0, px // 2)}
        if -2 <= v <= width_w - w + 2
    )
    ys = sorted({y_ref % py + k * py for k in range(-1, height_w // py + 2)})
    taken = [(b[0], b[1], b[2], b[3]) for b in work]
    # the tiles' own rows, and rows below them while each adds a tile (rows whose videos touch the stage
    # colour, or a stage a compressed capture kept flat only round the first row)
    top, bottom = min(b[1] for b in work), max(b[1] for b in work) + py
    found: list[Box] = []
    for y in (v for v in ys if v >= top - 3):
        beyond = y > bottom - py + 3
        row = _cells_in_row(edges, xs, y, w, h, taken, FAR_REACH if beyond else NEAR_REACH)
        found += row
        if beyond and not row:
            break
    # above the top row are title bars and toolbars: a row there counts only whole (all but one of the top
    # row's cells, :func:`cells_for_row_above`), as when a compressed capture's stage lost the first rows of
    # tiles (zoom_2 as JPEG q55: the stage kept its last row, and a video's side in each row above is faint)
    top_row = sum(abs(b[1] - top) <= 3 for b in work)
    for y in sorted((v for v in ys if v < top - 3), reverse=True):
        row = _cells_in_row(edges, xs, y, w, h, list(taken), FAR_REACH)
        if len(row) < cells_for_row_above(top_row):
            break
        taken += row
        found += row
    # and the cells the image's border cuts, next to the outermost tiles of a row or column
    found += [r for r, _ in cropped_cells(edges, [(t, 1.0) for t in taken], w, h, px, py)]
    return _frame_boxes(found + _full_row_holes(edges, taken, w, h), factor, frame)


def _full_row_holes(edges: EdgeMaps, tiles: list[Box], w: int, h: int) -> list[Box]:
    """Every row but the last is full: a cell of such a row at a column of the full rows holds a tile
    whatever its sides show (a video pillarboxed in the stage's colour), if anything is in it."""
    rows = rows_by_top(tiles, h)
    full = [row for top, row in rows.items() if top != max(rows)]
    lefts = sorted(t[0] for row in full for t in row)
    columns = [round(np.median(group)) for group in _runs(lefts, max(3, w // 16))]
    holes: list[Box] = []
    for row in full:
        top = round(np.median([t[1] for t in row]))
        for x in columns:
            cell = (x, top, w, h)
            if 0 <= x <= edges.shape[1] - w and not any(overlaps(*cell, t) for t in row) and has_content(edges, cell):
                holes.append(cell)
    return holes


def _runs(values: list[int], gap: int) -> list[list[int]]:
    """Sorted values in runs whose neighbours are at most ``gap`` apart."""
    runs: list[list[int]] = []
    for v in values:
        if runs and v - runs[-1][-1] <= gap:
            runs[-1].append(v)
        else:
            runs.append([v])
    return runs


def border_cells(frame: np.ndarray, boxes: list[Box]) -> list[Box]:
    """Only the cells the image's border cuts next to the given tiles (frame pixels): see
    :func:`bot.gallery.border.cropped_cells`."""
    if len(boxes) < 2:
        return []
    edges, factor, work, (w, h, px, py) = _known_lattice(frame, boxes)
    return _frame_boxes([r for r, _ in cropped_cells(edges, [(t, 1.0) for t in work], w, h, px, py)], factor, frame)


def pillarbox_cells(frame: np.ndarray, boxes: list[Box]) -> list[Box]:
    """A last row of pillarboxed videos under the given tiles (frame pixels), whose sides nothing shows: see
    :mod:`bot.gallery.pillarbox`."""
    if len(boxes) < 2:
        return []
    edges, factor, work, (w, h, px, py) = _known_lattice(frame, boxes)
    return _frame_boxes(pillarbox_row(edges, work, w, h, px, py), factor, frame)


def centring_cells(frame: np.ndarray, boxes: list[Box]) -> list[Box]:
    """Rows are centred on one line, and none is longer than the full rows: where the last row's middle is
    half a pitch to one side of the full rows' (all one length), either the full rows lack a tile at their
    other end or a shorter last row lacks one at its own other end. The cells of the better supported of
    the two are taken where each holds something and shows its four sides on faint edges (a camera-off tile
    a few grey levels off the stage, which a compressed copy's smoothed stage swallows)."""
    if len(boxes) < 2:
        return []
    factor = _work_factor(frame.shape)  # as _working_image, which waits for a candidate
    work = [tuple(round(v / factor) for v in b) for b in boxes]
    w = int(np.median([b[2] for b in work]))
    h = int(np.median([b[3] for b in work]))
    rows = rows_by_top(work, h)
    last = rows.pop(max(rows)) if len(rows) >= 2 else []
    full = list(rows.values())
    if not last or len({len(row) for row in full}) != 1 or len(last) > len(full[0]):
        return []
    px = lattice_pitch(work, w, h)[0]
    left, right = min(b[0] for row in full for b in row), max(b[0] + w for row in full for b in row)
    shift = (min(b[0] for b in last) + max(b[0] for b in last) + w) / 2 - (left + right) / 2
    if abs(abs(shift) - px / 2) > max(3.0, 0.1 * px):
        return []
    x = left - px if shift < 0 else right - w + px
    other_end = max(b[0] for b in last) + px if shift < 0 else min(b[0] for b in last) - px
    options = []  # (the full rows' cells at x, or the last row's other end) where they fit in the frame
    if x >= -3 and x + w <= frame.shape[1] / factor + 3:
        options.append([(x, row[0][1]) for row in full])
    if len(last) < len(full[0]) and left - 3 <= other_end and other_end + w <= right + 3:
        options.append([(other_end, last[0][1])])
    if not options:
        return []
    small, factor = _working_image(frame)
    edges = edge_maps(small, contrast=FAINT_CONTRAST)
    best: tuple[float, list[Rect]] = (0.0, [])
    for places in options:
        found = [_support_near(edges, min(max(0, cx), small.shape[1] - w), cy, w, h) for cx, cy in places]
        cells = [(cx, cy, w, h) for _, cx, cy in found]
        value = min(v for v, _, _ in found)
        if value < SEED_BAR and all(centred_content(edges, cx, cy, w, h) for cx, cy in places):
            # no sides show (a camera-off tile a codec flattened into the stage), but each cell's drawing
            # stands in its middle: the cells are where the lattice puts them; sides that show win
            cells, value = [(cx, cy, w, h) for cx, cy in places], SEED_BAR
        if value >= max(SEED_BAR, best[0]) and all(has_content(edges, cell) for cell in cells):
            best = (value, cells)
    return _frame_boxes(best[1], factor, frame)


def _support_near(edges: EdgeMaps, x: int, y: int, w: int, h: int, slack: int = 3) -> tuple[float, int, int]:
    """The best :func:`rect_support` of a w x h cell within ``slack`` of (x, y), and where it is."""
    reach = range(-slack, slack + 1)
    return max((rect_support(edges, x + dx, y + dy, w, h), x + dx, y + dy) for dx in reach for dy in reach)
