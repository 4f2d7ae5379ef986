"""Optional per-platform hints for :func:`bot.gallery.split_gallery`, from :mod:`bot.platforms`.

A preset only adds the platform's usual stage colours (RGB) to the colours
the splitter tries first; the split works without one, and a wrong one costs
a few candidate checks, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.platforms import PLATFORMS


@dataclass(frozen=True)
class Preset:
    name: str
    stage_colours: tuple[tuple[int, int, int], ...]


PRESETS: dict[str, Preset] = {name: Preset(name, p.stage_colours) for name, p in PLATFORMS.items() if p.stage_colours}
