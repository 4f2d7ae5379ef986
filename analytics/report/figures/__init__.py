"""The report's figures: plain functions from aggregated data to ``go.Figure``.

They take the dataclasses of :mod:`analytics.report_data` /
:mod:`analytics.report_measures` and return Plotly figures, so the Dash pages,
the static HTML export and the benchmark all build the very same figures.
Colours and names come from :mod:`analytics.report.theme`. One module per page:
:mod:`.session` (class report), :mod:`.student`, :mod:`.live`, :mod:`.admin`;
:mod:`.common` holds what they share. This package re-exports them all.
"""

from __future__ import annotations

from analytics.report.figures.admin import admin_history_figure
from analytics.report.figures.common import (
    CLOCK_TICKS,
    DATE_TICKS,
    STACK_ORDER,
    base_layout,
    centers,
    dates_range,
    edges,
    empty_figure,
    marker_groups,
    nan_to_none,
    plot_text,
    stacked_points,
    time_axis,
)
from analytics.report.figures.live import emotion_bar_figure
from analytics.report.figures.session import HEATMAP_MEASURES, class_mood_figure, heatmap_figure, heatmap_switch_figure
from analytics.report.figures.student import student_expressions_figure, student_history_figure, student_session_figure

__all__ = [
    "CLOCK_TICKS",
    "DATE_TICKS",
    "HEATMAP_MEASURES",
    "STACK_ORDER",
    "admin_history_figure",
    "base_layout",
    "centers",
    "class_mood_figure",
    "dates_range",
    "edges",
    "emotion_bar_figure",
    "empty_figure",
    "heatmap_figure",
    "heatmap_switch_figure",
    "marker_groups",
    "nan_to_none",
    "plot_text",
    "stacked_points",
    "student_expressions_figure",
    "student_history_figure",
    "student_session_figure",
    "time_axis",
]
