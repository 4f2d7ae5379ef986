"""The meeting clients, one module each: name, window-title hints, gallery shortcut, stage colours,
label strip geometry and label font (:class:`bot.platforms.base.Platform`).

A new client is one new module here plus its line in :data:`PLATFORMS`; the CLI's ``--platform``
choices, :func:`bot.paging.ensure_gallery`, the splitter's colour hints
(:mod:`bot.gallery.presets`) and the fonts (:mod:`bot.fonts`) read this package. Plain data:
importing it loads no OpenCV or NumPy.
"""

from __future__ import annotations

from bot.platforms import meet, teams, webex, zoom
from bot.platforms.base import LabelFont, LabelStrip, Platform

#: by ``--platform`` name, in the order the CLI lists them
PLATFORMS: dict[str, Platform] = {p.name: p for p in (zoom.PLATFORM, meet.PLATFORM, teams.PLATFORM, webex.PLATFORM)}
#: the order window titles are tried in: "Zoom Meeting" and "Webex Meetings" also hold "meet"
_GUESS_ORDER = ("zoom", "webex", "meet", "teams")


def platform_names(rendered_only: bool = False) -> tuple[str, ...]:
    """The ``--platform`` choices; ``rendered_only``: those the synthetic galleries can draw (``demo``)."""
    return tuple(name for name, p in PLATFORMS.items() if p.rendered or not rendered_only)


def get_platform(name: str | None) -> Platform | None:
    """The platform called ``name`` (any case), or None."""
    return PLATFORMS.get((name or "").lower())


def guess_from_title(title: str) -> str | None:
    """The platform whose window-title hints ``title`` holds (case-insensitive), else None."""
    folded = (title or "").casefold()
    for name in _GUESS_ORDER:
        if any(hint in folded for hint in PLATFORMS[name].window_hints):
            return name
    return None


__all__ = ["PLATFORMS", "LabelFont", "LabelStrip", "Platform", "get_platform", "guess_from_title", "platform_names"]
