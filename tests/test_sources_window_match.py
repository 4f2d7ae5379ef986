"""Which window a ``window:TITLE`` spec picks, and how the not-found message lists windows (no display needed)."""

from __future__ import annotations

from bot.window import WindowInfo, describe_titles, find_windows


def _win(title: str, w: int = 800, h: int = 600, visible: bool = True) -> WindowInfo:
    return WindowInfo(handle=title, title=title, rect=(0, 0, w, h), visible=visible)


def test_best_match_first() -> None:
    windows = [
        _win("xterm: classmood bot start --source window:Zoom", 1200, 900),  # our own terminal
        _win("Zoom Workplace", 400, 300),
        _win("Zoom Meeting", 1280, 800, visible=False),
        _win("Zoom Meeting 40-Minutes", 1280, 800),
        _win("Firefox"),
    ]
    assert [w.title for w in find_windows("zoom", windows)] == [
        "Zoom Meeting 40-Minutes",  # shown, largest
        "Zoom Workplace",
        "xterm: classmood bot start --source window:Zoom",  # mentions the search, so last of the shown ones
        "Zoom Meeting",  # minimized
    ]
    assert find_windows("ZOOM MEETING", windows)[0].title == "Zoom Meeting"  # an exact title wins
    assert find_windows("teams", windows) == []
    assert find_windows("", windows) == []


def test_titles_listed_for_the_error() -> None:
    windows = [_win(f"Window {n}") for n in range(10)] + [_win("A" * 60), _win("")]
    text = describe_titles(windows, limit=3)
    assert text == 'open windows: "Window 0", "Window 1", "Window 2" and 8 more'
    assert describe_titles([_win("A" * 60)]) == f'open windows: "{"A" * 39}…"'
    assert describe_titles([_win("")]) == "no windows with a title are open"
