"""A synthetic gallery as a web page, for end-to-end tests in a real browser.

``write_gallery_html(path, scene, viewport=(1920, 1080)) -> [FrameTruth per page]``
writes one self-contained HTML file: the meeting's stage in the platform's
colours, every page of the gallery laid out exactly as the images are
(:mod:`bot.synthetic.layout`), tiles as ``<div>`` s holding the camera frame as
an ``<img>`` (JPEG data URI) or an avatar, name labels as real text in the
platform's font (embedded), page arrows as real ``<button>`` s that switch
pages with a few lines of JavaScript, the page indicator ("1/3") as text.

Boxes in the truth are CSS pixels of a ``viewport``-sized window at zoom 1
(``chromium --window-size=1920,1080`` in headless mode; under Xvfb add the
browser's own chrome as an offset, or use ``--kiosk``/``--app``). The page
also carries its truth: ``<script id="classmood-truth" type="application/json">``
holds the list, and ``document.title`` ends with the current page, e.g.
``"ClassMood synthetic zoom - page 2/3"``, so a test can see a click land;
``page.html#page=2`` opens on page 2 (and the arrow keys turn pages too).
"""

from __future__ import annotations

import base64
import html
import json
import random
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from bot.fonts import CSS_FAMILY, font_file
from bot.synthetic.layout import Box, grid_boxes
from bot.synthetic.names import initials, normalize_name
from bot.synthetic.render import render_video
from bot.synthetic.scene import FrameTruth, PageTruth, Participant, Scene, TileTruth
from bot.synthetic.styles import AVATAR_COLOURS, Style, style_for

_TOP_BAR = {"zoom": 34, "meet": 0, "teams": 56}
_BOTTOM_BAR = {"zoom": 64, "meet": 80, "teams": 0}


def _rgb(colour) -> str:
    return "rgb({},{},{})".format(*colour[:3])


def _rgba(colour) -> str:
    r, g, b, a = colour
    return f"rgba({r},{g},{b},{a / 255:.3f})"


def _font_face(family: str, weight: str) -> str:
    path, instance = font_file(family, weight)
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    css_weight = {"Regular": 400, "Medium": 500, "SemiBold": 600, "Bold": 700}.get(weight, 400)
    if instance is not None:  # a variable font: one file, all weights
        css_weight = "100 900"
    return (
        f"@font-face {{ font-family: 'CM {CSS_FAMILY.get(family, family)}'; font-weight: {css_weight}; "
        f"src: url(data:font/ttf;base64,{data}) format('truetype'); }}"
    )


def _jpeg(rgb: np.ndarray) -> str:
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return "data:image/jpeg;base64," + base64.b64encode(data.tobytes()).decode("ascii")


def _label_size(style: Style, th: int) -> int:
    if style.platform == "zoom":
        return int(np.clip(round(th * 0.085), 11, 16))
    if style.platform == "meet":
        return int(np.clip(round(th * 0.09), 12, 16))
    return int(np.clip(round(th * 0.08), 11, 14))


def _tile_html(style: Style, box: Box, person: Participant, speaking: bool) -> tuple[str, Box | None, Box]:
    x, y, w, h = box
    face_box = None
    inner = ""
    if person.camera == "on":
        aspect, tile_aspect = person.video_aspect, w / h
        if abs(aspect - tile_aspect) < 0.02 or (style.platform == "meet" and 0.7 * tile_aspect < aspect):
            vw, vh = w, h
        elif aspect < tile_aspect:
            vw, vh = max(8, round(h * aspect)), h
        else:
            vw, vh = w, max(8, round(w / aspect))
        video, (fx, fy, fw, fh) = render_video(person, vw, vh)
        ox, oy = (w - vw) // 2, (h - vh) // 2
        inner += (
            f'<img class="video" alt="" src="{_jpeg(video)}" style="left:{ox}px;top:{oy}px;width:{vw}px;height:{vh}px">'
        )
        face_box = (x + ox + fx, y + oy + fy, fw, fh)
        background = _rgb(style.bars)
    else:
        background = _rgb(style.tile_off)
        palette = AVATAR_COLOURS[style.platform]
        colour = palette[person.look % len(palette)]
        d = int(np.clip(min(h * 0.38, w * 0.38), 16, 200))
        if person.camera == "phone":
            text, fill, ink = "&#9742;", (95, 99, 104), (255, 255, 255)
        elif style.platform == "teams":
            text, fill, ink = html.escape(initials(person.name)), colour, tuple(int(c * 0.45) for c in colour)
        elif style.platform == "meet":
            text, fill, ink = html.escape(initials(person.name)[:1]), colour, (255, 255, 255)
        else:
            text, fill, ink = html.escape(initials(person.name)), colour, (255, 255, 255)
        inner += (
            f'<div class="avatar" style="width:{d}px;height:{d}px;margin:-{d // 2}px 0 0 -{d // 2}px;'
            f'background:{_rgb(fill)};color:{_rgb(ink)};font-size:{int(d * 0.4)}px;line-height:{d}px">'
            f"{text}</div>"
        )
    size = _label_size(style, h)
    inset = {"zoom": 4, "teams": 8, "meet": 12}[style.platform]
    label_h = size + 10
    label_box = (x + inset, y + h - inset - label_h, w - 2 * inset, label_h)
    label_class = "label shadow" if style.label == "shadow" else "label"
    inner += (
        f'<span class="{label_class}" style="left:{inset}px;bottom:{inset}px;max-width:{w - 2 * inset - 12}px;'
        f'font-size:{size}px;height:{label_h}px;line-height:{label_h}px">{html.escape(person.name)}</span>'
    )
    if speaking:  # the highlight sits over the video, inside the tile
        inner += (
            f'<div class="speaking" style="border:{style.speaker_width}px solid {_rgb(style.speaker)};'
            f'border-radius:{style.radius}px"></div>'
        )
    div = (
        f'<div class="tile" data-name="{html.escape(person.name)}" data-emotion="{person.emotion or ""}" '
        f'style="left:{x}px;top:{y}px;width:{w}px;height:{h}px;background:{background}">'
        f"{inner}</div>"
    )
    return div, face_box, label_box


def _chevron_svg(direction: str, colour: str, size: int = 22) -> str:
    points = "6,2 16,12 6,22" if direction == "right" else "16,2 6,12 16,22"
    return (
        f'<svg width="{size}" height="{size}" viewBox="0 0 22 24" aria-hidden="true">'
        f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="3" '
        f'stroke-linecap="round" stroke-linejoin="round"/></svg>'
    )


#: the gallery's page arrows (CSS pixels)
_ARROW_W, _ARROW_H = 40, 64


@dataclass(frozen=True)
class _Page:
    """Where one page's tiles go and where the page controls are (shared by every page)."""

    area: Box
    pages: int
    next_box: Box
    prev_box: Box
    indicator_box: Box


def _page_html(
    scene: Scene, style: Style, viewport: tuple[int, int], layout: _Page, page: int
) -> tuple[FrameTruth, str]:
    """The truth and the ``<div>`` of gallery page ``page`` (from 0)."""
    people = scene.participants
    pages = layout.pages
    visible = list(range(page * scene.per_page, min(len(people), (page + 1) * scene.per_page)))
    truth = FrameTruth(scene.platform, style.theme, "gallery", viewport, tags=(*scene.tags, "html"))
    tiles_html = []
    for (box, row, col), index in zip(
        grid_boxes(len(visible), layout.area, style.aspect, style.gap), visible, strict=True
    ):
        person = people[index]
        div, face_box, label_box = _tile_html(style, box, person, scene.speaker == index)
        tiles_html.append(div)
        truth.tiles.append(
            TileTruth(
                box=box,
                row=row,
                col=col,
                display_name=person.name,
                shown_name=person.name,
                normalized_name=normalize_name(person.name),
                face_box=face_box,
                emotion=person.emotion if person.camera == "on" else None,
                speaker=scene.speaker == index,
                camera=person.camera,
                label_box=label_box,
                participant=index,
            )
        )
    if truth.tiles:
        x0 = min(t.box[0] for t in truth.tiles)
        y0 = min(t.box[1] for t in truth.tiles)
        x1 = max(t.box[0] + t.box[2] for t in truth.tiles)
        y1 = max(t.box[1] + t.box[3] for t in truth.tiles)
        truth.gallery_area = (x0, y0, x1 - x0, y1 - y0)
    if pages > 1:
        truth.pages = PageTruth(
            page + 1,
            pages,
            layout.next_box if page < pages - 1 else None,
            layout.prev_box if page > 0 else None,
            layout.indicator_box,
        )
    return truth, f'<div class="page" data-page="{page}" style="display:none">{"".join(tiles_html)}</div>'


def _controls_html(layout: _Page, fg: str) -> str:
    """The page arrows (real buttons) and the indicator's box (the script writes "2/3" into it)."""
    if layout.pages <= 1:
        return ""
    prev_box, next_box, indicator_box = layout.prev_box, layout.next_box, layout.indicator_box
    return (
        f'<button id="prev" class="arrow" aria-label="Previous page" style="left:{prev_box[0]}px;'
        f'top:{prev_box[1]}px">{_chevron_svg("left", fg)}</button>'
        f'<button id="next" class="arrow" aria-label="Next page" style="left:{next_box[0]}px;'
        f'top:{next_box[1]}px">{_chevron_svg("right", fg)}</button>'
        f'<div id="indicator" style="left:{indicator_box[0]}px;top:{indicator_box[1]}px"></div>'
    )


def _self_view_html(scene: Scene, style: Style, stage: Box) -> tuple[str, Box | None]:
    """The floating self-view at the stage's bottom right and its box (``""``, None without one)."""
    if not scene.self_view:
        return "", None
    sw, sh = style.self_view
    sx, sy = stage[0] + stage[2] - sw - 16, stage[1] + stage[3] - sh - 16
    me = Participant(scene.self_name, emotion="neutral", look=scene.seed ^ 0x5EED)
    video, _ = render_video(me, sw, sh)
    div = (
        f'<div id="self-view" style="left:{sx}px;top:{sy}px;width:{sw}px;height:{sh}px">'
        f'<img alt="" src="{_jpeg(video)}"><span class="label">You</span></div>'
    )
    return div, (sx, sy, sw, sh)


def _css(scene: Scene, style: Style, viewport: tuple[int, int], fg: str) -> str:
    """The page's style sheet: the platform's fonts (embedded), the bars, tiles, labels, arrows, self-view."""
    width, height = viewport
    top, bottom = _TOP_BAR[scene.platform], _BOTTOM_BAR[scene.platform]
    arrow_w, arrow_h = _ARROW_W, _ARROW_H
    family = CSS_FAMILY.get({"zoom": "lato", "meet": "roboto", "teams": "open-sans"}[scene.platform], "sans-serif")
    fonts = "\n".join({_font_face(style.font, style.label_weight), _font_face(style.font, "Regular")})
    bar_bg = _rgb(style.bar_bg)
    label_css = (
        f"background:{_rgba(style.label_bg)};border-radius:4px;padding:0 6px;"
        if style.label == "box"
        else "text-shadow:1px 1px 1px #000;padding:0;"
    )
    weight = {"Regular": 400, "Medium": 500, "SemiBold": 600, "Bold": 700}[style.label_weight]
    return f"""{fonts}
html, body {{ margin:0; padding:0; overflow:hidden; width:{width}px; height:{height}px;
  background:{_rgb(style.stage_bg)}; font-family:'CM {family}', sans-serif; }}
#top {{ position:absolute; left:0; top:0; width:{width}px; height:{top}px; background:{bar_bg}; }}
#bottom {{ position:absolute; left:0; top:{height - bottom}px; width:{width}px; height:{bottom}px;
  background:{bar_bg}; color:{_rgb(style.bar_fg)}; font-size:14px; line-height:{bottom}px; text-align:center; }}
.tile {{ position:absolute; overflow:hidden; border-radius:{style.radius}px; }}
.tile .video {{ position:absolute; }}
.tile .speaking {{ position:absolute; left:0; top:0; right:0; bottom:0; }}
.avatar {{ position:absolute; left:50%; top:50%; border-radius:50%; text-align:center; font-weight:600; }}
.label {{ position:absolute; color:{_rgb(style.label_fg)}; font-weight:{weight}; white-space:nowrap;
  overflow:hidden; text-overflow:ellipsis; {label_css} }}
.arrow {{ position:absolute; width:{arrow_w}px; height:{arrow_h}px; border:0; border-radius:8px; padding:0;
  background:{"rgba(255,255,255,0.12)" if style.theme != "light" else "rgba(0,0,0,0.08)"}; cursor:pointer;
  display:flex; align-items:center; justify-content:center; }}
#indicator {{ position:absolute; width:80px; height:20px; text-align:center; color:{fg}; font-size:14px;
  line-height:20px; }}
#self-view {{ position:absolute; border-radius:8px; overflow:hidden; box-shadow:0 4px 12px rgba(0,0,0,0.5); }}
#self-view img {{ width:100%; height:100%; display:block; }}
#self-view .label {{ left:6px; bottom:6px; font-size:11px; height:18px; line-height:18px; }}
"""


def _script(page: int, title: str) -> str:
    """The few lines of JavaScript that turn pages (arrows, arrow keys, ``#page=N``), starting on ``page``."""
    return f"""<script>
(function () {{
  var pages = document.querySelectorAll('.page'), total = pages.length, current = {page};
  var wanted = location.hash.match(/page=(\\d+)/);  // file:///...html#page=2 opens page 2
  if (wanted) current = parseInt(wanted[1], 10) - 1;
  function show(n) {{
    current = Math.max(0, Math.min(total - 1, n));
    pages.forEach(function (p, i) {{ p.style.display = i === current ? 'block' : 'none'; }});
    var prev = document.getElementById('prev'), next = document.getElementById('next');
    if (prev) prev.style.visibility = current > 0 ? 'visible' : 'hidden';
    if (next) next.style.visibility = current < total - 1 ? 'visible' : 'hidden';
    var indicator = document.getElementById('indicator');
    if (indicator) indicator.textContent = (current + 1) + '/' + total;
    document.title = '{title} - page ' + (current + 1) + '/' + total;
  }}
  var prev = document.getElementById('prev'), next = document.getElementById('next');
  if (prev) prev.addEventListener('click', function () {{ show(current - 1); }});
  if (next) next.addEventListener('click', function () {{ show(current + 1); }});
  document.addEventListener('keydown', function (e) {{
    if (e.key === 'ArrowRight') show(current + 1);
    if (e.key === 'ArrowLeft') show(current - 1);
  }});
  show(current);
}})();
</script>
"""


def gallery_html(scene: Scene, viewport: tuple[int, int] = (1920, 1080)) -> tuple[str, list[FrameTruth]]:
    """The page for ``scene`` (all its pages; the scene's ``page`` shows first) and the truth of each page."""
    style = style_for(scene.platform, scene.theme, scene.bg_variant)
    width, height = viewport
    top, bottom = _TOP_BAR[scene.platform], _BOTTOM_BAR[scene.platform]
    stage = (0, top, width, height - top - bottom)
    m = style.margin
    inner = (stage[0] + m, stage[1] + m, stage[2] - 2 * m, stage[3] - 2 * m)
    pages = scene.pages
    area = inner
    if pages > 1:
        area = (inner[0] + 56, inner[1], inner[2] - 112, inner[3] - 32)
    fg = "rgb(255,255,255)" if style.theme != "light" else "rgb(36,36,36)"
    cy = stage[1] + stage[3] // 2
    layout = _Page(
        area=area,
        pages=pages,
        prev_box=(stage[0] + 8, cy - _ARROW_H // 2, _ARROW_W, _ARROW_H),
        next_box=(stage[0] + stage[2] - 8 - _ARROW_W, cy - _ARROW_H // 2, _ARROW_W, _ARROW_H),
        indicator_box=(width // 2 - 40, stage[1] + stage[3] - 28, 80, 20),
    )
    truths: list[FrameTruth] = []
    page_divs = []
    for page in range(pages):
        truth, div = _page_html(scene, style, viewport, layout, page)
        truths.append(truth)
        page_divs.append(div)
    controls = _controls_html(layout, fg)
    self_view, self_box = _self_view_html(scene, style, stage)
    if self_box is not None:
        for truth in truths:
            truth.self_view = self_box
    truth_json = json.dumps([asdict(t) for t in truths])
    title = f"ClassMood synthetic {scene.platform}"
    page = min(max(scene.page, 0), pages - 1)
    document = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
{_css(scene, style, viewport, fg)}</style></head>
<body>
<div id="top"></div>
{"".join(page_divs)}
{controls}
{self_view}
<div id="bottom">Mute &nbsp; Video &nbsp; Participants &nbsp; Chat &nbsp; Share &nbsp; Leave</div>
<script id="classmood-truth" type="application/json">{truth_json}</script>
{_script(page, title)}</body></html>
"""
    return document, truths


def write_gallery_html(path: str | Path, scene: Scene, viewport: tuple[int, int] = (1920, 1080)) -> list[FrameTruth]:
    """Write the page (see the module docstring); returns the truth of each gallery page."""
    document, truths = gallery_html(scene, viewport)
    Path(path).write_text(document, encoding="utf-8")
    return truths


def demo_scene(participants: int = 60, platform: str = "zoom", per_page: int = 25, seed: int = 0) -> Scene:
    """A multi-page gallery scene for browser tests: ``participants`` people, ``per_page`` a page."""
    from bot.synthetic.scene import random_participants

    rng = random.Random(seed)
    people = random_participants(rng, participants, platform, off_share=0.15, odd_aspect_share=0.15)
    return replace(Scene(participants=people, platform=platform, per_page=per_page, seed=seed), speaker=1)
