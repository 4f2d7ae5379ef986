"""Google Meet (names in Google Sans; Roboto is the nearest freely licensed Google face)."""

from bot.platforms.base import LabelFont, Platform

PLATFORM = Platform(
    name="meet",
    title="Google Meet",
    window_hints=("meet", "google"),
    gallery_advice="Google Meet has no shortcut for its layout: choose More options (⋮) > Change layout > Tiled",
    stage_colours=((32, 33, 36),),
    label_font=LabelFont("roboto", ("Regular", "Medium")),
    rendered=True,
)
