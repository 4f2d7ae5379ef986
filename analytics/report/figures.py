"""The report's figures: plain functions from aggregated data to ``go.Figure``.

They take the dataclasses of :mod:`analytics.report_data` /
:mod:`analytics.report_measures` and return Plotly figures, so the Dash pages,
the static HTML export and the benchmark all build the very same figures.
Colours and names come from :mod:`analytics.report.theme`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
import plotly.graph_objects as go

from analytics.report import fmt
from analytics.report.theme import (
    ABSENT_FILL,
    CAMERA_OFF_FILL,
    CLASS_LINE,
    EMOTION_COLORS,
    EMOTION_NAMES,
    FONT,
    GAP_FILL,
    GRID,
    MUTED,
    TEXT,
    VALENCE_LINE,
    VALENCE_SCALE,
)
from analytics.report_measures import ClassSeries, Moment, StudentGrid, runs, safe_divide, smooth_ratio
from analytics.schema import EMOTIONS

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


def _time_axis(**extra) -> dict:
    axis = {"tickformatstops": CLOCK_TICKS, "gridcolor": GRID, "showline": False, "zeroline": False}
    axis.update(hoverformat="%H:%M", **extra)
    return axis


def _stacked_points(
    x: list[datetime], values: np.ndarray, gaps: np.ndarray, edge
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


def _centers(start: datetime, bucket_s: float, n: int) -> list[datetime]:
    first = fmt.local(start)
    return [first + timedelta(seconds=(i + 0.5) * bucket_s) for i in range(n)]


def _edges(start: datetime, bucket_s: float, index: int) -> datetime:
    return fmt.local(start) + timedelta(seconds=index * bucket_s)


def _nan_to_none(values: np.ndarray) -> list[float | None]:
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


# ----------------------------------------------------------------------------- class mood over time


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
    x = _centers(series.start, series.bucket_s, n)
    shares = series.shares * 100.0
    gaps = series.gaps
    minute = series.minutes() + series.bucket_s / 120.0
    traces: list[go.BaseTraceType] = []
    for emotion in STACK_ORDER:
        values = shares[EMOTIONS.index(emotion)]
        values = np.where(np.isfinite(values), values, 0.0)
        area_x, area_y = _stacked_points(
            x, np.round(values, 1), gaps, lambda i: _edges(series.start, series.bucket_s, i)
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
    valence = series.smoothed_valence(smooth_minutes)
    traces.append(
        go.Scatter(
            x=x,
            y=_nan_to_none(np.round(valence, 3)),
            customdata=np.round(minute, 1),
            name=f"Mood (averaged over {smooth_minutes:g} min)",
            mode="lines",
            line={"width": 3, "color": VALENCE_LINE, "shape": "spline", "smoothing": 0.6},
            yaxis="y2",
            connectgaps=False,
            hovertemplate="<b>Mood %{y:+.2f}</b> · minute %{customdata:.0f} of class<extra></extra>",
        )
    )
    shapes = []
    annotations = []
    for start, stop in runs(gaps):
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": _edges(series.start, series.bucket_s, start),
                "x1": _edges(series.start, series.bucket_s, stop),
                "y0": 0,
                "y1": 1,
                "fillcolor": GAP_FILL,
                "line": {"width": 0},
                "layer": "above",
            }
        )
        annotations.append(
            {
                "x": _edges(series.start, series.bucket_s, start)
                + (_edges(series.start, series.bucket_s, stop) - _edges(series.start, series.bucket_s, start)) / 2,
                "y": 0.5,
                "xref": "x",
                "yref": "paper",
                "text": "no capture",
                "showarrow": False,
                "textangle": -90,
                "font": {"size": 11, "color": MUTED},
            }
        )
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
    centers = [fmt.local(m.start) + (fmt.local(m.end) - fmt.local(m.start)) / 2 for m in moments]
    for group in marker_groups(centers, n * series.bucket_s):
        annotations.append(
            {
                "x": centers[group[0]] + (centers[group[-1]] - centers[group[0]]) / 2,
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
    figure = go.Figure(data=traces)
    figure.update_layout(
        **base_layout(height, hovermode="x unified"),
        title={"text": title, "font": {"size": 14}} if title else None,
        xaxis=_time_axis(),
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


# ----------------------------------------------------------------------------- heatmap


HEATMAP_MEASURES = ("valence", "emotion")


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
    x = _centers(grid.start, grid.bucket_s, n)
    names = [plot_text(name) for name in grid.names]
    present = grid.present > 0
    faces = grid.faces > 0
    status = np.where(~present, 0.0, np.where(~faces, 1.0, np.nan))
    status_text = np.where(~present, "not in class", np.where(~faces, "camera off", ""))
    background = go.Heatmap(
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
    if measure == "valence":
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
        values_trace = go.Heatmap(
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
    else:
        dominant = grid.dominant
        k = len(EMOTIONS)
        colorscale = []
        for i, emotion in enumerate(EMOTIONS):
            colorscale.append([i / k, EMOTION_COLORS[emotion]])
            colorscale.append([(i + 1) / k, EMOTION_COLORS[emotion]])
        shares = safe_divide(grid.labels.max(axis=2), grid.labels.sum(axis=2))
        names_by_index = np.array([EMOTION_NAMES[e] for e in EMOTIONS] + [""])
        text = names_by_index[np.where(np.isfinite(dominant), dominant, k).astype(int)]
        values_trace = go.Heatmap(
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
    figure = go.Figure(data=[background, values_trace])
    figure.update_layout(
        **base_layout(height),
        xaxis=_time_axis(showgrid=False, side="top"),
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


# ----------------------------------------------------------------------------- student


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
    x = _centers(grid.start, grid.bucket_s, n)
    window = series.window(smooth_minutes)
    own = smooth_ratio(grid.valence_sum[row], grid.valence_n[row], window)
    own[grid.valence_n[row] == 0] = np.nan
    klass = series.smoothed_valence(smooth_minutes)
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.55, 0.45], vertical_spacing=0.08)
    figure.add_trace(
        go.Scatter(
            x=x,
            y=_nan_to_none(np.round(klass, 3)),
            name="Class mood",
            mode="lines",
            line={"color": CLASS_LINE, "width": 2, "dash": "dot"},
            hovertemplate="Class %{y:+.2f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=_nan_to_none(np.round(own, 3)),
            name=f"{plot_text(grid.names[row])}'s mood",
            mode="lines",
            line={"color": VALENCE_LINE, "width": 3},
            connectgaps=False,
            hovertemplate="Student %{y:+.2f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    base = grid.baseline[row]
    if np.isfinite(base):
        figure.add_trace(
            go.Scatter(
                x=[x[0], x[-1]],
                y=[base, base],
                name=f"Their usual ({fmt.mood(base)})",
                mode="lines",
                line={"color": "#b07b4f", "width": 1.5, "dash": "dash"},
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
    labels = grid.labels[row].T  # (8, buckets)
    totals = labels.sum(axis=0)
    shares = safe_divide(labels * 100.0, totals[None, :])
    for emotion in STACK_ORDER:
        values = shares[EMOTIONS.index(emotion)]
        figure.add_trace(
            go.Scatter(
                x=x,
                y=np.round(np.where(np.isfinite(values), values, 0.0), 1),
                name=EMOTION_NAMES[emotion],
                mode="lines",
                line={"width": 0.5, "color": EMOTION_COLORS[emotion]},
                fillcolor=EMOTION_COLORS[emotion],
                stackgroup="emotions",
                hovertemplate=f"{EMOTION_NAMES[emotion]} %{{y:.0f}}%<extra></extra>",
            ),
            row=2,
            col=1,
        )
    # Grey bands where the student was away or had the camera off.
    shapes = []
    missing = grid.faces[row] == 0
    for start, stop in runs(missing):
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": _edges(grid.start, grid.bucket_s, start),
                "x1": _edges(grid.start, grid.bucket_s, stop),
                "y0": 0,
                "y1": 1,
                "fillcolor": GAP_FILL,
                "line": {"width": 0},
                "layer": "above",
            }
        )
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


# ----------------------------------------------------------------------------- live


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


# ----------------------------------------------------------------------------- admin


def admin_history_figure(records: Sequence, *, height: int = 340) -> go.Figure:
    """Per session (x: date), one line per course: share of students present (top) and class mood (bottom).

    ``records`` are :class:`analytics.report_data.HistoryRecord`.
    """
    from plotly.subplots import make_subplots

    if not records:
        return empty_figure("No sessions match these filters.")
    per_session: dict[int, dict] = {}
    for r in records:
        entry = per_session.setdefault(
            r.session_id, {"course": r.course, "started": r.started_at, "n": 0, "present": 0, "v": [], "w": []}
        )
        entry["n"] += 1
        entry["present"] += int(r.present)
        if r.mean_valence is not None:
            entry["v"].append(r.mean_valence)
            entry["w"].append(r.minutes_camera_on)
    courses: dict[str, list[dict]] = {}
    for entry in sorted(per_session.values(), key=lambda e: e["started"]):
        courses.setdefault(entry["course"], []).append(entry)
    palette = ["#2f6f9f", "#d1495b", "#7a9e3f", "#8a6bbd", "#f2a541", "#5fb7c9", "#b07b4f", "#667085"]
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=("Students present (% of the course's students)", "Class mood"),
    )
    for i, (course, entries) in enumerate(sorted(courses.items())):
        color = palette[i % len(palette)]
        x = [fmt.local(e["started"]) for e in entries]
        labels = [f"{plot_text(course)} · {fmt.when(e['started'])}" for e in entries]
        figure.add_trace(
            go.Scatter(
                x=x,
                y=[round(100 * e["present"] / e["n"]) if e["n"] else None for e in entries],
                name=plot_text(course),
                legendgroup=course,
                mode="lines+markers",
                line={"color": color},
                customdata=[[lab, e["present"], e["n"]] for lab, e in zip(labels, entries, strict=True)],
                hovertemplate="%{customdata[0]}<br>%{customdata[1]} of %{customdata[2]} students present"
                "<extra></extra>",
            ),
            row=1,
            col=1,
        )
        moods = [float(np.average(e["v"], weights=np.maximum(e["w"], 1e-9))) if e["v"] else None for e in entries]
        figure.add_trace(
            go.Scatter(
                x=x,
                y=moods,
                name=course,
                legendgroup=course,
                showlegend=False,
                mode="lines+markers",
                line={"color": color},
                customdata=labels,
                hovertemplate="%{customdata}<br>Mood %{y:+.2f}<extra></extra>",
            ),
            row=2,
            col=1,
        )
    figure.update_layout(**base_layout(height))
    figure.update_layout(margin={"l": 60, "r": 24, "t": 60, "b": 36})
    figure.update_annotations(font={"size": 13, "color": MUTED})
    figure.update_xaxes(gridcolor=GRID, tickformatstops=DATE_TICKS, range=_dates_range(per_session.values()))
    figure.update_yaxes(range=[0, 105], ticksuffix="%", gridcolor=GRID, row=1, col=1, fixedrange=True)
    figure.update_yaxes(range=[-1, 1], gridcolor=GRID, zerolinecolor="#c5ccd6", row=2, col=1, fixedrange=True)
    return figure


def _dates_range(entries) -> list[datetime] | None:
    """An x range of at least two days around the classes: Plotly would zoom into the milliseconds of one class."""
    starts = [fmt.local(e["started"]) for e in entries]
    if not starts or max(starts) - min(starts) >= timedelta(days=2):
        return None
    middle = min(starts) + (max(starts) - min(starts)) / 2
    return [middle - timedelta(days=1), middle + timedelta(days=1)]


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
