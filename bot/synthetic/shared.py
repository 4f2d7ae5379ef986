"""Shared-screen content for the synthetic meetings' screen-share layouts: slides, code or a spreadsheet."""

from __future__ import annotations

import colorsys
import random

from PIL import Image, ImageDraw

from bot.synthetic.drawing import draw_text
from bot.synthetic.layout import Box


def _code(draw: ImageDraw.ImageDraw, screen: Box, s: float, rng: random.Random) -> None:
    """An editor with numbered lines of coloured words (``s``: pixels per pixel of a 720-line screen)."""
    x, y, w, h = screen
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=(30, 30, 30))
    draw.rectangle((x, y, x + int(48 * s), y + h - 1), fill=(37, 37, 38))
    colours = ((86, 156, 214), (206, 145, 120), (220, 220, 170), (156, 220, 254), (106, 153, 85), (212, 212, 212))
    words = ("def", "return", "import", "numpy", "energy", "for", "in", "range", "self", "0.5", "print", "x")
    line_h = max(8, int(22 * s))
    for k in range(max(1, (h - 20) // line_h)):
        ly = y + 10 + k * line_h
        draw_text(draw, (x + int(40 * s), ly), str(k + 1), "dejavu", max(6, int(13 * s)), (133, 133, 133), anchor="ra")
        lx = x + int(60 * s) + rng.randint(0, 3) * int(24 * s)
        for _ in range(rng.randint(0, 6)):
            word = rng.choice(words)
            box = draw_text(draw, (lx, ly), word, "dejavu", max(6, int(14 * s)), rng.choice(colours))
            lx = box[2] + int(8 * s)
            if lx > x + w - 40:
                break


def _sheet(draw: ImageDraw.ImageDraw, screen: Box, s: float, rng: random.Random) -> None:
    """A spreadsheet: a grid with column letters and numbers in some cells."""
    x, y, w, h = screen
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=(255, 255, 255))
    cw, ch = max(12, int(96 * s)), max(8, int(24 * s))
    draw.rectangle((x, y, x + w - 1, y + ch), fill=(243, 243, 243))
    for cx in range(x, x + w, cw):
        draw.line((cx, y, cx, y + h - 1), fill=(218, 220, 224))
    for cy in range(y, y + h, ch):
        draw.line((x, cy, x + w - 1, cy), fill=(218, 220, 224))
    for col in range(w // cw):
        draw_text(
            draw,
            (x + col * cw + cw // 2, y + ch // 2),
            "ABCDEFGHIJKLMNOP"[col % 16],
            "dejavu",
            max(6, int(12 * s)),
            (60, 60, 60),
            anchor="mm",
        )
        for row in range(1, min(h // ch, 14)):
            if rng.random() < 0.6:
                draw_text(
                    draw,
                    (x + col * cw + cw - 4, y + row * ch + ch // 2),
                    f"{rng.uniform(0, 999):.1f}",
                    "dejavu",
                    max(6, int(12 * s)),
                    (32, 33, 36),
                    anchor="rm",
                )


def _slides(draw: ImageDraw.ImageDraw, screen: Box, s: float, rng: random.Random) -> None:
    """A lecture slide: a coloured title bar, bullets, a bar chart and the slide number."""
    x, y, w, h = screen
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=(255, 255, 255))
    accent = tuple(int(v * 255) for v in colorsys.hsv_to_rgb(rng.random(), 0.7, 0.7))
    draw.rectangle((x, y, x + w - 1, y + int(100 * s)), fill=accent)
    draw_text(
        draw,
        (x + int(48 * s), y + int(50 * s)),
        rng.choice(
            [
                "Lecture 7: Thermodynamics",
                "Week 3 — Linear Regression",
                "Cell Biology: Mitosis",
                "Intro to Microeconomics",
            ]
        ),
        "lato",
        max(8, int(40 * s)),
        (255, 255, 255),
        "Bold",
        anchor="lm",
    )
    bullets = [
        "Energy is conserved in a closed system",
        "Entropy never decreases",
        "Worked example: the piston",
        "Questions from last week",
        "Homework due Friday",
    ]
    for k, line in enumerate(bullets[: rng.randint(3, 5)]):
        ly = y + int((150 + k * 60) * s)
        draw.ellipse((x + int(56 * s), ly + int(8 * s), x + int(68 * s), ly + int(20 * s)), fill=accent)
        draw_text(draw, (x + int(84 * s), ly), line, "lato", max(7, int(26 * s)), (40, 40, 40))
    bx0, by1 = x + int(800 * s), y + int(620 * s)
    for k in range(5):
        bh = int(rng.uniform(80, 360) * s)
        draw.rectangle((bx0 + k * int(80 * s), by1 - bh, bx0 + k * int(80 * s) + int(56 * s), by1), fill=accent)
    draw.line((bx0 - 10, by1, bx0 + int(400 * s), by1), fill=(90, 90, 90), width=2)
    draw_text(
        draw,
        (x + w - int(30 * s), y + h - int(24 * s)),
        str(rng.randint(2, 40)),
        "lato",
        max(6, int(16 * s)),
        (120, 120, 120),
        anchor="rm",
    )


def shared_content(img: Image.Image, area: Box, kind: str, rng: random.Random) -> Box:
    """Draws a shared screen (slides, code or a spreadsheet) fitted 16:9 into ``area``; returns its box."""
    ax, ay, aw, ah = area
    w = min(aw, int(ah * 16 / 9))
    h = int(w * 9 / 16)
    x, y = ax + (aw - w) // 2, ay + (ah - h) // 2
    draw = ImageDraw.Draw(img)
    s = h / 720
    screen = (x, y, w, h)
    if kind == "code":
        _code(draw, screen, s, rng)
    elif kind == "sheet":
        _sheet(draw, screen, s, rng)
    else:
        _slides(draw, screen, s, rng)
    return (x, y, w, h)
