"""The tile of a *wild* scene (:mod:`bot.synthetic.wild`): name label, speaker border and camera picture drawn
other than the platform draws them.

- :class:`LabelLook` (one per scene, as a client draws every label alike): font family, weight and size, the
  label at the bottom left or the top left, on a backing box of any colour and opacity or straight on the
  video (with or without a drop shadow), a mic icon before the name of muted people or none;
- :class:`BorderLook` (one per scene): the active speaker's border colour and width, inside the tile or
  around it (only where the gap leaves room, so that it never covers a neighbour);
- :class:`TileLook` (one per tile, from the scene's seed and the tile's participant): the background behind
  the person (their room, or a gradient, a noise texture, blurred shapes, stripes), the lighting (brightness,
  contrast, colour cast) and sometimes a hand-like blob or a bar in front of the camera.

The truth stays exact: the label box is the drawn backing (or the text and icon where there is none), the
face box is the face's even where a hand covers part of it.
"""

from __future__ import annotations

import colorsys
import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from bot.fonts import ellipsize, get_font
from bot.synthetic.drawing import blend_round_rect, draw_mic_off
from bot.synthetic.layout import Box
from bot.synthetic.styles import RGB, RGBA, Style

#: (family, weight) pairs the labels are drawn in: the bundled faces of :mod:`bot.fonts`
FONTS = (
    ("lato", "Regular"),
    ("lato", "Bold"),
    ("lato", "Medium"),
    ("roboto", "Regular"),
    ("roboto", "Medium"),
    ("open-sans", "Regular"),
    ("open-sans", "SemiBold"),
    ("dejavu", "Regular"),
    ("dejavu", "Bold"),
)
BACKGROUNDS = ("room", "gradient", "noise", "shapes", "stripes")
OCCLUSIONS = ("hand", "bar")
BORDER_COLOURS: tuple[RGB, ...] = (
    (0, 204, 74),
    (35, 220, 120),
    (138, 180, 248),
    (26, 115, 232),
    (127, 133, 245),
    (91, 95, 199),
    (255, 200, 40),
    (255, 255, 255),
    (250, 120, 40),
)


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v), dtype=np.float32) * 255


# --------------------------------------------------------------------------- the name label


@dataclass(frozen=True)
class LabelLook:
    family: str
    weight: str
    size_ratio: float  # font size as a share of the tile height
    size_range: tuple[int, int]
    position: str  # "bottom" or "top" (left)
    backing: RGBA | None  # None: the text straight on the video
    fg: RGB
    shadow: bool  # a drop shadow under the text (labels without a backing mostly have one)
    icon: bool  # a mic icon before the name of muted people
    inset: int  # from the tile's edges to the label
    pad: int  # inside the backing
    radius: int


def random_label_look(rng: random.Random) -> LabelLook:
    family, weight = rng.choice(FONTS)
    kind = rng.choice(("dark", "dark", "light", "colour", "none", "none"))
    fg: RGB = (255, 255, 255)
    backing: RGBA | None = None
    if kind == "dark":
        grey = rng.randint(0, 50)
        backing = (grey, grey, grey, rng.randint(70, 240))
    elif kind == "light":
        grey = rng.randint(225, 255)
        backing = (grey, grey, grey, rng.randint(150, 235))
        fg = (rng.randint(20, 60),) * 3
    elif kind == "colour":
        r, g, b = (int(c) for c in _hsv(rng.random(), rng.uniform(0.4, 0.8), rng.uniform(0.3, 0.6)))
        backing = (r, g, b, rng.randint(160, 240))
    low = rng.randint(9, 12)
    return LabelLook(
        family=family,
        weight=weight,
        size_ratio=rng.uniform(0.06, 0.11),
        size_range=(low, low + rng.randint(4, 14)),
        position=rng.choice(("bottom", "bottom", "top")),
        backing=backing,
        fg=fg,
        shadow=backing is None and rng.random() < 0.8,
        icon=rng.random() < 0.5,
        inset=rng.randint(0, 12),
        pad=rng.randint(3, 9),
        radius=rng.choice((0, 2, 4, 6, 10)),
    )


def draw_label(img: Image.Image, look: LabelLook, box: Box, name: str, muted: bool) -> tuple[str, Box]:
    """The name label as ``look`` draws it; returns (shown text, label box in frame pixels)."""
    x, y, w, h = box
    size = int(np.clip(round(h * look.size_ratio), *look.size_range))
    font = get_font(look.family, size, look.weight)
    icon = size if (look.icon and muted) else 0
    pad = look.pad if look.backing is not None else 0
    inset = max(look.inset, 2)
    label_h = size + 2 * pad + (4 if look.backing is not None else 0)
    room = w - 2 * inset - 2 * pad - (icon + 4 if icon else 0) - 4
    if look.position == "top":
        room = min(room, int(w * 0.72))  # leave the top right to the platform's mic and speaker icons
    shown = ellipsize(name, font, max(10, room))
    text_w = math.ceil(font.getlength(shown))
    label_w = min(w - 2 * inset, text_w + 2 * pad + (icon + 4 if icon else 0))
    lx = x + inset
    ly = y + inset if look.position == "top" else y + h - inset - label_h
    if look.backing is not None:
        blend_round_rect(img, (lx, ly, label_w, label_h), look.backing, radius=min(look.radius, label_h // 2))
    draw = ImageDraw.Draw(img)
    tx, cy = lx + pad, ly + label_h // 2
    if icon:
        draw_mic_off(draw, tx, cy - icon // 2, icon, look.fg, slash=(235, 60, 60) if look.fg[0] > 128 else None)
        tx += icon + 4
    if look.shadow:
        for dx, dy in ((1, 1), (0, 1), (1, 0)):
            draw.text((tx + dx, cy + dy), shown, font=font, fill=(0, 0, 0), anchor="lm")
    draw.text((tx, cy), shown, font=font, fill=look.fg, anchor="lm")
    if look.backing is not None:
        return shown, (lx, ly, label_w, label_h)
    left, top, right, bottom = draw.textbbox((tx, cy), shown, font=font, anchor="lm")
    x0 = lx if icon else left
    y0, y1 = min(top, cy - icon // 2), max(bottom + (1 if look.shadow else 0), cy - icon // 2 + icon)
    return shown, (x0, y0, right + (1 if look.shadow else 0) - x0 + 1, y1 - y0 + 1)


# --------------------------------------------------------------------------- the speaker's border


@dataclass(frozen=True)
class BorderLook:
    colour: RGB
    width: int
    outside: bool  # drawn around the tile (where the gap leaves room) rather than inside it


def random_border_look(rng: random.Random) -> BorderLook:
    return BorderLook(rng.choice(BORDER_COLOURS), rng.randint(1, 6), rng.random() < 0.4)


def draw_border(img: Image.Image, look: BorderLook, style: Style, box: Box) -> None:
    x, y, w, h = box
    width = look.width
    grow = 0
    if look.outside and style.gap >= 2:
        width = min(width, style.gap // 2)  # half the gap: a neighbour's border never meets this one
        grow = width
    r = style.radius + grow if style.radius else 0
    ImageDraw.Draw(img).rounded_rectangle(
        (x - grow, y - grow, x + w - 1 + grow, y + h - 1 + grow), radius=r, outline=look.colour, width=width
    )


# --------------------------------------------------------------------------- the camera picture


def _gradient(rng: random.Random, h: int, w: int) -> np.ndarray:
    a, b = (
        _hsv(rng.random(), rng.uniform(0, 0.7), rng.uniform(0.1, 1)),
        _hsv(rng.random(), rng.uniform(0, 0.7), rng.uniform(0.1, 1)),
    )
    angle = rng.uniform(0, math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = xx / w * math.cos(angle) + yy / h * math.sin(angle)
    t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    return a * (1 - t[..., None]) + b * t[..., None]


def _noise(rng: random.Random, h: int, w: int) -> np.ndarray:
    g = np.random.default_rng(rng.randrange(2**32))
    cells = rng.choice((4, 8, 16, 32))
    coarse = g.random((max(2, h // cells), max(2, w // cells), 1)).astype(np.float32)
    field = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)[..., None]
    fine = g.normal(0, rng.uniform(0.02, 0.12), (h, w, 1)).astype(np.float32)
    base, other = (
        _hsv(rng.random(), rng.uniform(0, 0.6), rng.uniform(0.2, 0.9)),
        _hsv(rng.random(), rng.uniform(0, 0.6), rng.uniform(0.2, 0.9)),
    )
    t = np.clip(field + fine, 0, 1)
    return base * (1 - t) + other * t


def _shapes(rng: random.Random, h: int, w: int) -> np.ndarray:
    canvas = np.empty((h, w, 3), np.float32)
    canvas[:] = _hsv(rng.random(), rng.uniform(0, 0.5), rng.uniform(0.2, 0.9))
    for _ in range(rng.randint(3, 12)):
        colour = tuple(float(c) for c in _hsv(rng.random(), rng.uniform(0, 0.9), rng.uniform(0.1, 1)))
        centre = (rng.randrange(w), rng.randrange(h))
        if rng.random() < 0.5:
            axes = (rng.randint(3, max(4, w // 3)), rng.randint(3, max(4, h // 3)))
            cv2.ellipse(canvas, centre, axes, rng.uniform(0, 180), 0, 360, colour, -1)
        else:
            corner = (centre[0] + rng.randint(5, max(6, w // 2)), centre[1] + rng.randint(5, max(6, h // 2)))
            cv2.rectangle(canvas, centre, corner, colour, -1)
    return cv2.GaussianBlur(canvas, (0, 0), rng.uniform(0.5, 6.0))


def _stripes(rng: random.Random, h: int, w: int) -> np.ndarray:
    a, b = (
        _hsv(rng.random(), rng.uniform(0, 0.6), rng.uniform(0.2, 0.9)),
        _hsv(rng.random(), rng.uniform(0, 0.6), rng.uniform(0.2, 0.9)),
    )
    period = rng.uniform(6, 40)
    angle = rng.uniform(0, math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    phase = (xx * math.cos(angle) + yy * math.sin(angle)) / period
    t = (np.sin(phase * 2 * math.pi) > rng.uniform(-0.5, 0.5)).astype(np.float32)
    t = cv2.GaussianBlur(t, (0, 0), rng.uniform(0.3, 2.0))[..., None]
    return a * (1 - t) + b * t


_PAINTERS = {"gradient": _gradient, "noise": _noise, "shapes": _shapes, "stripes": _stripes}


def _hand(mask: np.ndarray, rng: random.Random, face: Box) -> None:
    """A palm and four fingers near the face (covering part of it or not)."""
    h, w = mask.shape
    fx, fy, fw, fh = face
    cx = int(np.clip(fx + fw * rng.uniform(-0.4, 1.4), 0, w - 1))
    cy = int(np.clip(fy + fh * rng.uniform(0.6, 1.6), 0, h - 1))
    palm = max(4, int(fw * rng.uniform(0.25, 0.45)))
    angle = rng.uniform(-40, 40)
    cv2.ellipse(mask, (cx, cy), (palm, int(palm * 1.2)), angle, 0, 360, 1.0, -1)
    for k in range(4):
        a = math.radians(angle - 90 + (k - 1.5) * 14)
        length = palm * rng.uniform(1.2, 1.8)
        tip = (int(cx + math.cos(a) * length * 1.3), int(cy + math.sin(a) * length * 1.3))
        cv2.line(mask, (cx, cy), tip, 1.0, max(2, palm // 3))
    cv2.line(mask, (cx, cy), (int(cx + rng.uniform(-0.3, 0.3) * w), h + palm), 1.0, max(3, int(palm * 1.3)))


def _bar(mask: np.ndarray, rng: random.Random) -> None:
    """A bar across part of the picture (an arm, a mug, a microphone boom, a sticker on the lens)."""
    h, w = mask.shape
    thick = max(3, int(min(h, w) * rng.uniform(0.08, 0.25)))
    if rng.random() < 0.5:
        y = rng.randint(0, h - 1)
        cv2.line(mask, (-5, y), (w + 5, y + rng.randint(-h // 3, h // 3)), 1.0, thick)
    else:
        x = rng.randint(0, w - 1)
        cv2.line(mask, (x, h + 5), (x + rng.randint(-w // 4, w // 4), rng.randint(h // 3, h)), 1.0, thick)


@dataclass(frozen=True)
class TileLook:
    label: LabelLook
    border: BorderLook
    seed: int  # this tile's draws: background, lighting, occlusion
    background: str  # one of BACKGROUNDS
    gain: float
    contrast: float
    cast: tuple[float, float, float]
    occlusion: str | None  # one of OCCLUSIONS, or None

    def room(self, width: int, height: int) -> np.ndarray | None:
        """The picture behind the person (RGB, height x width), or None for their own room."""
        if self.background == "room":
            return None
        rng = random.Random(self.seed)
        sh, sw = max(8, height // 4), max(8, width // 4)  # painted small, then enlarged, as a camera blurs
        small = _PAINTERS[self.background](rng, sh, sw)
        picture = cv2.resize(np.clip(small, 0, 255).astype(np.uint8), (width, height), interpolation=cv2.INTER_LINEAR)
        return picture

    def treat(self, video: np.ndarray, face: Box) -> np.ndarray:
        """The camera picture lit as this tile's room is, with a hand or a bar in front of it maybe."""
        rng = random.Random(self.seed ^ 0xC0FFEE)
        out = video.astype(np.float32)
        if self.occlusion is not None:
            mask = np.zeros(video.shape[:2], np.float32)
            _hand(mask, rng, face) if self.occlusion == "hand" else _bar(mask, rng)
            mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(0.6, 2.5))[..., None]
            if self.occlusion == "hand":
                colour = np.array((1.0, 0.8, 0.68), np.float32) * rng.uniform(90, 235)
            else:
                colour = _hsv(rng.random(), rng.uniform(0, 0.8), rng.uniform(0.05, 0.9))
            out = out * (1 - mask) + colour * mask
        mean = out.mean(axis=(0, 1), keepdims=True)
        out = (out - mean) * self.contrast + mean * self.gain
        out *= np.array(self.cast, np.float32)
        return np.clip(out, 0, 255).astype(np.uint8)

    def draw_label(self, img: Image.Image, style: Style, box: Box, name: str, muted: bool) -> tuple[str, Box]:
        return draw_label(img, self.label, box, name, muted)

    def draw_border(self, img: Image.Image, style: Style, box: Box) -> None:
        draw_border(img, self.border, style, box)


def tile_look(label: LabelLook, border: BorderLook, seed: int, textured: float, occluded: float) -> TileLook:
    """One tile's look; ``seed`` is the scene's and the participant's, ``textured`` and ``occluded`` the
    scene's shares of drawn backgrounds and of covered cameras."""
    rng = random.Random(seed)
    background = rng.choice(BACKGROUNDS[1:]) if rng.random() < textured else "room"
    occlusion = rng.choice(OCCLUSIONS) if rng.random() < occluded else None
    return TileLook(
        label=label,
        border=border,
        seed=rng.randrange(2**31),
        background=background,
        gain=rng.uniform(0.55, 1.35),
        contrast=rng.uniform(0.6, 1.3),
        cast=(rng.uniform(0.85, 1.15), rng.uniform(0.9, 1.1), rng.uniform(0.85, 1.15)),
        occlusion=occlusion,
    )
