"""Videos that float apart from the gallery's lattice, found by the faces in them.

Real screens show participants' videos that no lattice holds: a recording's active-speaker thumbnail
beside the grid (meet_1 and meet_2 of the real development set), a self-view picture-in-picture over the
speaker's video and the speaker's video itself above a filmstrip (webex_2), a corner cell the lattice
could not place under a widget (meet_4). The development set counts each as a tile, as a teacher would:
each shows a participant. They differ in size from the lattice's tiles and stand off its rows, so the
splitters' evidence (equal tiles, shared lines, a stage round them) says nothing of them.

They are found the other way round: where the tiles leave busy pixels (not a flat stage, a toolbar's thin
icons or a line of text), the face detector looks for a face, and a face is taken as a video where the
straight-sided rectangle round it (:func:`video_around`, the edge splitter's side measure) has the shape of a
video. Only those busy patches are searched, so a gallery that fills its stage costs one blur of a small
copy of the frame (the 49-tile bench frame; the face network runs only when something is left over).

A lattice cell that lies inside a larger floating video is dropped: the lattice extended its rows into the
speaker's video (webex_2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from bot.frames import Box
from bot.gallery.edges import INNER_WEIGHT, MIN_SIDE, WEAKEST_SIDE, EdgeMaps, edge_maps, has_content
from bot.gallery.tiles import intersection, iou

#: the busy-pixel mask is made on every n-th pixel of the frame, n the least that leaves this many on its
#: longest side at most
MASK_SIDE = 480
#: gray-level standard deviation (5 x 5 window) above which a pixel is busy: video, not a flat stage
BUSY_STD = 10.0
#: a busy patch narrower or lower than this (mask pixels) is text or an icon, not a video
MIN_PATCH = 16
#: a patch this many times wider than high (or higher than wide) is a toolbar or a line of text
PATCH_ASPECT = 4.0
#: a patch whose gray levels have less entropy (bits, 32 bins) is an icon, a button or text, not a video: measured
#: 0.8-2.1 on our renderings' toolbars and shared slides, 2.0-3.6 on the real set's, 4.3-4.6 on its videos
MIN_ENTROPY = 3.0
#: at most this many patches are searched for faces (the largest first)
MAX_PATCHES = 4
#: a face counts at this detector score (the pipeline's is lower: here a false face makes a false tile)
FACE_SCORE = 0.9
#: each patch is searched for faces at this size (longest side): a floating video's face is a large part of it,
#: but a picture-in-picture's shares a patch with the speaker's video (webex_2: 160 left its face under the
#: detector's smallest, and the picture-in-picture was found or not as a grey level of noise changed)
DETECT_SIDE = 240
#: faces smaller than this (frame pixels, shorter side) are not looked for a video round
MIN_FACE = 12
#: a video's side runs this many face widths (heights) from the face at most
REACH = 4.0
#: the face's width in working pixels (a larger face is searched round on a smaller copy)
WORK_FACE = 40
#: a side on the frame's border counts as seen where the BAND pixels along it, beside the face, change by at least
#: CUT_STEP gray levels from pixel to pixel on average (a video cut by the screenshot: 0.8 on meet_4's; a title
#: bar or a stage: 0.0-0.1)
BAND = 4
CUT_STEP = 0.4
#: each side taken without a line of its own (the border, a tile's side) costs this much of a rectangle's score:
#: four lines are better evidence than two
SEEN_PENALTY = 0.05
#: a lattice tile's sides bound a video only where it is at least this many times the face's area
KNOWN_FROM = 4
#: a video is at most this much wider than high, and at least this much (portrait thumbnails)
ASPECTS = (0.5, 2.4)
#: the face's height is this share of the video's height (a thumbnail's face is large, a wide shot's small)
FACE_SHARE = (0.12, 0.75)
#: candidate lines per side: this many of the nearest and as many of the longest
LINES_PER_SIDE = 4
#: a floating video overlaps the lattice's tiles by at most this share of its area
MAX_OVERLAP = 0.1
#: a webcam's face is about this share of its video's height; a rectangle round a face loses
#: SIZE_PENALTY x |log(share / this)| and ACROSS_PENALTY x its offset from the middle (share of the width)
TYPICAL_FACE_SHARE = 0.35
SIZE_PENALTY = 0.2
ACROSS_PENALTY = 0.4
#: a lattice cell this much inside a floating video at least twice its size is part of that video
INSIDE_SHARE = 0.8
#: a "video" round a face that covers more than this share of the frame is the meeting's main stage beside a
#: filmstrip: a shared screen (a film, a slide with a photo), not a participant's video. Real floating videos
#: cover 0.03-0.14 of their frames in the development set (meet_1, meet_2, meet_4, webex_2); a film shared
#: beside Zoom's filmstrip 0.64 (a real screenshot, zoom_108 of the extra set: see docs/extra-real/).
STAGE_SHARE = 0.4


@lru_cache(maxsize=1)
def _detector():
    from model.detector import FaceDetector

    return FaceDetector(score_threshold=FACE_SCORE, min_face=MIN_FACE, max_side=DETECT_SIDE)


def busy_patches(frame: np.ndarray, tiles: Sequence[Box]) -> list[Box]:
    """Frame boxes of the busy patches the tiles leave (largest first, at most :data:`MAX_PATCHES`)."""
    height, width = frame.shape[:2]
    factor = max(1, int(np.ceil(max(height, width) / MASK_SIDE)))
    # about every factor-th pixel of each row and column (nearest-neighbour: four times faster than a strided copy)
    small = cv2.resize(frame, (-(-width // factor), -(-height // factor)), interpolation=cv2.INTER_NEAREST)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
    mean = cv2.blur(gray, (5, 5))
    variance = cv2.blur(gray * gray, (5, 5)) - mean * mean
    busy = (variance > BUSY_STD**2).astype(np.uint8)
    for x, y, w, h in tiles:
        rows = slice(max(0, y // factor - 1), (y + h) // factor + 2)
        busy[rows, max(0, x // factor - 1) : (x + w) // factor + 2] = 0
    busy = cv2.morphologyEx(busy, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(busy, connectivity=8)
    patches = [
        (int(s[0]), int(s[1]), int(s[2]), int(s[3]), int(s[4]))
        for s in stats[1:count]
        if s[2] >= MIN_PATCH and s[3] >= MIN_PATCH and 1 / PATCH_ASPECT <= s[2] / s[3] <= PATCH_ASPECT
    ]
    patches.sort(key=lambda p: p[4], reverse=True)
    boxes = []
    for x, y, w, h, _ in patches:
        x0, y0 = max(0, round((x - 2) * factor)), max(0, round((y - 2) * factor))
        x1, y1 = min(width, round((x + w + 2) * factor)), min(height, round((y + h + 2) * factor))
        if _gray_entropy(frame[y0:y1, x0:x1]) >= MIN_ENTROPY:
            boxes.append((x0, y0, x1 - x0, y1 - y0))
    return boxes[:MAX_PATCHES]


def _gray_entropy(crop: np.ndarray) -> float:
    """Entropy (bits) of a crop's gray levels in 32 bins: a video spreads over many, an icon or a slide's
    text over two or three."""
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    counts = np.bincount((gray // 8).ravel(), minlength=32).astype(np.float64)
    shares = counts[counts > 0] / counts.sum()
    return float(-(shares * np.log2(shares)).sum())


def _inside(point: tuple[float, float], box: Box) -> bool:
    x, y, w, h = box
    return x <= point[0] < x + w and y <= point[1] < y + h


def _side_lines(lengths: np.ndarray, positions: range) -> list[int]:
    """Candidate positions of one side among ``positions`` (nearest the face first): the
    :data:`LINES_PER_SIDE` nearest lines and as many of the longest (``lengths``: pixels on long straight
    runs, per line), at least 3 apart: a small video's side is near and short, a large one's far and long."""
    found: list[int] = []
    candidates = np.array([p for p in positions if lengths[p] > 0], dtype=int)
    for order in (candidates, candidates[np.argsort(lengths[candidates], kind="stable")[::-1]]):
        taken = 0
        for p in order:
            if taken == LINES_PER_SIDE:
                break
            if all(abs(int(p) - f) > 2 for f in found):
                found.append(int(p))
                taken += 1
    return found


def _unlikely(fx, fy, fw, fh, w, h, across) -> np.ndarray:
    """How far a face at (fx, fy, fw, fh) in a w x h video is from where a webcam puts it: its height a
    third of the video's (:data:`TYPICAL_FACE_SHARE`), centred across (a penalty to take off a side score)."""
    size = np.abs(np.log(fh / h / TYPICAL_FACE_SHARE))
    off_centre = np.abs((fx + fw / 2) / w - 0.5) * across
    return SIZE_PENALTY * size + ACROSS_PENALTY * off_centre


@dataclass(frozen=True)
class _Search:
    """Where a video round a face is looked for: a crop of the frame round the face, scaled so that the face
    is about :data:`WORK_FACE` pixels wide, its edge maps, and the face in its pixels."""

    x0: int
    y0: int
    x1: int
    y1: int
    scale: float
    edges: EdgeMaps
    face: tuple[float, float, float, float]

    @classmethod
    def round(cls, frame: np.ndarray, face: Box) -> _Search:
        height, width = frame.shape[:2]
        fx, fy, fw, fh = face
        x0, x1 = max(0, int(fx - REACH * fw)), min(width, int(fx + fw + REACH * fw))
        y0, y1 = max(0, int(fy - REACH * fh)), min(height, int(fy + fh + REACH * fh))
        scale = min(1.0, WORK_FACE / fw)  # sides stay a few working pixels apart, the crop small
        crop = frame[y0:y1, x0:x1]
        work = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else crop
        working_face = ((fx - x0) * scale, (fy - y0) * scale, fw * scale, fh * scale)
        return cls(x0, y0, x1, y1, scale, edge_maps(work), working_face)

    def working(self, position: int, vertical: bool) -> int:
        """A frame position (x where ``vertical``, else y) in working pixels."""
        return round((position - (self.x0 if vertical else self.y0)) * self.scale)

    def frame_box(self, rect: Box, shape: tuple[int, ...]) -> Box:
        """A working rectangle in frame pixels."""
        left, top, w, h = rect
        bx, by = self.x0 + round(left / self.scale), self.y0 + round(top / self.scale)
        return (bx, by, min(shape[1] - bx, round(w / self.scale)), min(shape[0] - by, round(h / self.scale)))


def video_around(frame: np.ndarray, face: Box, tiles: Sequence[Box] = ()) -> Box | None:
    """The straight-sided rectangle round a face that has a video's shape, in frame pixels, or None.

    Each side is looked for among the long straight lines beside the face (:func:`_line_candidates`) and
    the sides that need no line (:func:`_known_sides`); every combination is scored by how well its sides
    stand out (as :func:`bot.gallery.edges.rect_sides` scores a tile's) less how unlike a webcam's framing
    the face sits in it (:func:`_unlikely`), and the best one with something in it that overlaps ``tiles``
    (the layout's) by at most :data:`MAX_OVERLAP` of its area wins."""
    search = _Search.round(frame, face)
    known = _known_sides(frame, face, tiles, search)
    sides = [sorted(set(found) | seen) for found, seen in zip(_line_candidates(search), known, strict=True)]
    ax, ay, aw, ah = search.face
    top, bottom, left, right = (
        np.array(side, dtype=np.int64).reshape([-1 if axis == i else 1 for axis in range(4)])
        for i, side in enumerate(sides)
    )
    w, h = np.broadcast_arrays(right - left + 1, bottom - top + 1)
    shaped = (w > aw) & (h > ah) & (w >= ASPECTS[0] * h) & (w <= ASPECTS[1] * h)
    shaped &= (ah >= FACE_SHARE[0] * h) & (ah <= FACE_SHARE[1] * h)
    if not shaped.any():
        return None
    t, b, lf, r = (np.broadcast_to(side, w.shape)[shaped] for side in (top, bottom, left, right))
    w, h = w[shaped], h[shaped]
    counted = ~np.stack([np.isin(side, sorted(k)) for side, k in zip((t, b, lf, r), known, strict=True)])
    support = _side_support(search.edges, t, b, lf, r, w, h)
    bare = ((support < WEAKEST_SIDE) & counted).any(axis=0) | ~counted.any(axis=0)
    score = np.where(counted, support, 0).sum(axis=0) / np.maximum(1, counted.sum(axis=0))
    cut = ~counted[2] & (lf == 0) | ~counted[3] & (r == search.edges.shape[1] - 1)  # its face may be off-centre
    score -= _unlikely(ax - lf, ay - t, aw, ah, w, h, ~cut) + SEEN_PENALTY * (4 - counted.sum(axis=0))
    score[bare] = -np.inf
    for i in np.argsort(-score):
        if not score[i] > 0:
            break
        rect = (int(lf[i]), int(t[i]), int(w[i]), int(h[i]))
        box = search.frame_box(rect, frame.shape)
        if has_content(search.edges, rect) and _clear_of(box, tiles):
            return box
    return None


def _line_candidates(search: _Search) -> list[list[int]]:
    """Candidate top, bottom, left and right sides (working pixels): straight runs at least
    0.6 face long (texture's lines are shorter), near the face's rows or columns (see :func:`_side_lines`)."""
    edges = search.edges
    ax, ay, aw, ah = search.face
    run = max(MIN_SIDE, round(0.6 * min(aw, ah)))
    vertical = cv2.morphologyEx(edges.vertical, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8))
    horizontal = cv2.morphologyEx(edges.horizontal, cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
    columns = vertical[max(0, int(ay - 1.5 * ah)) : int(ay + 2.5 * ah)].sum(axis=0)
    rows = horizontal[:, max(0, int(ax - 1.5 * aw)) : int(ax + 2.5 * aw)].sum(axis=1)
    height, width = edges.shape
    return [
        _side_lines(rows, range(int(ay - 0.1 * ah), -1, -1)),
        _side_lines(rows, range(int(ay + 1.2 * ah), height)),
        _side_lines(columns, range(int(ax - 0.1 * aw), -1, -1)),
        _side_lines(columns, range(int(ax + 1.1 * aw), width)),
    ]


def _known_sides(frame: np.ndarray, face: Box, tiles: Sequence[Box], search: _Search) -> list[set[int]]:
    """Top, bottom, left and right sides (working pixels) that need no line of their own: the frame's border
    where it cuts content beside the face (a screenshot that cuts the video, :func:`_cut`), and the sides of
    the layout's tiles that face the face (a gapless layout: meet_4's corner cell shows no line between it and
    its neighbour). A tile under :data:`KNOWN_FROM` face areas may be a cell the lattice wrongly put inside the
    video (webex_2), so its sides are not taken."""
    height, width = frame.shape[:2]
    wh, ww = search.edges.shape
    fx, fy, fw, fh = face
    known: list[set[int]] = [set(), set(), set(), set()]
    across, down = slice(max(0, fx - fw), fx + 2 * fw), slice(max(0, fy - fh), fy + 2 * fh)
    bands = (
        (search.y0 == 0, frame[:BAND, across], 0, 0),
        (search.y1 == height, frame[-BAND:, across], 1, wh - 1),
        (search.x0 == 0, frame[down, :BAND].transpose(1, 0, 2), 2, 0),
        (search.x1 == width, frame[down, -BAND:].transpose(1, 0, 2), 3, ww - 1),
    )
    for on_border, band, side, position in bands:
        if on_border and _cut(band):
            known[side].add(position)
    for tx, ty, tw, th in tiles:
        if tw * th < KNOWN_FROM * fw * fh:
            continue
        beside_rows = ty < fy + fh and fy < ty + th
        beside_columns = tx < fx + fw and fx < tx + tw
        for side, position, beside, vertical in (
            (0, ty + th, beside_columns and ty + th <= fy, False),
            (1, ty - 1, beside_columns and ty >= fy + fh, False),
            (2, tx + tw, beside_rows and tx + tw <= fx, True),
            (3, tx - 1, beside_rows and tx >= fx + fw, True),
        ):
            working = search.working(position, vertical)
            if beside and 0 <= working < (ww if vertical else wh):
                known[side].add(working)
    return known


def _side_support(edges: EdgeMaps, top, bottom, left, right, w, h) -> np.ndarray:
    """:func:`bot.gallery.edges.rect_sides` of many rectangles at once (arrays of their sides), (4, n)."""
    d = np.maximum(3, np.minimum(w, h) // 10)

    def run_x(row, a, b):
        return (edges.along_x[row, b] - edges.along_x[row, a]) / (b - a)

    def run_y(col, a, b):
        return (edges.along_y[b, col] - edges.along_y[a, col]) / (b - a)

    x1, y1 = right + 1, bottom + 1
    return np.stack(
        [
            run_x(top, left, x1) - INNER_WEIGHT * run_x(top + d, left, x1),
            run_x(bottom, left, x1) - INNER_WEIGHT * run_x(bottom - d, left, x1),
            run_y(left, top, y1) - INNER_WEIGHT * run_y(left + d, top, y1),
            run_y(right, top, y1) - INNER_WEIGHT * run_y(right - d, top, y1),
        ]
    )


def _cut(band: np.ndarray) -> bool:
    """Whether a band along the frame's border (BGR, the border's direction along axis 1) shows content the
    border cuts (a video), not a flat title bar or stage: its gray level steps by at least :data:`CUT_STEP`
    between neighbours on average."""
    if band.size == 0:
        return False
    gray = cv2.cvtColor(np.ascontiguousarray(band), cv2.COLOR_BGR2GRAY).astype(np.int16)
    return float(np.abs(np.diff(gray, axis=1)).mean()) >= CUT_STEP


def floating_videos(frame: np.ndarray, tiles: Sequence[Box]) -> tuple[list[Box], list[Box]]:
    """(the floating videos a frame shows besides ``tiles``, the tiles that are part of one of them)."""
    patches = busy_patches(frame, tiles)
    if not patches:
        return [], []
    crops = [frame[y : y + h, x : x + w] for x, y, w, h in patches]
    videos: list[Box] = []
    inside: list[Box] = []
    for (px, py, _, _), faces in zip(patches, _detector().detect_batch(crops), strict=True):
        for face in faces:
            box = (px + face.x, py + face.y, face.w, face.h)
            centre = (box[0] + box[2] / 2, box[1] + box[3] / 2)
            if min(face.w, face.h) < MIN_FACE or any(_inside(centre, t) for t in tiles):
                continue
            video = video_around(frame, box, tiles)
            if video is None or _stage(video, frame) or any(_clashes(video, v) for v in videos):
                continue
            part = [t for t in tiles if _part_of(t, video)]
            if part and any(_detector().detect_batch([frame[y : y + h, x : x + w] for x, y, w, h in part])):
                continue  # a cell with a face of its own is a tile, not a piece of this video
            videos.append(video)
            inside += [t for t in part if t not in inside]
    return videos, inside


def _stage(video: Box, frame: np.ndarray) -> bool:
    """Whether a video round a face fills the frame's main stage (see :data:`STAGE_SHARE`)."""
    return video[2] * video[3] > STAGE_SHARE * frame.shape[0] * frame.shape[1]


def _clashes(video: Box, other: Box) -> bool:
    """Whether two floating videos cannot both be: the same one, or overlapping without one holding the other
    (a picture-in-picture lies inside the speaker's video)."""
    shared = intersection(video, other)
    smaller = min(video[2] * video[3], other[2] * other[3])
    return iou(video, other) > 0.5 or MAX_OVERLAP * smaller < shared < INSIDE_SHARE * smaller


def _clear_of(video: Box, tiles: Sequence[Box]) -> bool:
    """Whether a floating video overlaps the lattice's tiles (but those that are part of it) by at most
    :data:`MAX_OVERLAP` of its area."""
    overlap = sum(intersection(video, t) for t in tiles if not _part_of(t, video))
    return overlap <= MAX_OVERLAP * video[2] * video[3]


def _part_of(tile: Box, video: Box) -> bool:
    """Whether a lattice cell lies in a floating video at least twice its size (see :data:`INSIDE_SHARE`)."""
    area = tile[2] * tile[3]
    return 2 * area <= video[2] * video[3] and intersection(tile, video) >= INSIDE_SHARE * area
