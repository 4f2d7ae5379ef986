"""Draw a :class:`~bot.synthetic.scene.Scene` as a screen capture of a Zoom, Meet or Teams meeting.

``render_scene(scene) -> (bgr image, FrameTruth)``. The frame holds what a
capture of a real meeting holds: a desktop (wallpaper, taskbar or menu bar),
the app's window chrome (title bar, or Chrome's tabs and address bar for
Meet), the app's toolbars, the stage with the gallery (or a strip of tiles
beside shared content), page arrows and indicator, and a floating self-view.
Tiles show a sample face (gray FER crop, tinted, enlarged) in a room, or a
camera-off / dial-in placeholder, and the name label in the platform's font.
"""

from __future__ import annotations

import colorsys
import math
import random
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from bot.fonts import ellipsize, get_font
from bot.synthetic.layout import Box, grid_boxes, strip_capacity
from bot.synthetic.names import initials, normalize_name
from bot.synthetic.scene import EMOTIONS, FrameTruth, PageTruth, Participant, Scene, TileTruth
from bot.synthetic.styles import AVATAR_COLOURS, Style, style_for

FACES_DIR = Path(__file__).resolve().parent / "faces"
RGB = tuple[int, int, int]


# --------------------------------------------------------------------------- faces and video


@lru_cache(maxsize=1)
def sample_faces() -> dict[str, list[np.ndarray]]:
    """The shipped 48x48 gray faces by emotion."""
    faces: dict[str, list[np.ndarray]] = {}
    for emotion in EMOTIONS:
        for path in sorted(FACES_DIR.glob(f"{emotion}_*.png")):
            image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            if image is not None:
                faces.setdefault(emotion, []).append(image)
    if not faces:
        raise FileNotFoundError(f"no sample faces in {FACES_DIR}")
    return faces


def face_image(emotion: str, index: int) -> np.ndarray:
    faces = sample_faces()
    options = faces.get(emotion) or next(iter(faces.values()))
    return options[index % len(options)]


_SKIN_TINTS = ((1.0, 0.87, 0.76), (0.98, 0.82, 0.68), (0.86, 0.68, 0.54), (0.7, 0.52, 0.4), (1.0, 0.93, 0.86))


@lru_cache(maxsize=256)
def _room(look: int) -> np.ndarray:
    """A small RGB picture of someone's room (or a blurred virtual background), 96x160; resized per tile."""
    rng = random.Random(look)
    h, w = 96, 160
    hue = rng.random()
    dark = rng.random() < 0.06  # a dim room: near-black walls, as webcams show at night
    top = (
        np.array(
            colorsys.hsv_to_rgb(
                hue, rng.uniform(0.05, 0.35), rng.uniform(0.0, 0.06) if dark else rng.uniform(0.35, 0.9)
            )
        )
        * 255
    )
    bottom = (
        np.array(
            colorsys.hsv_to_rgb(
                (hue + rng.uniform(-0.1, 0.1)) % 1,
                rng.uniform(0.1, 0.4),
                rng.uniform(0.0, 0.05) if dark else rng.uniform(0.2, 0.7),
            )
        )
        * 255
    )
    t = np.linspace(0, 1, h)[:, None, None]
    room = (top * (1 - t) + bottom * t) * np.ones((1, w, 1))
    for _ in range(0 if dark else rng.randint(1, 4)):  # shelves, a window, a picture, a door
        x0, y0 = rng.randrange(w), rng.randrange(h * 2 // 3)
        x1, y1 = min(w, x0 + rng.randint(10, 60)), min(h, y0 + rng.randint(8, 50))
        colour = np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.1, 0.7), rng.uniform(0.2, 1.0))) * 255
        room[y0:y1, x0:x1] = colour
        if rng.random() < 0.4:  # books on a shelf
            for bx in range(x0, x1, 3):
                room[y0 + 2 : y1, bx : bx + 2] = (
                    np.array(colorsys.hsv_to_rgb(rng.random(), 0.6, rng.uniform(0.3, 0.9))) * 255
                )
    room = room.astype(np.uint8)
    if rng.random() < 0.35:  # blurred background
        room = cv2.GaussianBlur(room, (0, 0), 6)
    return room


@lru_cache(maxsize=64)
def _feather(side: int) -> np.ndarray:
    """Alpha for pasting a face square: opaque centre, soft edges (the crop's border fades into the room)."""
    ramp = np.clip(np.minimum(np.arange(side), np.arange(side)[::-1]) / max(1.0, side * 0.12), 0, 1)
    alpha = np.minimum.outer(ramp, ramp)
    return alpha[..., None].astype(np.float32)


def render_video(person: Participant, width: int, height: int, emotion: str | None = None) -> tuple[np.ndarray, Box]:
    """One camera frame (RGB, ``height`` x ``width``) of ``person`` and the face box in it."""
    rng = random.Random(person.look * 7919 + 13)
    room = cv2.resize(_room(person.look), (width, height), interpolation=cv2.INTER_LINEAR)
    frame = room.astype(np.float32)
    tint = np.array(_SKIN_TINTS[person.look % len(_SKIN_TINTS)], dtype=np.float32)
    side = max(8, min(int(height * rng.uniform(0.5, 0.68)), int(width * 0.9)))
    cx = width / 2 + rng.uniform(-0.08, 0.08) * width
    x = int(np.clip(cx - side / 2, 0, width - side))
    y = int(np.clip(height * rng.uniform(0.1, 0.2), 0, height - side))
    # shoulders and neck under the face
    shirt = np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8))) * 255
    body = np.zeros((height, width), np.uint8)
    cv2.ellipse(body, (int(x + side / 2), int(y + side * 1.75)), (int(side * 0.95), int(side * 0.75)), 0, 0, 360, 1, -1)
    frame[body > 0] = shirt
    neck_x0, neck_x1 = int(x + side * 0.33), int(x + side * 0.67)
    frame[y + side // 2 : min(height, int(y + side * 1.15)), neck_x0:neck_x1] = tint * 150
    gray = cv2.resize(
        face_image(emotion or person.emotion or "neutral", person.face), (side, side), interpolation=cv2.INTER_LINEAR
    ).astype(np.float32)
    face = gray[..., None] * tint
    alpha = _feather(side)
    patch = frame[y : y + side, x : x + side]
    frame[y : y + side, x : x + side] = patch * (1 - alpha) + face * alpha
    return np.clip(frame, 0, 255).astype(np.uint8), (x, y, side, side)


# --------------------------------------------------------------------------- drawing helpers


def _blend_round_rect(img: Image.Image, box: Box, rgba: tuple[int, int, int, int], radius: int = 0) -> None:
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


def _paste(img: Image.Image, rgb: np.ndarray | Image.Image, xy: tuple[int, int], radius: int = 0) -> None:
    tile = rgb if isinstance(rgb, Image.Image) else Image.fromarray(rgb)
    if radius > 0:
        img.paste(tile, xy, _round_mask(tile.width, tile.height, radius))
    else:
        img.paste(tile, xy)


def _text(
    draw: ImageDraw.ImageDraw, xy, text: str, family: str, size: int, fill, weight: str = "Regular", anchor: str = "la"
) -> tuple[int, int, int, int]:
    font = get_font(family, size, weight)
    draw.text(xy, text, font=font, fill=fill, anchor=anchor)
    return draw.textbbox(xy, text, font=font, anchor=anchor)


def _chevron(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float, direction: str, fill, width: int) -> None:
    """A ">" ("right"), "<" ("left"), "^" ("up") or "v" ("down") chevron centred on (cx, cy), ``size`` long."""
    half = size / 2
    d = half * 0.55 * (1 if direction in {"right", "down"} else -1)
    if direction in {"up", "down"}:
        points = [(cx - half, cy - d), (cx, cy + d), (cx + half, cy - d)]
    else:
        points = [(cx - d, cy - half), (cx + d, cy), (cx - d, cy + half)]
    draw.line(points, fill=fill, width=width, joint="curve")


def _mic_off(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, fill, slash=None) -> None:
    """A muted microphone icon in a ``size`` square at (x, y)."""
    w = max(2, size // 3)
    cx = x + size // 2
    draw.rounded_rectangle((cx - w // 2, y, cx + w // 2, y + size * 0.6), radius=w // 2, fill=fill)
    draw.arc((cx - w, y + size * 0.2, cx + w, y + size * 0.75), 0, 180, fill=fill, width=max(1, size // 10))
    draw.line((cx, y + size * 0.75, cx, y + size * 0.9), fill=fill, width=max(1, size // 10))
    draw.line(
        (x + size * 0.15, y + size * 0.05, x + size * 0.85, y + size * 0.9), fill=slash or fill, width=max(1, size // 8)
    )


def _icon(draw: ImageDraw.ImageDraw, kind: str, cx: int, cy: int, s: int, fill) -> None:
    """Simple toolbar glyphs (camera, people, chat, share, record, smile, apps, hand, dots)."""
    h = s // 2
    lw = max(1, s // 10)
    if kind == "mic":
        _mic_off(draw, cx - h, cy - h, s, fill)
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


# --------------------------------------------------------------------------- desktop and window chrome


def _desktop(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    hue = rng.random()
    a = np.array(colorsys.hsv_to_rgb(hue, 0.6, 0.55)) * 255
    b = np.array(colorsys.hsv_to_rgb((hue + 0.15) % 1, 0.5, 0.95)) * 255
    t = np.linspace(0, 1, w)[None, :, None] * 0.6 + np.linspace(0, 1, h)[:, None, None] * 0.4
    wallpaper = (a * (1 - t) + b * t).astype(np.uint8)
    img.paste(Image.fromarray(wallpaper))
    draw = ImageDraw.Draw(img)
    for _ in range(4):
        r = rng.randint(h // 8, h // 3)
        cx, cy = rng.randrange(w), rng.randrange(h)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=tuple(int(v) for v in b), width=rng.randint(2, 30))


def _taskbar(img: Image.Image, scene: Scene, rng: random.Random) -> tuple[int, int]:
    """Draws the OS bars; returns (top, bottom) pixels they take."""
    w, h = img.size
    draw = ImageDraw.Draw(img)
    light = scene.theme == "light"
    if scene.os == "mac":
        bar = (236, 236, 236) if light else (38, 38, 40)
        fg = (20, 20, 20) if light else (235, 235, 235)
        draw.rectangle((0, 0, w, 24), fill=bar)
        draw.ellipse((14, 5, 28, 19), fill=fg)
        x = 44
        app = {"zoom": "zoom.us", "meet": "Google Chrome", "teams": "Microsoft Teams"}[scene.platform]
        for i, word in enumerate((app, "File", "Edit", "View", "Window", "Help")):
            box = _text(draw, (x, 12), word, "dejavu", 13, fg, "Bold" if i == 0 else "Regular", "lm")
            x = box[2] + 18
        _text(
            draw,
            (w - 12, 12),
            f"Tue 25 Nov  {rng.randint(8, 17)}:{rng.randint(0, 59):02d}",
            "dejavu",
            13,
            fg,
            anchor="rm",
        )
        return 24, 0
    bar = (238, 238, 238) if light else (28, 28, 30)
    fg = (20, 20, 20) if light else (240, 240, 240)
    top = h - 48
    draw.rectangle((0, top, w, h), fill=bar)
    count = 9
    x0 = w // 2 - count * 44 // 2
    for i in range(count):
        cx = x0 + i * 44 + 22
        if i == 0:
            for ox in (-6, 6):
                for oy in (-6, 6):
                    draw.rectangle((cx + ox - 5, top + 24 + oy - 5, cx + ox + 5, top + 24 + oy + 5), fill=(0, 120, 212))
        else:
            colour = tuple(int(v * 255) for v in colorsys.hsv_to_rgb(rng.random(), 0.7, 0.9))
            draw.rounded_rectangle((cx - 12, top + 12, cx + 12, top + 36), radius=5, fill=colour)
    hour, minute = rng.randint(8, 17), rng.randint(0, 59)
    _text(
        draw,
        (w - 16, top + 16),
        f"{(hour - 1) % 12 + 1}:{minute:02d} {'AM' if hour < 12 else 'PM'}",
        "dejavu",
        12,
        fg,
        anchor="rm",
    )
    _text(draw, (w - 16, top + 33), "11/25/2025", "dejavu", 12, fg, anchor="rm")
    for k in range(3):
        _icon(draw, ("chat", "smile", "record")[k], w - 120 - k * 26, top + 24, 14, fg)
    return 0, 48


def _title_bar(img: Image.Image, window: Box, scene: Scene, style: Style) -> int:
    """The window's title bar (or Chrome's tab strip and toolbar); returns its height."""
    draw = ImageDraw.Draw(img)
    x, y, w, _ = window
    bg, fg = style.chrome_bg, style.chrome_fg
    mac = scene.os == "mac"
    if scene.platform == "meet":  # a Chrome window
        draw.rectangle((x, y, x + w, y + 78), fill=bg)
        tab_bg = (53, 54, 58) if scene.theme != "light" else (255, 255, 255)
        tx = x + (80 if mac else 8)
        draw.rounded_rectangle((tx, y + 6, tx + 240, y + 40), radius=8, fill=tab_bg)
        draw.ellipse((tx + 10, y + 15, tx + 26, y + 31), fill=(0, 137, 123))
        _text(draw, (tx + 34, y + 23), "Meet - abc-defg-hij", "roboto", 12, fg, anchor="lm")
        _text(draw, (tx + 225, y + 23), "×", "dejavu", 14, fg, anchor="mm")
        _text(draw, (tx + 258, y + 23), "+", "dejavu", 18, fg, anchor="mm")
        draw.rectangle((x, y + 40, x + w, y + 78), fill=tab_bg)
        for k, glyph in enumerate(("←", "→", "⟳")):
            _text(draw, (x + 20 + k * 32, y + 59), glyph, "dejavu", 16, fg, anchor="mm")
        field = (62, 64, 68) if scene.theme != "light" else (241, 243, 244)
        draw.rounded_rectangle((x + 110, y + 45, x + w - 120, y + 73), radius=14, fill=field)
        _text(draw, (x + 130, y + 59), "meet.google.com/abc-defg-hij", "roboto", 14, fg, anchor="lm")
        draw.ellipse((x + w - 44, y + 47, x + w - 20, y + 71), fill=(26, 115, 232))
        _window_buttons(draw, x, y, w, 40, fg, mac)
        return 78
    height = 32 if not mac else 28
    draw.rectangle((x, y, x + w, y + height), fill=bg)
    title = {"zoom": "Zoom Meeting", "teams": "Physics 101 lecture | Microsoft Teams"}[scene.platform]
    if mac:
        _text(draw, (x + w // 2, y + height // 2), title, "dejavu", 13, fg, anchor="mm")
    else:
        colour = (11, 92, 255) if scene.platform == "zoom" else (91, 95, 199)
        draw.rounded_rectangle((x + 10, y + 8, x + 26, y + 24), radius=4, fill=colour)
        _text(draw, (x + 36, y + height // 2), title, "dejavu", 12, fg, anchor="lm")
    _window_buttons(draw, x, y, w, height, fg, mac)
    return height


def _window_buttons(draw: ImageDraw.ImageDraw, x: int, y: int, w: int, height: int, fg, mac: bool) -> None:
    if mac:
        for k, colour in enumerate(((255, 95, 86), (255, 189, 46), (39, 201, 63))):
            cx = x + 18 + k * 20
            draw.ellipse((cx - 6, y + height // 2 - 6, cx + 6, y + height // 2 + 6), fill=colour)
        return
    cy = y + height // 2
    right = x + w
    draw.line((right - 128, cy, right - 118, cy), fill=fg, width=1)
    draw.rectangle((right - 78, cy - 5, right - 68, cy + 5), outline=fg)
    draw.line((right - 28, cy - 5, right - 18, cy + 5), fill=fg, width=1)
    draw.line((right - 28, cy + 5, right - 18, cy - 5), fill=fg, width=1)


# --------------------------------------------------------------------------- app bars


def _zoom_bars(img: Image.Image, client: Box, style: Style, scene: Scene) -> Box:
    draw = ImageDraw.Draw(img)
    x, y, w, h = client
    fg = style.bar_fg
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=style.stage_bg)
    _icon(draw, "shield", x + 20, y + 16, 12, (35, 200, 90))
    draw.rounded_rectangle((x + w - 96, y + 6, x + w - 12, y + 28), radius=6, fill=(50, 50, 50))
    _icon(draw, "grid", x + w - 80, y + 17, 12, fg)
    _text(draw, (x + w - 66, y + 17), "View", "lato", 13, fg, anchor="lm")
    bar_h = 64
    by = y + h - bar_h
    draw.rectangle((x, by, x + w - 1, y + h - 1), fill=style.bar_bg)
    items = [
        ("mic", "Unmute"),
        ("camera", "Stop Video"),
        ("shield", "Security"),
        ("people", "Participants"),
        ("chat", "Chat"),
        ("share", "Share Screen"),
        ("record", "Record"),
        ("smile", "Reactions"),
        ("apps", "Apps"),
    ]
    step = min(92, (w - 160) // len(items))
    x0 = x + (w - step * len(items)) // 2
    for k, (kind, label) in enumerate(items):
        cx = x0 + k * step + step // 2
        colour = (35, 200, 90) if kind == "share" else fg
        _icon(draw, kind, cx, by + 22, 20, colour)
        if k < 2:
            _chevron(draw, cx + 20, by + 12, 8, "up", fg, 1)  # the small "^" menus beside Mute and Video
        _text(draw, (cx, by + 48), label, "lato", 11, fg, anchor="mm")
    draw.rounded_rectangle((x + w - 84, by + 16, x + w - 16, by + 46), radius=8, fill=(224, 36, 36))
    _text(draw, (x + w - 50, by + 31), "End", "lato", 14, (255, 255, 255), "Bold", anchor="mm")
    return (x, y + 34, w, h - 34 - bar_h)


def _meet_bars(img: Image.Image, client: Box, style: Style, scene: Scene, rng: random.Random) -> Box:
    draw = ImageDraw.Draw(img)
    x, y, w, h = client
    fg = style.bar_fg
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=style.stage_bg)
    bar_h = 80
    by = y + h - bar_h
    _text(
        draw,
        (x + 24, by + 40),
        f"{rng.randint(8, 12)}:{rng.randint(0, 59):02d} AM  |  abc-defg-hij",
        "roboto",
        16,
        fg,
        "Medium",
        anchor="lm",
    )
    kinds = ["mic", "camera", "smile", "share", "hand", "dots"]
    cx0 = x + w // 2 - (len(kinds) * 52 + 72) // 2
    for k, kind in enumerate(kinds):
        cx = cx0 + k * 52 + 20
        fill = (234, 67, 53) if kind in {"mic"} else (60, 64, 67)
        draw.ellipse((cx - 20, by + 20, cx + 20, by + 60), fill=fill)
        _icon(draw, kind, cx, by + 40, 18, (255, 255, 255))
    hx = cx0 + len(kinds) * 52 + 10
    draw.rounded_rectangle((hx, by + 20, hx + 56, by + 60), radius=20, fill=(234, 67, 53))
    draw.arc((hx + 14, by + 32, hx + 42, by + 54), 200, 340, fill=(255, 255, 255), width=4)
    for k, kind in enumerate(("people", "chat", "apps")):
        _icon(draw, kind, x + w - 140 + k * 44, by + 40, 20, fg)
    return (x, y, w, h - bar_h)


def _teams_bars(img: Image.Image, client: Box, style: Style, scene: Scene, rng: random.Random) -> Box:
    draw = ImageDraw.Draw(img)
    x, y, w, h = client
    fg = style.bar_fg
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=style.bar_bg)
    bar_h = 56
    _text(
        draw,
        (x + 20, y + bar_h // 2),
        f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        "open-sans",
        14,
        fg,
        "SemiBold",
        anchor="lm",
    )
    items = [
        ("chat", "Chat"),
        ("people", "People"),
        ("hand", "Raise"),
        ("smile", "React"),
        ("grid", "View"),
        ("apps", "Apps"),
        ("dots", "More"),
        ("camera", "Camera"),
        ("mic", "Mic"),
        ("share", "Share"),
    ]
    right = x + w - 110
    for k, (kind, label) in enumerate(reversed(items)):
        cx = right - k * 58 - 29
        if cx < x + 120:
            break
        _icon(draw, kind, cx, y + 20, 16, fg)
        _text(draw, (cx, y + 42), label, "open-sans", 10, fg, anchor="mm")
    draw.rounded_rectangle((x + w - 100, y + 12, x + w - 16, y + 44), radius=4, fill=(196, 49, 75))
    _text(draw, (x + w - 58, y + 28), "Leave", "open-sans", 13, (255, 255, 255), "SemiBold", anchor="mm")
    stage = (x + 8, y + bar_h, w - 16, h - bar_h - 8)
    draw.rounded_rectangle(
        (stage[0], stage[1], stage[0] + stage[2] - 1, stage[1] + stage[3] - 1), radius=8, fill=style.stage_bg
    )
    return stage


# --------------------------------------------------------------------------- tiles


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
    _blend_round_rect(img, (lx, ly, label_w, label_h), style.label_bg, radius=4)
    draw = ImageDraw.Draw(img)
    tx = lx + pad
    if icon and style.platform == "zoom":
        _mic_off(draw, tx, ly + (label_h - icon) // 2, icon, (255, 255, 255), slash=(235, 60, 60))
        tx += icon + 4
    draw.text((tx, ly + label_h // 2), shown, font=font, fill=style.label_fg, anchor="lm")
    if icon and style.platform == "teams":
        _mic_off(draw, tx + text_w + 4, ly + (label_h - icon) // 2, icon, style.label_fg)
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
        _text(
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
        _text(draw, (cx, cy), initials(person.name), "open-sans", int(d * 0.36), ink, "SemiBold", anchor="mm")
    elif style.platform == "meet":
        _text(draw, (cx, cy), initials(person.name)[:1], "roboto", int(d * 0.5), (255, 255, 255), anchor="mm")
    else:
        _text(draw, (cx, cy), initials(person.name), "lato", int(d * 0.36), (255, 255, 255), "Bold", anchor="mm")


def _draw_tile(
    img: Image.Image, style: Style, box: Box, person: Participant, speaking: bool, emotion: str | None = None
) -> tuple[Box | None, str, Box]:
    """Draws one participant tile; returns (face box in frame pixels or None, shown name, label box)."""
    x, y, w, h = box
    face_box = None
    if person.camera == "on":
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
        video, (fx, fy, fw, fh) = render_video(person, vw, vh, emotion)
        ox, oy = (w - vw) // 2, (h - vh) // 2
        tile[oy : oy + vh, ox : ox + vw] = video
        _paste(img, tile, (x, y), style.radius)
        face_box = (x + ox + fx, y + oy + fy, fw, fh)
    else:
        ImageDraw.Draw(img).rounded_rectangle((x, y, x + w - 1, y + h - 1), radius=style.radius, fill=style.tile_off)
        _avatar(img, style, box, person, person.camera == "phone")
    draw = ImageDraw.Draw(img)
    if style.platform == "meet" and person.muted:
        r = int(np.clip(h * 0.08, 10, 16))
        cx, cy = x + w - 12 - r, y + 12 + r
        _blend_round_rect(img, (cx - r, cy - r, 2 * r, 2 * r), (32, 33, 36, 170), radius=r)
        _mic_off(ImageDraw.Draw(img), cx - r // 2, cy - r // 2, r, (255, 255, 255))
    shown, label_box = _draw_label(img, style, box, person.name, person.muted)
    if speaking:
        draw = ImageDraw.Draw(img)
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
    return face_box, shown, label_box


# --------------------------------------------------------------------------- shared content


def _shared_content(img: Image.Image, area: Box, kind: str, rng: random.Random) -> Box:
    """Draws a shared screen (slides, code or a spreadsheet) fitted 16:9 into ``area``; returns its box."""
    ax, ay, aw, ah = area
    w = min(aw, int(ah * 16 / 9))
    h = int(w * 9 / 16)
    x, y = ax + (aw - w) // 2, ay + (ah - h) // 2
    draw = ImageDraw.Draw(img)
    s = h / 720
    if kind == "code":
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=(30, 30, 30))
        draw.rectangle((x, y, x + int(48 * s), y + h - 1), fill=(37, 37, 38))
        colours = ((86, 156, 214), (206, 145, 120), (220, 220, 170), (156, 220, 254), (106, 153, 85), (212, 212, 212))
        words = ("def", "return", "import", "numpy", "energy", "for", "in", "range", "self", "0.5", "print", "x")
        line_h = max(8, int(22 * s))
        for k in range(max(1, (h - 20) // line_h)):
            ly = y + 10 + k * line_h
            _text(draw, (x + int(40 * s), ly), str(k + 1), "dejavu", max(6, int(13 * s)), (133, 133, 133), anchor="ra")
            lx = x + int(60 * s) + rng.randint(0, 3) * int(24 * s)
            for _ in range(rng.randint(0, 6)):
                word = rng.choice(words)
                box = _text(draw, (lx, ly), word, "dejavu", max(6, int(14 * s)), rng.choice(colours))
                lx = box[2] + int(8 * s)
                if lx > x + w - 40:
                    break
    elif kind == "sheet":
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=(255, 255, 255))
        cw, ch = max(12, int(96 * s)), max(8, int(24 * s))
        draw.rectangle((x, y, x + w - 1, y + ch), fill=(243, 243, 243))
        for cx in range(x, x + w, cw):
            draw.line((cx, y, cx, y + h - 1), fill=(218, 220, 224))
        for cy in range(y, y + h, ch):
            draw.line((x, cy, x + w - 1, cy), fill=(218, 220, 224))
        for col in range(w // cw):
            _text(
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
                    _text(
                        draw,
                        (x + col * cw + cw - 4, y + row * ch + ch // 2),
                        f"{rng.uniform(0, 999):.1f}",
                        "dejavu",
                        max(6, int(12 * s)),
                        (32, 33, 36),
                        anchor="rm",
                    )
    else:
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=(255, 255, 255))
        accent = tuple(int(v * 255) for v in colorsys.hsv_to_rgb(rng.random(), 0.7, 0.7))
        draw.rectangle((x, y, x + w - 1, y + int(100 * s)), fill=accent)
        _text(
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
            _text(draw, (x + int(84 * s), ly), line, "lato", max(7, int(26 * s)), (40, 40, 40))
        bx0, by1 = x + int(800 * s), y + int(620 * s)
        for k in range(5):
            bh = int(rng.uniform(80, 360) * s)
            draw.rectangle((bx0 + k * int(80 * s), by1 - bh, bx0 + k * int(80 * s) + int(56 * s), by1), fill=accent)
        draw.line((bx0 - 10, by1, bx0 + int(400 * s), by1), fill=(90, 90, 90), width=2)
        _text(
            draw,
            (x + w - int(30 * s), y + h - int(24 * s)),
            str(rng.randint(2, 40)),
            "lato",
            max(6, int(16 * s)),
            (120, 120, 120),
            anchor="rm",
        )
    return (x, y, w, h)


# --------------------------------------------------------------------------- page controls


def _page_controls(
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
                _blend_round_rect(img, box, (255, 255, 255, 40) if style.theme != "light" else (0, 0, 0, 25), 6)
                _chevron(ImageDraw.Draw(img), box[0] + bw / 2, cy, 16, direction, fg, 3)
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
            _blend_round_rect(img, box, (255, 255, 255, 30) if style.theme != "light" else (0, 0, 0, 18), 4)
            _chevron(ImageDraw.Draw(img), bx + 16, cy, 12, direction, fg, 2)
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
            _blend_round_rect(img, box, (255, 255, 255, 28), 6)
            _chevron(ImageDraw.Draw(img), bx + bw / 2, cy, 22, direction, fg, 3)
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
        _chevron(ImageDraw.Draw(img), bx + d / 2, cy, 14, direction, (232, 234, 237), 3)
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


# --------------------------------------------------------------------------- the frame


def _self_view(
    img: Image.Image, style: Style, stage: Box, scene: Scene, scale: float, rng: random.Random, corner: str
) -> Box:
    sw, sh = (max(40, int(v * scale)) for v in style.self_view)
    x0, y0, w0, h0 = stage
    sw, sh = min(sw, w0 // 3), min(sh, h0 // 3)
    margin = 16
    x = x0 + w0 - sw - margin
    y = y0 + margin if corner == "top" else y0 + h0 - sh - margin
    shadow = Image.new("L", (sw + 24, sh + 24), 0)
    ImageDraw.Draw(shadow).rounded_rectangle((12, 14, sw + 12, sh + 14), radius=10, fill=120)
    shadow = shadow.filter(ImageFilter.GaussianBlur(6))
    img.paste((0, 0, 0), (x - 12, y - 12), shadow)
    me = Participant(scene.self_name, emotion=rng.choice(EMOTIONS), face=rng.randrange(5), look=scene.seed ^ 0x5EED)
    video, _ = render_video(me, sw, sh)
    _paste(img, video, (x, y), 8)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((x, y, x + sw - 1, y + sh - 1), radius=8, outline=(90, 90, 90), width=1)
    font = get_font(style.font, 11, style.label_weight)
    _blend_round_rect(img, (x + 6, y + sh - 24, int(font.getlength("You")) + 12, 18), (0, 0, 0, 140), 4)
    ImageDraw.Draw(img).text((x + 12, y + sh - 15), "You", font=font, fill=(255, 255, 255), anchor="lm")
    return (x, y, sw, sh)


def render_scene(scene: Scene, emotions: dict[int, str] | None = None) -> tuple[np.ndarray, FrameTruth]:
    """Draw ``scene``; returns the BGR frame and its ground truth. ``emotions`` overrides per participant index."""
    rng = random.Random(scene.seed)
    style = style_for(scene.platform, scene.theme, scene.bg_variant)
    if scene.wild:
        from bot.synthetic.wild import wild_style

        style = wild_style(style, random.Random(scene.seed + 1))
    width, height = scene.size
    img = Image.new("RGB", (width, height), style.stage_bg)
    truth = FrameTruth(scene.platform, style.theme, scene.layout, (width, height), tags=scene.tags)

    # desktop, OS bars and the window
    if scene.chrome == "none":
        window = (0, 0, width, height)
        client = window
    else:
        if scene.chrome == "window":
            _desktop(img, rng)
        top, bottom = _taskbar(img, scene, rng)
        if scene.chrome == "window":
            fw, fh = rng.uniform(0.72, 0.94), rng.uniform(0.78, 0.95)
            ww, wh = int(width * fw), int((height - top - bottom) * fh)
            wx = rng.randint(0, width - ww)
            wy = top + rng.randint(0, height - top - bottom - wh)
            shadow = Image.new("L", (ww + 40, wh + 40), 0)
            ImageDraw.Draw(shadow).rectangle((20, 24, ww + 20, wh + 24), fill=110)
            img.paste((0, 0, 0), (wx - 20, wy - 20), shadow.filter(ImageFilter.GaussianBlur(10)))
        else:
            wx, wy, ww, wh = 0, top, width, height - top - bottom
        window = (wx, wy, ww, wh)
        ImageDraw.Draw(img).rectangle((wx, wy, wx + ww - 1, wy + wh - 1), fill=style.stage_bg)
        title_h = _title_bar(img, window, scene, style)
        client = (wx, wy + title_h, ww, wh - title_h)
        if scene.chrome == "window":
            ImageDraw.Draw(img).rectangle((wx, wy, wx + ww - 1, wy + wh - 1), outline=(90, 90, 90))
    truth.window = window
    if scene.platform == "zoom":
        stage = _zoom_bars(img, client, style, scene)
    elif scene.platform == "meet":
        stage = _meet_bars(img, client, style, scene, rng)
    else:
        stage = _teams_bars(img, client, style, scene, rng)
    scale = min(width / 1920, height / 1080, 1.0) if scene.chrome != "window" else min(stage[2] / 1800, 1.0)
    scale = max(scale, 0.6)

    m = style.margin
    sx, sy, sw, sh = stage
    inner = (sx + m, sy + m, sw - 2 * m, sh - 2 * m)
    people = scene.participants
    placements: list[tuple[Box, int, int, int]] = []  # (box, row, col, participant index)
    page_truth = None
    if scene.layout == "gallery":
        total_pages = scene.pages
        page = min(max(scene.page, 0), total_pages - 1)
        visible = list(range(page * scene.per_page, min(len(people), (page + 1) * scene.per_page)))
        area = inner
        if total_pages > 1:
            if scene.platform == "teams":
                area = (inner[0], inner[1], inner[2], inner[3] - 40)
            else:
                side = 56
                area = (
                    inner[0] + side,
                    inner[1],
                    inner[2] - 2 * side,
                    inner[3] - (24 if scene.platform == "meet" else 0),
                )
        for (box, row, col), index in zip(
            grid_boxes(len(visible), area, style.aspect, style.gap), visible, strict=True
        ):
            placements.append((box, row, col, index))
        if total_pages > 1:
            page_truth = ("grid", page, total_pages)
    else:
        share_sel = scene.layout
        if share_sel == "share_side":
            strip_w = int(np.clip(sw * 0.2, 180, 380))
            content_area = (inner[0], inner[1], inner[2] - strip_w - m, inner[3])
            strip = (inner[0] + inner[2] - strip_w, inner[1], strip_w, inner[3])
            tw = strip_w
            th = int(tw / style.aspect)
            cap = strip_capacity(strip[3], th, style.gap)
            count = min(len(people), cap)
            grid_h = count * th + (count - 1) * style.gap
            y0 = strip[1] + (strip[3] - grid_h) // 2
            for k in range(count):
                placements.append(((strip[0], y0 + k * (th + style.gap), tw, th), k, 0, k))
        else:
            strip_h = int(np.clip(sh * 0.16, 90, 190))
            content_area = (inner[0], inner[1] + strip_h + m, inner[2], inner[3] - strip_h - m)
            th = strip_h
            tw = int(th * style.aspect)
            usable = inner[2] - 2 * 48
            cap = strip_capacity(usable, tw, style.gap)
            pages = max(1, -(-len(people) // cap))
            page = min(max(scene.page, 0), pages - 1)
            shown = list(range(page * cap, min(len(people), (page + 1) * cap)))
            row_w = len(shown) * tw + (len(shown) - 1) * style.gap
            x0 = inner[0] + (inner[2] - row_w) // 2
            for k, index in enumerate(shown):
                placements.append(((x0 + k * (tw + style.gap), inner[1], tw, th), 0, k, index))
            if pages > 1:
                page_truth = ("strip", page, pages)
        if scene.platform == "zoom":  # the green "You are viewing ..." bar sits over the shared screen
            content_area = (content_area[0], content_area[1] + 28, content_area[2], content_area[3] - 28)
        truth.shared_area = _shared_content(img, content_area, scene.content, rng)
        if scene.platform == "zoom":
            draw = ImageDraw.Draw(img)
            cx = truth.shared_area[0] + truth.shared_area[2] // 2
            top_y = truth.shared_area[1] - 26
            draw.rounded_rectangle((cx - 150, top_y, cx + 150, top_y + 22), radius=4, fill=(35, 180, 80))
            _text(
                draw,
                (cx, top_y + 11),
                f"You are viewing {people[0].name.split()[0]}'s screen",
                "lato",
                12,
                (255, 255, 255),
                anchor="mm",
            )

    for box, row, col, index in placements:
        person = people[index]
        emotion = (emotions or {}).get(index, person.emotion)
        face_box, shown, label_box = _draw_tile(img, style, box, person, scene.speaker == index, emotion)
        truth.tiles.append(
            TileTruth(
                box=box,
                row=row,
                col=col,
                display_name=person.name,
                shown_name=shown,
                normalized_name=normalize_name(person.name),
                face_box=face_box,
                emotion=emotion if person.camera == "on" else None,
                speaker=scene.speaker == index,
                camera=person.camera,
                label_box=label_box,
                participant=index,
            )
        )
    if truth.tiles:
        xs0 = min(t.box[0] for t in truth.tiles)
        ys0 = min(t.box[1] for t in truth.tiles)
        xs1 = max(t.box[0] + t.box[2] for t in truth.tiles)
        ys1 = max(t.box[1] + t.box[3] for t in truth.tiles)
        truth.gallery_area = (xs0, ys0, xs1 - xs0, ys1 - ys0)
    if page_truth is not None:
        kind, page, total_pages = page_truth
        truth.pages = _page_controls(
            img, style, stage, truth.gallery_area or inner, page, total_pages, strip=kind == "strip"
        )
        if kind == "strip":
            truth.pages.current = None
            truth.pages.total = None
    if scene.self_view:
        corner = "top" if scene.platform == "zoom" else "bottom"
        area = stage if scene.layout == "gallery" else (truth.shared_area or stage)
        truth.self_view = _self_view(img, style, area, scene, scale, rng, corner)
    frame = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    if scene.wild:
        from bot.synthetic.wild import degrade

        frame = degrade(frame, random.Random(scene.seed + 2))
    return frame, truth
