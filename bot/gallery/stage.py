"""The stage splitter: tiles as blobs on a flat stage colour (see :mod:`bot.gallery.split` for when).

How: the gallery is a set of equal rectangles on a flat background colour
(the "stage"), separated by thin gaps of that colour. So

1. candidate background colours are the most frequent flat colours of a
   sparse sample of the frame (a platform preset adds its known colours);
2. for each candidate, the pixels of that colour are masked at half
   resolution and the connected components of everything else are the
   candidate tiles: roughly rectangular blobs of tile size whose rim is the
   background colour; the biggest group of blobs sharing one size wins
   (a floating self-view, the shared screen, toolbars and icons differ in size
   or are not surrounded by the stage);
3. the winners are fitted to a grid (rows, column pitch, row pitch) and grid
   cells that hold a tile whose blob was broken or merged (video letterboxed
   in the background colour, a self-view overlapping it, a highlight border)
   are filled in from the grid when the cell holds content and is framed by
   the stage (:mod:`bot.gallery.stage_grid`);
4. page arrows and the page indicator are looked for among the small blobs
   outside the tiles (:mod:`bot.gallery.pages`).

Nothing assumes a position on screen; a platform name only adds the
platform's known stage colours to the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from bot.frames import Gallery
from bot.gallery.presets import PRESETS
from bot.gallery.stage_grid import fit_grid, median
from bot.gallery.stage_mask import ring_fraction
from bot.gallery.tiles import cluster_1d, gallery_of

#: per-channel tolerance when matching the background colour (captures are lossless; browsers dither a little)
COLOUR_TOLERANCE = 4
MIN_TILE_W, MIN_TILE_H = 40, 24  # full-resolution pixels
MAX_CANDIDATES = 6


@dataclass
class _Analysis:
    """One background-colour hypothesis, in working (downscaled) pixels."""

    colour: np.ndarray
    bg: np.ndarray  # half-resolution uint8 mask, 255 = background colour
    bg_q: np.ndarray  # quarter resolution, 255 where any of its 2x2 half-resolution pixels is background
    stats: np.ndarray  # connectedComponentsWithStats of the non-background, quarter resolution
    members: list[int]  # component ids of the tile group
    score: tuple[float, float]  # (tiles, their area weighted by how well the stage frames them)
    clean: bool = False  # every tile of the group is framed by the stage all round


def as_bgr(image) -> np.ndarray | None:
    if not isinstance(image, np.ndarray) or image.size == 0 or image.ndim not in (2, 3):
        return None
    if image.dtype != np.uint8:
        if np.issubdtype(image.dtype, np.floating) and image.max(initial=0) <= 1.0:
            image = image * 255.0
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    channels = image.shape[2]
    if channels == 1:
        return cv2.cvtColor(image[:, :, 0], cv2.COLOR_GRAY2BGR)
    if channels == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if channels == 3:
        return image
    return None


def _working_factor(width: int, height: int) -> int:
    return int(max(1, round((width * height / 600_000) ** 0.5)))


def _candidate_colours(
    small: np.ndarray, extra: tuple[tuple[int, int, int], ...], tolerance: int = COLOUR_TOLERANCE
) -> list[np.ndarray]:
    """The most frequent exact colours of a sparse sample (BGR), most frequent first, after the preset's."""
    step = max(1, int((small.shape[0] * small.shape[1] / 12_000) ** 0.5))
    sample = small[step // 2 :: step, step // 2 :: step].reshape(-1, 3).astype(np.int32)
    keys = (sample[:, 0] << 16) | (sample[:, 1] << 8) | sample[:, 2]
    values, counts = np.unique(keys, return_counts=True)
    order = np.argsort(counts)[::-1][:48]
    order = order[counts[order] >= 2]
    floor = max(3, int(0.004 * len(keys)))
    top = values[order]
    rgb = np.stack([top >> 16, (top >> 8) & 255, top & 255], axis=1).astype(np.int32)
    near = (np.abs(rgb[:, None, :] - rgb[None, :, :]).max(axis=2) <= tolerance).tolist()
    weight = counts[order].tolist()
    leaders: list[int] = []  # near-identical shades (dithering) count for the most frequent of them
    merged: list[int] = []
    for i in range(len(order)):
        for k, leader in enumerate(leaders):
            if near[i][leader]:
                merged[k] += weight[i]
                break
        else:
            leaders.append(i)
            merged.append(weight[i])
    ranked = [rgb[leaders[k]] for k in sorted(range(len(leaders)), key=lambda k: -merged[k]) if merged[k] >= floor]
    ranked = ranked[:MAX_CANDIDATES]
    for rgb in extra:  # preset colours are RGB
        colour = np.array(rgb[::-1], dtype=np.int32)
        if all(np.abs(colour - c).max() > tolerance for c in ranked):
            ranked.insert(0, colour)
    return ranked


def _size_group(boxes: np.ndarray) -> list[int]:
    """Indices of the largest group of boxes sharing one size (ties: the bigger boxes)."""
    if len(boxes) == 0:
        return []
    w = boxes[:, 2].astype(np.float64)
    h = boxes[:, 3].astype(np.float64)
    tol_w = np.maximum(2.0, 0.03 * w)
    tol_h = np.maximum(2.0, 0.03 * h)
    same = (np.abs(w[:, None] - w[None, :]) <= tol_w[:, None]) & (np.abs(h[:, None] - h[None, :]) <= tol_h[:, None])
    counts = same.sum(axis=1)
    best = int(np.lexsort((w * h, counts))[-1])
    members = np.flatnonzero(same[best])
    # re-centre on the group's median size once
    mw, mh = np.median(w[members]), np.median(h[members])
    members = np.flatnonzero((np.abs(w - mw) <= max(2.0, 0.03 * mw)) & (np.abs(h - mh) <= max(2.0, 0.03 * mh)))
    return [int(i) for i in members]


def _analyse(half: np.ndarray, colour: np.ndarray, factor: int, tolerance: int = COLOUR_TOLERANCE) -> _Analysis:
    """Tiles under the hypothesis that ``colour`` is the stage; ``factor``: full-resolution pixels per half pixel."""
    lo = np.clip(colour - tolerance, 0, 255).astype(np.uint8)
    hi = np.clip(colour + tolerance, 0, 255).astype(np.uint8)
    bg = cv2.inRange(half, lo, hi)
    qh, qw = bg.shape[0] // 2, bg.shape[1] // 2
    # quarter resolution, keeping every gap: a quarter pixel is background if any of its pixels is
    pooled = cv2.resize(bg[: 2 * qh, : 2 * qw], (qw, qh), interpolation=cv2.INTER_AREA)
    bg_q = cv2.threshold(pooled, 0, 255, cv2.THRESH_BINARY)[1]
    count, _, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_not(bg_q), connectivity=4)
    stats = stats[1:count]  # label 0 is the background colour itself
    if len(stats) == 0:
        return _Analysis(colour, bg, bg_q, stats, [], (0.0, 0.0), False)
    x, y, w, h, area = (stats[:, k] for k in range(5))
    scale = 2 * factor
    ok = (
        (w * scale >= MIN_TILE_W)
        & (h * scale >= MIN_TILE_H)
        & (w <= 3.2 * h)
        & (h <= 2.2 * w)
        & (area >= 0.85 * w * h)
        & ~((w >= qw - 2) & (h >= qh - 2))
    )
    candidates = np.flatnonzero(ok)
    if len(candidates) > 200:  # icons and text are small: keep the largest blobs
        candidates = candidates[np.argsort(-area[candidates])][:200]
    rings = {int(i): ring_fraction(bg_q, int(x[i]), int(y[i]), int(w[i]), int(h[i])) for i in candidates}
    kept = [i for i, r in rings.items() if r >= 0.6]
    group = _size_group(stats[kept, :4]) if kept else []
    members = [int(kept[i]) for i in group]
    framed = float(sum(int(w[i]) * int(h[i]) * rings[i] for i in members))
    clean = bool(members) and min(rings[i] for i in members) >= 0.9
    return _Analysis(colour, bg, bg_q, stats, members, (float(len(members)), framed), clean)


# --------------------------------------------------------------------------- exact edges, then the grid


def _row_shares(bg: np.ndarray, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
    """Share of background pixels on each row r0..r1-1 between columns c0..c1-1 (rows outside the image: 1)."""
    height, width = bg.shape
    out = np.ones(r1 - r0)
    a, b = max(0, r0), min(height, r1)
    c0, c1 = max(0, c0), min(width, c1)
    if b > a and c1 > c0:
        out[a - r0 : b - r0] = np.count_nonzero(bg[a:b, c0:c1], axis=1) / (c1 - c0)
    return out


def _walk_out(shares_inward_first: np.ndarray) -> int | None:
    """Index of the first line that is mostly background, walking outwards."""
    hits = np.flatnonzero(shares_inward_first >= 0.7)
    return int(hits[0]) if len(hits) else None


def _spans(extents: list[tuple[int, int]], side: float) -> list[tuple[int, int]]:
    """Each tile's middle half along a row (column): where its top and bottom (sides) are looked for."""
    return [(start + int(side // 4), start + length - int(side // 4)) for start, length in extents]


def _innermost_edges(bg: np.ndarray, near: int, far: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The innermost near and far edges of a row of tiles (the rows of ``bg``; a column's in ``bg.T``), each
    tile's found from about ``near`` (``far``) across its own ``span`` of columns."""
    nears, fars = [], []
    for c0, c1 in spans:
        k = _walk_out(_row_shares(bg, near - 3, near + 2, c0, c1)[::-1])
        nears.append(near + 2 - k if k is not None else near - 1)
        k = _walk_out(_row_shares(bg, far - 2, far + 3, c0, c1))
        fars.append(far - 2 + k if k is not None else far + 1)
    return max(nears), min(fars)


def _refine_lattice(bg: np.ndarray, approx: list[tuple[int, int, int, int]]) -> list[tuple[float, ...]]:
    """Exact boxes (half-resolution) for the group's blobs.

    The quarter-resolution blobs are up to two half pixels short on each side. Tiles of a row share their
    top and bottom, tiles of a column their left and right. Each tile's edge is found on its own profile, by
    walking outwards from just inside to the first line that is mostly stage, and the row (column) takes the
    innermost: a speaker's highlight drawn round its cell makes that tile look larger, never smaller (on
    the whole row's profile, the highlight of one of two tiles moved the row's top and bottom out to it:
    macOS Zoom at 2x, 1120 x 630 cells found as 1124 x 636, their labels' crops 6 px low).
    """
    tw = median([b[2] for b in approx])
    th = median([b[3] for b in approx])
    rows = cluster_1d([float(b[1]) for b in approx], max(2.0, 0.1 * th))
    cols = cluster_1d([float(b[0]) for b in approx], max(2.0, 0.06 * tw))
    top, bottom, left, right = {}, {}, {}, {}
    for g in rows:
        y0 = int(median([approx[i][1] for i in g]))
        y1 = int(median([approx[i][1] + approx[i][3] for i in g]))
        t, b = _innermost_edges(bg, y0, y1, _spans([(approx[i][0], approx[i][2]) for i in g], tw))
        for i in g:
            top[i], bottom[i] = t, b
    for g in cols:
        x0 = int(median([approx[i][0] for i in g]))
        x1 = int(median([approx[i][0] + approx[i][2] for i in g]))
        lft, rgt = _innermost_edges(bg.T, x0, x1, _spans([(approx[i][1], approx[i][3]) for i in g], th))
        for i in g:
            left[i], right[i] = lft, rgt
    return [
        (float(left[i]), float(top[i]), float(right[i] - left[i]), float(bottom[i] - top[i]))
        for i in range(len(approx))
    ]


def _fit_grid(analysis: _Analysis) -> list[tuple[int, int, int, int]]:
    """Tile boxes (half-resolution pixels) from the size group, cleaned and completed with the grid."""
    approx = [tuple(2 * int(v) for v in analysis.stats[i, :4]) for i in analysis.members]
    if not approx:
        return []
    return fit_grid(analysis.bg, _refine_lattice(analysis.bg, approx))


def _innermost(best: _Analysis, analyses: list[_Analysis]) -> _Analysis:
    """A lone big blob can be a whole stage framed by the app's toolbar colour: when another colour's tiles
    lie inside it, those are the tiles (a stage holds tiles, a tile holds none)."""
    while True:
        bx, by, bw, bh = (int(v) for v in best.stats[best.members[0], :4])
        inner = [
            a
            for a in analyses
            if a is not best
            and a.members
            and all(
                bx <= a.stats[i, 0]
                and by <= a.stats[i, 1]
                and a.stats[i, 0] + a.stats[i, 2] <= bx + bw
                and a.stats[i, 1] + a.stats[i, 3] <= by + bh
                and a.stats[i, 2] * a.stats[i, 3] < 0.9 * bw * bh
                for i in a.members
            )
        ]
        if not inner or len(best.members) != 1:
            return best
        best = max(inner, key=lambda a: a.score)
        if len(best.members) != 1:
            return best


def split_on_stage(
    frame: np.ndarray, platform: str | None, tolerance: int = COLOUR_TOLERANCE
) -> tuple[Gallery, bool, bool]:
    """The stage splitter: tiles as blobs on a flat stage colour (each channel within ``tolerance``), whether
    every tile was framed by it, and whether the stage is one exact colour (a lossless capture)."""
    from bot.gallery.pages import find_page_controls

    height, width = frame.shape[:2]
    factor = _working_factor(width, height)  # full-resolution pixels per "half" pixel
    if factor > 1:
        half = cv2.resize(frame, (width // factor, height // factor), interpolation=cv2.INTER_NEAREST)
    else:
        half = frame
    preset = PRESETS.get((platform or "").lower())
    colours = _candidate_colours(half, preset.stage_colours if preset else (), tolerance)
    best: _Analysis | None = None
    analyses: list[_Analysis] = []
    frame_area = half.shape[0] * half.shape[1] / 4.0
    for colour in colours:
        analysis = _analyse(half, colour, factor, tolerance)
        if best is None or analysis.score > best.score:
            best = analysis
        analyses.append(analysis)
        tiles, area = best.score
        if tiles >= 3 and area >= 0.04 * frame_area:
            break  # equal rectangles framed by one colour over a good part of the frame: not a coincidence
    if best is not None and len(best.members) == 1:
        best = _innermost(best, analyses)
    if best is None or not best.members:
        return Gallery(method="stage"), False, False
    boxes = []
    for x, y, w, h in _fit_grid(best):
        x0, y0 = max(0, x * factor), max(0, y * factor)
        x1, y1 = min(width, (x + w) * factor), min(height, (y + h) * factor)
        if x1 > x0 and y1 > y0:
            boxes.append((x0, y0, x1 - x0, y1 - y0))
    if not boxes:
        return Gallery(method="stage"), False, False
    pages = find_page_controls(frame, best.stats, 2 * factor, boxes, best.bg, factor)
    confidence = 1.0 if best.clean else 0.5
    flat = _flat_stage(half, best)
    lossy_pass = tolerance > COLOUR_TOLERANCE  # expects no exactly flat stage
    return gallery_of(boxes, confidence, "stage", pages), best.clean and (flat or lossy_pass), flat


def _flat_stage(half: np.ndarray, analysis: _Analysis) -> bool:
    """Is the stage one exact colour, as in a lossless capture? Compression spreads it over many neighbouring
    shades, and then blobs on it are no proof that a tile was not missed. (A lossless frame may have a few
    other flat shades near the stage's, a toolbar say: the three commonest shades near it cover it all.)"""
    near = half[analysis.bg > 0].reshape(-1, 3).astype(np.int32)
    if len(near) == 0:
        return False
    keys = (near[:, 0] << 16) | (near[:, 1] << 8) | near[:, 2]
    counts = np.sort(np.unique(keys, return_counts=True)[1])[::-1]
    return int(counts[:3].sum()) >= 0.95 * len(keys)
