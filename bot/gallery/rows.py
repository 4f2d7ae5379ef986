"""The lattice of a gallery (:mod:`bot.gallery.lattice`): from the tiles found on their own, the cells the
layout predicts. Clients lay tiles out by a rule (equal tiles, rows in step, every row but the last full,
rows centred, Meet's fewer last-row tiles stretched to the full width), so a cell the rule predicts needs
less evidence than a tile found alone.
"""

from __future__ import annotations

from itertools import pairwise

import cv2
import numpy as np

from bot.gallery.edges import (
    EdgeMaps,
    best_near,
    has_content,
    overlaps,
    rect_sides,
    score_map,
)

Rect = tuple[int, int, int, int]

#: mean side support of a tile found on its own, and of one the lattice predicts
SEED_BAR, COMPLETION_BAR = 0.62, 0.4
#: the same, for a cell of a full row (every row but the last is full)
FULL_ROW_BAR = 0.45
#: the same between the gallery's known sides, where other rows show tiles: the layout all but says so
INSIDE_ROW_BAR = 0.3
#: mean support of the three best sides of a tile the lattice predicts
THREE_SIDED_BAR = 0.7


#: rows may stand up to this share of a tile's height apart where columns touch (see _row_gaps)
BAND_GAP = 0.35


def _row_gaps(seeds: list[tuple[Rect, float]], h: int) -> set[int]:
    """Gaps between rows wider than between columns: where a tile's label band blends into the page below it,
    its sides show the video only, and the rows stand a band's height apart (webex_2's filmstrip: 32 px of
    video in 41 px of pitch). Only the gaps the seeds themselves show, up to :data:`BAND_GAP` of a tile."""
    tops = sorted({r[1] for r, _ in seeds})
    return {b - a - h for a, b in pairwise(tops) if 0 < b - a - h <= BAND_GAP * h}


def in_step(a: int, b: int, pitch: int, slack: int = 3) -> bool:
    offset = (a - b) % pitch
    return min(offset, pitch - offset) <= slack


def pitch_of(starts: list[int], side: int, longest: float = 1.2) -> int | None:
    """The distance between neighbouring tiles' starts (side + gap), from the found tiles; at most ``longest``
    sides."""
    ordered = sorted(set(starts))
    steps = [b - a for a, b in pairwise(ordered)]
    steps = [d / round(d / side) for d in steps if d >= side * 0.97 and round(d / side) >= 1]
    good = [d for d in steps if side * 0.97 <= d <= side * longest]
    return round(float(np.median(good))) if good else None


def row_pitch_of(tops: list[int], h: int) -> int | None:
    """:func:`pitch_of` for rows, which may stand up to :data:`BAND_GAP` of a tile apart (see _row_gaps)."""
    return pitch_of(tops, h, 1 + BAND_GAP)


def lattice_pitch(rects: list[Rect], w: int, h: int) -> tuple[int, int]:
    """Column and row pitch of a lattice of w x h tiles, from the tiles found; where only one direction
    shows a pitch, the other has the same gap (a default gap where neither does)."""
    px, py = pitch_of([r[0] for r in rects], w), row_pitch_of([r[1] for r in rects], h)
    gap = (px - w) if px is not None else (py - h) if py is not None else max(1, round(0.02 * w))
    return px or w + gap, py or h + gap


def _in_step_positions(starts: list[int], pitch: int, limit: int, slack: int = 3) -> list[int]:
    """Every position in [0, limit) in step with one of ``starts`` (starts within ``slack`` of each other's
    step count once)."""
    residues: list[int] = []
    for start in sorted(starts):
        if not any(in_step(start, r, pitch, slack) for r in residues):
            residues.append(start)
    return sorted({r % pitch + k * pitch for r in residues for k in range(-1, limit // pitch + 2)} & set(range(limit)))


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


def consistent_seeds(seeds: list[tuple[Rect, float]], w: int, h: int) -> list[tuple[Rect, float]]:
    """The seeds that sit on one lattice (rows in step, columns in step, or half a step off in the last row:
    clients centre a partial last row under full ones): the lattice with the most support wins, and seeds
    found between its cells are dropped (meet_4 as JPEG q95: a middle row's seeds half a tile off the
    others' columns agreed with each other)."""
    best: tuple[float, list[tuple[Rect, float]]] = (0.0, [])
    gaps = range(0, max(2, round(0.06 * w)) + 1)
    row_gaps = _row_gaps(seeds, h)
    pitches = [(w + gap, h + gap) for gap in gaps]
    pitches += sorted({(w + gap, h + down) for gap in gaps for down in row_gaps} - set(pitches))
    for px, py in pitches:
        for (ax, ay, _, _), _ in seeds:
            on_rows = [(r, v) for r, v in seeds if in_step(r[1], ay, py)]
            rows: dict[int, list[tuple[Rect, float]]] = {}
            for r, v in on_rows:
                rows.setdefault(round((r[1] - ay) / py), []).append((r, v))
            kept = []
            last = max(rows)
            for index, row in rows.items():
                straight = [(r, v) for r, v in row if in_step(r[0], ax, px)]
                shifted = [(r, v) for r, v in row if in_step(r[0], ax + px // 2, px)]
                if index != last:
                    shifted = []  # only a last row is centred off the full rows' columns
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
    px, py = lattice_pitch([r for r, _ in seeds], w, h)
    straight = {x0 + k * px for x0 in {r[0] for r, _ in seeds} for k in range(-9, 10)}
    shifted = {x + px // 2 for x in straight}
    ys = {y0 + k * py for y0 in {r[1] for r, _ in seeds} for k in range(-9, 10)}
    # as in consistent_seeds, only a last row is centred off the full rows' columns: half-step cells are looked
    # for in the seeds' lowest row and below it (meet_4 as JPEG q65: a middle row's half-step cell outscored
    # the one in step, whose side the JPEG had blurred)
    lowest = max(r[1] for r, _ in seeds) - 3
    cells = []
    for y in ys:
        for x in straight | shifted if y >= lowest else straight:
            if -2 <= x <= width - w + 2 and -2 <= y <= height - h + 2:
                value, cx, cy = best_near(score, x, y)
                if value >= COMPLETION_BAR:
                    cells.append((value, cx, cy))
    tiles = list(seeds)
    for value, x, y in sorted(cells, reverse=True):
        if not taken[y + 3 : y + h - 3, x + 3 : x + w - 3].any():
            taken[y : y + h, x : x + w] = True
            tiles.append(((x, y, w, h), value))
    return tiles


def lattice_cells(
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
    return _whole_rows_above(added, [r for r, _ in tiles], h)


def cells_for_row_above(widest: int) -> int:
    """A row above a gallery's top row counts only whole: all but one of its widest row's cells, two at the
    least (a window's title bar and toolbar give fewer blocks)."""
    return max(2, widest - 1)


def _whole_rows_above(added: list[tuple[Rect, float]], found: list[Rect], h: int) -> list[tuple[Rect, float]]:
    """The added cells, less those above the top found row that do not make a whole row
    (:func:`cells_for_row_above`): a window's title bar and toolbar give a cell's three sides at its corners
    (``frame_plan(30, 1)`` frame 27, q50: two cells at the ends of a Zoom window's title bar)."""
    top = min(r[1] for r in found)
    widest = max(len(row) for row in rows_by_top(found, h).values())
    above = rows_by_top([r for r, _ in added if r[1] < top - h // 4], h)
    dropped = {r for row in above.values() if len(row) < cells_for_row_above(widest) for r in row}
    return [(r, s) for r, s in added if r not in dropped]


def rows_by_top(rects: list[Rect], h: int) -> dict[int, list[Rect]]:
    """Rectangles by row: one within a quarter of a tile's height of a row's first top is in that row."""
    rows: dict[int, list[Rect]] = {}
    for rect in rects:
        key = next((k for k in rows if abs(k - rect[1]) <= h // 4), rect[1])
        rows.setdefault(key, []).append(rect)
    return rows


def _rows_of(tiles: list[tuple[Rect, float]], h: int) -> dict[int, list[Rect]]:
    """Scored tiles by row (:func:`rows_by_top`)."""
    return rows_by_top([rect for rect, _ in tiles], h)


def _cell_support(edges: EdgeMaps, x: int, y: int, w: int, h: int) -> tuple[float, tuple, int, int]:
    """The best mean side support of a w x h cell within 3 px of (x, y): (mean, the sides, x, y)."""
    return max(
        (float(np.mean(sides)), sides, x + dx, y + dy)
        for dx in range(-3, 4)
        for dy in range(-3, 4)
        for sides in [rect_sides(edges, x + dx, y + dy, w, h)]
    )


def fill_full_rows(
    edges: EdgeMaps, tiles: list[tuple[Rect, float]], w: int, h: int, px: int
) -> list[tuple[Rect, float]]:
    """Every row but the last is full: a cell of such a row, between the gallery's outer sides and in step
    with the row's tiles, holds a tile even where its sides do not show (a dark room beside a dark panel),
    as long as something is in it. No row has holes: in the last row, the cells between its own first
    and last tile are taken the same way (two camera-off tiles a shade off the stage, in a JPEG). Nor is a
    short last row of two or more tiles off centre (clients centre it under the full rows): where its
    tiles lean to one side, its cells within the gallery's sides are taken where their sides show as a full
    row's do (zoom_2 as JPEG q55, 9 -> 12 of 12). A lone tile is left alone: too little to tell a leaning
    row from a wrong lattice (a wild rendering's Meet gallery, 4 -> 0 of 7 tiles when it was filled)."""
    rows = _rows_of(tiles, h)
    if len(rows) < 2:
        return []
    left = min(r[0] for r, _ in tiles)
    right = max(r[0] + r[2] for r, _ in tiles)
    last = max(rows)
    added: list[tuple[Rect, float]] = []
    for y, row in rows.items():
        if len(row) < 2:
            continue
        anchor = min(row, key=lambda r: r[0])[0]
        start = anchor - ((anchor - left + 3) // px) * px
        span = range(start - px, right - w + 4 + px, px)
        leaning = y == last and not _centred(row, left, right, px)
        bar = FULL_ROW_BAR if leaning else INSIDE_ROW_BAR
        if y == last and not leaning:  # only its holes
            span = range(anchor + px, max(r[0] for r in row) - w // 2, px)
        elif leaning:  # off centre: within the gallery's sides, where their sides show as a full row's do
            span = range(start, right - w + 4, px)
        for x in span:
            cell = (max(0, x), y, w, h)
            # (a cell before the frame's left edge is clamped onto the first one: it is not taken twice)
            if any(overlaps(*cell, other, slack=6) for other in row + [r for r, _ in added]):
                continue
            if not has_content(edges, cell):
                continue
            value, sides, cx, cy = _cell_support(edges, cell[0], y, w, h)
            # beyond the gallery's known sides, a row goes on only where its top and bottom lines do
            beyond = x < left - 3 or x + w > right + 3
            if (not beyond and value >= bar) or (beyond and value >= FULL_ROW_BAR and min(sides[:2]) >= 0.5):
                added.append(((cx, cy, w, h), value))
    return added


def _centred(row: list[Rect], left: int, right: int, px: int) -> bool:
    """Whether a row's middle is within a quarter pitch of the gallery's (its outer sides ``left``, ``right``)."""
    middle = (min(r[0] for r in row) + max(r[0] + r[2] for r in row)) / 2
    return abs(middle - (left + right) / 2) <= px / 4


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


def wider_last_row(
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
            cells = [best_near(three, left + k * (wide + gap), y) for k in range(count)]
            mean = sum(v for v, _, _ in cells) / count
            if min(v for v, _, _ in cells) >= THREE_SIDED_BAR and (not best or mean > _mean(best)):
                best = [((cx, cy, wide, h), v) for v, cx, cy in cells]
        if best:
            return [t for t in tiles if t not in replaced] + best
    return tiles


def centre_full_rows(edges: EdgeMaps, tiles: list[tuple[Rect, float]], w: int, h: int, px: int) -> list:
    """Rows are centred on one line: full rows that sit half a pitch to one side of the last row's middle
    lack a column at the other end (its tiles' outer sides lost beside a dark panel, in a JPEG). That
    column's cells are taken when every one holds something and shows its sides at :data:`INSIDE_ROW_BAR`,
    and better than the cell at the last row's other end does (a last row short of a tile it has, off
    centre for that reason, would ask for the same column)."""
    rows = _rows_of(tiles, h)
    if len(rows) < 2:
        return []
    last = max(rows)
    full = [rows[y] for y in sorted(rows) if y != last]
    if len(full[0]) < 2 or any(len(row) != len(full[0]) for row in full):
        return []
    left = min(r[0] for row in full for r in row)
    right = max(r[0] + r[2] for row in full for r in row)
    last_row = rows[last]
    shift = (min(r[0] for r in last_row) + max(r[0] + r[2] for r in last_row)) / 2 - (left + right) / 2
    if abs(abs(shift) - px / 2) > max(3.0, 0.1 * px):
        return []
    x = left - px if shift < 0 else right - w + px
    other_end = max(r[0] for r in last_row) + px if shift < 0 else min(r[0] for r in last_row) - px
    width = edges.shape[1]
    if x < -3 or x + w > width + 3:
        return []
    rival = _cell_support(edges, other_end, last, w, h)[0] if 0 <= other_end <= width - w else 0.0
    added: list[tuple[Rect, float]] = []
    for row in full:
        cell = (min(max(0, x), width - w), int(np.median([r[1] for r in row])), w, h)
        value, _sides, cx, cy = _cell_support(edges, cell[0], cell[1], w, h)
        if value < INSIDE_ROW_BAR or not has_content(edges, cell):
            return []
        added.append(((cx, cy, w, h), value))
    return added if _mean(added) > rival else []
