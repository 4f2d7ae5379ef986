"""Drawing helpers for the synthetic meeting frames (Pillow): translucent rounded boxes, pasting with round
corners, text in the bundled fonts, chevrons and the toolbar glyphs."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from bot.fonts import get_font
from bot.synthetic.layout import Box


def blend_round_rect(img: Image.Image, box: Box, rgba: tuple[int, int, int, int], radius: int = 0) -> None:
    x, y, w, h = box
    x0, y0, x1, y1 = max(0, x), max(0, y), min(img.width, x + w), min(img.height, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    region = img.crop((x0, y0, x1, y1)).convert("RGBA")
    overlay = Image.new("RGBA", region.size, (0, 0, 0, 0))
    ImageDraw.Draw(overlay).rounded_rectangle((x - x0, y - y0, x - x0 + w - 1, y - y0 + h - 1), radius, fill=rgba)
    img.paste(Image.alpha_composite(region, overlay).convert("RGB"), (x0, y0))


@lru_cache(maxsize=128)
def _round_mask(w: int, h: int, radius: int) -> Image.Image:
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius, fill=255)
    return mask


def paste_image(img: Image.Image, rgb: np.ndarray | Image.Image, xy: tuple[int, int], radius: int = 0) -> None:
    tile = rgb if isinstance(rgb, Image.Image) else Image.fromarray(rgb)
    if radius > 0:
        img.paste(tile, xy, _round_mask(tile.width, tile.height, radius))
    else:
        img.paste(tile, xy)


def draw_text(
    draw: ImageDraw.ImageDraw, xy, text: str, family: str, size: int, fill, weight: str = "Regular", anchor: str = "la"
) -> tuple[int, int, int, int]:
    font = get_font(family, size, weight)
    draw.text(xy, text, font=font, fill=fill, anchor=anchor)
    return draw.textbbox(xy, text, font=font, anchor=anchor)


def draw_chevron(
    draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float, direction: str, fill, width: int
) -> None:
    """A ">" ("right"), "<" ("left"), "^" ("up") or "v" ("down") chevron centred on (cx, cy), ``size`` long."""
    half = size / 2
    d = half * 0.55 * (1 if direction in {"right", "down"} else -1)
    if direction in {"up", "down"}:
        points = [(cx - half, cy - d), (cx, cy + d), (cx + half, cy - d)]
    else:
        points = [(cx - d, cy - half), (cx + d, cy), (cx - d, cy + half)]
    draw.line(points, fill=fill, width=width, joint="curve")


def draw_mic_off(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, fill, slash=None) -> None:
    """A muted microphone icon in a ``size`` square at (x, y)."""
    w = max(2, size // 3)
    cx = x + size // 2
    draw.rounded_rectangle((cx - w // 2, y, cx + w // 2, y + size * 0.6), radius=w // 2, fill=fill)
    draw.arc((cx - w, y + size * 0.2, cx + w, y + size * 0.75), 0, 180, fill=fill, width=max(1, size // 10))
    draw.line((cx, y + size * 0.75, cx, y + size * 0.9), fill=fill, width=max(1, size // 10))
    draw.line(
        (x + size * 0.15, y + size * 0.05, x + size * 0.85, y + size * 0.9), fill=slash or fill, width=max(1, size // 8)
    )


def draw_icon(draw: ImageDraw.ImageDraw, kind: str, cx: int, cy: int, s: int, fill) -> None:
    """Simple toolbar glyphs (camera, people, chat, share, record, smile, apps, hand, dots)."""
    h = s // 2
    lw = max(1, s // 10)
    if kind == "mic":
        draw_mic_off(draw, cx - h, cy - h, s, fill)
    elif kind == "camera":
        draw.rounded_rectangle(
            (cx - h, cy - h * 0.6, cx + h * 0.4, cy + h * 0.6), radius=s // 8, outline=fill, width=lw
        )
        draw.polygon([(cx + h * 0.45, cy), (cx + h, cy - h * 0.5), (cx + h, cy + h * 0.5)], outline=fill)
    elif kind == "people":
        draw.ellipse((cx - h * 0.8, cy - h, cx, cy - h * 0.2), outline=fill, width=lw)
        draw.arc((cx - h, cy - h * 0.1, cx + h * 0.2, cy + h * 1.1), 180, 360, fill=fill, width=lw)
        draw.ellipse((cx + h * 0.1, cy - h * 0.8, cx + h * 0.8, cy - h * 0.1), outline=fill, width=lw)
    elif kind == "chat":
        draw.rounded_rectangle((cx - h, cy - h * 0.7, cx + h, cy + h * 0.5), radius=s // 6, outline=fill, width=lw)
        draw.polygon([(cx - h * 0.5, cy + h * 0.5), (cx - h * 0.6, cy + h), (cx, cy + h * 0.5)], fill=fill)
    elif kind == "share":
        draw.rounded_rectangle((cx - h, cy - h * 0.7, cx + h, cy + h * 0.7), radius=s // 8, outline=fill, width=lw)
        draw.line((cx, cy + h * 0.4, cx, cy - h * 0.4), fill=fill, width=lw)
        draw.line((cx - h * 0.35, cy - h * 0.05, cx, cy - h * 0.4, cx + h * 0.35, cy - h * 0.05), fill=fill, width=lw)
    elif kind == "record":
        draw.ellipse((cx - h, cy - h, cx + h, cy + h), outline=fill, width=lw)
        draw.ellipse((cx - h * 0.45, cy - h * 0.45, cx + h * 0.45, cy + h * 0.45), fill=fill)
    elif kind == "smile":
        draw.ellipse((cx - h, cy - h, cx + h, cy + h), outline=fill, width=lw)
        draw.arc((cx - h * 0.55, cy - h * 0.4, cx + h * 0.55, cy + h * 0.6), 20, 160, fill=fill, width=lw)
    elif kind == "apps":
        q = max(2, int(h * 0.8))
        for ox in (-1, 1):
            for oy in (-1, 1):
                x0 = cx + (ox - 1) * q // 2 + (1 if ox > 0 else -1)
                y0 = cy + (oy - 1) * q // 2 + (1 if oy > 0 else -1)
                draw.rounded_rectangle((x0, y0, x0 + q - 1, y0 + q - 1), radius=1, outline=fill, width=lw)
    elif kind == "hand":
        draw.rounded_rectangle(
            (cx - h * 0.6, cy - h * 0.2, cx + h * 0.6, cy + h), radius=s // 4, outline=fill, width=lw
        )
        for k in range(4):
            fx = cx - h * 0.55 + k * h * 0.37
            draw.line((fx, cy - h * 0.2, fx, cy - h * (0.9 - 0.1 * abs(k - 1.5))), fill=fill, width=lw)
    elif kind == "dots":
        for k in (-1, 0, 1):
            draw.ellipse((cx + k * h * 0.7 - lw, cy - lw, cx + k * h * 0.7 + lw, cy + lw), fill=fill)
    elif kind == "shield":
        draw.polygon([(cx - h, cy - h), (cx + h, cy - h), (cx + h, cy), (cx, cy + h), (cx - h, cy)], fill=fill)
    elif kind == "grid":
        q = s / 3
        for ox in range(2):
            for oy in range(2):
                draw.rectangle(
                    (
                        cx - h + ox * q * 1.5,
                        cy - h + oy * q * 1.5,
                        cx - h + ox * q * 1.5 + q,
                        cy - h + oy * q * 1.5 + q,
                    ),
                    fill=fill,
                )
