"""Source specs: the strings the user writes (``--source window:Zoom``), parsed and checked.

Valid forms::

    screen            the primary monitor
    screen:N          monitor N (mss numbering: 1, 2, ... one monitor; 0 all monitors together)
    region:X,Y,W,H    a rectangle of the screen, in screen coordinates
    window:TITLE      the first window whose title contains TITLE (case-insensitive), followed as it moves
    video:PATH        a recorded class, sampled at the capture interval by video time
    images:DIR        saved screenshots replayed in name order
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.sources.base import SourceError

SPEC_FORMS = "screen, screen:N, region:X,Y,W,H, window:TITLE, video:PATH, images:DIR"
KINDS = ("screen", "region", "window", "video", "images")


@dataclass(frozen=True)
class SourceSpec:
    """A parsed spec. Only the fields of its ``kind`` are set."""

    kind: str
    text: str
    monitor: int | None = None
    region: tuple[int, int, int, int] | None = None
    title: str | None = None
    path: Path | None = None


def _bad(spec: str, why: str) -> SourceError:
    return SourceError(f"bad source {spec!r}: {why} (valid forms: {SPEC_FORMS})")


def parse_spec(spec: str) -> SourceSpec:
    """Parse a spec string; :class:`SourceError` with a one-line message when it is not valid."""
    text = (spec or "").strip()
    if not text:
        raise _bad(spec, "empty")
    kind, sep, arg = text.partition(":")
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise _bad(spec, f"unknown kind {kind!r}")

    if kind == "screen":
        if not sep:
            return SourceSpec(kind, text)
        try:
            monitor = int(arg.strip())
        except ValueError:
            raise _bad(spec, f"the monitor must be a number (1, 2, ...; 0 = all monitors), not {arg!r}") from None
        if monitor < 0:
            raise _bad(spec, "the monitor number cannot be negative")
        return SourceSpec(kind, text, monitor=monitor)

    if not sep or not arg.strip():
        what = {"region": "X,Y,W,H", "window": "a window title", "video": "a video file", "images": "a folder"}[kind]
        raise _bad(spec, f"{kind} needs {what} after the colon")
    arg = arg.strip()

    if kind == "region":
        parts = [p.strip() for p in arg.split(",")]
        if len(parts) != 4:
            raise _bad(spec, f"a region is 4 integers X,Y,W,H, got {len(parts)} value(s)")
        try:
            x, y, w, h = (int(p) for p in parts)
        except ValueError:
            raise _bad(spec, f"a region is 4 integers X,Y,W,H, got {arg!r}") from None
        if w <= 0 or h <= 0:
            raise _bad(spec, f"the region's width and height must be positive, got {w}x{h}")
        return SourceSpec(kind, text, region=(x, y, w, h))

    if kind == "window":
        return SourceSpec(kind, text, title=arg)

    return SourceSpec(kind, text, path=Path(arg).expanduser())
