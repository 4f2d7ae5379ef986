"""Derived measures of the report, computed from aggregated (students x time bucket) arrays.

Nothing here touches the database: :mod:`analytics.report_data` aggregates the
observations in SQL into per-student, per-bucket sums and hands the arrays to
these functions, which find

* each student's **baseline**: their own median valence over the session
  (from a histogram of valence computed in SQL, so the median is exact to
  within half a bin, 0.005);
* **needs-attention flags**: a sustained drop below the student's own baseline,
  a long stretch with the camera off, or a long absence (away during class,
  joined late, left early, or missed a class they usually attend);
* class **moments**: stretches where the class's mood dipped, negative
  expressions rose, or the mood lifted.

The rules are in :class:`FlagRules` and :class:`MomentRules`; their defaults
are what the report documents to teachers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from analytics.schema import EMOTIONS

#: Emotions that count as negative for "negative expressions rose".
NEGATIVE_EMOTIONS: tuple[str, ...] = ("sadness", "anger", "disgust", "fear", "contempt")
NEGATIVE_INDEX = np.array([EMOTIONS.index(e) for e in NEGATIVE_EMOTIONS])

#: Histogram bin width of valence used for the baseline median (in valence units).
VALENCE_BIN = 0.01


# ----------------------------------------------------------------------------- helpers


def safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with NaN where ``den`` is 0."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def rolling_sum(values: np.ndarray, window: int) -> np.ndarray:
    """Centered rolling sum over the last axis (window clipped at the edges)."""
    if window <= 1:
        return np.asarray(values, dtype=float)
    values = np.asarray(values, dtype=float)
    half = window // 2
    pad = [(0, 0)] * (values.ndim - 1) + [(half, window - 1 - half)]
    padded = np.pad(values, pad)
    cumulative = np.cumsum(padded, axis=-1)
    cumulative = np.concatenate([np.zeros((*values.shape[:-1], 1)), cumulative], axis=-1)
    return cumulative[..., window:] - cumulative[..., :-window]


def smooth_ratio(num: np.ndarray, den: np.ndarray, window: int) -> np.ndarray:
    """A weighted centered rolling mean: rolling sum of ``num`` / rolling sum of ``den`` (NaN where no weight)."""
    return safe_divide(rolling_sum(num, window), rolling_sum(den, window))


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of True in a 1-d boolean array, as ``(start, stop)`` (stop exclusive)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.size == 0:
        return []
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def median_from_histogram(bin_index: np.ndarray, counts: np.ndarray, bin_width: float = VALENCE_BIN) -> float | None:
    """The median of values binned as ``round(value / bin_width)``, given (bin, count) pairs; None if empty."""
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    if total <= 0:
        return None
    order = np.argsort(bin_index)
    bins = np.asarray(bin_index, dtype=float)[order]
    cumulative = np.cumsum(counts[order])
    lower = bins[np.searchsorted(cumulative, total / 2.0, side="left")]
    upper = bins[np.searchsorted(cumulative, total / 2.0, side="right")] if total % 2 == 0 else lower
    upper = min(upper, bins[-1])
    return float((lower + upper) / 2.0 * bin_width)


# ----------------------------------------------------------------------------- flags


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
    rules = rules or FlagRules()
    class_minutes = max(0.0, (end - grid.start).total_seconds() / 60.0)
    per_bucket_min = grid.bucket_s / 60.0
    need = {
        "drop": rules.scaled(rules.drop_minutes, class_minutes),
        "camera_off": rules.scaled(rules.camera_off_minutes, class_minutes),
        "away": rules.scaled(rules.away_minutes, class_minutes),
    }
    flags: list[Flag] = []
    known = np.ones(grid.n_buckets, dtype=bool) if gaps is None else ~np.asarray(gaps, dtype=bool)
    index = np.flatnonzero(known)  # the buckets that were captured; runs are found among them

    def known_runs(mask: np.ndarray) -> list[tuple[int, int, int]]:
        """Runs of ``mask`` over the captured buckets: (first bucket, bucket after the last, captured buckets)."""
        return [(int(index[a]), int(index[b - 1]) + 1, b - a) for a, b in runs(mask[index])]

    first_known = int(index[0]) if index.size else 0
    last_known = int(index[-1]) + 1 if index.size else grid.n_buckets
    valence = grid.valence
    relative = grid.relative
    if class_valence is not None:
        class_relative = class_valence - np.nanmedian(class_valence) if np.isfinite(class_valence).any() else None
    else:
        class_relative = None
    for row, (pid, name) in enumerate(zip(grid.participant_ids, grid.names, strict=True)):
        present = grid.present[row] > 0
        seen = np.flatnonzero(present)
        if seen.size == 0:
            continue
        # Absent buckets between the start of class and the end (joined late, left early, away).
        away = ~present
        for start, stop, count in known_runs(away):
            minutes = count * per_bucket_min
            if minutes + 1e-9 < need["away"] or (live and stop != last_known):
                continue
            t0, t1 = _span(grid, start, stop, end)
            if live:
                reason = f"Away since {_fmt_clock(t0)} ({_length(t0, t1)})."
            elif start == first_known:
                reason = f"Joined {_length(t0, t1)} late, at {_fmt_clock(t1)}."
            elif stop == last_known:
                reason = f"Left {_length(t0, t1)} before the end, at {_fmt_clock(t0)}."
            else:
                reason = f"Away for {_length(t0, t1)}, from {_fmt_clock(t0)} to {_fmt_clock(t1)}."
            flags.append(Flag(pid, name, "away", t0, t1, reason))
        # Present but no face: camera off (or turned away) - buckets where all their tiles had no face.
        camera_off = present & (grid.faces[row] == 0)
        for start, stop, count in known_runs(camera_off):
            minutes = count * per_bucket_min
            if minutes + 1e-9 < need["camera_off"] or (live and stop != last_known):
                continue
            t0, t1 = _span(grid, start, stop, end)
            whole = start <= seen[0] and stop > seen[-1]
            reason = (
                f"Camera off since {_fmt_clock(t0)} ({_length(t0, t1)})."
                if live
                else "Camera off the whole time they were in class."
                if whole
                else f"Camera off for {_length(t0, t1)}, from {_fmt_clock(t0)} to {_fmt_clock(t1)}."
            )
            flags.append(Flag(pid, name, "camera_off", t0, t1, reason))
        # Sustained drop below their own baseline (ignoring buckets without a face, which end a run).
        base = grid.baseline[row]
        if np.isfinite(base):
            rel = relative[row]
            low = np.isfinite(rel) & (rel < -rules.drop_depth)
            if class_relative is not None:
                low &= ~np.isfinite(class_relative) | (rel - np.minimum(class_relative, 0.0) < -rules.drop_depth)
            for start, stop, count in known_runs(low):
                minutes = count * per_bucket_min
                if minutes + 1e-9 < need["drop"] or (live and stop != last_known):
                    continue
                t0, t1 = _span(grid, start, stop, end)
                lowest = float(np.nanmin(valence[row, start:stop]))
                mean = float(np.nanmean(valence[row, start:stop]))
                when = (
                    f"since {_fmt_clock(t0)} ({_length(t0, t1)})"
                    if live
                    else f"for {_length(t0, t1)} ({_fmt_clock(t0)}-{_fmt_clock(t1)})"
                )
                reason = (
                    f"Mood {base - mean:.2f} below their usual {when}: {mean:+.2f} on average "
                    f"(usual {base:+.2f}), lowest {lowest:+.2f}."
                )
                flags.append(Flag(pid, name, "drop", t0, t1, reason))
    for pid, name in missing:
        flags.append(Flag(pid, name, "absent", grid.start, end, "Not seen in this class (attended the previous one)."))
    flags.sort(key=lambda f: (f.start, f.student.casefold(), f.kind))
    return flags


# ----------------------------------------------------------------------------- moments


@dataclass(frozen=True)
class MomentRules:
    """When a class-wide change counts as a moment.

    The class's valence and share of negative expressions are smoothed over
    ``smooth_minutes``; a moment is a stretch of at least ``min_minutes`` where
    the smoothed value is beyond the session's median by more than
    ``min_change`` (valence) or ``min_negative_change`` (share of faces), or by
    ``noise`` times the noise of the smoothed curve if that is larger (a small
    class is noisier).
    """

    smooth_minutes: float = 2.0
    min_minutes: float = 1.0
    min_change: float = 0.10
    min_negative_change: float = 0.08
    noise: float = 3.0
    max_moments: int = 8


@dataclass(frozen=True)
class Moment:
    kind: str  # "dip" (mood dropped), "negative" (negative expressions rose), "lift" (mood rose)
    start: datetime
    end: datetime
    minute_start: float  # minutes into class
    minute_end: float
    peak: datetime  # the most extreme point
    value: float  # class valence (dip/lift) or negative share (negative) at the peak
    usual: float  # the session's median of the same measure
    description: str

    @property
    def title(self) -> str:
        return MOMENT_TITLES[self.kind]


MOMENT_TITLES = {
    "dip": "Mood dipped",
    "negative": "Negative expressions rose",
    "lift": "Mood lifted",
}


@dataclass(frozen=True)
class ClassSeries:
    """Class-wide sums per bucket (summed over students)."""

    start: datetime
    bucket_s: float
    captures: np.ndarray  # capture rows per bucket
    present: np.ndarray  # observations
    faces: np.ndarray
    valence_sum: np.ndarray
    valence_n: np.ndarray
    labels: np.ndarray  # (8, buckets)
    students_present: np.ndarray  # distinct students seen per bucket
    students_camera_on: np.ndarray  # distinct students with a face per bucket

    @classmethod
    def from_grid(cls, grid: StudentGrid, captures: np.ndarray) -> ClassSeries:
        return cls(
            start=grid.start,
            bucket_s=grid.bucket_s,
            captures=np.asarray(captures, dtype=float),
            present=grid.present.sum(axis=0),
            faces=grid.faces.sum(axis=0),
            valence_sum=grid.valence_sum.sum(axis=0),
            valence_n=grid.valence_n.sum(axis=0),
            labels=grid.labels.sum(axis=0).T if grid.labels.size else np.zeros((len(EMOTIONS), grid.n_buckets)),
            students_present=(grid.present > 0).sum(axis=0),
            students_camera_on=(grid.faces > 0).sum(axis=0),
        )

    @property
    def n_buckets(self) -> int:
        return int(self.captures.shape[0])

    def times(self) -> list[datetime]:
        return [self.start + timedelta(seconds=i * self.bucket_s) for i in range(self.n_buckets)]

    def minutes(self) -> np.ndarray:
        return np.arange(self.n_buckets) * self.bucket_s / 60.0

    @property
    def gaps(self) -> np.ndarray:
        """Buckets with no capture at all."""
        return self.captures == 0

    @property
    def valence(self) -> np.ndarray:
        return safe_divide(self.valence_sum, self.valence_n)

    @property
    def shares(self) -> np.ndarray:
        """(8, buckets): share of face observations whose top label is each emotion (NaN without faces)."""
        return safe_divide(self.labels, self.labels.sum(axis=0, keepdims=True))

    def window(self, minutes: float) -> int:
        return max(1, round(minutes * 60.0 / self.bucket_s))

    def smoothed_valence(self, minutes: float = 2.0) -> np.ndarray:
        out = smooth_ratio(self.valence_sum, self.valence_n, self.window(minutes))
        out[self.gaps] = np.nan
        return out

    def smoothed_negative(self, minutes: float = 2.0) -> np.ndarray:
        negative = self.labels[NEGATIVE_INDEX].sum(axis=0) if self.labels.size else np.zeros(self.n_buckets)
        out = smooth_ratio(negative, self.labels.sum(axis=0), self.window(minutes))
        out[self.gaps] = np.nan
        return out


def _threshold(raw: np.ndarray, smoothed: np.ndarray, window: int, floor: float, rules: MomentRules) -> tuple:
    """(median of the smoothed curve, how far from it counts as a moment)."""
    finite = smoothed[np.isfinite(smoothed)]
    median = float(np.median(finite))
    residual = (raw - smoothed)[np.isfinite(raw) & np.isfinite(smoothed)]
    noise = float(np.median(np.abs(residual))) * 1.4826 / np.sqrt(window) if residual.size else 0.0
    return median, max(floor, rules.noise * noise)


def find_moments(series: ClassSeries, *, end: datetime, rules: MomentRules | None = None) -> list[Moment]:
    """Stretches where the class's mood dipped, negative expressions rose, or the mood lifted.

    Returns at most ``rules.max_moments``, the strongest, in time order.
    """
    rules = rules or MomentRules()
    valence = series.smoothed_valence(rules.smooth_minutes)
    negative = series.smoothed_negative(rules.smooth_minutes)
    if not np.isfinite(valence).any():
        return []
    window = series.window(rules.smooth_minutes)
    raw_valence = series.valence
    raw_negative = safe_divide(series.labels[NEGATIVE_INDEX].sum(axis=0), series.labels.sum(axis=0))
    min_buckets = max(1, int(np.ceil(rules.min_minutes * 60.0 / series.bucket_s - 1e-9)))
    found: list[tuple[float, Moment]] = []

    def add(kind: str, values: np.ndarray, direction: int) -> None:
        raw, floor = (
            (raw_negative, rules.min_negative_change) if kind == "negative" else (raw_valence, rules.min_change)
        )
        median, threshold = _threshold(raw, values, window, floor, rules)
        beyond = np.isfinite(values) & (direction * (values - median) > threshold)
        for start, stop in runs(beyond):
            if stop - start < min_buckets:
                continue
            segment = values[start:stop]
            peak_index = start + int(np.nanargmax(direction * segment))
            peak_value = float(values[peak_index])
            t0 = series.start + timedelta(seconds=start * series.bucket_s)
            t1 = min(series.start + timedelta(seconds=stop * series.bucket_s), end)
            peak = series.start + timedelta(seconds=(peak_index + 0.5) * series.bucket_s)
            m0 = (t0 - series.start).total_seconds() / 60.0
            m1 = (t1 - series.start).total_seconds() / 60.0
            if kind == "negative":
                description = (
                    f"Up to {peak_value:.0%} of faces looked sad, angry, afraid, disgusted or contemptuous "
                    f"(usually {median:.0%})."
                )
            else:
                description = f"Class mood went to {peak_value:+.2f} (usually {median:+.2f})."
            moment = Moment(kind, t0, t1, m0, m1, peak, peak_value, median, description)
            found.append((abs(peak_value - median) / threshold, moment))

    add("dip", valence, -1)
    if np.isfinite(negative).any():
        add("negative", negative, +1)
    add("lift", valence, +1)
    strongest = sorted(found, key=lambda item: -item[0])[: rules.max_moments]
    return sorted((m for _, m in strongest), key=lambda m: (m.start, m.kind))
