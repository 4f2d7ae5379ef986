"""The admin history page's figure."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from analytics.report import fmt
from analytics.report.figures.common import (
    DATE_TICKS,
    base_layout,
    dates_range,
    empty_figure,
    plot_text,
)
from analytics.report.theme import (
    GRID,
    MUTED,
)


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
    starts = [fmt.local(e["started"]) for e in per_session.values()]
    figure.update_xaxes(gridcolor=GRID, tickformatstops=DATE_TICKS, range=dates_range(starts))
    figure.update_yaxes(range=[0, 105], ticksuffix="%", gridcolor=GRID, row=1, col=1, fixedrange=True)
    figure.update_yaxes(range=[-1, 1], gridcolor=GRID, zerolinecolor="#c5ccd6", row=2, col=1, fixedrange=True)
    return figure
