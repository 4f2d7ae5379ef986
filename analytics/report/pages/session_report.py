"""The report of one class: mood over time, moments, who needs attention, each student over time, attendance.

``/session/<id>`` (``/session/last`` is the viewer's most recent class).
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from analytics.errors import NotFoundError
from analytics.report import figures, fmt
from analytics.report.common import (
    PERCENT_FORMATTER,
    card,
    check_session,
    context,
    data_grid,
    db_session,
    graph,
    kpi,
    not_found,
    viewer,
)
from analytics.report.sections import SECTIONS, rows
from analytics.report.session_report import SessionReport, build_from_data
from analytics.report.theme import CAMERA_OFF_FILL, EMOTION_COLORS, EMOTION_NAMES, MOOD_HELP
from analytics.report_data import resolve_visible_session
from analytics.schema import EMOTIONS


def markdown_text(text: str) -> str:
    """Escape Markdown in a student's name (names come from the meeting; they are not trusted)."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~" else c for c in text)


def emotion_legend() -> html.Div:
    return html.Div(
        [
            html.Span([html.Span(className="cm-swatch", style={"background": EMOTION_COLORS[e]}), EMOTION_NAMES[e]])
            for e in EMOTIONS
        ],
        className="cm-legend",
    )


def flags_list(
    report_flags,
    start,
    *,
    link_students: bool = True,
    session_id: int | None = None,
    empty: str = "Nobody needs attention in this class.",
) -> html.Div:
    if not report_flags:
        return html.P(empty, className="cm-empty")
    items = []
    for flag in report_flags:
        who = (
            dcc.Link(flag.student, href=f"/student/{flag.participant_id}?session={session_id}")
            if link_students and session_id is not None
            else flag.student
        )
        items.append(
            html.Li(
                [
                    html.Div([html.Span(who, className="who"), "  ", html.Span(flag.title, className="cm-pill warn")]),
                    html.Div(flag.reason),
                    html.Div(fmt.span(flag.start, flag.end, start), className="when"),
                ],
                className=f"cm-flag cm-flag-{flag.kind}",
            )
        )
    return html.Ul(items, className="cm-list", id="flags-list")


def moments_list(moments, start) -> html.Div:
    if not moments:
        return html.P("No marked change in the class's mood.", className="cm-empty")
    items = []
    for number, moment in enumerate(moments, start=1):
        pill = "cm-pill ok" if moment.kind == "lift" else "cm-pill warn"
        items.append(
            html.Li(
                [
                    html.Div(
                        [
                            html.Span(f"{number}. {fmt.clock(moment.start)}-{fmt.clock(moment.end)}", className="who"),
                            f"  minutes {round(moment.minute_start)}-{round(moment.minute_end)} of class  ",
                            html.Span(moment.title, className=pill),
                        ]
                    ),
                    html.Div(moment.description),
                ]
            )
        )
    return html.Ul(items, className="cm-list", id="moments-list")


ATTENDANCE_COLUMNS = [
    {
        "field": "student",
        "headerName": "Student",
        "cellRenderer": "markdown",
        "minWidth": 200,
        "flex": 2,
        "sort": "asc",
    },
    {"field": "first_seen", "headerName": "First seen", "flex": 1},
    {"field": "last_seen", "headerName": "Last seen", "flex": 1},
    {"field": "minutes_present", "headerName": "Minutes present", "type": "numericColumn", "flex": 1},
    {
        "field": "share",
        "headerName": "Share of class",
        "type": "numericColumn",
        "flex": 1,
        "headerTooltip": "Minutes present / length of the class",
        "valueFormatter": PERCENT_FORMATTER,
    },
    {
        "field": "camera_share",
        "headerName": "Camera on",
        "type": "numericColumn",
        "flex": 1,
        "headerTooltip": "Share of the time present with a face visible",
        "valueFormatter": PERCENT_FORMATTER,
    },
]


def attendance_grid(report: SessionReport, session_id: int):
    rows = []
    for line in report.attendance:
        record = line.record()
        record["student"] = f"[{markdown_text(line.student)}](/student/{line.participant_id}?session={session_id})"
        record["name"] = line.student
        rows.append(record)
    return data_grid("attendance-table", rows, ATTENDANCE_COLUMNS, row_id="participant_id")


def _status_banner(status: str, session_id: int) -> html.Div | None:
    if status == "running":
        return html.Div(
            [
                "This class is still being recorded; the report shows it up to the last capture. ",
                dcc.Link("Follow it live", href=f"/live?session={session_id}"),
            ],
            className="cm-banner",
        )
    if status == "interrupted":
        return html.Div(
            "The bot stopped before the end of this class (it was closed or crashed): the report ends at its last "
            "capture.",
            className="cm-banner",
        )
    return None


def _heading(report: SessionReport, session_id: int) -> html.Div:
    data = report.data
    f = data.figures
    start = f.started_at
    return html.Div(
        [
            html.Div(
                [
                    html.H1(f.course, id="report-title"),
                    html.P(
                        f"{fmt.day(start)}, {fmt.clock(start)}-{fmt.clock(data.end)} · capture every "
                        f"{f.interval_s:g} s",
                        className="cm-sub",
                    ),
                ]
            ),
            html.Div(
                [
                    html.A(
                        "Attendance (CSV)",
                        href=f"/download/session/{session_id}/attendance.csv",
                        className="cm-button",
                        id="download-attendance",
                        download="attendance.csv",
                    ),
                    " ",
                    html.A(
                        "Save report as HTML",
                        href=f"/download/session/{session_id}/report.html",
                        className="cm-button",
                        id="download-report",
                        title="One file that opens in any browser, offline",
                    ),
                ]
            ),
        ],
        className="cm-card-head",
    )


def _kpis(report: SessionReport) -> html.Div:
    data = report.data
    f = data.figures
    flags = report.flags
    flagged = report.flagged_students()
    return html.Div(
        [
            kpi("Length", fmt.duration(f.duration_s / 60.0)),
            kpi("Students seen", str(data.students_seen), f"of {len(data.attendance)} in the course"),
            kpi("Average mood", fmt.mood(data.mean_valence), fmt.mood_words(data.mean_valence), title=MOOD_HELP),
            kpi("Cameras on", fmt.percent(report.camera_on_share()), "of the time students were present"),
            kpi(
                "Needs attention",
                str(flagged),
                f"student{'s' if flagged != 1 else ''}, {len(flags)} flag{'s' if len(flags) != 1 else ''}",
            ),
        ],
        className="cm-kpis",
    )


def report_layout(report: SessionReport, session_id: int) -> html.Div:
    f = report.data.figures
    return html.Div(
        [
            dcc.Store(id="report-session", data=session_id),
            _status_banner(f.status, session_id),
            _heading(report, session_id),
            _kpis(report),
            *_section_rows(report, session_id),
        ]
    )


def _section_rows(report: SessionReport, session_id: int) -> list:
    """The report's sections (:data:`analytics.report.sections.SECTIONS`) as cards, paired ones side by side."""
    start = report.data.figures.started_at
    bodies = {
        "mood": lambda: [graph(report.mood, id="mood-graph")],
        "moments": lambda: [moments_list(report.moments, start)],
        "flags": lambda: [flags_list(report.flags, start, session_id=session_id)],
        "heatmap": lambda: [_heatmap_controls(), _heatmap_legend(), graph(report.heatmap, id="heatmap-graph")],
        "attendance": lambda: [attendance_grid(report, session_id)],
    }
    out = []
    for row in rows(SECTIONS):
        cards = [card(*bodies[s.id](), title=s.title, help=s.help_for("page") or None, id=f"{s.id}-card") for s in row]
        out.append(cards[0] if len(cards) == 1 else html.Div(cards, className="cm-grid-2"))
    return out


def _heatmap_controls() -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.Span("Show", className="title"),
                    dcc.RadioItems(
                        id="heatmap-measure",
                        options=[
                            {"label": "Mood", "value": "valence"},
                            {"label": "Main expression", "value": "emotion"},
                        ],
                        value="valence",
                        inline=True,
                    ),
                ]
            ),
            html.Div(
                [
                    html.Span("Mood scale", className="title"),
                    dcc.RadioItems(
                        id="heatmap-scale",
                        options=[
                            {"label": "Compared with their usual", "value": "relative"},
                            {"label": "Absolute", "value": "absolute"},
                        ],
                        value="relative",
                        inline=True,
                    ),
                ],
                id="heatmap-scale-box",
            ),
        ],
        className="cm-controls",
    )


def _heatmap_legend() -> html.Div:
    return html.Div(
        [
            html.Span(
                [
                    html.Span(className="cm-swatch", style={"background": "#fff", "border": "1px solid #ccd"}),
                    "not in class",
                ]
            ),
            html.Span([html.Span(className="cm-swatch", style={"background": CAMERA_OFF_FILL}), "camera off"]),
        ],
        className="cm-legend",
    )


def layout(session_id: str | None = None, **_ignored) -> html.Div:
    user = viewer()
    with db_session() as session:
        try:
            sid = resolve_visible_session(session, user, session_id)
        except NotFoundError:
            if session_id in (None, "", "last"):
                return html.Div(
                    [
                        html.H1("No classes yet"),
                        html.P("Once the bot has recorded a class, its report is here.", className="cm-sub"),
                    ]
                )
            return not_found("No such class, or it belongs to a course you do not have access to.")
        data = context().cache.get(session, sid)
    return report_layout(build_from_data(data), sid)


def title(session_id: str | None = None, **_ignored) -> str:
    return "Class report · ClassMood"


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path_template="/session/<session_id>", name="Class report", title=title, layout=layout)

    @app.callback(
        Output("heatmap-graph", "figure"),
        Output("heatmap-scale-box", "style"),
        Input("heatmap-measure", "value"),
        Input("heatmap-scale", "value"),
        State("report-session", "data"),
        prevent_initial_call=True,
    )
    def update_heatmap(measure, scale, session_id):
        with db_session() as session:
            sid = check_session(session, session_id)
            data = context().cache.get(session, sid)
        measure = measure if measure in figures.HEATMAP_MEASURES else "valence"
        figure = figures.heatmap_figure(data.grid, measure=measure, relative=scale != "absolute")
        return figure, ({"display": "none"} if measure == "emotion" else {})
