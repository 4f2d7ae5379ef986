"""Zoom."""

from bot.platforms.base import LabelFont, Platform

PLATFORM = Platform(
    name="zoom",
    title="Zoom",
    window_hints=("zoom",),
    gallery_shortcuts={"win32": ("alt", "f2"), "darwin": ("command", "shift", "w")},
    gallery_advice="choose View > Gallery in the top-right corner of the Zoom meeting window",
    stage_colours=((26, 26, 26), (0, 0, 0), (36, 36, 36), (18, 18, 18)),
    label_font=LabelFont("lato", ("Regular", "Bold")),
    rendered=True,
)
