"""Plain-words formatting of times, durations and measures for the report.

Times are shown in the server's local time zone (the instructor's machine
for ``classmood report``).
"""

from __future__ import annotations

import math
from datetime import datetime


def local(value: datetime) -> datetime:
    """A timezone-aware datetime in local time, without tzinfo (what Plotly axes expect)."""
    return value.astimezone().replace(tzinfo=None)


def clock(value: datetime | None) -> str:
    return value.astimezone().strftime("%H:%M") if value is not None else "-"


def clock_seconds(value: datetime | None) -> str:
    return value.astimezone().strftime("%H:%M:%S") if value is not None else "-"


def day(value: datetime | None) -> str:
    if value is None:
        return "-"
    v = value.astimezone()
    return f"{v:%a} {v.day} {v:%b %Y}"


def day_short(value: datetime | None) -> str:
    if value is None:
        return "-"
    v = value.astimezone()
    return f"{v:%a} {v.day} {v:%b}"


def when(value: datetime | None) -> str:
    """``Mon 4 Mar 2024, 09:00``."""
    return f"{day(value)}, {clock(value)}" if value is not None else "-"


def iso_local(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def duration(minutes: float | None) -> str:
    """``45 min``, ``1 h 05 min``; ``< 1 min`` for less than half a minute."""
    if minutes is None:
        return "-"
    total = round(minutes)
    if total <= 0:
        return "< 1 min" if minutes > 0 else "0 min"
    hours, rest = divmod(total, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def percent(value: float | None) -> str:
    return f"{100 * value:.0f}%" if value is not None else "-"


def mood(value: float | None) -> str:
    """A valence as ``+0.21`` / ``-0.05`` (the sign always shown); ``-`` when there is none (no face seen)."""
    if value is None or not math.isfinite(value):
        return "-"
    text = f"{value:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def mood_words(value: float | None) -> str:
    """A rough word for a mean valence."""
    if value is None:
        return "no faces seen"
    if value >= 0.25:
        return "positive"
    if value >= 0.05:
        return "slightly positive"
    if value > -0.05:
        return "neutral"
    if value > -0.25:
        return "slightly negative"
    return "negative"


def minutes_into(value: datetime, start: datetime) -> float:
    return (value - start).total_seconds() / 60.0


def span(start: datetime, end: datetime, class_start: datetime) -> str:
    """``09:12-09:20 (minutes 12-20 of class)``."""
    m0 = round(minutes_into(start, class_start))
    m1 = round(minutes_into(end, class_start))
    return f"{clock(start)}-{clock(end)} (minutes {m0}-{m1} of class)"
