"""What every figure shares: layout, time axis, bucket times, the empty figure."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import numpy as np
import plotly.graph_objects as go

from analytics.report import fmt
from analytics.report.theme import (
    FONT,
    GRID,
    MUTED,
    TEXT,
)

#: Bottom-to-top order of the stacked emotion areas: negative ones at the bottom, so a rise shows from the axis.
STACK_ORDER: tuple[str, ...] = ("sadness", "anger", "fear", "disgust", "contempt", "neutral", "surprise", "happiness")


def plot_text(text: str) -> str:
    """Text for a Plotly label: Plotly reads a little HTML (<b>, <a href>), and students' names are not trusted."""
    return html.escape(text, quote=False)


def base_layout(height: int, **extra) -> dict:
    layout = {
        "height": height,
        "margin": {"l": 60, "r": 24, "t": 36, "b": 44},
        "font": {"family": FONT, "size": 13, "color": TEXT},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": FONT, "size": 13}, "bgcolor": "#ffffff"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0, "font": {"size": 12}},
    }
    layout.update(extra)
    return layout


#: Clock labels for time axes: with ticks less than a minute apart (a short live window), seconds are shown,
#: else "07:05" would repeat along the axis.
CLOCK_TICKS = [
    {"dtickrange": [None, 60000], "value": "%H:%M:%S"},
    {"dtickrange": [60000, None], "value": "%H:%M"},
]

#: Date labels for axes across classes: the time of day too when ticks are less than a day apart (one class, or
#: several on one day), else "03 Dec" would repeat along the axis.
DATE_TICKS = [
    {"dtickrange": [None, 60000], "value": "%d %b %H:%M:%S"},
    {"dtickrange": [60000, 86400000], "value": "%d %b %H:%M"},
    {"dtickrange": [86400000, None], "value": "%d %b"},
]

#: Moment markers: the narrowest plot they must fit without overlapping (an 800 px window, less the page's
#: padding and the chart's margins), and the width of one character of their label.
MARKER_PLOT_PX = 560
MARKER_CHAR_PX = 8


def time_axis(**extra) -> dict:
    axis = {"tickformatstops": CLOCK_TICKS, "gridcolor": GRID, "showline": False, "zeroline": False}
    axis.update(hoverformat="%H:%M", **extra)
    return axis


def stacked_points(
    x: list[datetime], values: np.ndarray, gaps: np.ndarray, edge: Callable[[int], datetime]
) -> tuple[list[datetime], list[float]]:
    """A stacked area's points with the gaps cut square: flat to the edge of the last captured bucket, down to 0
    across the buckets with no capture, and up again at the next one (not sloping from bucket centre to centre).
    """
    tick = timedelta(milliseconds=1)
    xs: list[datetime] = []
    ys: list[float] = []
    n = len(x)
    for i in range(n):
        if not gaps[i]:
            xs.append(x[i])
            ys.append(float(values[i]))
            continue
        if i == 0 or not gaps[i - 1]:  # a gap starts
            if i > 0:
                xs += [edge(i) - tick]
                ys += [float(values[i - 1])]
            xs.append(edge(i))
            ys.append(0.0)
        if i == n - 1 or not gaps[i + 1]:  # a gap ends
            xs.append(edge(i + 1) - tick)
            ys.append(0.0)
            if i < n - 1:
                xs.append(edge(i + 1))
                ys.append(float(values[i + 1]))
    return xs, ys


def marker_groups(centers: Sequence[datetime], span_s: float) -> list[list[int]]:
    """Indices of the moments whose numbered markers share one label, so that no two labels overlap.

    Labels are placed at the centre of their moments; one closer to the previous label than half their widths
    (at :data:`MARKER_PLOT_PX`) joins it ("1·2").
    """
    groups: list[list[int]] = []
    positions: list[float] = []
    px_per_s = MARKER_PLOT_PX / span_s if span_s > 0 else 0.0

    def width(group: list[int]) -> float:
        return MARKER_CHAR_PX * (len("·".join(str(i + 1) for i in group)) + 1)

    for index, center in sorted(enumerate(centers), key=lambda item: item[1]):
        at = center.timestamp() * px_per_s
        if groups and at - positions[-1] < (width(groups[-1]) + width([index])) / 2:
            groups[-1].append(index)
            continue
        groups.append([index])
        positions.append(at)
    return groups


def dates_range(starts: Sequence[datetime]) -> list[datetime] | None:
    """An x range of at least two days around the classes: Plotly would zoom into the milliseconds of one class."""
    if not starts or max(starts) - min(starts) >= timedelta(days=2):
        return None
    middle = min(starts) + (max(starts) - min(starts)) / 2
    return [middle - timedelta(days=1), middle + timedelta(days=1)]


def centers(start: datetime, bucket_s: float, n: int) -> list[datetime]:
    first = fmt.local(start)
    return [first + timedelta(seconds=(i + 0.5) * bucket_s) for i in range(n)]


def edges(start: datetime, bucket_s: float, index: int) -> datetime:
    return fmt.local(start) + timedelta(seconds=index * bucket_s)


def nan_to_none(values: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else float(v) for v in values]


def empty_figure(message: str, height: int = 260) -> go.Figure:
    figure = go.Figure(layout=base_layout(height))
    figure.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": message,
                "showarrow": False,
                "font": {"size": 15, "color": MUTED},
                "x": 0.5,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
            }
        ],
    )
    return figure
