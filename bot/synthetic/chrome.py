"""What surrounds the stage in a synthetic meeting frame: the desktop and OS bars, the window's title bar (or
Chrome's tabs and address bar for Meet) and each app's own toolbars."""

from __future__ import annotations

import colorsys
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from bot.synthetic.drawing import draw_chevron, draw_icon, draw_text
from bot.synthetic.layout import Box
from bot.synthetic.scene import Scene
from bot.synthetic.styles import Style

# --------------------------------------------------------------------------- desktop and window chrome


def draw_desktop(img: Image.Image, rng: random.Random) -> None:
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


def draw_taskbar(img: Image.Image, scene: Scene, rng: random.Random) -> tuple[int, int]:
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
            box = draw_text(draw, (x, 12), word, "dejavu", 13, fg, "Bold" if i == 0 else "Regular", "lm")
            x = box[2] + 18
        draw_text(
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
    draw_text(
        draw,
        (w - 16, top + 16),
        f"{(hour - 1) % 12 + 1}:{minute:02d} {'AM' if hour < 12 else 'PM'}",
        "dejavu",
        12,
        fg,
        anchor="rm",
    )
    draw_text(draw, (w - 16, top + 33), "11/25/2025", "dejavu", 12, fg, anchor="rm")
    for k in range(3):
        draw_icon(draw, ("chat", "smile", "record")[k], w - 120 - k * 26, top + 24, 14, fg)
    return 0, 48


def draw_title_bar(img: Image.Image, window: Box, scene: Scene, style: Style) -> int:
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
        draw_text(draw, (tx + 34, y + 23), "Meet - abc-defg-hij", "roboto", 12, fg, anchor="lm")
        draw_text(draw, (tx + 225, y + 23), "×", "dejavu", 14, fg, anchor="mm")
        draw_text(draw, (tx + 258, y + 23), "+", "dejavu", 18, fg, anchor="mm")
        draw.rectangle((x, y + 40, x + w, y + 78), fill=tab_bg)
        for k, glyph in enumerate(("←", "→", "⟳")):
            draw_text(draw, (x + 20 + k * 32, y + 59), glyph, "dejavu", 16, fg, anchor="mm")
        field = (62, 64, 68) if scene.theme != "light" else (241, 243, 244)
        draw.rounded_rectangle((x + 110, y + 45, x + w - 120, y + 73), radius=14, fill=field)
        draw_text(draw, (x + 130, y + 59), "meet.google.com/abc-defg-hij", "roboto", 14, fg, anchor="lm")
        draw.ellipse((x + w - 44, y + 47, x + w - 20, y + 71), fill=(26, 115, 232))
        _window_buttons(draw, x, y, w, 40, fg, mac)
        return 78
    height = 32 if not mac else 28
    draw.rectangle((x, y, x + w, y + height), fill=bg)
    title = {"zoom": "Zoom Meeting", "teams": "Physics 101 lecture | Microsoft Teams"}[scene.platform]
    if mac:
        draw_text(draw, (x + w // 2, y + height // 2), title, "dejavu", 13, fg, anchor="mm")
    else:
        colour = (11, 92, 255) if scene.platform == "zoom" else (91, 95, 199)
        draw.rounded_rectangle((x + 10, y + 8, x + 26, y + 24), radius=4, fill=colour)
        draw_text(draw, (x + 36, y + height // 2), title, "dejavu", 12, fg, anchor="lm")
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


def zoom_bars(img: Image.Image, client: Box, style: Style, scene: Scene) -> Box:
    draw = ImageDraw.Draw(img)
    x, y, w, h = client
    fg = style.bar_fg
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=style.stage_bg)
    draw_icon(draw, "shield", x + 20, y + 16, 12, (35, 200, 90))
    draw.rounded_rectangle((x + w - 96, y + 6, x + w - 12, y + 28), radius=6, fill=(50, 50, 50))
    draw_icon(draw, "grid", x + w - 80, y + 17, 12, fg)
    draw_text(draw, (x + w - 66, y + 17), "View", "lato", 13, fg, anchor="lm")
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
        draw_icon(draw, kind, cx, by + 22, 20, colour)
        if k < 2:
            draw_chevron(draw, cx + 20, by + 12, 8, "up", fg, 1)  # the small "^" menus beside Mute and Video
        draw_text(draw, (cx, by + 48), label, "lato", 11, fg, anchor="mm")
    draw.rounded_rectangle((x + w - 84, by + 16, x + w - 16, by + 46), radius=8, fill=(224, 36, 36))
    draw_text(draw, (x + w - 50, by + 31), "End", "lato", 14, (255, 255, 255), "Bold", anchor="mm")
    return (x, y + 34, w, h - 34 - bar_h)


def meet_bars(img: Image.Image, client: Box, style: Style, scene: Scene, rng: random.Random) -> Box:
    draw = ImageDraw.Draw(img)
    x, y, w, h = client
    fg = style.bar_fg
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=style.stage_bg)
    bar_h = 80
    by = y + h - bar_h
    draw_text(
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
        draw_icon(draw, kind, cx, by + 40, 18, (255, 255, 255))
    hx = cx0 + len(kinds) * 52 + 10
    draw.rounded_rectangle((hx, by + 20, hx + 56, by + 60), radius=20, fill=(234, 67, 53))
    draw.arc((hx + 14, by + 32, hx + 42, by + 54), 200, 340, fill=(255, 255, 255), width=4)
    for k, kind in enumerate(("people", "chat", "apps")):
        draw_icon(draw, kind, x + w - 140 + k * 44, by + 40, 20, fg)
    return (x, y, w, h - bar_h)


def teams_bars(img: Image.Image, client: Box, style: Style, scene: Scene, rng: random.Random) -> Box:
    draw = ImageDraw.Draw(img)
    x, y, w, h = client
    fg = style.bar_fg
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=style.bar_bg)
    bar_h = 56
    draw_text(
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
        draw_icon(draw, kind, cx, y + 20, 16, fg)
        draw_text(draw, (cx, y + 42), label, "open-sans", 10, fg, anchor="mm")
    draw.rounded_rectangle((x + w - 100, y + 12, x + w - 16, y + 44), radius=4, fill=(196, 49, 75))
    draw_text(draw, (x + w - 58, y + 28), "Leave", "open-sans", 13, (255, 255, 255), "SemiBold", anchor="mm")
    stage = (x + 8, y + bar_h, w - 16, h - bar_h - 8)
    draw.rounded_rectangle(
        (stage[0], stage[1], stage[0] + stage[2] - 1, stage[1] + stage[3] - 1), radius=8, fill=style.stage_bg
    )
    return stage


# --------------------------------------------------------------------------- the window


def draw_window(img: Image.Image, scene: Scene, style: Style, rng: random.Random) -> tuple[Box, Box]:
    """The desktop, the OS bars and the meeting window as ``scene.chrome`` asks: "none" (the window is the
    whole frame), "maximized" (between the OS bars) or "window" (a smaller window with a shadow, somewhere
    on the desktop). Returns the window's box and its client area (under the title bar)."""
    width, height = img.size
    if scene.chrome == "none":
        window = (0, 0, width, height)
        return window, window
    if scene.chrome == "window":
        draw_desktop(img, rng)
    top, bottom = draw_taskbar(img, scene, rng)
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
    title_h = draw_title_bar(img, window, scene, style)
    client = (wx, wy + title_h, ww, wh - title_h)
    if scene.chrome == "window":
        ImageDraw.Draw(img).rectangle((wx, wy, wx + ww - 1, wy + wh - 1), outline=(90, 90, 90))
    return window, client


def draw_app_bars(img: Image.Image, client: Box, style: Style, scene: Scene, rng: random.Random) -> Box:
    """The platform's toolbars in the window's client area; returns the stage (the area left for the tiles)."""
    if scene.platform == "zoom":
        return zoom_bars(img, client, style, scene)
    if scene.platform == "meet":
        return meet_bars(img, client, style, scene, rng)
    return teams_bars(img, client, style, scene, rng)
