"""The class report's figures: class mood over time, the students x time heatmap (and its switch)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import plotly.graph_objects as go

from analytics.report import fmt
from analytics.report.figures.common import (
    STACK_ORDER,
    base_layout,
    centers,
    edges,
    empty_figure,
    marker_groups,
    nan_to_none,
    plot_text,
    stacked_points,
    time_axis,
)
from analytics.report.theme import (
    ABSENT_FILL,
    CAMERA_OFF_FILL,
    EMOTION_COLORS,
    EMOTION_NAMES,
    GAP_FILL,
    GRID,
    MUTED,
    TEXT,
    VALENCE_LINE,
    VALENCE_SCALE,
)
from analytics.report_measures import ClassSeries, Moment, StudentGrid, runs, safe_divide
from analytics.schema import EMOTIONS


def _emotion_area_traces(x: list, series: ClassSeries) -> list[go.BaseTraceType]:
    """The stacked areas: per emotion, the share of faces (%) showing it in each bucket, cut square at gaps."""
    traces: list[go.BaseTraceType] = []
    shares = series.shares * 100.0
    for emotion in STACK_ORDER:
        values = shares[EMOTIONS.index(emotion)]
        values = np.where(np.isfinite(values), values, 0.0)
        area_x, area_y = stacked_points(
            x, np.round(values, 1), series.gaps, lambda i: edges(series.start, series.bucket_s, i)
        )
        traces.append(
            go.Scatter(
                x=area_x,
                y=area_y,
                name=EMOTION_NAMES[emotion],
                mode="lines",
                line={"width": 0.5, "color": EMOTION_COLORS[emotion]},
                fillcolor=EMOTION_COLORS[emotion],
                stackgroup="emotions",
                hovertemplate=f"{EMOTION_NAMES[emotion]}: %{{y:.0f}}% of faces<extra></extra>",
            )
        )
    return traces


def _class_mood_trace(x: list, series: ClassSeries, smooth_minutes: float) -> go.Scatter:
    """The class's mood, smoothed over ``smooth_minutes``, on the right axis."""
    minute = series.minutes() + series.bucket_s / 120.0
    return go.Scatter(
        x=x,
        y=nan_to_none(np.round(series.smoothed_valence(smooth_minutes), 3)),
        customdata=np.round(minute, 1),
        name=f"Mood (averaged over {smooth_minutes:g} min)",
        mode="lines",
        line={"width": 3, "color": VALENCE_LINE, "shape": "spline", "smoothing": 0.6},
        yaxis="y2",
        connectgaps=False,
        hovertemplate="<b>Mood %{y:+.2f}</b> · minute %{customdata:.0f} of class<extra></extra>",
    )


def _gap_marks(start: datetime, bucket_s: float, gaps: np.ndarray) -> tuple[list[dict], list[dict]]:
    """Grey bands and their "no capture" labels over the buckets without any capture."""
    shapes, annotations = [], []
    for first, stop in runs(gaps):
        x0, x1 = edges(start, bucket_s, first), edges(start, bucket_s, stop)
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": x0,
                "x1": x1,
                "y0": 0,
                "y1": 1,
                "fillcolor": GAP_FILL,
                "line": {"width": 0},
                "layer": "above",
            }
        )
        annotations.append(
            {
                "x": x0 + (x1 - x0) / 2,
                "y": 0.5,
                "xref": "x",
                "yref": "paper",
                "text": "no capture",
                "showarrow": False,
                "textangle": -90,
                "font": {"size": 11, "color": MUTED},
            }
        )
    return shapes, annotations


def _moment_marks(moments: Sequence[Moment], span_s: float) -> tuple[list[dict], list[dict]]:
    """A coloured band above the chart per moment, numbered as in the Moments list; markers closer than their
    labels' width share one label ("1·2")."""
    shapes, annotations = [], []
    for moment in moments:
        color = "rgba(47, 111, 159, 0.55)" if moment.kind == "lift" else "rgba(209, 73, 91, 0.55)"
        x0, x1 = fmt.local(moment.start), fmt.local(moment.end)
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": x0,
                "x1": x1,
                "y0": 1.0,
                "y1": 1.03,
                "fillcolor": color,
                "line": {"width": 0},
            }
        )
    centers_at = [fmt.local(m.start) + (fmt.local(m.end) - fmt.local(m.start)) / 2 for m in moments]
    for group in marker_groups(centers_at, span_s):
        annotations.append(
            {
                "x": centers_at[group[0]] + (centers_at[group[-1]] - centers_at[group[0]]) / 2,
                "y": 1.03,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "text": "<b>" + "·".join(str(i + 1) for i in group) + "</b>",
                "showarrow": False,
                "font": {"size": 11, "color": TEXT},
                "hovertext": "<br>".join(f"{i + 1}. {moments[i].title}: {moments[i].description}" for i in group),
            }
        )
    return shapes, annotations


def class_mood_figure(
    series: ClassSeries,
    moments: Sequence[Moment] = (),
    *,
    height: int = 400,
    smooth_minutes: float = 2.0,
    title: str | None = None,
) -> go.Figure:
    """Stacked area of the share of faces showing each emotion, with the smoothed class mood on a second axis.

    Buckets without any capture are shaded grey ("no capture") and the areas
    drop to zero there, so gaps in the recording are visible. Moments are
    marked as light bands.
    """
    n = series.n_buckets
    if n == 0 or series.faces.sum() == 0:
        return empty_figure("No faces were seen in this class, so there is no mood to show.", height)
    x = centers(series.start, series.bucket_s, n)
    traces = _emotion_area_traces(x, series)
    traces.append(_class_mood_trace(x, series, smooth_minutes))
    gap_shapes, gap_notes = _gap_marks(series.start, series.bucket_s, series.gaps)
    moment_shapes, moment_notes = _moment_marks(moments, n * series.bucket_s)
    shapes, annotations = gap_shapes + moment_shapes, gap_notes + moment_notes
    figure = go.Figure(data=traces)
    figure.update_layout(
        **base_layout(height, hovermode="x unified"),
        title={"text": title, "font": {"size": 14}} if title else None,
        xaxis=time_axis(),
        yaxis={
            "title": {"text": "Share of faces (%)"},
            "range": [0, 100],
            "gridcolor": GRID,
            "ticksuffix": "%",
            "fixedrange": True,
        },
        yaxis2={
            "title": {"text": "Mood (-1 to +1)"},
            "overlaying": "y",
            "side": "right",
            "range": [-1, 1],
            "zeroline": True,
            "zerolinecolor": "#c5ccd6",
            "showgrid": False,
            "fixedrange": True,
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "ticktext": ["-1", "-0.5", "0", "+0.5", "+1"],
        },
        shapes=shapes,
        annotations=annotations,
    )
    figure.update_layout(
        margin={"l": 64, "r": 64, "t": 34, "b": 40},
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.12,
            "xanchor": "left",
            "x": 0,
            "font": {"size": 12},
            "traceorder": "reversed",
        },
    )
    return figure


HEATMAP_MEASURES = ("valence", "emotion")


def _presence_trace(grid: StudentGrid, x: list, names: list[str]) -> go.Heatmap:
    """The background: white where a student was not in class, light grey where the camera was off."""
    present = grid.present > 0
    faces = grid.faces > 0
    status = np.where(~present, 0.0, np.where(~faces, 1.0, np.nan))
    status_text = np.where(~present, "not in class", np.where(~faces, "camera off", ""))
    return go.Heatmap(
        x=x,
        y=names,
        z=status,
        customdata=status_text,
        colorscale=[[0.0, ABSENT_FILL], [0.5, ABSENT_FILL], [0.5, CAMERA_OFF_FILL], [1.0, CAMERA_OFF_FILL]],
        zmin=0,
        zmax=1,
        showscale=False,
        xgap=0,
        ygap=2,
        hovertemplate="<b>%{y}</b> · %{x|%H:%M}<br>%{customdata}<extra></extra>",
        hoverongaps=False,
        name="presence",
    )


def _valence_trace(grid: StudentGrid, x: list, names: list[str], relative: bool, height: int) -> go.Heatmap:
    """Each student's mood per bucket, absolute or compared with their usual (colours saturate at the limit)."""
    values = grid.relative if relative else grid.valence
    limit = 0.6 if relative else 1.0
    z = values  # colours saturate beyond ±limit (zmin/zmax); the hover shows the true value
    absolute = grid.valence
    if relative:
        custom = np.round(absolute, 2)
        hover = "mood %{customdata:+.2f}, %{z:+.2f} compared with their usual"
        colorbar = {
            "title": {"text": "Compared with their usual", "font": {"size": 12}, "side": "right"},
            "tickvals": [-0.6, -0.3, 0, 0.3, 0.6],
            "ticktext": ["much lower", "lower", "usual", "higher", "much higher"],
        }
    else:
        custom = None
        hover = "mood %{z:+.2f}"
        colorbar = {
            "title": {"text": "Mood", "font": {"size": 12}, "side": "right"},
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "ticktext": ["-1 negative", "-0.5", "0 neutral", "+0.5", "+1 positive"],
        }
    colorbar.update({"thickness": 12, "len": min(1.0, 320 / height), "y": 1, "yanchor": "top"})
    return go.Heatmap(
        x=x,
        y=names,
        z=np.where(np.isfinite(z), np.round(z, 3), np.nan),
        customdata=custom,
        colorscale=VALENCE_SCALE,
        zmin=-limit,
        zmax=limit,
        zmid=0,
        colorbar=colorbar,
        xgap=0,
        ygap=2,
        hovertemplate="<b>%{y}</b> · %{x|%H:%M}<br>" + hover + "<extra></extra>",
        hoverongaps=False,
        name="mood",
    )


def _expression_trace(grid: StudentGrid, x: list, names: list[str], height: int) -> go.Heatmap:
    """Each student's main expression per bucket, one colour per emotion."""
    dominant = grid.dominant
    k = len(EMOTIONS)
    colorscale = []
    for i, emotion in enumerate(EMOTIONS):
        colorscale.append([i / k, EMOTION_COLORS[emotion]])
        colorscale.append([(i + 1) / k, EMOTION_COLORS[emotion]])
    shares = safe_divide(grid.labels.max(axis=2), grid.labels.sum(axis=2))
    names_by_index = np.array([EMOTION_NAMES[e] for e in EMOTIONS] + [""])
    text = names_by_index[np.where(np.isfinite(dominant), dominant, k).astype(int)]
    return go.Heatmap(
        x=x,
        y=names,
        z=dominant,
        text=text,
        customdata=np.round(100 * shares),
        colorscale=colorscale,
        zmin=-0.5,
        zmax=k - 0.5,
        colorbar={
            "title": {"text": "Main expression", "font": {"size": 12}, "side": "right"},
            "tickvals": list(range(k)),
            "ticktext": [EMOTION_NAMES[e] for e in EMOTIONS],
            "thickness": 12,
            "len": min(1.0, 360 / height),
            "y": 1,
            "yanchor": "top",
        },
        xgap=0,
        ygap=2,
        hovertemplate="<b>%{y}</b> · %{x|%H:%M}<br>mostly %{text} (%{customdata:.0f}% of the time)<extra></extra>",
        hoverongaps=False,
        name="expression",
    )


def heatmap_figure(grid: StudentGrid, *, measure: str = "valence", relative: bool = True) -> go.Figure:
    """Students (rows, A to Z) x time: mood (absolute or relative to each student's usual) or main expression.

    White cells: not in class; light grey: present with the camera off.
    """
    if measure not in HEATMAP_MEASURES:
        raise ValueError(f"measure must be one of {', '.join(HEATMAP_MEASURES)}")
    n_students, n = grid.present.shape
    row_px = 18 if n_students > 30 else 22
    height = max(260, 110 + row_px * n_students)
    if n_students == 0:
        return empty_figure("No students were seen in this class.")
    x = centers(grid.start, grid.bucket_s, n)
    names = [plot_text(name) for name in grid.names]
    background = _presence_trace(grid, x, names)
    if measure == "valence":
        values_trace = _valence_trace(grid, x, names, relative, height)
    else:
        values_trace = _expression_trace(grid, x, names, height)
    figure = go.Figure(data=[background, values_trace])
    figure.update_layout(
        **base_layout(height),
        xaxis=time_axis(showgrid=False, side="top"),
        yaxis={
            "autorange": "reversed",
            "showgrid": False,
            "tickfont": {"size": 12},
            "automargin": True,
            "fixedrange": True,
        },
    )
    figure.update_layout(margin={"l": 10, "r": 10, "t": 36, "b": 16})
    return figure


def heatmap_switch_figure(grid: StudentGrid) -> go.Figure:
    """The heatmap with buttons to switch between its three views (for the static export, where no server runs)."""
    views = [
        ("Mood compared with their usual", {"measure": "valence", "relative": True}),
        ("Mood (absolute)", {"measure": "valence", "relative": False}),
        ("Main expression", {"measure": "emotion", "relative": False}),
    ]
    built = [heatmap_figure(grid, **options) for _, options in views]
    if len(built[0].data) < 2:
        return built[0]
    figure = go.Figure(built[0])
    for extra in built[1:]:
        trace = extra.data[1]
        trace.visible = False
        figure.add_trace(trace)
    buttons = []
    for i, (label, _) in enumerate(views):
        visible = [True] + [j == i for j in range(len(views))]
        buttons.append({"label": label, "method": "restyle", "args": [{"visible": visible}]})
    figure.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "buttons": buttons,
                "x": 0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "pad": {"b": 28},
                "showactive": True,
                "font": {"size": 12},
            }
        ],
    )
    figure.update_layout(margin={"t": 90})
    return figure
