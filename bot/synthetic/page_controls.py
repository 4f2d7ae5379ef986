"""The page arrows and page indicator of a multi-page synthetic gallery, drawn as each platform shows them,
with their boxes as the truth."""

from __future__ import annotations

from PIL import Image, ImageDraw

from bot.fonts import get_font
from bot.synthetic.drawing import blend_round_rect, draw_chevron
from bot.synthetic.layout import Box
from bot.synthetic.scene import PageTruth
from bot.synthetic.styles import Style

RGB = tuple[int, int, int]


def _sides(current: int, total: int) -> tuple[tuple[str, bool], tuple[str, bool]]:
    """Which arrows a page shows: ("left", there is a previous page), ("right", there is a next page)."""
    return (("left", current > 0), ("right", current < total - 1))


def _indicator_box(bbox: tuple[int, int, int, int]) -> Box:
    return (bbox[0], bbox[1], bbox[2] - bbox[0], bbox[3] - bbox[1])


def _strip_arrows(img: Image.Image, style: Style, grid_area: Box, current: int, total: int, fg: RGB) -> PageTruth:
    """Arrows at the ends of a filmstrip, no indicator."""
    (_, has_prev), (_, has_next) = _sides(current, total)
    prev_box = next_box = None
    gx, gy, gw, gh = grid_area
    bw, bh = 24, min(48, gh)
    cy = gy + gh // 2
    if has_prev:
        prev_box = (gx - bw - 8, cy - bh // 2, bw, bh)
    if has_next:
        next_box = (gx + gw + 8, cy - bh // 2, bw, bh)
    for box, direction in ((prev_box, "left"), (next_box, "right")):
        if box:
            blend_round_rect(img, box, (255, 255, 255, 40) if style.theme != "light" else (0, 0, 0, 25), 6)
            draw_chevron(ImageDraw.Draw(img), box[0] + bw / 2, cy, 16, direction, fg, 3)
    return PageTruth(current + 1, total, next_box, prev_box, None)


def _teams_controls(img: Image.Image, style: Style, stage: Box, current: int, total: int, fg: RGB) -> PageTruth:
    """Teams: "<  2 / 3  >" centred under the grid."""
    draw = ImageDraw.Draw(img)
    sx, sy, sw, sh = stage
    prev_box = next_box = None
    font = get_font("open-sans", 13, "SemiBold")
    text = f"{current + 1} / {total}"
    tw = int(font.getlength(text))
    cy = sy + sh - 22
    cx = sx + sw // 2
    draw.text((cx, cy), text, font=font, fill=fg, anchor="mm")
    indicator = _indicator_box(draw.textbbox((cx, cy), text, font=font, anchor="mm"))
    for direction, ok in _sides(current, total):
        if not ok:
            continue
        bx = cx - tw // 2 - 44 if direction == "left" else cx + tw // 2 + 12
        box = (bx, cy - 16, 32, 32)
        blend_round_rect(img, box, (255, 255, 255, 30) if style.theme != "light" else (0, 0, 0, 18), 4)
        draw_chevron(ImageDraw.Draw(img), bx + 16, cy, 12, direction, fg, 2)
        if direction == "left":
            prev_box = box
        else:
            next_box = box
    return PageTruth(current + 1, total, next_box, prev_box, indicator)


def _zoom_controls(img: Image.Image, stage: Box, current: int, total: int, fg: RGB) -> PageTruth:
    """Zoom: tall arrow buttons at the stage's left and right edges, vertically centred, "2/3" under each."""
    sx, sy, sw, sh = stage
    prev_box = next_box = indicator = None
    text = f"{current + 1}/{total}"
    cy = sy + sh // 2
    bw, bh = 36, 72
    font = get_font("lato", 12, "Regular")
    for direction, ok in _sides(current, total):
        if not ok:
            continue
        bx = sx + 8 if direction == "left" else sx + sw - 8 - bw
        box = (bx, cy - bh // 2, bw, bh)
        blend_round_rect(img, box, (255, 255, 255, 28), 6)
        draw_chevron(ImageDraw.Draw(img), bx + bw / 2, cy, 22, direction, fg, 3)
        draw = ImageDraw.Draw(img)
        draw.text((bx + bw // 2, cy + bh // 2 + 12), text, font=font, fill=fg, anchor="mm")
        indicator = _indicator_box(draw.textbbox((bx + bw // 2, cy + bh // 2 + 12), text, font=font, anchor="mm"))
        if direction == "left":
            prev_box = box
        else:
            next_box = box
    return PageTruth(current + 1, total, next_box, prev_box, indicator)


def _meet_controls(img: Image.Image, stage: Box, current: int, total: int) -> PageTruth:
    """Meet: round buttons at the stage's left and right edges, vertically centred, "2/3" under the grid."""
    sx, sy, sw, sh = stage
    prev_box = next_box = None
    text = f"{current + 1}/{total}"
    cy = sy + sh // 2
    d = 40
    for direction, ok in _sides(current, total):
        if not ok:
            continue
        bx = sx + 8 if direction == "left" else sx + sw - 8 - d
        box = (bx, cy - d // 2, d, d)
        ImageDraw.Draw(img).ellipse((bx, cy - d // 2, bx + d - 1, cy + d // 2 - 1), fill=(60, 64, 67))
        draw_chevron(ImageDraw.Draw(img), bx + d / 2, cy, 14, direction, (232, 234, 237), 3)
        if direction == "left":
            prev_box = box
        else:
            next_box = box
    font = get_font("roboto", 14, "Medium")
    ix, iy = sx + sw // 2, sy + sh - 14
    draw = ImageDraw.Draw(img)
    draw.text((ix, iy), text, font=font, fill=(232, 234, 237), anchor="mm")
    indicator = _indicator_box(draw.textbbox((ix, iy), text, font=font, anchor="mm"))
    return PageTruth(current + 1, total, next_box, prev_box, indicator)


def page_controls(
    img: Image.Image, style: Style, stage: Box, grid_area: Box, current: int, total: int, strip: bool = False
) -> PageTruth:
    """Draws the controls of page ``current`` (from 0) of ``total``: a filmstrip's end arrows (``strip``), or the
    platform's gallery arrows and indicator; returns where they are."""
    fg = (255, 255, 255) if style.theme != "light" else (36, 36, 36)
    if strip:
        return _strip_arrows(img, style, grid_area, current, total, fg)
    if style.platform == "teams":
        return _teams_controls(img, style, stage, current, total, fg)
    if style.platform == "zoom":
        return _zoom_controls(img, stage, current, total, fg)
    return _meet_controls(img, stage, current, total)
