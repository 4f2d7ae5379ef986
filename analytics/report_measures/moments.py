"""Class moments: stretches where the class's mood dipped, negative expressions rose, or the mood lifted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from analytics.report_measures.common import (
    NEGATIVE_INDEX,
    runs,
    safe_divide,
    smooth_ratio,
)
from analytics.report_measures.flags import StudentGrid
from analytics.schema import EMOTIONS


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
