"""The look of each platform's meeting window: colours, spacing, label style (approximations by eye)."""

from __future__ import annotations

from dataclasses import dataclass

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class Style:
    platform: str
    theme: str
    stage_bg: RGB
    tile_off: RGB  # camera-off tile
    bars: RGB  # letterbox / pillarbox fill inside a tile
    gap: int
    radius: int
    margin: int
    speaker: RGB
    speaker_width: int
    label: str  # "box" (text on a translucent box) or "shadow" (text with a drop shadow)
    label_bg: RGBA
    label_fg: RGB
    font: str
    label_weight: str
    chrome_bg: RGB  # title bar / browser tabs
    chrome_fg: RGB
    bar_bg: RGB  # the app's toolbar or header
    bar_fg: RGB
    self_view: tuple[int, int]  # floating self-view size at 1080p
    aspect: float = 16 / 9


AVATAR_COLOURS: dict[str, tuple[RGB, ...]] = {
    "zoom": ((14, 114, 237), (233, 30, 99), (0, 150, 136), (255, 152, 0), (121, 85, 72), (103, 58, 183)),
    "meet": ((232, 113, 10), (26, 115, 232), (30, 142, 62), (217, 48, 37), (161, 66, 244), (0, 137, 123)),
    "teams": ((236, 211, 150), (197, 220, 242), (234, 195, 220), (196, 230, 199), (250, 208, 180), (213, 206, 240)),
}


def _zoom_style(theme: str, variant: int) -> Style:
    """Zoom: dark in either theme (only the window chrome follows it); four stage shades."""
    stage = ((26, 26, 26), (0, 0, 0), (36, 36, 36), (18, 18, 18))[variant % 4]
    off = (48, 48, 48) if stage[0] >= 30 else (35, 35, 35)
    return Style(
        "zoom",
        "dark",
        stage,
        off,
        (0, 0, 0),
        gap=(4, 4, 6, 3)[variant % 4],
        radius=(4, 0, 6, 4)[variant % 4],
        margin=8,
        speaker=(0, 204, 74),
        speaker_width=3,
        label="box",
        label_bg=(0, 0, 0, 150),
        label_fg=(255, 255, 255),
        font="lato",
        label_weight="Regular",
        chrome_bg=(243, 243, 243) if theme == "light" else (36, 36, 36),
        chrome_fg=(20, 20, 20) if theme == "light" else (230, 230, 230),
        bar_bg=(26, 26, 26) if stage != (26, 26, 26) else (18, 18, 18),
        bar_fg=(230, 230, 230),
        self_view=(240, 135),
    )


def _meet_style(theme: str, variant: int) -> Style:
    """Meet: dark in either theme (only Chrome's chrome follows it); corner radius and tile aspect vary."""
    return Style(
        "meet",
        "dark",
        (32, 33, 36),
        (60, 64, 67),
        (60, 64, 67),
        gap=8,
        radius=(8, 12, 8, 10)[variant % 4],
        margin=16,
        speaker=(138, 180, 248),
        speaker_width=4,
        label="shadow",
        label_bg=(0, 0, 0, 110),
        label_fg=(255, 255, 255),
        font="roboto",
        label_weight="Medium",
        chrome_bg=(222, 225, 230) if theme == "light" else (32, 33, 36),
        chrome_fg=(32, 33, 36) if theme == "light" else (232, 234, 237),
        bar_bg=(32, 33, 36),
        bar_fg=(232, 234, 237),
        self_view=(256, 144),
        aspect=(16 / 9, 16 / 9, 4 / 3, 16 / 9)[variant % 4],
    )


def _teams_style(theme: str, variant: int) -> Style:
    """Teams: a light stage in the light theme, else one of four dark shades."""
    if theme == "light":
        return Style(
            "teams",
            "light",
            (240, 240, 240),
            (224, 224, 224),
            (224, 224, 224),
            gap=8,
            radius=6,
            margin=12,
            speaker=(91, 95, 199),
            speaker_width=3,
            label="box",
            label_bg=(255, 255, 255, 215),
            label_fg=(36, 36, 36),
            font="open-sans",
            label_weight="SemiBold",
            chrome_bg=(235, 235, 235),
            chrome_fg=(36, 36, 36),
            bar_bg=(255, 255, 255),
            bar_fg=(36, 36, 36),
            self_view=(224, 126),
        )
    stage = ((20, 20, 20), (31, 31, 31), (20, 20, 20), (41, 41, 41))[variant % 4]
    return Style(
        "teams",
        "dark",
        stage,
        (51, 51, 51) if stage[0] < 35 else (61, 61, 61),
        (51, 51, 51),
        gap=(8, 4, 6, 8)[variant % 4],
        radius=6,
        margin=12,
        speaker=(127, 133, 245),
        speaker_width=3,
        label="box",
        label_bg=(0, 0, 0, 150),
        label_fg=(255, 255, 255),
        font="open-sans",
        label_weight="SemiBold",
        chrome_bg=(41, 41, 41),
        chrome_fg=(230, 230, 230),
        bar_bg=(41, 41, 41) if stage[0] < 35 else (31, 31, 31),
        bar_fg=(230, 230, 230),
        self_view=(224, 126),
    )


def style_for(platform: str, theme: str = "dark", variant: int = 0) -> Style:
    """The style of ``platform`` in ``theme``; ``variant`` picks among colours seen in different versions."""
    if platform == "zoom":
        return _zoom_style(theme, variant)
    if platform == "meet":
        return _meet_style(theme, variant)
    if platform == "teams":
        return _teams_style(theme, variant)
    raise ValueError(f"unknown platform {platform!r} (zoom, meet, teams)")
