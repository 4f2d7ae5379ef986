"""The live page's figure: the class's emotions now."""

from __future__ import annotations

import plotly.graph_objects as go

from analytics.report.figures.common import (
    STACK_ORDER,
    base_layout,
)
from analytics.report.theme import (
    EMOTION_COLORS,
    EMOTION_NAMES,
)


def emotion_bar_figure(shares: dict[str, float], *, height: int = 120) -> go.Figure:
    """One horizontal 100% bar: the share of faces showing each emotion right now."""
    traces = []
    for emotion in STACK_ORDER:
        value = 100.0 * shares.get(emotion, 0.0)
        traces.append(
            go.Bar(
                x=[value],
                y=[""],
                orientation="h",
                name=EMOTION_NAMES[emotion],
                marker={"color": EMOTION_COLORS[emotion]},
                text=[f"{EMOTION_NAMES[emotion]} {value:.0f}%" if value >= 9 else ""],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"size": 12},
                hovertemplate=f"{EMOTION_NAMES[emotion]}: %{{x:.0f}}% of faces<extra></extra>",
            )
        )
    figure = go.Figure(data=traces)
    figure.update_layout(
        **base_layout(height, barmode="stack", showlegend=False),
        xaxis={"range": [0, 100], "visible": False, "fixedrange": True},
        yaxis={"visible": False, "fixedrange": True},
    )
    figure.update_layout(margin={"l": 4, "r": 4, "t": 4, "b": 4})
    return figure
