"""The stage splitter's grid model: from the group of tile-sized blobs to every tile of the gallery.

:func:`fit_grid` takes the boxes of the winning size group, refined to exact edges (:mod:`bot.gallery.stage`), and

1. measures the lattice: tile size, column and row pitch, the gap between tiles (:func:`_measure_lattice`);
2. drops rows and blobs that sit off that lattice (:func:`_rows_on_lattice`, :func:`_rows_on_columns`);
3. completes the grid where blobs were broken or merged (:class:`_Grid`): holes inside rows, whole rows
   between, above and below the found ones, and cells beyond a row's ends, each only where the stage mask
   shows the evidence the layout asks for.

All boxes are in the working ("half") resolution of the stage mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from bot.gallery.stage_mask import best_edge, fg_fraction, ring_fraction, stage_gap
from bot.gallery.tiles import cluster_1d

Cell = tuple[float, float, float, float]


def _pitch(diffs: list[float], size: float) -> float | None:
    good = [d for d in diffs if size * 0.98 <= d <= size * 1.35]
    return median(good) if good else None


def _overlaps(
    box: tuple[float, float, float, float], boxes: list[tuple[float, float, float, float]], share: float = 0.1
) -> bool:
    x, y, w, h = box
    for bx, by, bw, bh in boxes:
        ix = min(x + w, bx + bw) - max(x, bx)
        iy = min(y + h, by + bh) - max(y, by)
        if ix > 0 and iy > 0 and ix * iy > share * min(w * h, bw * bh):
            return True
    return False


def median(values) -> float:
    """The median (the mean of the middle two for an even count)."""
    ordered = sorted(values)
    n = len(ordered)
    return float(ordered[n // 2]) if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2.0


# --------------------------------------------------------------------------- the lattice


@dataclass(frozen=True)
class _Lattice:
    """The grid the tiles sit on: tile width and height, column and row pitch, the gap, the tolerance."""

    tw: float
    th: float
    px: float
    py: float
    gap: float
    tol: float


def _measure_lattice(boxes: list[tuple[float, ...]], bg: np.ndarray) -> tuple[_Lattice, list[list[int]], list[float]]:
    """The lattice of the refined boxes, their rows (indices into ``boxes``) and each row's top.

    Decides the pitches from the steps between neighbouring tiles that are about one tile long; where there
    are none (one column, one row), the gap measured the other way, or on the stage beside the tiles (or 2 %
    of the tile) fills in."""
    tw = median([b[2] for b in boxes])
    th = median([b[3] for b in boxes])
    rows = cluster_1d([b[1] for b in boxes], max(2.0, 0.1 * th))
    row_ys = [median([boxes[i][1] for i in g]) for g in rows]
    col_diffs = []
    for g in rows:
        xs = sorted(boxes[i][0] for i in g)
        col_diffs += [b - a for a, b in pairwise(xs)]
    px = _pitch(col_diffs, tw)
    py = _pitch([b - a for a, b in pairwise(row_ys)], th)
    gap = (px - tw) if px is not None else (py - th) if py is not None else None
    if gap is None:
        gap = stage_gap(bg, boxes, max(3, round(0.1 * min(tw, th)))) or max(1.0, round(0.02 * tw))
    px = px if px is not None else tw + gap
    py = py if py is not None else th + gap
    return _Lattice(tw, th, px, py, gap, max(2.0, 0.06 * tw)), rows, row_ys


def _rows_on_lattice(
    rows: list[list[int]], row_ys: list[float], lattice: _Lattice
) -> tuple[list[list[int]], list[float]]:
    """Drops rows that sit off the vertical lattice of the main (fullest) row: a lone blob of tile size
    elsewhere. A row of two or more blobs always stays."""
    main = max(range(len(rows)), key=lambda r: len(rows[r]))
    if len(rows) > 1 and len(rows[main]) >= 2:
        keep_rows = []
        for r, y in enumerate(row_ys):
            k = round((y - row_ys[main]) / lattice.py)
            if abs(y - row_ys[main] - k * lattice.py) <= max(2.0, 0.1 * lattice.th) or len(rows[r]) >= 2:
                keep_rows.append(r)
        rows = [rows[r] for r in keep_rows]
        row_ys = [row_ys[r] for r in keep_rows]
    return rows, row_ys


def _rows_on_columns(
    boxes: list[tuple[float, ...]], rows: list[list[int]], row_ys: list[float], lattice: _Lattice
) -> list[list[Cell]]:
    """Each row's cells, left to right, at the lattice's tile size. Within a row of three or more, blobs off
    the row's column lattice are dropped, but only when the blobs on it are a clear majority."""
    px, tol = lattice.px, lattice.tol
    row_members: list[list[Cell]] = []
    for g, y in zip(rows, row_ys, strict=True):
        members = sorted((boxes[i] for i in g), key=lambda b: b[0])
        if len(members) >= 3:
            ref = members[len(members) // 2][0]
            on = [b for b in members if abs((b[0] - ref) / px - round((b[0] - ref) / px)) * px <= tol]
            if len(on) > len(members) / 2:
                members = on
        row_members.append([(b[0], y, lattice.tw, lattice.th) for b in members])
    return row_members


# --------------------------------------------------------------------------- completing the grid

#: per evidence level: the content share of the cell, of its emptiest quadrant, and the stage share of its rim
_LEVELS = {
    "centred": (0.1, 0.0, 0.3),
    "supported": (0.2, 0.05, 0.5),
    "row": (0.2, 0.05, 0.75),
    "strict": (0.55, 0.4, 0.75),
}


class _Grid:
    """The tiles found so far, row by row, on one lattice; the completing steps add cells to it.

    Galleries fill row by row: every row but the last is full, and every platform centres each row on one
    line. The steps lean on that; each adds a cell only where :meth:`evidence` finds what its step asks for.
    """

    def __init__(self, bg: np.ndarray, lattice: _Lattice, row_members: list[list[Cell]], row_ys: list[float]):
        self.bg = bg
        self.height, self.width = bg.shape
        self.lattice = lattice
        self.row_members = row_members
        self.row_ys = row_ys
        #: every tile, in the order found (the splitter's output order)
        self.tiles: list[Cell] = [cell for row in row_members for cell in row]
        self.columns: list[float] = []
        self.refresh_columns()

    def refresh_columns(self) -> bool:
        """The columns of the full grid: the found tiles' lefts, clustered. Whether there are more than before."""
        all_x = sorted({round(b[0]) for row in self.row_members for b in row})
        columns = [median([all_x[i] for i in g]) for g in cluster_1d([float(v) for v in all_x], self.lattice.tol)]
        grew = len(columns) > len(self.columns)
        self.columns = columns
        return grew

    def cell(self, x: float, y: float) -> Cell:
        return (x, y, self.lattice.tw, self.lattice.th)

    def last_row(self) -> int:
        return max(range(len(self.row_ys)), key=lambda r: self.row_ys[r])

    def evidence(self, cell: Cell, level: str) -> bool:
        """Does a grid cell hold a tile? ``level``, from the grid's say to the cell's: "hole" (a tile must be
        there: anything will do), "centred" (the row is off-centre by this cell: some content with one real
        edge, even half hidden under a self-view), "supported" (the lattice allows one: content spread over
        the cell, framed by the stage, one real edge), "row" (a whole row: framed all round), "strict"."""
        bg = self.bg
        x, y, w, h = (round(v) for v in cell)
        if x < 0 or y < 0 or x + w > self.width or y + h > self.height or _overlaps(cell, self.tiles):
            return False
        fg = fg_fraction(bg, x, y, w, h)
        if level == "hole":
            return fg >= 0.02
        min_fg, min_quadrant, min_ring = _LEVELS[level]
        if fg < min_fg:
            return False
        if level in {"row", "strict"}:  # a tile's content runs from its top to its bottom (bars only at sides)
            rows_fg = 1.0 - np.count_nonzero(bg[y : y + h, x : x + w], axis=1) / max(1, w)
            if np.count_nonzero(rows_fg >= 0.3) < 0.8 * h:
                return False
        if min_quadrant > 0:
            hw, hh = w // 2, h // 2
            quadrants = [fg_fraction(bg, x + i * hw, y + j * hh, hw, hh) for i in (0, 1) for j in (0, 1)]
            if min(quadrants) < min_quadrant:
                return False  # content only in part of the cell: something else overlapping it
        # the gap's middle, give or take the half pixel that rounding the lattice can cost
        gap = self.lattice.gap
        ds = sorted({max(1, int(gap // 2)), max(1, int(gap // 2)) + 1})
        if max(ring_fraction(bg, x, y, w, h, d) for d in ds) < min_ring:
            return False
        return max(best_edge(bg, x, y, w, h, d) for d in ds) >= 0.25  # a side where content meets the stage

    def add(self, row: list[Cell], cell: Cell) -> None:
        row.append(cell)
        self.tiles.append(cell)

    def add_row(self, y: float, cells: list[Cell]) -> None:
        self.tiles.extend(cells)
        self.row_members.append(cells)
        self.row_ys.append(y)

    def fill_holes(self) -> None:
        """Cells inside a row, and cells of a non-last row at another row's column (in step with this row),
        hold a tile whatever they show (a video in the stage's colour, a dark room): the layout says so."""
        px, tol = self.lattice.px, self.lattice.tol
        last = self.last_row()
        for r, y in enumerate(self.row_ys):
            row = self.row_members[r]
            xs = sorted(b[0] for b in row)
            holes = []
            for a, b in pairwise(xs):
                holes += [a + k * px for k in range(1, round((b - a) / px))]
            if r != last:
                holes += [c for c in self.columns if abs((c - xs[0]) / px - round((c - xs[0]) / px)) * px <= tol]
            for cx in holes:
                if not any(abs(cx - b[0]) <= tol for b in row) and self.evidence(self.cell(cx, y), "hole"):
                    self.add(row, self.cell(cx, y))

    def fill_rows_between(self) -> None:
        """Whole rows that no blob came through for (every tile of the row broken up: videos in the stage's
        colour): a row between two found rows is a full row, a tile in every full row's column that shows
        anything (not the last row's columns, half a step off them where it is centred)."""
        px, tol, last = self.lattice.px, self.lattice.tol, self.last_row()
        full_x = [b[0] for r, row in enumerate(self.row_members) if r != last for b in row]
        columns = [c for c in self.columns if any(abs((c - x) / px - round((c - x) / px)) * px <= tol for x in full_x)]
        for a, b in pairwise(sorted(self.row_ys)):
            for k in range(1, round((b - a) / self.lattice.py)):
                y = a + k * self.lattice.py
                found = [self.cell(cx, y) for cx in columns if self.evidence(self.cell(cx, y), "hole")]
                if found:
                    self.add_row(y, found)

    def extend_rows(self) -> None:
        """Whole rows above the top one and below the bottom one, while framed tiles are there. A row above
        is a full row (half the columns at least); a row below may be the centred last row, half a step off
        the columns, and ends the search when shorter. A lone row is a filmstrip (no row step to go by)
        unless it is a single column of tiles (beside shared content)."""
        px, py, th = self.lattice.px, self.lattice.py, self.lattice.th
        columns = self.columns
        single = len(columns) == 1  # a column of tiles beside shared content
        for direction in (-1, 1):
            if len(self.row_ys) == 1 and not single:
                break  # a lone row is a filmstrip: no row step to go by
            edge = min(self.row_ys) if direction < 0 else max(self.row_ys)
            for k in range(1, 10):
                y = edge + direction * k * py
                if y < 0 or y + th > self.height:
                    break
                lattices = [columns]
                if direction > 0 and not single:
                    lattices.append([c + px / 2 for c in columns[:-1]])
                level = "supported" if single else "row"
                found = max(
                    ([self.cell(cx, y) for cx in xs if self.evidence(self.cell(cx, y), level)] for xs in lattices),
                    key=len,
                )
                if not found or (direction < 0 and len(found) < max(1, len(columns) // 2)):
                    break
                self.add_row(y, found)
                if direction > 0 and len(found) < len(columns):
                    break  # the (shorter) last row

    def centre_of(self, row: list[Cell]) -> float:
        return (min(b[0] for b in row) + max(b[0] for b in row) + self.lattice.tw) / 2

    def grow(self, row: list[Cell], y: float, target: float | None, level: str) -> None:
        """Adds cells at a row's ends: towards ``target`` (a centre line) until the row is centred on it, or
        (``target`` None) at either end while the cells hold tiles."""
        px, tw, tol = self.lattice.px, self.lattice.tw, self.lattice.tol
        while True:
            lo, hi = min(b[0] for b in row), max(b[0] for b in row)
            if target is None:
                options = [lo - px, hi + px]
            else:
                offset = self.centre_of(row) - target
                if abs(offset) < px / 4:
                    return
                options = [lo - px] if offset > 0 else [hi + px]
            for cx in options:
                if -tol <= cx and cx + tw <= self.width + tol and self.evidence(self.cell(cx, y), level):
                    self.add(row, self.cell(cx, y))
                    break
            else:
                return

    def grow_row_ends(self) -> None:
        """Cells beyond a row's ends. Every platform centres each row on one line: full rows that sit off the
        last row's centre lack a tile at one end (video in the stage's colour all down a column), and the
        last row grows towards the full rows' centre; a lone row (a filmstrip) grows while the cells hold
        tiles."""
        rows, row_ys = self.row_members, self.row_ys
        if len(rows) == 1:
            self.grow(rows[0], row_ys[0], None, "supported")
            return
        last = self.last_row()
        others = [r for r in range(len(row_ys)) if r != last]
        for r in others:  # off the last row's centre line: a tile missing at one end
            self.grow(rows[r], row_ys[r], self.centre_of(rows[last]), "supported")
        widest = max(len(rows[r]) for r in others)
        target = median([self.centre_of(rows[r]) for r in others if len(rows[r]) == widest])
        row, y = rows[last], row_ys[last]
        if len(row) < widest:
            self.grow(row, y, target, "centred")
        px = self.lattice.px
        while len(row) + 2 <= widest:  # a centred last row with a tile missing at each end
            lo, hi = min(b[0] for b in row), max(b[0] for b in row)
            pair = [self.cell(lo - px, y), self.cell(hi + px, y)]
            if not all(self.evidence(cell, "supported") for cell in pair):
                break
            for cell in pair:
                self.add(row, cell)


def fit_grid(bg: np.ndarray, boxes: list[tuple[float, ...]]) -> list[tuple[int, int, int, int]]:
    """Tile boxes (half-resolution pixels) from the size group's ``boxes`` (refined to exact edges on ``bg``,
    the stage mask), cleaned and completed with the grid (see the module docstring)."""
    lattice, rows, row_ys = _measure_lattice(boxes, bg)
    rows, row_ys = _rows_on_lattice(rows, row_ys, lattice)
    grid = _Grid(bg, lattice, _rows_on_columns(boxes, rows, row_ys, lattice), row_ys)
    grid.fill_holes()
    grid.fill_rows_between()
    grid.extend_rows()
    grid.fill_holes()  # rows that were last before are full rows now
    grid.grow_row_ends()
    if grid.refresh_columns():  # a full row grew into a column: every full row has a tile there
        grid.fill_holes()
    return [(round(x), round(y), round(w), round(h)) for x, y, w, h in grid.tiles]
