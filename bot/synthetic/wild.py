"""Renderings that look less like one style (domain randomization).

ClassMood's own renderings proved a poor judge of the splitter: it found 99.99 % of their tiles and half of
those on real screens. A *wild* scene (``Scene.wild``) is drawn with the look's fixed choices randomized
and the capture degraded as real ones are. Every choice is drawn from the scene's seed (the same scene
gives the same frame), and the truth stays exact. Randomized:

- the layout: gaps between tiles of 0-12 px (Meet has none), corners from square to well rounded;
- the stage and theme: the platform's own colours, or a dark stage (near black to mid grey, maybe tinted)
  or a light one (light greys, the page controls and toolbars in dark ink), camera-off tiles and pillarbox
  bars in a shade apart from it;
- the name labels (:class:`~bot.synthetic.wild_tiles.LabelLook`): a font of :mod:`bot.fonts` (Lato,
  Roboto, Open Sans, DejaVu Sans) in one of its weights, the size, the bottom-left or the top-left corner,
  a dark, light or coloured backing box of any opacity or none (text straight on the video, with or
  without a shadow), a mic icon before muted people's names or none;
- the speaker's border (:class:`~bot.synthetic.wild_tiles.BorderLook`): colour, width 1-6 px, inside the
  tile or around it;
- each camera picture (:class:`~bot.synthetic.wild_tiles.TileLook`): the background behind the person
  (their room, a gradient, a noise texture, blurred shapes, stripes), brightness, contrast and colour cast,
  and sometimes a hand-like blob or a bar covering part of it; more cameras turned off (initials avatars);
- the scale: 1x to 2x (HiDPI / Retina captures), the whole frame enlarged and every truth box with it;
- the capture: webcam noise, a little blur (a scaled or out-of-focus capture), and JPEG compression at a
  quality from 95 down to 50, as screenshots pasted into chats and frames of recordings are.

``python -m bot.synthetic.evaluate --wild`` scores the splitter on such frames beside the plain ones.
The plain renderings do not change: nothing here runs unless ``Scene.wild`` is set.
"""

from __future__ import annotations

import colorsys
import random
from dataclasses import dataclass, replace

import cv2
import numpy as np

from bot.synthetic.layout import Box
from bot.synthetic.real_split import jpeg_copy
from bot.synthetic.scene import FrameTruth, Scene
from bot.synthetic.styles import RGB, Style
from bot.synthetic.wild_tiles import (
    BorderLook,
    LabelLook,
    TileLook,
    random_border_look,
    random_label_look,
    tile_look,
)

GAPS = tuple(range(0, 13))
RADII = (0, 0, 4, 8, 12, 16)
JPEG_QUALITIES = (95, 90, 85, 75, 60, 50)
#: enlargement of the whole frame (HiDPI / Retina captures), as often 1x as all others together
SCALES = (1.0, 1.0, 1.0, 1.0, 1.25, 1.5, 1.75, 2.0)
#: the largest capture a scale may give (a 4K screen); a larger one keeps a smaller scale
MAX_SIZE = (3840, 2400)
STAGES = ("platform", "dark", "dark", "light")


def _grey(rng: random.Random, low: int, high: int) -> RGB:
    """A grey between ``low`` and ``high``, a third of the time slightly tinted."""
    v = rng.randint(low, high) / 255
    s = rng.uniform(0.03, 0.12) if rng.random() < 0.33 else 0.0
    r, g, b = colorsys.hsv_to_rgb(rng.random(), s, v)
    return (round(r * 255), round(g * 255), round(b * 255))


def _shade(colour: RGB, delta: int) -> RGB:
    return tuple(int(np.clip(c + delta, 0, 255)) for c in colour)  # type: ignore[return-value]


def _stage(style: Style, rng: random.Random) -> Style:
    """The stage, toolbars, camera-off tiles and bars in a dark or light scheme (or the platform's own)."""
    kind = rng.choice(STAGES)
    if kind == "platform":
        return style
    if kind == "dark":
        stage = _grey(rng, 0, 72)
        off = _shade(stage, rng.choice((-1, 1)) * rng.randint(8, 40) if stage[0] > 40 else rng.randint(8, 45))
        bars = rng.choice(((0, 0, 0), off, stage))
        return replace(
            style,
            theme="dark",
            stage_bg=stage,
            tile_off=off,
            bars=bars,
            bar_bg=_shade(stage, rng.randint(-12, 12)),
            bar_fg=(rng.randint(210, 245),) * 3,
        )
    stage = _grey(rng, 196, 250)
    off = _shade(stage, -rng.randint(10, 45))
    return replace(
        style,
        theme="light",
        stage_bg=stage,
        tile_off=off,
        bars=rng.choice(((0, 0, 0), off, (32, 32, 32))),
        bar_bg=_shade(stage, rng.randint(-6, 8)),
        bar_fg=(rng.randint(20, 60),) * 3,
    )


def wild_style(style: Style, rng: random.Random) -> Style:
    """The platform's look with its gap, corner radius and stage scheme drawn at random."""
    style = replace(style, gap=rng.choice(GAPS), radius=rng.choice(RADII))
    return _stage(style, rng)


@dataclass(frozen=True)
class WildLook:
    """A wild scene's draws beyond its style: labels, border, tile pictures, extra cameras off, scale."""

    seed: int
    label: LabelLook
    border: BorderLook
    textured: float  # share of cameras in front of a drawn background rather than their room
    occluded: float  # share of cameras partly covered
    camera_off: float  # share of cameras turned off beside those the scene turns off
    scale: float
    interpolation: int  # how the frame is enlarged (cv2 flag)

    def tile(self, participant: int) -> TileLook:
        return tile_look(self.label, self.border, self.seed * 1_000_003 + participant, self.textured, self.occluded)


def wild_look(scene: Scene) -> WildLook:
    rng = random.Random(scene.seed + 3)
    label = random_label_look(rng)
    border = random_border_look(rng)
    scale = rng.choice(SCALES)
    width, height = scene.size
    while scale > 1.0 and (width * scale > MAX_SIZE[0] or height * scale > MAX_SIZE[1]):
        scale -= 0.25
    return WildLook(
        seed=scene.seed,
        label=label,
        border=border,
        textured=rng.choice((0.0, 0.3, 0.6, 1.0)),
        occluded=rng.choice((0.0, 0.1, 0.25)),
        camera_off=rng.choice((0.0, 0.0, 0.15, 0.4)),
        scale=scale,
        interpolation=rng.choice((cv2.INTER_LINEAR, cv2.INTER_CUBIC, cv2.INTER_AREA)),
    )


def wild_scene(scene: Scene, look: WildLook) -> Scene:
    """``scene`` with a share of its cameras turned off (an initials avatar or the name in their place)."""
    if look.camera_off <= 0:
        return scene
    rng = random.Random(scene.seed + 4)
    people = [
        replace(p, camera="off", emotion=None) if p.camera == "on" and rng.random() < look.camera_off else p
        for p in scene.participants
    ]
    return replace(scene, participants=people)


def wild_setup(scene: Scene, style: Style) -> tuple[Scene, Style, WildLook]:
    """What :func:`~bot.synthetic.render.render_scene` draws a wild scene with: the scene (more cameras off),
    its style and its :class:`WildLook`."""
    look = wild_look(scene)
    return wild_scene(scene, look), wild_style(style, random.Random(scene.seed + 1)), look


def _scale_box(box: Box | None, s: float) -> Box | None:
    if box is None:
        return None
    x, y, w, h = box
    x0, y0 = round(x * s), round(y * s)
    return (x0, y0, round((x + w) * s) - x0, round((y + h) * s) - y0)


def enlarge(frame: np.ndarray, truth: FrameTruth, scale: float, interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """``frame`` enlarged ``scale`` times, and ``truth`` (changed in place) with every box enlarged to match."""
    if scale == 1.0:
        return frame
    height, width = frame.shape[:2]
    size = (round(width * scale), round(height * scale))
    out = cv2.resize(frame, size, interpolation=interpolation)
    truth.size = size
    for name in ("gallery_area", "self_view", "shared_area", "window"):
        setattr(truth, name, _scale_box(getattr(truth, name), scale))
    for tile in truth.tiles:
        tile.box = _scale_box(tile.box, scale)
        tile.face_box = _scale_box(tile.face_box, scale)
        tile.label_box = _scale_box(tile.label_box, scale)
    if truth.pages is not None:
        for name in ("next_arrow", "previous_arrow", "indicator"):
            setattr(truth.pages, name, _scale_box(getattr(truth.pages, name), scale))
    return out


def degrade(frame: np.ndarray, rng: random.Random) -> np.ndarray:
    """A BGR frame as a lossy capture shows it: noise, maybe blur, then JPEG at a random quality."""
    noisy = frame.astype(np.float32)
    sigma = rng.uniform(0.0, 5.0)
    if sigma > 0.5:
        noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, sigma, frame.shape)
        noisy += noise.astype(np.float32)
    out = np.clip(noisy, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        out = cv2.GaussianBlur(out, (3, 3), rng.uniform(0.4, 1.0))
    return jpeg_copy(out, rng.choice(JPEG_QUALITIES))


def wild_finish(frame: np.ndarray, truth: FrameTruth, scene: Scene, look: WildLook) -> np.ndarray:
    """The drawn frame as captured: enlarged by the look's scale (``truth`` with it), then degraded."""
    frame = enlarge(frame, truth, look.scale, look.interpolation)
    return degrade(frame, random.Random(scene.seed + 2))
