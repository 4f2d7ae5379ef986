"""The student page's figures: one session against the class, history across sessions, expressions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from analytics.report import fmt
from analytics.report.figures.common import (
    CLOCK_TICKS,
    DATE_TICKS,
    STACK_ORDER,
    base_layout,
    centers,
    edges,
    empty_figure,
    nan_to_none,
    plot_text,
)
from analytics.report.theme import (
    CLASS_LINE,
    EMOTION_COLORS,
    EMOTION_NAMES,
    GAP_FILL,
    GRID,
    VALENCE_LINE,
)
from analytics.report_measures import ClassSeries, StudentGrid, runs, safe_divide, smooth_ratio
from analytics.schema import EMOTIONS


def _mood_lines(grid: StudentGrid, row: int, x: list, own: np.ndarray, klass: np.ndarray) -> list[go.Scatter]:
    """The class's mood, the student's, and the student's usual (where known)."""
    traces = [
        go.Scatter(
            x=x,
            y=nan_to_none(np.round(klass, 3)),
            name="Class mood",
            mode="lines",
            line={"color": CLASS_LINE, "width": 2, "dash": "dot"},
            hovertemplate="Class %{y:+.2f}<extra></extra>",
        ),
        go.Scatter(
            x=x,
            y=nan_to_none(np.round(own, 3)),
            name=f"{plot_text(grid.names[row])}'s mood",
            mode="lines",
            line={"color": VALENCE_LINE, "width": 3},
            connectgaps=False,
            hovertemplate="Student %{y:+.2f}<extra></extra>",
        ),
    ]
    base = grid.baseline[row]
    if np.isfinite(base):
        traces.append(
            go.Scatter(
                x=[x[0], x[-1]],
                y=[base, base],
                name=f"Their usual ({fmt.mood(base)})",
                mode="lines",
                line={"color": "#b07b4f", "width": 1.5, "dash": "dash"},
                hoverinfo="skip",
            )
        )
    return traces


def _expression_areas(grid: StudentGrid, row: int, x: list) -> list[go.Scatter]:
    """The student's expressions per bucket, stacked (share of their face observations, %)."""
    labels = grid.labels[row].T  # (8, buckets)
    totals = labels.sum(axis=0)
    shares = safe_divide(labels * 100.0, totals[None, :])
    traces = []
    for emotion in STACK_ORDER:
        values = shares[EMOTIONS.index(emotion)]
        traces.append(
            go.Scatter(
                x=x,
                y=np.round(np.where(np.isfinite(values), values, 0.0), 1),
                name=EMOTION_NAMES[emotion],
                mode="lines",
                line={"width": 0.5, "color": EMOTION_COLORS[emotion]},
                fillcolor=EMOTION_COLORS[emotion],
                stackgroup="emotions",
                hovertemplate=f"{EMOTION_NAMES[emotion]} %{{y:.0f}}%<extra></extra>",
            )
        )
    return traces


def _absence_bands(grid: StudentGrid, row: int) -> list[dict]:
    """Grey bands where the student was away or had the camera off."""
    shapes = []
    missing = grid.faces[row] == 0
    for start, stop in runs(missing):
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": edges(grid.start, grid.bucket_s, start),
                "x1": edges(grid.start, grid.bucket_s, stop),
                "y0": 0,
                "y1": 1,
                "fillcolor": GAP_FILL,
                "line": {"width": 0},
                "layer": "above",
            }
        )
    return shapes


def student_session_figure(
    grid: StudentGrid,
    row: int,
    series: ClassSeries,
    *,
    smooth_minutes: float = 2.0,
    height: int = 460,
) -> go.Figure:
    """One student through one session: their mood vs the class's and their usual (top), their expressions (bottom)."""
    from plotly.subplots import make_subplots

    n = grid.n_buckets
    x = centers(grid.start, grid.bucket_s, n)
    window = series.window(smooth_minutes)
    own = smooth_ratio(grid.valence_sum[row], grid.valence_n[row], window)
    own[grid.valence_n[row] == 0] = np.nan
    klass = series.smoothed_valence(smooth_minutes)
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.55, 0.45], vertical_spacing=0.08)
    for trace in _mood_lines(grid, row, x, own, klass):
        figure.add_trace(trace, row=1, col=1)
    for trace in _expression_areas(grid, row, x):
        figure.add_trace(trace, row=2, col=1)
    shapes = _absence_bands(grid, row)
    figure.update_layout(**base_layout(height, hovermode="x unified"), shapes=shapes)
    figure.update_layout(margin={"l": 64, "r": 24, "t": 60, "b": 40})
    figure.update_xaxes(tickformatstops=CLOCK_TICKS, hoverformat="%H:%M", gridcolor=GRID)
    figure.update_yaxes(
        title_text="Mood", range=[-1, 1], gridcolor=GRID, zerolinecolor="#c5ccd6", row=1, col=1, fixedrange=True
    )
    figure.update_yaxes(
        title_text="Expressions", range=[0, 100], ticksuffix="%", gridcolor=GRID, row=2, col=1, fixedrange=True
    )
    return figure


def student_history_figure(rows: Sequence, *, height: int = 380) -> go.Figure:
    """Across sessions: the student's mean mood vs the class's (top) and share of each class attended (bottom).

    ``rows`` are :class:`analytics.report_data.StudentSessionRow`, oldest first.
    """
    from plotly.subplots import make_subplots

    if not rows:
        return empty_figure("No sessions yet.")
    x = [fmt.local(r.started_at) for r in rows]
    labels = [fmt.when(r.started_at) for r in rows]
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.55, 0.45], vertical_spacing=0.1)
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[r.class_valence for r in rows],
            name="Class mood",
            mode="lines+markers",
            line={"color": CLASS_LINE, "width": 2, "dash": "dot"},
            customdata=labels,
            hovertemplate="%{customdata}<br>Class mood %{y:+.2f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[r.mean_valence for r in rows],
            name="Student's mood",
            mode="lines+markers",
            line={"color": VALENCE_LINE, "width": 3},
            marker={"size": 8},
            customdata=labels,
            connectgaps=False,
            hovertemplate="%{customdata}<br>Student's mood %{y:+.2f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=x,
            y=[round(100 * r.share) for r in rows],
            name="Time in class",
            marker={"color": "#9ec5e0"},
            customdata=[
                [lab, fmt.duration(r.minutes_present), fmt.duration(r.session_minutes)]
                for lab, r in zip(labels, rows, strict=True)
            ],
            hovertemplate="%{customdata[0]}<br>In class %{y}% (%{customdata[1]} of %{customdata[2]})<extra></extra>",
        ),
        row=2,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=x,
            y=[round(100 * r.minutes_camera_on / r.session_minutes) if r.session_minutes else 0 for r in rows],
            name="Camera on",
            marker={"color": "#2f6f9f"},
            customdata=labels,
            hovertemplate="%{customdata}<br>Camera on %{y}% of the class<extra></extra>",
        ),
        row=2,
        col=1,
    )
    figure.update_layout(**base_layout(height, barmode="group", bargap=0.35))
    figure.update_layout(margin={"l": 64, "r": 24, "t": 50, "b": 40})
    figure.update_xaxes(gridcolor=GRID, tickformatstops=DATE_TICKS, hoverformat="%d %b %H:%M")
    figure.update_yaxes(
        title_text="Mood", range=[-1, 1], gridcolor=GRID, zerolinecolor="#c5ccd6", row=1, col=1, fixedrange=True
    )
    figure.update_yaxes(
        title_text="% of class", range=[0, 100], ticksuffix="%", gridcolor=GRID, row=2, col=1, fixedrange=True
    )
    return figure


def student_expressions_figure(rows: Sequence, *, height: int = 250) -> go.Figure:
    """Across sessions: the share of the time the student showed each expression, one stacked bar per class.

    ``rows`` are :class:`analytics.report_data.StudentSessionRow`, oldest first; classes they missed or spent
    with the camera off have no bar.
    """
    seen = [r for r in rows if r.emotion_shares]
    if not seen:
        return empty_figure("No face seen in any class yet.", height)
    x = [fmt.when(r.started_at) for r in seen]
    traces = [
        go.Bar(
            x=x,
            y=[round(100 * r.emotion_shares.get(emotion, 0.0), 1) for r in seen],
            name=EMOTION_NAMES[emotion],
            marker={"color": EMOTION_COLORS[emotion]},
            hovertemplate=f"%{{x}}<br>{EMOTION_NAMES[emotion]} %{{y:.0f}}% of the time<extra></extra>",
        )
        for emotion in STACK_ORDER
    ]
    figure = go.Figure(data=traces)
    figure.update_layout(
        **base_layout(height, barmode="stack", bargap=0.5 if len(seen) < 4 else 0.25),
        xaxis={"type": "category", "gridcolor": GRID},
        yaxis={
            "range": [0, 100],
            "ticksuffix": "%",
            "gridcolor": GRID,
            "title": {"text": "Expressions"},
            "fixedrange": True,
        },
    )
    figure.update_layout(margin={"l": 64, "r": 24, "t": 44, "b": 40}, legend={"traceorder": "reversed"})
    return figure
