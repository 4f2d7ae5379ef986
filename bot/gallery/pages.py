"""Page arrows and the page indicator ("2/3") of a multi-page gallery, found in the frame.

The splitter hands over the small blobs that stand on the stage outside the
tiles. An arrow is a left- or right-pointing chevron, drawn on the stage or
inside a small button: each small blob is cut out at full resolution,
binarised against its own surroundings, and its largest stroke is tested
for the chevron's shape (row by row, the stroke's centre moves out to a point
half-way down and back). The indicator is a short line of blobs that reads as
``digits / digits`` with a tiny template reader (digits and the slash,
rendered from the platforms' fonts).
"""

from __future__ import annotations

import re
from functools import lru_cache

import cv2
import numpy as np

from bot.frames import Box, PageControls

_GLYPHS = "0123456789/"
_NORM_W, _NORM_H = 16, 24
_INDICATOR = re.compile(r"^(\d{1,3})/(\d{1,3})$")


# --------------------------------------------------------------------------- chevrons


def _largest_stroke(gray: np.ndarray, min_contrast: int = 60) -> tuple[np.ndarray, Box] | None:
    """The largest high-contrast component of a small crop, against the crop's border colour."""
    h, w = gray.shape
    if h < 5 or w < 4:
        return None
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    local = float(np.median(border))
    binary = (np.abs(gray.astype(np.int16) - local) >= min_contrast).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count <= 1:
        return None
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, bw, bh, _ = (int(v) for v in stats[best])
    return (labels[y : y + bh, x : x + bw] == best), (x, y, bw, bh)


def chevron_direction(gray: np.ndarray) -> tuple[str, Box] | None:
    """ "left", "right" or None for a small gray crop holding (maybe) a chevron; with the chevron's box."""
    found = _largest_stroke(gray)
    if found is None:
        return None
    mask, box = found
    _, _, w, h = box
    area = int(mask.sum())
    if h < 9 or w < 4 or not (1.0 <= h / w <= 3.2) or not (0.12 <= area / (w * h) <= 0.65):
        return None
    # a chevron's stroke crosses each row once (letters such as x, y, k, v cross it twice somewhere)
    padded = np.pad(mask, ((0, 0), (1, 0)))
    runs = np.count_nonzero(padded[:, 1:] & ~padded[:, :-1], axis=1)
    if np.count_nonzero(runs == 1) < 0.8 * h:
        return None
    m = cv2.resize(mask.astype(np.float32), (12, 16), interpolation=cv2.INTER_AREA)
    weight = m.sum(axis=1)
    if np.count_nonzero(weight > 0.05) < 14:
        return None
    xs = np.arange(12, dtype=np.float32)
    cx = (m * xs).sum(axis=1) / np.maximum(weight, 1e-6) / 11.0
    rows = np.arange(16, dtype=np.float32)
    tri = 1.0 - np.abs(rows - 7.5) / 7.5
    if np.std(cx) < 0.08:
        return None
    corr = float(np.corrcoef(cx, tri)[0, 1])
    symmetric = float(np.mean(np.abs(cx[:8] - cx[::-1][:8]))) < 0.15
    middle, ends = float(cx[6:10].mean()), float(np.r_[cx[:2], cx[-2:]].mean())
    if not symmetric:
        return None
    if corr > 0.85 and middle > 0.6 and ends < 0.45:
        return "right", box
    if corr < -0.85 and middle < 0.4 and ends > 0.55:
        return "left", box
    return None


# --------------------------------------------------------------------------- digits


def _normalise(mask: np.ndarray) -> np.ndarray:
    h, w = mask.shape
    scale = min(_NORM_H / h, _NORM_W / w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    glyph = cv2.resize(mask.astype(np.float32), (nw, nh), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((_NORM_H, _NORM_W), np.float32)
    x0, y0 = (_NORM_W - nw) // 2, (_NORM_H - nh) // 2
    canvas[y0 : y0 + nh, x0 : x0 + nw] = glyph
    return canvas


@lru_cache(maxsize=1)
def _templates() -> tuple[str, np.ndarray, np.ndarray]:
    """Chars, normalised masks (n, 24, 16) and width/height ratios of the digits and slash in the platforms'
    label fonts (:mod:`bot.platforms`: Lato, Roboto, Open Sans) and DejaVu Sans."""
    from PIL import Image, ImageDraw

    from bot.fonts import get_font
    from bot.platforms import PLATFORMS

    faces = {p.label_font.family: p.label_font.weights for p in PLATFORMS.values()}
    faces.setdefault("dejavu", ("Regular",))
    chars, masks, aspects = [], [], []
    for family, weights in faces.items():
        for weight in weights:
            font = get_font(family, 40, weight)
            for char in _GLYPHS:
                image = Image.new("L", (60, 70), 0)
                ImageDraw.Draw(image).text((10, 10), char, font=font, fill=255)
                mask = np.asarray(image) > 110
                ys, xs = np.nonzero(mask)
                if len(xs) == 0:
                    continue
                crop = mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
                chars.append(char)
                masks.append(_normalise(crop))
                aspects.append(crop.shape[1] / crop.shape[0])
    flat = (np.stack(masks) >= 0.5).reshape(len(masks), -1)
    return "".join(chars), flat, np.log(np.maximum(np.array(aspects), 0.05))


def _classify(masks: list[np.ndarray]) -> tuple[str, np.ndarray]:
    """Best char and its score for each binary glyph mask."""
    chars, templates, log_aspects = _templates()
    glyphs = np.stack([_normalise(m) >= 0.5 for m in masks]).reshape(len(masks), -1)
    # IoU of binary masks; plain boolean ops (a BLAS product spins threads, slow on a busy machine)
    inter = np.count_nonzero(glyphs[:, None, :] & templates[None, :, :], axis=2)
    union = np.count_nonzero(glyphs[:, None, :] | templates[None, :, :], axis=2)
    aspect = np.log(np.maximum(np.array([m.shape[1] / m.shape[0] for m in masks]), 0.05))
    score = inter / np.maximum(union, 1e-6) - 0.5 * np.abs(aspect[:, None] - log_aspects[None])
    best = score.argmax(axis=1)
    return "".join(chars[k] for k in best), score[np.arange(len(masks)), best]


def _tight(mask: np.ndarray) -> np.ndarray | None:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0 or len(rows) * len(cols) < 2:
        return None
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _split_touching(mask: np.ndarray, score: float) -> list[np.ndarray]:
    """A blob wider than one glyph (two glyphs touching, as "2/" at small sizes): the best cut in two,
    if both halves read better than the whole."""
    h, w = mask.shape
    cuts, halves = [], []
    for cut in range(max(2, int(w * 0.25)), min(w - 1, int(w * 0.75) + 1)):
        pair = [_tight(mask[:, :cut]), _tight(mask[:, cut:])]
        if all(p is not None and p.shape[0] >= 0.5 * h for p in pair):
            cuts.append(cut)
            halves += pair
    if not cuts:
        return [mask]
    _, scores = _classify(halves)
    pair_scores = np.minimum(scores[0::2], scores[1::2])
    best = int(pair_scores.argmax())
    if pair_scores[best] <= score + 0.05:
        return [mask]
    return halves[2 * best : 2 * best + 2]


def read_digits(gray: np.ndarray) -> str | None:
    """Read a short line of digits and slashes from a gray crop (light on dark or dark on light)."""
    h, w = gray.shape
    if h < 6 or w < 4:
        return None
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    local = float(np.median(border))
    diff = np.abs(gray.astype(np.int16) - local)
    peak = int(diff.max())
    if peak < 60:
        return None
    binary = (diff >= max(40, peak * 0.4)).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    parts = [tuple(int(v) for v in s) for s in stats[1:count] if s[cv2.CC_STAT_AREA] >= 2]
    if not parts or len(parts) > 8:
        return None
    line_h = max(p[3] for p in parts)
    parts = sorted((p for p in parts if p[3] >= 0.5 * line_h), key=lambda p: p[0])
    masks = [binary[y : y + ph, x : x + pw] > 0 for x, y, pw, ph, _ in parts]
    text, scores = _classify(masks)
    wide = [m.shape[1] > 0.8 * m.shape[0] and m.shape[1] >= 6 for m in masks]
    if any(score < 0.35 and not is_wide for score, is_wide in zip(scores, wide, strict=True)):
        return None  # a glyph that is no digit nor slash: letters, icons
    if any(w and score < 0.6 for score, w in zip(scores, wide, strict=True)):
        split: list[np.ndarray] = []
        for mask, score, is_wide in zip(masks, scores, wide, strict=True):
            split += _split_touching(mask, float(score)) if is_wide and score < 0.6 else [mask]
        if len(split) > 9:
            return None
        text, scores = _classify(split)
    return text if scores.min() >= 0.35 else None


# --------------------------------------------------------------------------- the controls


def _inside_any(box: Box, tiles: list[Box], pad: int = 2) -> bool:
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    return any(tx - pad <= cx <= tx + tw + pad and ty - pad <= cy <= ty + th + pad for tx, ty, tw, th in tiles)


def _group_lines(boxes: list[Box]) -> list[Box]:
    """Merge small blobs that sit on one text line and close together into line boxes."""
    boxes = sorted(boxes, key=lambda b: b[0])
    lines: list[list[int]] = []
    for x, y, w, h in boxes:
        for line in lines:
            lx, ly, lw, lh = line
            overlap = min(y + h, ly + lh) - max(y, ly)
            if overlap >= 0.5 * min(h, lh) and x - (lx + lw) <= 1.2 * max(h, lh) and x >= lx:
                nx0, ny0 = min(lx, x), min(ly, y)
                line[:] = [nx0, ny0, max(lx + lw, x + w) - nx0, max(ly + lh, y + h) - ny0]
                break
        else:
            lines.append([x, y, w, h])
    return [tuple(line) for line in lines]


def _text_lines(bg: np.ndarray, factor: int, region: Box, tiles: list[Box], arrows: list[Box]) -> list[Box]:
    """Boxes of short text lines (frame pixels) in ``region``: blobs off the stage colour in the working mask
    ``bg`` (``factor`` frame pixels per mask pixel), outside tiles, grouped into lines."""
    height, width = bg.shape
    x, y, w, h = region
    x0, y0 = max(0, int(x) // factor), max(0, int(y) // factor)
    x1, y1 = min(width, int(x + w) // factor + 1), min(height, int(y + h) // factor + 1)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return []
    count, _, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_not(bg[y0:y1, x0:x1]), connectivity=8)
    blobs = [
        ((int(s[0]) + x0) * factor, (int(s[1]) + y0) * factor, int(s[2]) * factor, int(s[3]) * factor)
        for s in stats[1:count]
        if 5 <= s[3] * factor <= 26 and s[2] * factor <= 32 and s[4] >= 2
    ]
    blobs = [b for b in blobs if not _inside_any(b, tiles) and not _inside_any(b, arrows)]
    lines = []
    for line in _group_lines(blobs):
        lx, ly, lw, lh = line
        parts = sum(1 for b in blobs if lx <= b[0] and b[0] + b[2] <= lx + lw and ly <= b[1] and b[1] + b[3] <= ly + lh)
        if lw <= 120 and lh >= 7 and 1 <= parts <= 9 and lw >= 1.2 * lh:  # "1/2" .. "12 / 34"
            lines.append(line)
    return lines


def _bounds(tiles: list[Box]) -> tuple[int, int, int, int]:
    """The gallery's extent: (x0, y0, x1, y1) around the tiles."""
    return (
        min(t[0] for t in tiles),
        min(t[1] for t in tiles),
        max(t[0] + t[2] for t in tiles),
        max(t[1] + t[3] for t in tiles),
    )


def _arrow_blobs(stats: np.ndarray, scale: int, tiles: list[Box]) -> tuple[np.ndarray, np.ndarray]:
    """Which of the stage's blobs can be an arrow: small, chevron- or button-shaped, beside the gallery's rows,
    outside the tiles, and alone (a blob with a neighbour of its height right beside it is a letter of a word);
    the 200 nearest the gallery's centre at most. Returns every blob's box in frame pixels (an n x 4 array of
    x, y, w, h) and the indices of those that can be."""
    gx0, gy0, gx1, gy1 = _bounds(tiles)
    tile_h = float(np.median([t[3] for t in tiles]))
    s = stats.astype(np.int64)
    bx, by, bw, bh = s[:, 0] * scale, s[:, 1] * scale, s[:, 2] * scale, s[:, 3] * scale
    # a bare chevron is taller than wide; its button is round, square or tall
    small = (bw <= 120) & (bh <= 120) & (bh >= 10) & (bw >= 5) & (bh >= 0.8 * bw) & (bh <= 3.4 * bw)
    near = (by + bh >= gy0 - 1.2 * tile_h) & (by <= gy1 + 1.2 * tile_h)
    t = np.array(tiles, dtype=np.float64)
    cx, cy = bx + bw / 2, by + bh / 2
    in_tile = (
        (cx[:, None] >= t[None, :, 0] - 2)
        & (cx[:, None] <= t[None, :, 0] + t[None, :, 2] + 2)
        & (cy[:, None] >= t[None, :, 1] - 2)
        & (cy[:, None] <= t[None, :, 1] + t[None, :, 3] + 2)
    ).any(axis=1)
    idx = np.flatnonzero(small & near & ~in_tile)
    # an arrow stands alone: a blob with a neighbour of its height right beside it is a letter of a word
    lonely = []
    for i in idx:
        similar = (np.abs(bh - bh[i]) <= 0.3 * bh[i]) & (
            np.minimum(by + bh, by[i] + bh[i]) - np.maximum(by, by[i]) >= 0.5 * bh[i]
        )
        gap = np.maximum(bx - (bx[i] + bw[i]), bx[i] - (bx + bw))
        similar[i] = False
        if not np.any(similar & (gap <= 0.6 * bh[i])):
            lonely.append(i)
    idx = np.array(lonely, dtype=np.int64)
    if len(idx) > 200:
        centre = np.array([(gx0 + gx1) / 2, (gy0 + gy1) / 2])
        dist = np.hypot(bx[idx] + bw[idx] / 2 - centre[0], by[idx] + bh[idx] / 2 - centre[1])
        idx = idx[np.argsort(dist)[:200]]
    return np.stack([bx, by, bw, bh], axis=1), idx


def _find_arrows(
    frame: np.ndarray, boxes: np.ndarray, idx: np.ndarray, scale: int, tiles: list[Box]
) -> tuple[Box | None, Box | None]:
    """The previous and next arrows' buttons (frame pixels): the candidate blobs whose cut-out reads as a left
    or right chevron, the one nearest the gallery's middle height of each direction."""
    height, width = frame.shape[:2]
    _, gy0, _, gy1 = _bounds(tiles)
    arrows: dict[str, list[tuple[float, Box]]] = {"left": [], "right": []}
    pad = scale + 1
    for i in idx:
        box = (int(boxes[i, 0]), int(boxes[i, 1]), int(boxes[i, 2]), int(boxes[i, 3]))
        x0, y0 = max(0, box[0] - pad), max(0, box[1] - pad)
        x1, y1 = min(width, box[0] + box[2] + pad), min(height, box[1] + box[3] + pad)
        found = chevron_direction(cv2.cvtColor(frame[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY))
        if found is not None:
            direction, _ = found
            button = (x0, y0, x1 - x0, y1 - y0)
            distance = abs(box[1] + box[3] / 2 - (gy0 + gy1) / 2) / max(1.0, gy1 - gy0)
            arrows[direction].append((distance, button))
    previous = min(arrows["left"])[1] if arrows["left"] else None
    following = min(arrows["right"])[1] if arrows["right"] else None
    return previous, following


def _read_indicator(
    frame: np.ndarray, bg: np.ndarray, factor: int, tiles: list[Box], anchors: list[Box]
) -> tuple[int | None, int | None]:
    """(current, total) from the "2/3" nearest the arrows (``anchors``), looked for around them first, then in
    bands under and over the gallery; (None, None) when no short text line reads so."""
    height, width = frame.shape[:2]
    gx0, gy0, gx1, gy1 = _bounds(tiles)
    # where an indicator can be: around the arrows, and in bands under and over the gallery
    regions: list[Box] = []
    for ax, ay, aw, ah in anchors:
        regions.append((ax - 2 * aw, ay - ah, 5 * aw, 3 * ah))
    band = int(max(36, 48 * height / 1080))
    regions.append((gx0, gy1, gx1 - gx0, int(max(band, min(0.5 * (gy1 - gy0), 400 * height / 1080)))))
    regions.append((gx0, gy0 - band, gx1 - gx0, band))
    current = total = None
    best_distance = None
    for k, region in enumerate(regions):
        if k == len(anchors) and current is not None:
            break  # found beside an arrow: no need to look under and over the gallery
        for line in _text_lines(bg, factor, region, tiles, anchors):
            x, y, w, h = line
            pad = factor + 2
            x0, y0 = max(0, x - pad), max(0, y - pad)
            gray = cv2.cvtColor(frame[y0 : min(height, y + h + pad), x0 : min(width, x + w + pad)], cv2.COLOR_BGR2GRAY)
            match = _INDICATOR.match(read_digits(gray) or "")
            if not match:
                continue
            cur, tot = int(match.group(1)), int(match.group(2))
            if not 1 <= cur <= tot:
                continue
            cx, cy = x + w / 2, y + h / 2
            distance = min(float(np.hypot(cx - (a[0] + a[2] / 2), cy - (a[1] + a[3] / 2))) for a in anchors)
            if best_distance is None or distance < best_distance:
                best_distance, current, total = distance, cur, tot
    return current, total


def find_page_controls(
    frame: np.ndarray, stats: np.ndarray, scale: int, tiles: list[Box], bg: np.ndarray, factor: int
) -> PageControls | None:
    """Arrows among the stage's small blobs (``stats``: components, ``scale`` frame pixels per unit), then the
    indicator text near them, or under / over the gallery (found in ``bg``, the stage-colour mask with
    ``factor`` frame pixels per mask pixel, and read in the frame)."""
    if len(stats) == 0 or not tiles:
        return None
    boxes, idx = _arrow_blobs(stats, scale, tiles)
    previous, following = _find_arrows(frame, boxes, idx, scale, tiles)
    anchors = [b for b in (previous, following) if b is not None]
    if not anchors:
        return None  # every platform shows at least one arrow on a multi-page gallery
    current, total = _read_indicator(frame, bg, factor, tiles, anchors)
    return PageControls(current=current, total=total, next_arrow=following, previous_arrow=previous)
