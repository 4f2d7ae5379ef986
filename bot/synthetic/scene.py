"""What a synthetic meeting frame shows (:class:`Scene`) and what is true about it (:class:`FrameTruth`).

A scene lists every participant of the meeting in gallery order; the
renderer (:mod:`bot.synthetic.render`) draws the current page of them in the
platform's look and returns the ground truth: each visible tile's box, grid
cell, name, face box and emotion, the page controls, the gallery area, and the
boxes of things that are *not* tiles (floating self-view, shared content).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

from bot.synthetic.names import phone_label, random_names

Box = tuple[int, int, int, int]

PLATFORMS = ("zoom", "meet", "teams")
EMOTIONS = ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt")
FACES_PER_EMOTION = 5
#: how each platform can show a gallery page, and how many tiles a page holds at most
PER_PAGE = {"zoom": (25, 49), "meet": (49,), "teams": (49,)}
VARIANTS = (
    "plain",
    "camera_off",
    "speaker",
    "pillarbox",
    "self_view",
    "share_side",
    "share_top",
    "pages",
    "light",
    "window",
    "mixed",
)


@dataclass
class Participant:
    """One person in the meeting, as their tile shows them."""

    name: str
    emotion: str | None = "neutral"
    face: int = 0  # which sample face of that emotion (0..4)
    camera: str = "on"  # "on", "off" or "phone"
    video_aspect: float = 16 / 9  # the camera's aspect; another than the tile's gives bars
    muted: bool = True
    avatar: bool = True  # camera off: avatar circle with initials (else the name alone, Zoom)
    look: int = 0  # seed of their room, clothes and skin tint


@dataclass
class Scene:
    """One frame to draw (see the module docstring)."""

    participants: list[Participant]
    platform: str = "zoom"
    theme: str = "dark"  # "light" gives Teams' light stage, light chrome elsewhere
    layout: str = "gallery"  # "gallery", "share_side" (strip right of the content), "share_top"
    page: int = 0  # current page, 0-based
    per_page: int = 49
    speaker: int | None = None  # index into participants
    self_view: bool = False
    self_name: str = "Jordan Lee (Host)"
    chrome: str = "maximized"  # "none" (window client only), "maximized", "window" (desktop around)
    os: str = "windows"  # "windows" or "mac"
    size: tuple[int, int] = (1920, 1080)
    content: str = "slides"  # shared content: "slides", "code", "sheet"
    bg_variant: int = 0  # picks among a platform's stage colours
    seed: int = 0
    tags: tuple[str, ...] = ()
    #: randomize the look further and degrade the capture (:mod:`bot.synthetic.wild`)
    wild: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.participants) // self.per_page))


@dataclass
class TileTruth:
    box: Box
    row: int
    col: int
    display_name: str  # the full name the participant chose
    shown_name: str  # what the label shows (cut with "…" when long)
    normalized_name: str
    face_box: Box | None
    emotion: str | None
    speaker: bool
    camera: str
    label_box: Box | None  # the drawn name label (text and its backing), frame pixels
    participant: int  # index into the scene's participants


@dataclass
class PageTruth:
    current: int | None  # 1-based, as the indicator shows it; None where no indicator is drawn
    total: int | None
    next_arrow: Box | None
    previous_arrow: Box | None
    indicator: Box | None


@dataclass
class FrameTruth:
    platform: str
    theme: str
    layout: str
    size: tuple[int, int]
    tiles: list[TileTruth] = field(default_factory=list)
    pages: PageTruth | None = None
    gallery_area: Box | None = None
    self_view: Box | None = None
    shared_area: Box | None = None
    window: Box | None = None
    tags: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)


def random_participants(
    rng: random.Random,
    count: int,
    platform: str,
    off_share: float = 0.0,
    phone_share: float = 0.0,
    odd_aspect_share: float = 0.0,
) -> list[Participant]:
    """``count`` participants with random names, emotions and looks."""
    people = []
    for name in random_names(rng, count):
        camera = "on"
        roll = rng.random()
        if roll < phone_share:
            camera, name = "phone", phone_label(rng, platform)
        elif roll < phone_share + off_share:
            camera = "off"
        aspect = 16 / 9
        if camera == "on" and rng.random() < odd_aspect_share:
            aspect = rng.choice([4 / 3, 4 / 3, 9 / 16, 3 / 4, 21 / 9, 1.0])
        people.append(
            Participant(
                name=name,
                emotion=rng.choice(EMOTIONS) if camera == "on" else None,
                face=rng.randrange(FACES_PER_EMOTION),
                camera=camera,
                video_aspect=aspect,
                muted=rng.random() < 0.8,
                avatar=rng.random() < 0.6,
                look=rng.randrange(1 << 30),
            )
        )
    return people


def _random_size(rng: random.Random, variant: str) -> tuple[int, int]:
    """1920x1080, or another common screen size: always in the "window" variant, for a fifth of mixed scenes."""
    size = (1920, 1080)
    if variant == "window" or (variant == "mixed" and rng.random() < 0.2):
        size = rng.choice([(1920, 1080), (1280, 720), (1366, 768), (1600, 900), (2560, 1440), (1920, 1200)])
    return size


def _tags(
    people: list[Participant], speaker: bool, paged: bool, theme: str, chrome: str, layout: str
) -> tuple[str, ...]:
    """Which of the variants' features the scene shows (see :data:`VARIANTS`), for :attr:`FrameTruth.tags`."""
    return tuple(
        t
        for t, on in (
            ("camera_off", any(p.camera != "on" for p in people)),
            ("speaker", speaker),
            ("pillarbox", any(abs(p.video_aspect - 16 / 9) > 0.01 for p in people)),
            ("self_view", False),
            ("pages", paged),
            ("light", theme == "light"),
            ("window", chrome == "window"),
            (layout, layout != "gallery"),
        )
        if on
    )


def random_scene(
    rng: random.Random,
    platform: str | None = None,
    tiles: int | None = None,
    variant: str = "mixed",
    size: tuple[int, int] | None = None,
) -> Scene:
    """A scene showing ``tiles`` participant tiles (1..49) in ``variant`` (one of :data:`VARIANTS`)."""
    platform = platform or rng.choice(PLATFORMS)
    n = tiles if tiles is not None else rng.randint(1, 49)
    mixed = variant == "mixed"

    def maybe(name: str, p: float) -> bool:
        return variant == name or (mixed and rng.random() < p)

    layout = "gallery"
    if maybe("share_side", 0.15):
        layout = "share_side"
    elif maybe("share_top", 0.15):
        layout = "share_top"
    if layout != "gallery":
        n = max(2, min(n, 12))
    per_page = rng.choice(PER_PAGE[platform])
    paged = maybe("pages", 0.2)
    if paged and layout == "gallery":
        per_page = 25 if platform == "zoom" and rng.random() < 0.5 else per_page
        total = rng.randint(per_page + 1, 3 * per_page)
    else:
        per_page = max(per_page, n)
        total = n
    people = random_participants(
        rng,
        total,
        platform,
        off_share=0.3 if maybe("camera_off", 0.3) else 0.04,
        phone_share=0.08 if variant in {"camera_off", "mixed"} else 0.0,
        odd_aspect_share=0.4 if maybe("pillarbox", 0.3) else 0.0,
    )
    if rng.random() < 0.5:
        people[rng.randrange(len(people))].name += " (Host)" if rng.random() < 0.7 else " (Co-host)"
    page = rng.randrange(-(-total // per_page)) if paged else 0
    visible = range(page * per_page, min(total, (page + 1) * per_page))
    speaker = rng.choice(list(visible)) if maybe("speaker", 0.5) else None
    theme = "light" if maybe("light", 0.25) else "dark"
    chrome = "window" if maybe("window", 0.25) else rng.choice(["maximized", "maximized", "none"])
    if size is None:
        size = _random_size(rng, variant)
    tags = _tags(people, speaker is not None, paged and layout == "gallery", theme, chrome, layout)
    self_view = maybe("self_view", 0.35)
    if self_view:
        tags = (*tags, "self_view")
    return Scene(
        participants=people,
        platform=platform,
        theme=theme,
        layout=layout,
        page=page,
        per_page=per_page,
        speaker=speaker,
        self_view=self_view,
        chrome=chrome,
        os=rng.choice(["windows", "windows", "mac"]),
        size=size,
        content=rng.choice(["slides", "slides", "code", "sheet"]),
        bg_variant=rng.randrange(4),
        seed=rng.randrange(1 << 30),
        tags=tags,
    )
