"""The meeting platforms (bot/platforms): one home per client, read by the CLI, paging, the splitter and fonts."""

from __future__ import annotations

import pytest

from bot.gallery.presets import PRESETS
from bot.gallery.split import label_box_for
from bot.paging import GALLERY_ADVICE, GALLERY_SHORTCUTS, guess_platform
from bot.platforms import PLATFORMS, guess_from_title, platform_names
from classmood.cli import build_parser


def test_every_platform_has_a_module_and_the_cli_offers_it():
    assert platform_names() == ("zoom", "meet", "teams", "webex")
    assert platform_names(rendered_only=True) == ("zoom", "meet", "teams")  # what `demo` can draw
    parser = build_parser()
    assert parser.parse_args(["bot", "start", "--course", "X", "--platform", "webex"]).platform == "webex"
    with pytest.raises(SystemExit):
        parser.parse_args(["demo", "--platform", "webex"])  # no synthetic Webex gallery yet
    with pytest.raises(SystemExit):
        parser.parse_args(["bot", "start", "--course", "X", "--platform", "skype"])


@pytest.mark.parametrize(
    ("title", "platform"),
    [
        ("Zoom Meeting", "zoom"),
        ("Meet - abc-defg-hij - Google Chrome", "meet"),
        ("Chat | Microsoft Teams", "teams"),
        ("Cisco Webex Meetings", "webex"),
        ("Untitled - Notepad", None),
    ],
)
def test_window_titles_name_their_platform(title, platform):
    assert guess_from_title(title) == platform

    class Window:
        pass

    window = Window()
    window.title = title
    assert guess_platform(window) == platform


def test_paging_and_splitter_hints_come_from_the_platforms():
    assert GALLERY_SHORTCUTS == {("zoom", "win32"): ("alt", "f2"), ("zoom", "darwin"): ("command", "shift", "w")}
    assert set(GALLERY_ADVICE) == set(PLATFORMS)
    assert PRESETS["meet"].stage_colours == ((32, 33, 36),) and "webex" not in PRESETS


@pytest.mark.parametrize("name", list(PLATFORMS))
def test_label_strip_is_where_the_splitter_cuts_it(name):
    """The platform's label geometry is the splitter's (until the splitter reads it from here)."""
    strip = PLATFORMS[name].label_strip
    for height in (8, 29, 50, 100, 154, 250, 300, 400, 1000):
        tile = (10, 20, 274, height)
        assert strip.box(tile) == label_box_for(tile)


@pytest.mark.parametrize("platform", ["meet", None])
def test_platform_option_reaches_the_splitter(monkeypatch, platform):
    """`bot start/inspect --platform meet` splits with Meet's hints; without it, with none."""
    from datetime import UTC, datetime

    import numpy as np

    import bot.gallery
    from bot.frames import Frame, Gallery
    from classmood.commands._models import load_pipeline

    seen = []

    def recording_splitter(image, platform=None):
        seen.append(platform)
        return Gallery(tiles=[])

    monkeypatch.setattr(bot.gallery, "split_gallery", recording_splitter)
    args = ["bot", "inspect", "shot.png"] + (["--platform", platform] if platform else [])
    parsed = build_parser().parse_args(args)
    pipeline = load_pipeline(parsed.model, ocr=False, platform=parsed.platform)
    pipeline.process([Frame(np.zeros((90, 160, 3), np.uint8), datetime.now(UTC))])
    assert seen == [platform]
