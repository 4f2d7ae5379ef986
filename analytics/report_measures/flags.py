"""Needs-attention flags: a sustained drop below a student's own baseline, the camera off for long, a long
absence (away, late, left early, or missing a class they usually attend); :class:`StudentGrid` holds the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from analytics.report_measures.common import (
    runs,
    safe_divide,
)


@dataclass(frozen=True)
class FlagRules:
    """When a student "needs attention". Durations in minutes.

    In a short class each duration is at most ``short_fraction`` of the class
    (never below ``min_minutes``), so a 20-minute class flags a 3-minute absence.
    """

    drop_depth: float = 0.25
    drop_minutes: float = 5.0
    camera_off_minutes: float = 10.0
    away_minutes: float = 10.0
    short_fraction: float = 0.15
    min_minutes: float = 1.0

    def scaled(self, minutes: float, class_minutes: float) -> float:
        return min(minutes, max(self.min_minutes, self.short_fraction * class_minutes))


@dataclass(frozen=True)
class Flag:
    """One reason a student needs attention, with its time span."""

    participant_id: int
    student: str
    kind: str  # "drop", "camera_off", "away", "absent"
    start: datetime
    end: datetime
    reason: str  # one plain sentence

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60.0

    @property
    def title(self) -> str:
        return FLAG_TITLES[self.kind]


FLAG_TITLES = {
    "drop": "Mood well below their usual",
    "camera_off": "Camera off for a long time",
    "away": "Away during class",
    "absent": "Missed this class",
}


@dataclass(frozen=True)
class StudentGrid:
    """Per-student, per-bucket sums: what flags and the heatmap are computed from.

    Arrays are (students, buckets): ``present`` observations, ``faces``
    (observations with a face), ``valence_sum`` and ``valence_n`` (sum and
    count of valence over face observations); ``labels`` is (students,
    buckets, 8): face observations per top label in :data:`EMOTIONS` order.
    """

    participant_ids: list[int]
    names: list[str]
    start: datetime
    bucket_s: float
    present: np.ndarray
    faces: np.ndarray
    valence_sum: np.ndarray
    valence_n: np.ndarray
    labels: np.ndarray
    baseline: np.ndarray  # (students,) median valence, NaN without faces

    @property
    def n_buckets(self) -> int:
        return self.present.shape[1]

    def bucket_start(self, index: int) -> datetime:
        return self.start + timedelta(seconds=index * self.bucket_s)

    @property
    def valence(self) -> np.ndarray:
        """Mean valence per cell (NaN where no face)."""
        return safe_divide(self.valence_sum, self.valence_n)

    @property
    def relative(self) -> np.ndarray:
        """Mean valence per cell minus the student's baseline."""
        return self.valence - self.baseline[:, None]

    @property
    def dominant(self) -> np.ndarray:
        """Index of the most frequent top label per cell (float, NaN where no face)."""
        out = np.argmax(self.labels, axis=2).astype(float)
        out[self.labels.sum(axis=2) == 0] = np.nan
        return out


def _fmt_clock(value: datetime) -> str:
    return value.astimezone().strftime("%H:%M")


def _length(start: datetime, end: datetime) -> str:
    """A span's length in plain words: ``40 s``, ``2 min 20 s`` (under 10 min), ``12 min``."""
    seconds = max(0.0, (end - start).total_seconds())
    if seconds < 60:
        return f"{round(seconds)} s"
    if seconds < 600:
        minutes, rest = divmod(round(seconds / 10) * 10, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    return f"{round(seconds / 60)} min"


def _span(grid: StudentGrid, start: int, stop: int, end_limit: datetime) -> tuple[datetime, datetime]:
    return grid.bucket_start(start), min(grid.bucket_start(stop), end_limit)


def find_flags(
    grid: StudentGrid,
    *,
    end: datetime,
    rules: FlagRules | None = None,
    missing: list[tuple[int, str]] = (),
    class_valence: np.ndarray | None = None,
    gaps: np.ndarray | None = None,
    live: bool = False,
) -> list[Flag]:
    """Needs-attention flags for the students of ``grid`` (see :class:`FlagRules`).

    ``end`` is when the class ended (or the last capture, live). ``missing``
    are (participant id, name) of regular students not seen at all: each gets
    an "absent" flag. ``class_valence`` (per bucket), when given, lets a drop
    that the whole class shared not count against one student: the student
    must be ``drop_depth`` below their own baseline *and* below the class's
    own dip at that time. With ``live`` (a window of a class still going on)
    only what is still going on at the last bucket is flagged, worded "since".
    ``gaps`` marks buckets with no capture at all: nobody is known to be away
    or to have the camera off then, so they neither count towards a duration
    nor interrupt one.
    """
    scan = _FlagScan.make(grid, end, rules or FlagRules(), class_valence, gaps, live)
    flags: list[Flag] = []
    for row in range(len(grid.names)):
        if not (grid.present[row] > 0).any():
            continue
        flags += scan.away(row) + scan.camera_off(row) + scan.drop(row)
    for pid, name in missing:
        flags.append(Flag(pid, name, "absent", grid.start, end, "Not seen in this class (attended the previous one)."))
    flags.sort(key=lambda f: (f.start, f.student.casefold(), f.kind))
    return flags


@dataclass
class _FlagScan:
    """What :func:`find_flags` looks for in each student's row, with the class's context."""

    grid: StudentGrid
    end: datetime
    rules: FlagRules
    live: bool
    need: dict[str, float]  # minutes a run must last, per flag kind (scaled to a short class)
    index: np.ndarray  # the captured buckets; runs are found among them
    class_relative: np.ndarray | None

    @classmethod
    def make(
        cls,
        grid: StudentGrid,
        end: datetime,
        rules: FlagRules,
        class_valence: np.ndarray | None,
        gaps: np.ndarray | None,
        live: bool,
    ) -> _FlagScan:
        class_minutes = max(0.0, (end - grid.start).total_seconds() / 60.0)
        need = {
            "drop": rules.scaled(rules.drop_minutes, class_minutes),
            "camera_off": rules.scaled(rules.camera_off_minutes, class_minutes),
            "away": rules.scaled(rules.away_minutes, class_minutes),
        }
        known = np.ones(grid.n_buckets, dtype=bool) if gaps is None else ~np.asarray(gaps, dtype=bool)
        class_relative = None
        if class_valence is not None and np.isfinite(class_valence).any():
            class_relative = class_valence - np.nanmedian(class_valence)
        return cls(grid, end, rules, live, need, np.flatnonzero(known), class_relative)

    @property
    def first_known(self) -> int:
        return int(self.index[0]) if self.index.size else 0

    @property
    def last_known(self) -> int:
        return int(self.index[-1]) + 1 if self.index.size else self.grid.n_buckets

    def runs(self, mask: np.ndarray, kind: str) -> list[tuple[int, int]]:
        """Runs of ``mask`` over the captured buckets that last long enough for a ``kind`` flag (live: only the
        one still going on): (first bucket, bucket after the last)."""
        per_bucket_min = self.grid.bucket_s / 60.0
        found = []
        for a, b in runs(mask[self.index]):
            start, stop, count = int(self.index[a]), int(self.index[b - 1]) + 1, b - a
            if count * per_bucket_min + 1e-9 < self.need[kind] or (self.live and stop != self.last_known):
                continue
            found.append((start, stop))
        return found

    def away(self, row: int) -> list[Flag]:
        """Absent buckets between the start of class and the end (joined late, left early, away)."""
        pid, name = self.grid.participant_ids[row], self.grid.names[row]
        flags = []
        for start, stop in self.runs(~(self.grid.present[row] > 0), "away"):
            t0, t1 = _span(self.grid, start, stop, self.end)
            if self.live:
                reason = f"Away since {_fmt_clock(t0)} ({_length(t0, t1)})."
            elif start == self.first_known:
                reason = f"Joined {_length(t0, t1)} late, at {_fmt_clock(t1)}."
            elif stop == self.last_known:
                reason = f"Left {_length(t0, t1)} before the end, at {_fmt_clock(t0)}."
            else:
                reason = f"Away for {_length(t0, t1)}, from {_fmt_clock(t0)} to {_fmt_clock(t1)}."
            flags.append(Flag(pid, name, "away", t0, t1, reason))
        return flags

    def camera_off(self, row: int) -> list[Flag]:
        """Present but no face: camera off (or turned away) - buckets where all their tiles had no face."""
        pid, name = self.grid.participant_ids[row], self.grid.names[row]
        present = self.grid.present[row] > 0
        seen = np.flatnonzero(present)
        flags = []
        for start, stop in self.runs(present & (self.grid.faces[row] == 0), "camera_off"):
            t0, t1 = _span(self.grid, start, stop, self.end)
            whole = start <= seen[0] and stop > seen[-1]
            reason = (
                f"Camera off since {_fmt_clock(t0)} ({_length(t0, t1)})."
                if self.live
                else "Camera off the whole time they were in class."
                if whole
                else f"Camera off for {_length(t0, t1)}, from {_fmt_clock(t0)} to {_fmt_clock(t1)}."
            )
            flags.append(Flag(pid, name, "camera_off", t0, t1, reason))
        return flags

    def drop(self, row: int) -> list[Flag]:
        """Sustained drop below their own baseline (ignoring buckets without a face, which end a run)."""
        grid, rules = self.grid, self.rules
        base = grid.baseline[row]
        if not np.isfinite(base):
            return []
        rel = grid.relative[row]
        low = np.isfinite(rel) & (rel < -rules.drop_depth)
        if self.class_relative is not None:
            low &= ~np.isfinite(self.class_relative) | (rel - np.minimum(self.class_relative, 0.0) < -rules.drop_depth)
        flags = []
        for start, stop in self.runs(low, "drop"):
            t0, t1 = _span(grid, start, stop, self.end)
            lowest = float(np.nanmin(grid.valence[row, start:stop]))
            mean = float(np.nanmean(grid.valence[row, start:stop]))
            when = (
                f"since {_fmt_clock(t0)} ({_length(t0, t1)})"
                if self.live
                else f"for {_length(t0, t1)} ({_fmt_clock(t0)}-{_fmt_clock(t1)})"
            )
            reason = (
                f"Mood {base - mean:.2f} below their usual {when}: {mean:+.2f} on average "
                f"(usual {base:+.2f}), lowest {lowest:+.2f}."
            )
            flags.append(Flag(grid.participant_ids[row], grid.names[row], "drop", t0, t1, reason))
        return flags
