"""What the bot knows of one meeting client (:class:`Platform`), and where its name labels sit (:class:`LabelStrip`)."""

from __future__ import annotations

from dataclasses import dataclass, field

Box = tuple[int, int, int, int]  # x, y, w, h in pixels
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class LabelStrip:
    """The strip at the bottom of a tile where the client draws the participant's name, full tile width.

    Its height is ``share`` of the tile's plus ``extra`` pixels, within [``least``, ``most``] (never more
    than the tile). The same numbers as :func:`bot.gallery.split.label_box_for` today, which all three
    clients fit; the splitter is to take them from here.
    """

    share: float = 0.12
    extra: int = 24
    least: int = 30
    most: int = 60

    def box(self, tile: Box) -> Box:
        """The label strip of a tile ``(x, y, w, h)``."""
        x, y, w, h = tile
        strip = min(max(round(h * self.share) + self.extra, self.least), self.most, h)
        return (x, y + h - strip, w, strip)


@dataclass(frozen=True)
class LabelFont:
    """The face a client draws names in, as a family of :mod:`bot.fonts` (its nearest free face) and weights."""

    family: str
    weights: tuple[str, ...] = ("Regular",)


@dataclass(frozen=True)
class Platform:
    """One meeting client: everything the bot, the splitter and the synthetic galleries know of it."""

    #: the ``--platform`` value
    name: str
    #: how people write it
    title: str
    #: lower-case words of its meeting window's title (``guess_platform``)
    window_hints: tuple[str, ...]
    #: keyboard shortcut to its gallery view, by ``sys.platform``; none where it has none
    gallery_shortcuts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: what the user is told to do where no shortcut is pressed
    gallery_advice: str = "switch the meeting client to its gallery (tiled) view"
    #: its usual stage colours (RGB) behind the tiles, tried first by the splitter (optional hints)
    stage_colours: tuple[RGB, ...] = ()
    label_strip: LabelStrip = LabelStrip()
    label_font: LabelFont = LabelFont("dejavu")
    #: whether the synthetic galleries (``bot/synthetic``) draw this client, so ``classmood demo`` can play it
    rendered: bool = False
