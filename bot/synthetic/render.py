"""Draw a :class:`~bot.synthetic.scene.Scene` as a screen capture of a Zoom, Meet or Teams meeting.

``render_scene(scene) -> (bgr image, FrameTruth)``. The frame holds what a
capture of a real meeting holds: a desktop (wallpaper, taskbar or menu bar),
the app's window chrome (title bar, or Chrome's tabs and address bar for
Meet), the app's toolbars, the stage with the gallery (or a strip of tiles
beside shared content), page arrows and indicator, and a floating self-view.
Tiles show a sample face (gray FER crop, tinted, enlarged) in a room, or a
camera-off / dial-in placeholder, and the name label in the platform's font.

This module composes the frame; the parts are drawn by :mod:`bot.synthetic.chrome` (desktop, window,
toolbars), :mod:`bot.synthetic.tiles` (a participant tile), :mod:`bot.synthetic.video` (the camera
picture: :func:`render_video`, re-exported here), :mod:`bot.synthetic.shared` (shared content) and
:mod:`bot.synthetic.page_controls`, with the helpers of :mod:`bot.synthetic.drawing`.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from bot.fonts import get_font
from bot.synthetic.chrome import draw_app_bars, draw_window
from bot.synthetic.drawing import blend_round_rect, draw_text, paste_image
from bot.synthetic.layout import Box, grid_boxes, strip_capacity
from bot.synthetic.names import normalize_name
from bot.synthetic.page_controls import page_controls
from bot.synthetic.scene import EMOTIONS, FrameTruth, Participant, Scene, TileTruth
from bot.synthetic.shared import shared_content
from bot.synthetic.styles import Style, style_for
from bot.synthetic.tiles import draw_tile
from bot.synthetic.video import FACES_DIR, face_image, render_video, sample_faces

if TYPE_CHECKING:
    from bot.synthetic.wild import WildLook

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


#: a tile to draw: (box, grid row, grid column, participant index)
Placement = tuple[Box, int, int, int]
#: pages to show controls for: ("grid" or "strip", current page from 0, pages)
PageSpec = tuple[str, int, int]


def _gallery_placements(scene: Scene, style: Style, inner: Box) -> tuple[list[Placement], PageSpec | None]:
    """The current page's tiles in the gallery grid. With more than one page the grid leaves room for the page
    controls: Teams' indicator under it, Zoom's and Meet's arrows at its sides (and Meet's indicator under it)."""
    people = scene.participants
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
    placements = [
        (box, row, col, index)
        for (box, row, col), index in zip(grid_boxes(len(visible), area, style.aspect, style.gap), visible, strict=True)
    ]
    return placements, (("grid", page, total_pages) if total_pages > 1 else None)


def _side_strip_placements(scene: Scene, style: Style, inner: Box, stage_w: int) -> tuple[list[Placement], Box]:
    """Screen share with a column of tiles at its right (as many as fit, no pages); returns the tiles and the
    area left for the shared content."""
    m = style.margin
    strip_w = int(np.clip(stage_w * 0.2, 180, 380))
    content_area = (inner[0], inner[1], inner[2] - strip_w - m, inner[3])
    strip = (inner[0] + inner[2] - strip_w, inner[1], strip_w, inner[3])
    tw = strip_w
    th = int(tw / style.aspect)
    cap = strip_capacity(strip[3], th, style.gap)
    count = min(len(scene.participants), cap)
    grid_h = count * th + (count - 1) * style.gap
    y0 = strip[1] + (strip[3] - grid_h) // 2
    placements = [((strip[0], y0 + k * (th + style.gap), tw, th), k, 0, k) for k in range(count)]
    return placements, content_area


def _top_strip_placements(
    scene: Scene, style: Style, inner: Box, stage_h: int
) -> tuple[list[Placement], Box, PageSpec | None]:
    """Screen share with a row of tiles above it (a filmstrip, paged when the people do not fit); returns the
    tiles, the area left for the shared content, and the strip's pages."""
    m = style.margin
    people = scene.participants
    strip_h = int(np.clip(stage_h * 0.16, 90, 190))
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
    placements = [((x0 + k * (tw + style.gap), inner[1], tw, th), 0, k, index) for k, index in enumerate(shown)]
    return placements, content_area, (("strip", page, pages) if pages > 1 else None)


def _draw_shared_screen(img: Image.Image, scene: Scene, content_area: Box, rng: random.Random) -> Box:
    """The shared screen in ``content_area``; Zoom's green "You are viewing ..." bar sits over it. Returns the
    shared content's box."""
    if scene.platform == "zoom":  # the green "You are viewing ..." bar sits over the shared screen
        content_area = (content_area[0], content_area[1] + 28, content_area[2], content_area[3] - 28)
    shared_area = shared_content(img, content_area, scene.content, rng)
    if scene.platform == "zoom":
        draw = ImageDraw.Draw(img)
        cx = shared_area[0] + shared_area[2] // 2
        top_y = shared_area[1] - 26
        draw.rounded_rectangle((cx - 150, top_y, cx + 150, top_y + 22), radius=4, fill=(35, 180, 80))
        draw_text(
            draw,
            (cx, top_y + 11),
            f"You are viewing {scene.participants[0].name.split()[0]}'s screen",
            "lato",
            12,
            (255, 255, 255),
            anchor="mm",
        )
    return shared_area


def _draw_tiles(
    img: Image.Image,
    style: Style,
    scene: Scene,
    placements: list[Placement],
    emotions: dict[int, str] | None,
    wild: WildLook | None = None,
) -> list[TileTruth]:
    """Draws every placed tile (each in its own wild look in a wild scene); returns their truth, in placement
    order."""
    truths = []
    for box, row, col, index in placements:
        person = scene.participants[index]
        emotion = (emotions or {}).get(index, person.emotion)
        look = wild.tile(index) if wild is not None else None
        face_box, shown, label_box = draw_tile(img, style, box, person, scene.speaker == index, emotion, look)
        truths.append(
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
    return truths


def _bounding_box(boxes: list[Box]) -> Box | None:
    if not boxes:
        return None
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def render_scene(scene: Scene, emotions: dict[int, str] | None = None) -> tuple[np.ndarray, FrameTruth]:
    """Draw ``scene``; returns the BGR frame and its ground truth. ``emotions`` overrides per participant index."""
    rng = random.Random(scene.seed)
    style = style_for(scene.platform, scene.theme, scene.bg_variant)
    wild = None
    if scene.wild:
        from bot.synthetic.wild import wild_setup

        scene, style, wild = wild_setup(scene, style)
    width, height = scene.size
    img = Image.new("RGB", (width, height), style.stage_bg)
    truth = FrameTruth(scene.platform, style.theme, scene.layout, (width, height), tags=scene.tags)

    # desktop, OS bars, the window and the app's bars around the stage
    truth.window, client = draw_window(img, scene, style, rng)
    stage = draw_app_bars(img, client, style, scene, rng)
    scale = min(width / 1920, height / 1080, 1.0) if scene.chrome != "window" else min(stage[2] / 1800, 1.0)
    scale = max(scale, 0.6)

    m = style.margin
    sx, sy, sw, sh = stage
    inner = (sx + m, sy + m, sw - 2 * m, sh - 2 * m)
    page_spec: PageSpec | None = None
    if scene.layout == "gallery":
        placements, page_spec = _gallery_placements(scene, style, inner)
    else:
        if scene.layout == "share_side":
            placements, content_area = _side_strip_placements(scene, style, inner, sw)
        else:
            placements, content_area, page_spec = _top_strip_placements(scene, style, inner, sh)
        truth.shared_area = _draw_shared_screen(img, scene, content_area, rng)

    truth.tiles.extend(_draw_tiles(img, style, scene, placements, emotions, wild))
    if truth.tiles:
        truth.gallery_area = _bounding_box([t.box for t in truth.tiles])
    if page_spec is not None:
        kind, page, total_pages = page_spec
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
    if wild is not None:
        from bot.synthetic.wild import wild_finish

        frame = wild_finish(frame, truth, scene, wild)
    return frame, truth
