"""Microsoft Teams (names in Segoe UI; Open Sans is the usual free stand-in)."""

from bot.platforms.base import LabelFont, Platform

PLATFORM = Platform(
    name="teams",
    title="Microsoft Teams",
    window_hints=("teams",),
    gallery_advice="Teams has no shortcut for its layout: choose View > Gallery in the meeting toolbar",
    stage_colours=((20, 20, 20), (31, 31, 31), (41, 41, 41), (240, 240, 240)),
    label_font=LabelFont("open-sans", ("Regular", "SemiBold")),
    rendered=True,
)
