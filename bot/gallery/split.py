"""Split a captured meeting frame into participant tiles: two splitters, and how their answers are combined.

- The stage splitter (:mod:`bot.gallery.stage`) finds tiles as blobs on a flat stage colour. It is exact
  and fast on lossless captures (all of our renderings; 0.9999 of their tiles) and was the only splitter
  until it met real screens: JPEG, video codecs and gapless layouts (Google Meet, Webex) break the flat
  stage it relies on (it found 38 of 72 tiles on the real development set).
- The edge splitter (:mod:`bot.gallery.lattice`) finds tiles by their straight sides and completes them on
  the layout's lattice; it holds on compressed and gapless galleries (70 of 72 real tiles, no extra one).
- Videos that float apart from the layout (a recording's speaker thumbnail, a picture-in-picture) are
  found last, by their faces (:mod:`bot.gallery.floating`): 72 of 72 real tiles with them.

A lossless capture whose stage frames every tile is trusted (and its lattice checked for a cell the stage
missed, unless its rows are full and centred with the stage beside them); a compressed one is split again
with the stage smoothed, and then by its edges, and the two answers are combined (:func:`_combine`). Measured with
``python -m bot.synthetic.evaluate --real ../shared/real-galleries --compressed 30``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise

import cv2
import numpy as np

from bot.frames import Box, Gallery
from bot.gallery.border import MIN_VISIBLE
from bot.gallery.floating import floating_videos
from bot.gallery.lattice import border_cells, centring_cells, missed_cells, pillarbox_cells, split_by_edges
from bot.gallery.rows import cells_for_row_above, lattice_pitch
from bot.gallery.stage import as_bgr, split_on_stage
from bot.gallery.tiles import cluster_1d, gallery_of, iou, label_box_for

__all__ = ["gallery_of", "label_box_for", "split_gallery"]

#: for a compressed capture (JPEG, video): a smoothing of the frame and the tolerance after it, tried in turn
LOSSY_PASSES = (
    (lambda frame: cv2.GaussianBlur(frame, (3, 3), 0), 10),
    (lambda frame: cv2.medianBlur(frame, 3), 14),
)
#: for a noisy capture (a photo of a screen, a grainy recording) where the plain stage frames nothing and no
#: pass above frames the tiles cleanly: stronger smoothings, tried in turn until one does (rendered frames sharing
#: a screen, with grey noise of 6 levels: 10 of 90 lost their filmstrip, kept only with a median of 5 or of 7;
#: not tried on other frames, whose thin gaps a wide median closes: real screens darkened by gamma 1.6, 70 -> 63
#: of 72 tiles where it was)
NOISY_PASSES = (
    (lambda frame: cv2.medianBlur(frame, 5), 12),
    (lambda frame: cv2.medianBlur(frame, 7), 12),
)
#: :func:`noise_level` from which a frame is noisy (grey noise of 6 levels gives 2.1-2.9 on the real development
#: screens and rendered frames, their lossless and JPEG q50 copies 0.0-1.1; 8 of 120 wild renderings, which add
#: webcam noise, blur and JPEG, are over it)
NOISY_LEVEL = 1.5
#: the narrowest tile a flat stage is trusted with, as a share of the frame's width (a 7-column gallery
#: on a shared screen's filmstrip is wider; a toolbar's buttons are narrower)
MIN_TILE_SHARE = 0.05
#: how far the stage's shades beside a complete gallery may be from its gap's (JPEG noise; a camera-off tile
#: is further off)
STAGE_SHADES = 6
#: a flat stage that frames at most this many blobs is checked against the edge splitter (_videos_in_tiles)
FEW_BLOBS = 3
#: the shape (width / height) of one tile of a video and its label strip, 16:9 or a little taller
VIDEO_ASPECT = (1.5, 2.0)
#: how far (share of a tile's height) a complete gallery's middle may sit from the frame's (see _looks_complete)
VERTICAL_SLACK = 0.35


def split_gallery(image: np.ndarray, platform: str | None = None) -> Gallery:
    """The participant tiles of a meeting frame (BGR, BGRA or gray), in reading order, plus page controls.

    The layout's tiles come from two splitters (:func:`_split_layout`); videos that float apart from them
    (a speaker's thumbnail, a picture-in-picture) are then found by their faces (:mod:`bot.gallery.floating`).
    """
    frame = as_bgr(image)
    if frame is None or min(frame.shape[:2]) < 32:
        return Gallery()
    return _with_floating(frame, _split_layout(frame, platform))


def _with_floating(frame: np.ndarray, gallery: Gallery) -> Gallery:
    """``gallery`` with the floating videos beside its tiles (where it has two at least: a gallery is on
    screen), less the cells that lie inside one of them. The layout's tiles keep their rows and columns;
    the floating videos follow them in reading order, as rows of their own."""
    if len(gallery.tiles) < 2:
        return gallery
    videos, inside = floating_videos(frame, [t.box for t in gallery.tiles])
    if not videos:
        return gallery
    kept = [t for t in gallery.tiles if t.box not in inside]
    after = max((t.row for t in kept), default=-1) + 1
    floating = gallery_of(videos, gallery.confidence, "floating").tiles
    tiles = kept + [replace(t, row=after + t.row, floating=True) for t in floating]
    area = gallery_of([t.box for t in tiles], gallery.confidence, "").area
    return replace(gallery, tiles=tiles, area=area, method=f"{gallery.method}+floating")


def _split_layout(frame: np.ndarray, platform: str | None) -> Gallery:
    """The tiles of the meeting's layout. Two splitters work together. The stage splitter (this module) is
    exact and fast where tiles sit on a flat stage colour, as in a lossless capture; the edge splitter
    (:mod:`bot.gallery.lattice`) finds tiles by their straight sides, which survive compression and gapless
    layouts. Where the stage splitter is sure (every tile framed by an exactly flat stage) the edge splitter
    only looks for more tiles of the same size that the stage did not frame (a row whose videos touch the
    stage colour); elsewhere it solves the layout itself and the better answer is kept (see :func:`_combine`).
    """
    gallery, clean, flat = split_on_stage(frame, platform)
    if gallery.tiles and not _tile_like(gallery, frame.shape[1]):
        # a toolbar's buttons or a slide's chart, not tiles: the flat colour round them is not the stage,
        # and says nothing of how the frame was captured; nor are many portrait blobs, which are videos
        # (pillarboxed in tiles a codec flattened into the stage: frame_plan(30, 1) frame 9, mp4v)
        gallery, clean, flat = replace(gallery, tiles=[]), False, False
    if clean and flat and len(gallery.tiles) >= 2:  # a lossless capture: the stage is sure of these
        beside = _stage_beside(frame, gallery)  # the rows end where the stage begins
        complete = beside and _looks_complete(gallery, frame.shape)
        staged = gallery if complete else _with_cells(frame, _with_missed_cells(frame, gallery), centring_cells)
        videos = _videos_in_tiles(frame, gallery)
        if videos is not None and (_portrait(gallery) or len(videos.tiles) > len(staged.tiles)):
            return videos
        # Where the rows end at the stage, only a filmstrip (one row or column) is tried again: the retry costs
        # ~30 ms on the 49-tile bench frame, and a JPEG can break a filmstrip speaker's frame beside a shared
        # screen (zoom_108 of the extra real set, 4 -> 5 of 5 at q95-q60).
        filmstrip = min(len({t.row for t in gallery.tiles}), len({t.col for t in gallery.tiles})) == 1
        wider = None if beside and not filmstrip else _wider_on_smoothed_stage(frame, platform, staged)
        return wider or staged
    # compression spreads the stage over near shades: smooth it and allow them (JPEG, video); the lightest
    # smoothing that frames the tiles cleanly wins, more only where it frames more of them. A flat stage that
    # frames its blobs uncleanly is tried smoothed too (an mp4v copy kept the black exactly flat round
    # pillarboxed videos and framed a lattice of the wrong width: frame_plan(30, 1) frame 9, 9 -> 14 of 14).
    # One blob on a flat colour proves nothing (a shared screen stays framed by a dark stage in a JPEG).
    clean = clean and flat
    first = gallery
    for smooth, tolerance in LOSSY_PASSES:
        retry, retry_clean, _ = split_on_stage(smooth(frame), platform, tolerance)
        if (
            retry_clean
            and len(retry.tiles) >= 2
            and _tile_like(retry, frame.shape[1])
            and not (clean and len(retry.tiles) <= len(gallery.tiles))
            and not _framed_fewer(retry, first, frame.shape[1])
        ):
            gallery, clean = retry, True
    noisy = not clean and len(first.tiles) < 2 and noise_level(frame) >= NOISY_LEVEL
    for smooth, tolerance in NOISY_PASSES if noisy else ():
        retry, retry_clean, _ = split_on_stage(smooth(frame), platform, tolerance)
        if retry_clean and len(retry.tiles) >= 2 and _tile_like(retry, frame.shape[1]):
            gallery, clean = retry, True
            break
    edges = split_by_edges(frame)
    combined = _combine(gallery, edges)
    if clean and combined.method == "stage":
        combined = _with_missed_cells(frame, combined)
    elif clean and combined is edges and len(gallery.tiles) >= 2:
        # the edges' lattice outnumbers a clean stage's row: the stage's own lattice, completed on the edges,
        # wins where it explains as much, or where the edges' cells cut across the stage's framed tiles
        # (zoom_2 as JPEG q55: the stage framed the dark last row; the edges found two rows of double-height
        # cells above it, toolbar and all, or 17 half-size cells of lines inside the videos)
        # Not where the stage's blobs are no video's shape, or the edges' lattice is more than twice the
        # stage's (two pictures pillarboxed in the stage's colour, framed as two wide blobs, in a 28-tile
        # gallery: tests/test_split_compressed.py), unless the edges' cells are no video's shape either
        # (a noisy capture of a shared screen beside a filmstrip: squares over the slide, zoom_108 of the
        # extra real set with grey noise of 6 levels, 5 tiles and 20 false ones -> 5 tiles).
        grown = _with_missed_cells(frame, gallery)
        crossed = any(_cuts_across(e.box, t.box) for e in edges.tiles for t in gallery.tiles)
        if len(grown.tiles) >= len(edges.tiles) or (
            crossed
            and _video_shaped(gallery)
            and (
                (len(gallery.tiles) < len(grown.tiles) and 2 * len(grown.tiles) >= len(edges.tiles))
                or not _video_shaped(edges)
            )
        ):
            combined = grown
    elif flat and len(gallery.tiles) >= 2 and combined.method == "stage":
        # a flat stage that framed its tiles, but not cleanly: tiles cut by the image's border touch it; and
        # where the edges see more tiles than it framed (only a few pixels off its lattice), its lattice's
        # missed cells are looked for (zoom_107 of the extra real set blurred by 1 px: the stage framed the
        # right column, the edges four cells 95 px narrow; 2 -> 4 of 4)
        if len(edges.tiles) > len(combined.tiles):
            combined = _with_missed_cells(frame, combined)
        combined = _with_cells(frame, combined, border_cells)
    if combined.method == "edges" and _regular(combined):
        # the edges' lattice, like a stage's, may lack a row whose sides hardly show (camera-off tiles on the
        # dark stage below the others: zoom_2 scaled by 1.25, 8 -> 12 of 12), found with fainter sides
        combined = _with_missed_cells(frame, combined)
    return _with_last_row(frame, combined)


def _wider_on_smoothed_stage(frame: np.ndarray, platform: str | None, staged: Gallery) -> Gallery | None:
    """A JPEG of high quality keeps the stage exactly flat round some tiles only, where tiles a shade off the
    stage hold pillarboxed videos elsewhere (``frame_plan(30, 1)`` frame 9, q95: 9 of 14 tiles). Where the
    smoothed stage (:data:`LOSSY_PASSES`) frames every one of the staged tiles and more of their size, its
    answer (the most tiles) wins; None where it does not."""
    best: Gallery | None = None
    for smooth, tolerance in LOSSY_PASSES:
        retry, retry_clean, _ = split_on_stage(smooth(frame), platform, tolerance)
        if (
            retry_clean
            and len(retry.tiles) > len(best.tiles if best else staged.tiles)
            and _tile_like(retry, frame.shape[1])
            and all(any(_same_tile(t.box, r.box) for r in retry.tiles) for t in staged.tiles)
        ):
            best = retry
    return _with_last_row(frame, best) if best is not None else None


def _videos_in_tiles(frame: np.ndarray, gallery: Gallery) -> Gallery | None:
    """Where a flat stage frames only a few blobs, they may be pillarboxed videos, not tiles (a client that
    draws its tiles in the stage's own colour, Zoom's black, leaves only the videos standing out once a JPEG
    has blurred the tiles' faint outlines), or tiles merged where a JPEG closed the thin gaps between dark
    camera-off tiles. The edge splitter's answer wins where it finds at least twice as many tiles, a blob
    lies inside one of them or is a whole number of them across and down, and no blob cuts across them (a
    video in a row the edges missed overlaps none); None where the stage's answer stands."""
    if len(gallery.tiles) > FEW_BLOBS:
        return None
    edges = split_by_edges(frame)
    if len(edges.tiles) < 2 * len(gallery.tiles):
        return None
    w = float(np.median([e.box[2] for e in edges.tiles]))
    h = float(np.median([e.box[3] for e in edges.tiles]))
    explained = 0
    for blob in (t.box for t in gallery.tiles):
        video = any(_inside(blob, e.box) for e in edges.tiles)
        merged = _multiple(blob[2], w) and _multiple(blob[3], h) and any(_inside(e.box, blob) for e in edges.tiles)
        explained += video or merged
        if not (video or merged) and any(iou(blob, e.box) > 0 for e in edges.tiles):
            return None  # a blob that cuts across the edge splitter's tiles: their lattice is not this one
    return _with_last_row(frame, edges) if explained else None


def _multiple(length: float, side: float) -> bool:
    """``length`` is a whole number of ``side`` (tiles whose gaps a JPEG closed merge into one blob)."""
    return abs(length / side - round(length / side)) * side <= 0.06 * side


def _inside(inner: Box, outer: Box) -> bool:
    """``inner`` within ``outer``, give or take 5% of its sides (the edge splitter's boxes are a few pixels off)."""
    slack = max(4, round(0.05 * max(outer[2], outer[3])))
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[0] + inner[2] <= outer[0] + outer[2] + slack
        and inner[1] + inner[3] <= outer[1] + outer[3] + slack
    )


def _tile_like(gallery: Gallery, width: int) -> bool:
    """Whether the stage's blobs can be tiles: as wide as tiles can be (:func:`_tile_sized`), and not many
    of them portrait (:func:`_portrait`; a few are weighed against the edge splitter, see _videos_in_tiles)."""
    return _tile_sized(gallery, width) and not (len(gallery.tiles) > FEW_BLOBS and _portrait(gallery))


def _portrait(gallery: Gallery) -> bool:
    """Whether the blobs stand portrait, as pillarboxed videos do and tiles do not (a client's tiles are 0.95
    to 2.1 wide per high)."""
    return float(np.median([t.box[2] / t.box[3] for t in gallery.tiles])) < 0.95


def _tile_sized(gallery: Gallery, width: int) -> bool:
    """Whether the stage's blobs are as wide as tiles can be (a JPEG's stage can stay exactly flat only
    round a toolbar, whose buttons are blobs on it too)."""
    return float(np.median([t.box[2] for t in gallery.tiles])) >= MIN_TILE_SHARE * width


def _looks_complete(gallery: Gallery, frame_shape: tuple[int, ...]) -> bool:
    """A gallery as clients lay one out: every row but the last full, every row centred on one line, that
    line the frame's middle (a full-screen meeting), and the rows centred top to bottom as well (within
    :data:`VERTICAL_SLACK` of a tile's height: title bars and toolbars are not the same height, but a row
    lost from the top or bottom moves the middle by half a row). Then no tile can be missing and the lattice
    need not be checked; anything else (a row short at one end, a gallery off to one side) is checked."""
    height, width = frame_shape[:2]
    ordered = _rows_in_order(gallery)
    widest = max(len(row) for row in ordered)
    if any(len(row) != widest for row in ordered[:-1]):
        return False
    centres = [(min(b[0] for b in row) + max(b[0] + b[2] for b in row)) / 2 for row in ordered]
    tile_width = float(np.median([t.box[2] for t in gallery.tiles]))
    margins = (min(t.box[0] for t in gallery.tiles), width - max(t.box[0] + t.box[2] for t in gallery.tiles))
    if all(MIN_VISIBLE * tile_width <= m < 1.1 * tile_width for m in margins):
        return False  # room for a column the image's border cuts on both sides: look there (lattice.cropped_cells)
    tile_height = float(np.median([t.box[3] for t in gallery.tiles]))
    middle = (min(t.box[1] for t in gallery.tiles) + max(t.box[1] + t.box[3] for t in gallery.tiles)) / 2
    return (
        max(centres) - min(centres) <= 0.02 * width
        and abs(centres[0] - width / 2) <= 0.05 * width
        and abs(middle - height / 2) <= VERTICAL_SLACK * tile_height
    )


def _stage_beside(frame: np.ndarray, gallery: Gallery) -> bool:
    """Is the lattice cell beyond each row's end tiles, where it fits in the frame, the stage (mostly of the
    gap's colour, within :data:`STAGE_SHADES`)? A compressed capture's stage can stay exactly flat round the
    middle columns only, whose rows then look complete; beside them are the other tiles."""
    rows: dict[int, list[Box]] = {}
    for tile in gallery.tiles:
        rows.setdefault(tile.row, []).append(tile.box)
    for row in (sorted(r) for r in rows.values() if len(r) >= 2):
        x, y, w, h = row[0]
        gap = row[1][0] - x - w
        if gap < 1:
            continue
        band = slice(y + h // 4, y + 3 * h // 4, 4)  # every 4th line and column will do
        stage = np.median(frame[band, x + w : x + w + gap].reshape(-1, 3), axis=0)  # between its first two
        end = row[-1][0] + row[-1][2]
        for lo in (x - gap - w, end + gap):
            if lo < 0 or lo + w > frame.shape[1]:
                continue  # no tile fits there
            cell = frame[band, lo + w // 8 : lo + w - w // 8 : 4].reshape(-1, 3).astype(np.int16)
            if float(np.mean(np.abs(cell - stage).max(axis=1) <= STAGE_SHADES)) < 0.5:
                return False
    return True


def _with_missed_cells(frame: np.ndarray, gallery: Gallery) -> Gallery:
    """The gallery plus the cells of its lattice that hold a tile the stage did not frame."""
    return _with_cells(frame, gallery, missed_cells)


def _with_last_row(frame: np.ndarray, gallery: Gallery) -> Gallery:
    """The gallery with its last row completed: the cells a centred partial row lacks (centring_cells), or a
    whole row of pillarboxed videos under full rows (pillarbox_cells)."""
    return _with_cells(frame, _with_cells(frame, gallery, centring_cells), pillarbox_cells)


def _with_cells(frame: np.ndarray, gallery: Gallery, find: Callable[[np.ndarray, list[Box]], list[Box]]) -> Gallery:
    """The gallery plus the cells ``find`` adds to its tiles (put on their size and lines)."""
    boxes = [t.box for t in gallery.tiles]
    extra = [_snap(box, boxes, frame.shape) for box in find(frame, boxes)] if boxes else []
    if not extra:
        return gallery
    method = gallery.method if gallery.method.endswith("edges") else "stage+edges"
    return gallery_of(boxes + extra, gallery.confidence, method, gallery.pages, gallery.label_slack)


def _snap(box: Box, exact: list[Box], frame_shape: tuple[int, ...] | None = None) -> Box:
    """A box the edge splitter found (a few pixels off: it works at reduced size) put on the exact tiles'
    size, and on their columns and rows where it is in line with them. A box the frame's border cuts keeps
    its own extent across the cut (only its other side is snapped)."""
    w = int(np.median([b[2] for b in exact]))
    h = int(np.median([b[3] for b in exact]))
    x, y = box[0], box[1]
    near_x = min((b[0] for b in exact), key=lambda v: abs(v - x))
    near_y = min((b[1] for b in exact), key=lambda v: abs(v - y))
    x = near_x if abs(near_x - x) <= 0.08 * w else x + (box[2] - w) // 2
    y = near_y if abs(near_y - y) <= 0.08 * h else y + (box[3] - h) // 2
    if frame_shape is not None:
        height, width = frame_shape[:2]
        if box[0] <= 2 or box[0] + box[2] >= width - 2:
            x, w = box[0], box[2]
        if box[1] <= 2 or box[1] + box[3] >= height - 2:
            y, h = box[1], box[3]
    return (x, y, w, h)


def _combine(stage: Gallery, edges: Gallery) -> Gallery:
    """The stage splitter's tiles, plus the edge splitter's tiles of their size that overlap none of them
    and line up with them; or the edge splitter's answer alone where the stage found at most one tile, or
    tiles the edges do not confirm and many fewer of them."""
    if len(stage.tiles) <= 1:
        return edges if len(edges.tiles) > len(stage.tiles) else stage
    agreed = sum(any(_same_tile(t.box, e.box) for e in edges.tiles) for t in stage.tiles)
    if agreed < len(stage.tiles) / 2:
        many = len(edges.tiles) >= 2 * len(stage.tiles)
        return edges if many and not _finer_inside(stage, edges) else stage
    w = float(np.median([t.box[2] for t in stage.tiles]))
    h = float(np.median([t.box[3] for t in stage.tiles]))
    tops = [t.box[1] for t in stage.tiles]
    boxes = [t.box for t in stage.tiles]
    row_needed = cells_for_row_above(max(sum(abs(u - t) <= 0.1 * h for u in tops) for t in tops))
    half_pitch = lattice_pitch(boxes, round(w), round(h))[0] / 2

    def in_column(x: int) -> bool:
        """In step with the tiles' columns, or half a pitch off them (a centred last row); a floating
        self-view is neither."""
        step = (x - min((b[0] for b in boxes), key=lambda v: abs(v - x))) / half_pitch
        return abs(step - round(step)) * half_pitch <= 0.06 * w

    for tile in edges.tiles:
        _, y, tw, th = tile.box
        same_size = abs(tw - w) <= 0.1 * w and abs(th - h) <= 0.1 * h
        # in one of the rows or in step with them; above the top row (where title bars and toolbars are)
        # only as part of a whole row of them
        in_row = any(
            abs(y - top) <= 0.1 * h or abs(abs(y - top) - round(abs(y - top) / h) * h) <= 0.15 * h for top in tops
        ) and (y >= min(tops) - 0.1 * h or sum(abs(e.box[1] - y) <= 0.1 * h for e in edges.tiles) >= row_needed)
        if same_size and in_row and in_column(tile.box[0]) and not any(iou(tile.box, b) > 0.05 for b in boxes):
            boxes.append(_snap(tile.box, [t.box for t in stage.tiles]))
    stray = _off_centre(boxes[: len(stage.tiles)], boxes[len(stage.tiles) :], w, h)
    stray += _uneven_rows(boxes[: len(stage.tiles)], boxes[len(stage.tiles) :], h)
    boxes = [b for b in boxes if b not in stray]
    if len(boxes) == len(stage.tiles):
        return stage
    confidence = min(stage.confidence, edges.confidence)
    # the edges' boxes keep their label slack (found at reduced size: zoom_2's middle row 3 px high, which cut
    # the bottoms of its names off the label strips)
    return gallery_of(boxes, confidence, "stage+edges", stage.pages, max(stage.label_slack, edges.label_slack))


def _finer_inside(stage: Gallery, edges: Gallery) -> bool:
    """Whether the edge splitter's tiles are a finer lattice inside the stage's equal tiles: lines in the videos
    (a window frame, a shelf) in step with the tiles' sides at half their pitch, each cell inside one tile
    (zoom_5 as JPEG q80: 17 half-size cells inside its 6 framed tiles). Blocks of tiles a compression merged
    on the stage (closed gaps between dark camera-off tiles) are not taken for tiles: they are of unequal
    sizes, or not of a video's shape (zoom_2 scaled by 1.1: two 2 x 3 blocks, 548 x 467)."""
    if not _video_shaped(stage):
        return False
    return all(any(_inside(e.box, t.box) for t in stage.tiles) for e in edges.tiles)


def _rows_in_order(gallery: Gallery) -> list[list[Box]]:
    """The gallery's tile boxes, row by row, top row first."""
    rows: dict[int, list[Box]] = {}
    for tile in gallery.tiles:
        rows.setdefault(tile.row, []).append(tile.box)
    return [rows[r] for r in sorted(rows)]


def _regular(gallery: Gallery) -> bool:
    """Whether the tiles make a lattice of two rows or more: every row but the last as long (two tiles at
    least), the rows a pitch apart (10% of a tile's height either way)."""
    ordered = _rows_in_order(gallery)
    if len(ordered) < 2 or len({len(row) for row in ordered[:-1]}) != 1 or len(ordered[0]) < 2:
        return False
    h = float(np.median([t.box[3] for t in gallery.tiles]))
    tops = [float(np.median([b[1] for b in row])) for row in ordered]
    steps = [b - a for a, b in pairwise(tops)]
    return max(steps) - min(steps) <= 0.1 * h


def _video_shaped(gallery: Gallery) -> bool:
    """Whether the gallery's tiles are of one size (5%) and a video tile's shape (:data:`VIDEO_ASPECT`)."""
    widths = [t.box[2] for t in gallery.tiles]
    heights = [t.box[3] for t in gallery.tiles]
    if max(widths) > 1.05 * min(widths) or max(heights) > 1.05 * min(heights):
        return False
    return VIDEO_ASPECT[0] <= float(np.median(widths)) / float(np.median(heights)) <= VIDEO_ASPECT[1]


def _cuts_across(a: Box, b: Box) -> bool:
    """Whether two boxes overlap without one holding the other: two lattices that cannot both be right."""
    return iou(a, b) > 0.02 and not (_inside(a, b) or _inside(b, a))


def noise_level(frame: np.ndarray) -> float:
    """Mean grey-level difference from a 3 px median, where the frame is flat at a coarser scale (a 5 px median
    varies by at most 6 levels round the pixel): near 0 on screen captures, lossless or JPEG; grain over the
    whole frame raises it (a photo of a monitor, a grainy recording)."""
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    coarse = cv2.medianBlur(gray, 5)
    kernel = np.ones((5, 5), np.uint8)
    flat = (cv2.dilate(coarse, kernel) - cv2.erode(coarse, kernel)) <= 6
    if flat.mean() < 0.02:
        return 0.0
    return float(np.abs(gray.astype(np.int16) - cv2.medianBlur(gray, 3).astype(np.int16))[flat].mean())


def _framed_fewer(retry: Gallery, first: Gallery, width: int) -> bool:
    """Whether a smoothed stage's clean answer is only part of the plain stage's (every tile of it one of the
    first's, and the first has more, all of one size): smoothing merged a darkened row or column into the
    stage (zoom_11 darkened by gamma 1.6: the rightmost column, 25 -> 20 of 25)."""
    return (
        len(first.tiles) > len(retry.tiles)
        and _tile_like(first, width)
        and _one_size(first)
        and all(any(_same_tile(t.box, f.box) for f in first.tiles) for t in retry.tiles)
    )


def _one_size(gallery: Gallery) -> bool:
    boxes = [t.box for t in gallery.tiles]
    return all(_same_size(boxes[0], b) for b in boxes[1:])


def _same_tile(a: Box, b: Box) -> bool:
    return iou(a, b) >= 0.5 and _same_size(a, b)


def _same_size(a: Box, b: Box) -> bool:
    """Within a tenth of each other on both sides (the edge splitter's boxes are a few pixels off)."""
    return abs(a[2] - b[2]) <= 0.1 * max(a[2], b[2]) and abs(a[3] - b[3]) <= 0.1 * max(a[3], b[3])


def _rows_top_down(boxes: list[Box], h: float) -> list[list[Box]]:
    """The boxes in rows (tops within a quarter of a tile's height), top row first."""
    rows = cluster_1d([float(b[1]) for b in boxes], 0.25 * h)
    rows.sort(key=lambda g: boxes[g[0]][1])
    return [[boxes[i] for i in g] for g in rows]


def _uneven_rows(found: list[Box], added: list[Box], h: float) -> list[Box]:
    """The added tiles of rows above the last that they make longer than the other such rows, where those
    rows were all one length without them (every row but the last is full): a shared screen's chart beside a
    filmstrip has cells one pitch from its column, in one row."""
    above = _rows_top_down(found + added, h)[:-1]
    before = {sum(b in found for b in row) for row in above}
    after = [len(row) for row in above]
    if len(above) < 2 or len(before) != 1 or len(set(after)) == 1:
        return []
    usual = before.pop()
    if usual == 0:
        return []  # whole rows the stage missed above its own (zoom_2 scaled by 0.8: it framed only the last)
    return [b for row in above if len(row) > usual for b in row if b in added]


def _off_centre(found: list[Box], added: list[Box], w: float, h: float) -> list[Box]:
    """The added tiles of the last row, where they move it off the line the full rows are centred on and
    it was on that line without them (a floating self-view beside the last row, in its line and columns)."""
    rows = _rows_top_down(found + added, h)
    if len(rows) < 2:
        return []
    *full, last = rows

    def centre(row: list[Box]) -> float:
        return (min(b[0] for b in row) + max(b[0] + b[2] for b in row)) / 2

    widest = max(len(row) for row in full)
    line = float(np.median([centre(row) for row in full if len(row) == widest]))
    own = [b for b in last if b in found]
    strays = [b for b in last if b in added]
    if not own or not strays or abs(centre(last) - line) <= w / 4 or abs(centre(own) - line) > w / 4:
        return []
    return strays
