"""What every figure shares: layout, time axis, bucket times, the empty figure."""

from __future__ import annotations

import html
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


def time_axis(**extra) -> dict:
    axis = {"tickformat": "%H:%M", "gridcolor": GRID, "showline": False, "zeroline": False, "hoverformat": "%H:%M"}
    axis.update(extra)
    return axis


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
