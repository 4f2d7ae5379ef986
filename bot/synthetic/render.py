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

import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from bot.fonts import get_font
from bot.synthetic.chrome import draw_desktop, draw_taskbar, draw_title_bar, meet_bars, teams_bars, zoom_bars
from bot.synthetic.drawing import blend_round_rect, draw_text, paste_image
from bot.synthetic.layout import Box, grid_boxes, strip_capacity
from bot.synthetic.names import normalize_name
from bot.synthetic.page_controls import page_controls
from bot.synthetic.scene import EMOTIONS, FrameTruth, Participant, Scene, TileTruth
from bot.synthetic.shared import shared_content
from bot.synthetic.styles import Style, style_for
from bot.synthetic.tiles import draw_tile
from bot.synthetic.video import FACES_DIR, face_image, render_video, sample_faces

RGB = tuple[int, int, int]

__all__ = ["FACES_DIR", "face_image", "render_scene", "render_video", "sample_faces"]


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
    paste_image(img, video, (x, y), 8)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((x, y, x + sw - 1, y + sh - 1), radius=8, outline=(90, 90, 90), width=1)
    font = get_font(style.font, 11, style.label_weight)
    blend_round_rect(img, (x + 6, y + sh - 24, int(font.getlength("You")) + 12, 18), (0, 0, 0, 140), 4)
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
    truth.window = window
    if scene.platform == "zoom":
        stage = zoom_bars(img, client, style, scene)
    elif scene.platform == "meet":
        stage = meet_bars(img, client, style, scene, rng)
    else:
        stage = teams_bars(img, client, style, scene, rng)
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
        truth.shared_area = shared_content(img, content_area, scene.content, rng)
        if scene.platform == "zoom":
            draw = ImageDraw.Draw(img)
            cx = truth.shared_area[0] + truth.shared_area[2] // 2
            top_y = truth.shared_area[1] - 26
            draw.rounded_rectangle((cx - 150, top_y, cx + 150, top_y + 22), radius=4, fill=(35, 180, 80))
            draw_text(
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
        face_box, shown, label_box = draw_tile(img, style, box, person, scene.speaker == index, emotion)
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
        truth.pages = page_controls(
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
