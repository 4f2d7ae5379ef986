"""One participant tile of a synthetic meeting frame: the camera picture (or the camera-off / dial-in
placeholder), the name label in the platform's font and look, the mute icon and the active speaker's border."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

from bot.fonts import ellipsize, get_font
from bot.synthetic.drawing import blend_round_rect, draw_mic_off, draw_text, paste_image
from bot.synthetic.layout import Box
from bot.synthetic.names import initials
from bot.synthetic.scene import Participant
from bot.synthetic.styles import AVATAR_COLOURS, Style
from bot.synthetic.video import render_video

if TYPE_CHECKING:
    from bot.synthetic.wild_tiles import TileLook


def _label_font_size(style: Style, th: int) -> int:
    if style.platform == "zoom":
        return int(np.clip(round(th * 0.085), 11, 16))
    if style.platform == "meet":
        return int(np.clip(round(th * 0.09), 12, 16))
    return int(np.clip(round(th * 0.08), 11, 14))


def _draw_label(img: Image.Image, style: Style, box: Box, name: str, muted: bool) -> tuple[str, Box]:
    """The name label at the tile's bottom left; returns (shown text, label box)."""
    x, y, w, h = box
    draw = ImageDraw.Draw(img)
    size = _label_font_size(style, h)
    font = get_font(style.font, size, style.label_weight)
    icon = size if (muted and style.platform != "meet") else 0
    if style.platform == "meet":
        pad = 12
        shown = ellipsize(name, font, w - 2 * pad - 8)
        tx, ty = x + pad, y + h - pad - size
        for dx, dy in ((1, 1), (0, 1), (1, 0)):
            draw.text((tx + dx, ty + dy), shown, font=font, fill=(0, 0, 0), anchor="lt")
        draw.text((tx, ty), shown, font=font, fill=style.label_fg, anchor="lt")
        bbox = draw.textbbox((tx, ty), shown, font=font, anchor="lt")
        return shown, (bbox[0], bbox[1], bbox[2] - bbox[0] + 1, bbox[3] - bbox[1] + 1)
    inset = 4 if style.platform == "zoom" else 8
    pad = 6
    label_h = size + 10
    max_text = w - 2 * inset - 2 * pad - (icon + 4 if icon else 0) - 4
    shown = ellipsize(name, font, max(10, max_text))
    text_w = math.ceil(font.getlength(shown))
    label_w = min(w - 2 * inset, text_w + 2 * pad + (icon + 4 if icon else 0))
    lx, ly = x + inset, y + h - inset - label_h
    blend_round_rect(img, (lx, ly, label_w, label_h), style.label_bg, radius=4)
    draw = ImageDraw.Draw(img)
    tx = lx + pad
    if icon and style.platform == "zoom":
        draw_mic_off(draw, tx, ly + (label_h - icon) // 2, icon, (255, 255, 255), slash=(235, 60, 60))
        tx += icon + 4
    draw.text((tx, ly + label_h // 2), shown, font=font, fill=style.label_fg, anchor="lm")
    if icon and style.platform == "teams":
        draw_mic_off(draw, tx + text_w + 4, ly + (label_h - icon) // 2, icon, style.label_fg)
    return shown, (lx, ly, label_w, label_h)


def _avatar(img: Image.Image, style: Style, box: Box, person: Participant, phone: bool) -> None:
    x, y, w, h = box
    draw = ImageDraw.Draw(img)
    palette = AVATAR_COLOURS[style.platform]
    colour = palette[person.look % len(palette)]
    if style.platform == "zoom" and not person.avatar and not phone:
        size = int(np.clip(h * 0.12, 14, 48))
        font = get_font("lato", size, "Regular")
        draw.text(
            (x + w // 2, y + h // 2),
            ellipsize(person.name, font, w * 0.85),
            font=font,
            fill=(255, 255, 255),
            anchor="mm",
        )
        return
    d = int(np.clip(min(h * 0.38, w * 0.38), 16, 200))
    cx, cy = x + w // 2, y + h // 2 - (h // 20 if style.platform != "zoom" else 0)
    if phone:
        fill = (95, 99, 104) if style.platform != "teams" else (colour if style.theme == "light" else (80, 80, 80))
        draw.ellipse((cx - d // 2, cy - d // 2, cx + d // 2, cy + d // 2), fill=fill)
        draw_text(
            draw,
            (cx, cy),
            "☎",
            "dejavu",
            int(d * 0.55),
            (255, 255, 255) if style.platform != "teams" or style.theme != "light" else (60, 60, 60),
            anchor="mm",
        )
        return
    draw.ellipse((cx - d // 2, cy - d // 2, cx + d // 2, cy + d // 2), fill=colour)
    if style.platform == "teams":
        ink = tuple(int(c * 0.45) for c in colour)
        draw_text(draw, (cx, cy), initials(person.name), "open-sans", int(d * 0.36), ink, "SemiBold", anchor="mm")
    elif style.platform == "meet":
        draw_text(draw, (cx, cy), initials(person.name)[:1], "roboto", int(d * 0.5), (255, 255, 255), anchor="mm")
    else:
        draw_text(draw, (cx, cy), initials(person.name), "lato", int(d * 0.36), (255, 255, 255), "Bold", anchor="mm")


def _draw_video(
    img: Image.Image, style: Style, box: Box, person: Participant, emotion: str | None, wild: TileLook | None
) -> Box:
    """The camera picture, letterboxed or pillarboxed where its aspect is not the tile's; returns the face box."""
    x, y, w, h = box
    tile = np.empty((h, w, 3), np.uint8)
    tile[:] = style.bars
    aspect = person.video_aspect
    tile_aspect = w / h
    if abs(aspect - tile_aspect) < 0.02 or (style.platform == "meet" and 0.7 * tile_aspect < aspect):
        vw, vh = w, h  # the platform crops the video to fill the tile
    elif aspect < tile_aspect:
        vw, vh = max(8, round(h * aspect)), h
    else:
        vw, vh = w, max(8, round(w / aspect))
    room = wild.room(vw, vh) if wild is not None else None
    video, (fx, fy, fw, fh) = render_video(person, vw, vh, emotion, room=room)
    if wild is not None:
        video = wild.treat(video, (fx, fy, fw, fh))
    ox, oy = (w - vw) // 2, (h - vh) // 2
    tile[oy : oy + vh, ox : ox + vw] = video
    paste_image(img, tile, (x, y), style.radius)
    return (x + ox + fx, y + oy + fy, fw, fh)


def _draw_speaker(img: Image.Image, style: Style, box: Box, wild: TileLook | None) -> None:
    """The active speaker's border (and Meet's speaking indicator at the top right)."""
    x, y, w, h = box
    draw = ImageDraw.Draw(img)
    if wild is not None:
        wild.draw_border(img, style, box)
    else:
        sw = style.speaker_width
        draw.rounded_rectangle((x, y, x + w - 1, y + h - 1), radius=style.radius, outline=style.speaker, width=sw)
    if style.platform == "meet":
        r = int(np.clip(h * 0.08, 10, 16))
        cx, cy = x + w - 12 - r, y + 12 + r
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(26, 115, 232))
        for k in (-1, 0, 1):
            draw.line(
                (
                    cx + k * r * 0.45,
                    cy - r * (0.5 if k == 0 else 0.3),
                    cx + k * r * 0.45,
                    cy + r * (0.5 if k == 0 else 0.3),
                ),
                fill=(255, 255, 255),
                width=max(2, r // 5),
            )


def draw_tile(
    img: Image.Image,
    style: Style,
    box: Box,
    person: Participant,
    speaking: bool,
    emotion: str | None = None,
    wild: TileLook | None = None,
) -> tuple[Box | None, str, Box]:
    """Draws one participant tile; returns (face box in frame pixels or None, shown name, label box). ``wild``
    (a wild scene's, :mod:`bot.synthetic.wild_tiles`) draws the picture, label and border its own way."""
    x, y, w, h = box
    face_box = None
    if person.camera == "on":
        face_box = _draw_video(img, style, box, person, emotion, wild)
    else:
        ImageDraw.Draw(img).rounded_rectangle((x, y, x + w - 1, y + h - 1), radius=style.radius, fill=style.tile_off)
        _avatar(img, style, box, person, person.camera == "phone")
    if style.platform == "meet" and person.muted:
        r = int(np.clip(h * 0.08, 10, 16))
        cx, cy = x + w - 12 - r, y + 12 + r
        blend_round_rect(img, (cx - r, cy - r, 2 * r, 2 * r), (32, 33, 36, 170), radius=r)
        draw_mic_off(ImageDraw.Draw(img), cx - r // 2, cy - r // 2, r, (255, 255, 255))
    if wild is not None:
        shown, label_box = wild.draw_label(img, style, box, person.name, person.muted)
    else:
        shown, label_box = _draw_label(img, style, box, person.name, person.muted)
    if speaking:
        _draw_speaker(img, style, box, wild)
    return face_box, shown, label_box
