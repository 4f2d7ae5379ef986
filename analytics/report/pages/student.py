"""One student: their mood and expressions through a class and across classes, compared with the class, and
their attendance history. ``/student/<participant id>?session=<id>``.
"""

from __future__ import annotations

import base64
import math

import dash
from dash import Input, Output, State, dcc, html
from werkzeug.exceptions import NotFound

from analytics.report import figures, fmt
from analytics.report.common import (
    PERCENT_FORMATTER,
    SIGNED_FORMATTER,
    card,
    check_participant,
    check_session,
    context,
    data_grid,
    db_session,
    graph,
    kpi,
    not_found,
    parse_id,
)
from analytics.report.pages.session_report import flags_list
from analytics.report.theme import MOOD_HELP
from analytics.report_data import latest_thumbnail, student_history, student_info

HISTORY_COLUMNS = [
    {
        "field": "date",
        "headerName": "Class",
        "cellRenderer": "markdown",
        "flex": 2,
        "minWidth": 190,
        "comparator": {"function": "(a, b, nodeA, nodeB) => nodeA.data.sort_key - nodeB.data.sort_key"},
    },
    {"field": "present", "headerName": "Present", "flex": 1},
    {"field": "first_seen", "headerName": "First seen", "flex": 1},
    {"field": "last_seen", "headerName": "Last seen", "flex": 1},
    {"field": "minutes_present", "headerName": "Minutes present", "type": "numericColumn", "flex": 1},
    {
        "field": "share",
        "headerName": "Share of class",
        "type": "numericColumn",
        "flex": 1,
        "valueFormatter": PERCENT_FORMATTER,
    },
    {
        "field": "camera_share",
        "headerName": "Camera on",
        "type": "numericColumn",
        "flex": 1,
        "valueFormatter": PERCENT_FORMATTER,
    },
    {
        "field": "mood",
        "headerName": "Mood",
        "type": "numericColumn",
        "flex": 1,
        "valueFormatter": SIGNED_FORMATTER,
    },
    {
        "field": "class_mood",
        "headerName": "Class mood",
        "type": "numericColumn",
        "flex": 1,
        "valueFormatter": SIGNED_FORMATTER,
    },
]


def _image_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def session_body(participant_id: int, session_id: int) -> html.Div:
    """The "in one class" part: KPIs, the figure and the student's flags for that class."""
    with db_session() as session:
        data = context().cache.get(session, session_id)
    grid = data.grid
    if participant_id not in grid.participant_ids:
        return html.P("Not seen in this class.", className="cm-empty")
    row = grid.participant_ids.index(participant_id)
    attendance = next((a for a in data.attendance if a.participant_id == participant_id), None)
    n = grid.valence_n[row].sum()
    own = float(grid.valence_sum[row].sum() / n) if n else None
    flags = [f for f in data.flags if f.participant_id == participant_id]
    present = attendance.minutes_present if attendance else 0.0
    camera = attendance.minutes_camera_on if attendance else 0.0
    return html.Div(
        [
            html.Div(
                [
                    kpi(
                        "In class",
                        fmt.duration(present),
                        f"{fmt.percent(attendance.share if attendance else 0)} of the class",
                    ),
                    kpi("Camera on", fmt.percent(camera / present) if present else "-", "of the time present"),
                    kpi("Their mood", fmt.mood(own), _usual(grid.baseline[row]), title=MOOD_HELP),
                    kpi("Class mood", fmt.mood(data.mean_valence), fmt.mood_words(data.mean_valence)),
                ],
                className="cm-kpis",
            ),
            graph(figures.student_session_figure(grid, row, data.series), id="student-session-graph"),
            html.H3("Needs attention in this class"),
            flags_list(flags, data.figures.started_at, link_students=False),
        ]
    )


def layout(participant_id: str | None = None, session: str | None = None, **_ignored) -> html.Div:
    with db_session() as db:
        try:
            pid = check_participant(db, participant_id)
        except NotFound:
            return not_found("No such student, or they are in a course you do not have access to.")
        info = student_info(db, pid)
        rows = student_history(db, pid)
        thumbnail = latest_thumbnail(db, pid)
    attended = [r for r in rows if r.present]
    wanted = parse_id(session)
    chosen = (
        wanted if any(r.session_id == wanted for r in attended) else (attended[-1].session_id if attended else None)
    )
    return html.Div(
        [
            dcc.Store(id="student-id", data=pid),
            _head(info, _picture(thumbnail, info.name), len(attended), len(rows)),
            _one_class_card(pid, attended, chosen),
            card(
                graph(figures.student_history_figure(rows), id="student-history-graph"),
                graph(figures.student_expressions_figure(rows), id="student-expressions-graph"),
                title="Across classes",
                help="Top: their average mood in each class, with the class's. Middle: the share of each class they "
                "were present, and with the camera on. Bottom: how often they showed each expression.",
            ),
            card(
                data_grid("student-attendance-table", _history_rows(rows), HISTORY_COLUMNS, row_id="session_id"),
                title="Attendance history",
            ),
        ]
    )


def _picture(thumbnail: bytes | None, name: str) -> html.Img | None:
    """The student's latest face thumbnail, when there is one in a known image format."""
    if not thumbnail:
        return None
    kind = _image_type(thumbnail)
    if not kind:
        return None
    return html.Img(
        src=f"data:{kind};base64,{base64.b64encode(thumbnail).decode('ascii')}",
        className="cm-thumb",
        alt=f"Thumbnail of {name}",
    )


def _head(info, picture, present_count: int, classes: int) -> html.Div:
    return html.Div(
        [
            picture,
            html.Div(
                [
                    html.H1(info.name, id="student-title"),
                    html.P(f"{info.course} · present in {present_count} of {classes} classes", className="cm-sub"),
                ]
            ),
        ],
        className="cm-student-head",
    )


def _one_class_card(pid: int, attended, chosen: int | None) -> html.Div:
    """A class picker (the classes they attended, newest first) over :func:`session_body` for the chosen one."""
    if chosen is None:
        return card(html.P("Not seen in any class yet.", className="cm-empty"), title="In one class")
    options = [{"label": fmt.when(r.started_at), "value": r.session_id} for r in reversed(attended)]
    return card(
        html.Div(
            [
                html.Span("Class", className="title"),
                dcc.Dropdown(
                    id="student-session",
                    options=options,
                    value=chosen,
                    clearable=False,
                    style={"minWidth": "280px"},
                ),
            ],
            className="cm-controls",
        ),
        html.Div(session_body(pid, chosen), id="student-session-body"),
        title="In one class",
        help="Top: their mood (dark line, averaged over 2 minutes) with the class's (dotted) and their usual "
        "(dashed). Bottom: the share of time they showed each expression. Grey: away or camera off.",
    )


def _history_rows(rows) -> list[dict]:
    """The attendance table's rows, newest class first."""
    return [
        {
            "session_id": r.session_id,
            "sort_key": r.started_at.timestamp(),
            "date": f"[{fmt.when(r.started_at)}](/session/{r.session_id})",
            "present": "yes" if r.present else "no",
            "first_seen": fmt.clock(r.first_seen) if r.present else "-",
            "last_seen": fmt.clock(r.last_seen) if r.present else "-",
            "minutes_present": round(r.minutes_present, 1),
            "share": round(100 * r.share),
            "camera_share": round(100 * r.camera_share) if r.camera_share is not None else None,
            "mood": round(r.mean_valence, 2) if r.mean_valence is not None else None,
            "class_mood": round(r.class_valence, 2) if r.class_valence is not None else None,
        }
        for r in reversed(rows)
    ]


def register(app: dash.Dash) -> None:
    dash.register_page(
        __name__,
        path_template="/student/<participant_id>",
        name="Student",
        title="Student · ClassMood",
        layout=layout,
    )

    @app.callback(
        Output("student-session-body", "children"),
        Input("student-session", "value"),
        State("student-id", "data"),
        prevent_initial_call=True,
    )
    def change_session(session_id, participant_id):
        with db_session() as db:
            pid = check_participant(db, participant_id)
            sid = check_session(db, session_id)
            if student_info(db, pid).course_id != context().cache.get(db, sid).figures.course_id:
                raise NotFound("not this student's class")
        return session_body(pid, sid)


def _usual(baseline: float) -> str:
    """The line under "Their mood": their usual mood, or why there is none."""
    return f"usual {fmt.mood(baseline)}" if math.isfinite(baseline) else "no face seen (camera off)"
