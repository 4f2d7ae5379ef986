"""What the flags and the moments share: the negative emotions, the valence bin, array helpers."""

from __future__ import annotations

import numpy as np

from analytics.schema import EMOTIONS

#: Emotions that count as negative for "negative expressions rose".
NEGATIVE_EMOTIONS: tuple[str, ...] = ("sadness", "anger", "disgust", "fear", "contempt")
NEGATIVE_INDEX = np.array([EMOTIONS.index(e) for e in NEGATIVE_EMOTIONS])

#: Histogram bin width of valence used for the baseline median (in valence units).
VALENCE_BIN = 0.01


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
