"""Frame sources: where the bot's frames come from, one small module per source.

``open_source(spec, interval_s)`` is the one entry point::

    with open_source("window:Zoom Meeting", interval_s=5) as source:
        frame = source.grab()          # Frame: BGR image, UTC captured_at, index

Specs (see :mod:`bot.sources.spec`): ``screen[:N]``, ``region:X,Y,W,H``, ``window:TITLE``,
``video:PATH``, ``images:DIR``. Exceptions: :class:`SourceError` (cannot open/use; one-line
message for the user), :class:`SourceEnded` (no more frames: the recording is over or the window
was closed), :class:`SourceUnavailable` (no frame this cycle, e.g. the window is minimized); all
derive from :class:`SourceException`.

:mod:`bot.sources.compression` measures how blocky a recording's pictures are, so the bot can say once
when they are too heavily compressed to trust.

Heavy or platform-specific imports (mss, python-xlib, pywinctl) happen inside the module of the
source that needs them, so importing this package is cheap.
"""

from __future__ import annotations

from datetime import datetime

from bot.sources.base import Source, SourceEnded, SourceError, SourceException, SourceUnavailable
from bot.sources.spec import SPEC_FORMS, SourceSpec, parse_spec

__all__ = [
    "SPEC_FORMS",
    "Source",
    "SourceEnded",
    "SourceError",
    "SourceException",
    "SourceSpec",
    "SourceUnavailable",
    "open_source",
    "parse_spec",
]


def open_source(spec: str, interval_s: float, start: datetime | None = None) -> Source:
    """Open the source a spec names.

    ``interval_s`` is the capture interval; recorded sources (video, images) step by it through
    their material. ``start`` is the session start that recorded frames' ``captured_at`` counts
    from (now when None; live sources stamp each frame with the time it was taken).
    Raises :class:`SourceError` for a bad spec or a source that cannot be opened.
    """
    parsed = parse_spec(spec)
    try:
        interval = float(interval_s)
    except (TypeError, ValueError):
        raise SourceError(f"the capture interval must be a number of seconds, not {interval_s!r}") from None
    if not interval > 0:
        raise SourceError(f"the capture interval must be positive, not {interval_s!r}")

    if parsed.kind == "screen":
        from bot.sources.screen import ScreenSource

        return ScreenSource(parsed.monitor, interval)
    if parsed.kind == "region":
        from bot.sources.region import RegionSource

        assert parsed.region is not None
        return RegionSource(parsed.region, interval)
    if parsed.kind == "window":
        from bot.sources.window import WindowSource

        assert parsed.title is not None
        return WindowSource(parsed.title, interval)
    if parsed.kind == "video":
        from bot.sources.video import VideoSource

        assert parsed.path is not None
        return VideoSource(parsed.path, interval, start)
    from bot.sources.images import ImageFolderSource

    assert parsed.path is not None
    return ImageFolderSource(parsed.path, interval, start)
