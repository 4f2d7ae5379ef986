"""The page arrows and page indicator of a multi-page synthetic gallery, drawn as each platform shows them,
with their boxes as the truth."""

from __future__ import annotations

from PIL import Image, ImageDraw

from bot.fonts import get_font
from bot.synthetic.drawing import blend_round_rect, draw_chevron
from bot.synthetic.layout import Box
from bot.synthetic.scene import PageTruth
from bot.synthetic.styles import Style


def page_controls(
    img: Image.Image, style: Style, stage: Box, grid_area: Box, current: int, total: int, strip: bool = False
) -> PageTruth:
    draw = ImageDraw.Draw(img)
    sx, sy, sw, sh = stage
    has_prev, has_next = current > 0, current < total - 1
    prev_box = next_box = indicator = None
    text = f"{current + 1}/{total}"
    fg = (255, 255, 255) if style.theme != "light" else (36, 36, 36)
    if strip:  # arrows at the ends of a filmstrip, no indicator
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
    if style.platform == "teams":  # "<  2 / 3  >" centred under the grid
        font = get_font("open-sans", 13, "SemiBold")
        text = f"{current + 1} / {total}"
        tw = int(font.getlength(text))
        cy = sy + sh - 22
        cx = sx + sw // 2
        draw.text((cx, cy), text, font=font, fill=fg, anchor="mm")
        tb = draw.textbbox((cx, cy), text, font=font, anchor="mm")
        indicator = (tb[0], tb[1], tb[2] - tb[0], tb[3] - tb[1])
        for direction, ok in (("left", has_prev), ("right", has_next)):
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
    # Zoom and Meet: arrows at the stage's left and right edges, vertically centred
    cy = sy + sh // 2
    if style.platform == "zoom":
        bw, bh = 36, 72
        font = get_font("lato", 12, "Regular")
        for direction, ok in (("left", has_prev), ("right", has_next)):
            if not ok:
                continue
            bx = sx + 8 if direction == "left" else sx + sw - 8 - bw
            box = (bx, cy - bh // 2, bw, bh)
            blend_round_rect(img, box, (255, 255, 255, 28), 6)
            draw_chevron(ImageDraw.Draw(img), bx + bw / 2, cy, 22, direction, fg, 3)
            draw = ImageDraw.Draw(img)
            draw.text((bx + bw // 2, cy + bh // 2 + 12), text, font=font, fill=fg, anchor="mm")
            tb = draw.textbbox((bx + bw // 2, cy + bh // 2 + 12), text, font=font, anchor="mm")
            indicator = (tb[0], tb[1], tb[2] - tb[0], tb[3] - tb[1])
            if direction == "left":
                prev_box = box
            else:
                next_box = box
        return PageTruth(current + 1, total, next_box, prev_box, indicator)
    d = 40  # Meet: round buttons and the indicator under the grid
    for direction, ok in (("left", has_prev), ("right", has_next)):
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
    tb = draw.textbbox((ix, iy), text, font=font, anchor="mm")
    indicator = (tb[0], tb[1], tb[2] - tb[0], tb[3] - tb[1])
    return PageTruth(current + 1, total, next_box, prev_box, indicator)
