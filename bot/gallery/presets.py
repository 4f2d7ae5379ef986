"""Optional per-platform hints for :func:`bot.gallery.split_gallery`.

A preset only adds the platform's usual stage colours (RGB) to the colours
the splitter tries first; the split works without one, and a wrong one costs
a few candidate checks, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    stage_colours: tuple[tuple[int, int, int], ...]


PRESETS: dict[str, Preset] = {
    "zoom": Preset("zoom", ((26, 26, 26), (0, 0, 0), (36, 36, 36), (18, 18, 18))),
    "meet": Preset("meet", ((32, 33, 36),)),
    "teams": Preset("teams", ((20, 20, 20), (31, 31, 31), (41, 41, 41), (240, 240, 240))),
}
