"""Admin: attendance and mood history across classes, courses and students, with filters and CSV export."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

import dash
from dash import Input, Output, dcc, html

from analytics import csv_safe
from analytics.report import figures, fmt
from analytics.report.common import (
    PERCENT_FORMATTER,
    SIGNED_FORMATTER,
    admins_only,
    card,
    data_grid,
    db_session,
    graph,
    grid_rows,
    kpi,
    parse_id,
    require_admin,
    viewer,
)
from analytics.report.theme import EMOTION_NAMES, MOOD_HELP
from analytics.report_data import HistoryRecord, history_records, list_courses, list_participants

DEFAULT_DAYS = 90

COLUMNS = [
    {
        "field": "date",
        "headerName": "Class",
        "cellRenderer": "markdown",
        "minWidth": 215,
        "flex": 2,
        "comparator": {"function": "(a, b, nodeA, nodeB) => nodeA.data.sort_key - nodeB.data.sort_key"},
    },
    {"field": "course", "headerName": "Course", "flex": 2, "minWidth": 140},
    {"field": "student", "headerName": "Student", "cellRenderer": "markdown", "flex": 2, "minWidth": 170},
    {"field": "present", "headerName": "Present", "flex": 1},
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
        "headerTooltip": MOOD_HELP,
        "valueFormatter": SIGNED_FORMATTER,
    },
    {"field": "expression", "headerName": "Expression", "headerTooltip": "The expression seen most often", "flex": 1},
]

CSV_COLUMNS = (
    "Class started",
    "Course",
    "Student",
    "Present",
    "First seen",
    "Last seen",
    "Minutes present",
    "Share of class (%)",
    "Minutes with camera on",
    "Mood (-1 to +1)",
    "Main expression",
)


@dataclass(frozen=True)
class Filters:
    course_id: int | None = None
    participant_id: int | None = None
    since: date | None = None
    until: date | None = None  # inclusive

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        since = datetime.combine(self.since, time()).astimezone() if self.since else None
        until = datetime.combine(self.until + timedelta(days=1), time()).astimezone() if self.until else None
        return since, until

    def query(self) -> str:
        params = {}
        if self.course_id:
            params["course"] = self.course_id
        if self.participant_id:
            params["student"] = self.participant_id
        if self.since:
            params["since"] = self.since.isoformat()
        if self.until:
            params["until"] = self.until.isoformat()
        return urlencode(params)


def _date(value) -> date | bool | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return False


def parse_filters(args: Mapping) -> Filters | None:
    """Filters from query-string style values; None when one is malformed."""
    since, until = _date(args.get("since")), _date(args.get("until"))
    if since is False or until is False:
        return None
    course = args.get("course")
    student = args.get("student")
    course_id = parse_id(course) if course not in (None, "") else None
    participant_id = parse_id(student) if student not in (None, "") else None
    if (course not in (None, "") and course_id is None) or (student not in (None, "") and participant_id is None):
        return None
    return Filters(course_id, participant_id, since, until)


def load_records(filters: Filters) -> list[HistoryRecord]:
    since, until = filters.bounds()
    with db_session() as session:
        return history_records(
            session,
            viewer(),
            course_id=filters.course_id,
            participant_id=filters.participant_id,
            since=since,
            until=until,
        )


def history_csv_text(filters: Filters) -> str:
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in load_records(filters):
        writer.writerow(
            [
                fmt.iso_local(r.started_at),
                r.course,
                r.student,
                "yes" if r.present else "no",
                fmt.clock_seconds(r.first_seen) if r.present else "",
                fmt.clock_seconds(r.last_seen) if r.present else "",
                f"{r.minutes_present:.1f}",
                f"{100 * r.share:.0f}",
                f"{r.minutes_camera_on:.1f}",
                "" if r.mean_valence is None else f"{r.mean_valence:.3f}",
                EMOTION_NAMES.get(r.main_expression or "", ""),
            ]
        )
    return buffer.getvalue()


def _md(text: str) -> str:
    from analytics.report.pages.session_report import markdown_text

    return markdown_text(text)


def _rows(records: list[HistoryRecord]) -> list[dict]:
    return [
        {
            "id": f"{r.session_id}-{r.participant_id}",
            "sort_key": r.started_at.timestamp(),
            "date": f"[{fmt.when(r.started_at)}](/session/{r.session_id})",
            "course": r.course,
            "student": f"[{_md(r.student)}](/student/{r.participant_id}?session={r.session_id})",
            "present": "yes" if r.present else "no",
            "minutes_present": round(r.minutes_present, 1),
            "share": round(100 * r.share),
            "camera_share": round(100 * r.camera_share) if r.camera_share is not None else None,
            "mood": round(r.mean_valence, 2) if r.mean_valence is not None else None,
            "expression": EMOTION_NAMES.get(r.main_expression or "", "-"),
        }
        for r in records
    ]


def _summary(records: list[HistoryRecord]) -> html.Div:
    sessions = {r.session_id for r in records}
    students = {r.participant_id for r in records}
    present = [r for r in records if r.present]
    weights = sum(r.minutes_camera_on for r in present if r.mean_valence is not None)
    mood = (
        sum(r.mean_valence * r.minutes_camera_on for r in present if r.mean_valence is not None) / weights
        if weights
        else None
    )
    attendance = len(present) / len(records) if records else None
    return html.Div(
        [
            kpi("Classes", str(len(sessions))),
            kpi("Students", str(len(students))),
            kpi("Attendance", fmt.percent(attendance), "student-classes attended"),
            kpi("Average mood", fmt.mood(mood), fmt.mood_words(mood), title=MOOD_HELP),
        ],
        className="cm-kpis",
    )


def layout(**_ignored) -> html.Div:
    user = viewer()
    if not user.is_admin:
        return admins_only()
    with db_session() as session:
        courses = list_courses(session, user)
    course_options = [
        {"label": f"{c.name} ({c.owner})" if c.owner else f"{c.name} (no instructor)", "value": c.id} for c in courses
    ]
    today = date.today()
    return html.Div(
        [
            html.H1("Attendance and mood history"),
            html.P(
                "Every student in every class, across courses. Filter, sort, and download what you see as CSV.",
                className="cm-sub",
            ),
            card(
                html.Div(
                    [
                        html.Div(
                            [
                                html.Div("Course", className="flabel"),
                                dcc.Dropdown(id="history-course", options=course_options, placeholder="All courses"),
                            ]
                        ),
                        html.Div(
                            [
                                html.Div("Student", className="flabel"),
                                dcc.Dropdown(id="history-student", options=[], placeholder="All students"),
                            ]
                        ),
                        html.Div(
                            [
                                html.Div("Classes between", className="flabel"),
                                dcc.DatePickerRange(
                                    id="history-dates",
                                    start_date=(today - timedelta(days=DEFAULT_DAYS)).isoformat(),
                                    end_date=today.isoformat(),
                                    display_format="D MMM YYYY",
                                    clearable=True,
                                    first_day_of_week=1,
                                ),
                            ]
                        ),
                        html.Div(
                            html.A(
                                "Download CSV",
                                id="history-download",
                                href="/download/history.csv",
                                className="cm-button primary",
                            )
                        ),
                    ],
                    className="cm-filters",
                ),
                html.Div(id="history-summary"),
            ),
            card(graph(figures.empty_figure("Loading…", height=340), id="history-graph"), title="Per class"),
            card(
                data_grid("history-table", [], COLUMNS, paginate=True, filters=True),
                title="Students in each class",
                help="Absent students are listed too (present: no). Click a heading to sort; the funnel filters.",
            ),
        ]
    )


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path="/admin", name="History", title="History · ClassMood", layout=layout)

    @app.callback(
        Output("history-student", "options"),
        Input("history-course", "value"),
    )
    def student_options(course_id):
        user = require_admin()
        with db_session() as session:
            students = list_participants(session, user, parse_id(course_id))
        return [{"label": f"{name} ({course})", "value": pid} for pid, name, course in students]

    @app.callback(
        Output("history-summary", "children"),
        Output("history-graph", "figure"),
        Output("history-table", "rowData"),
        Output("history-download", "href"),
        Input("history-course", "value"),
        Input("history-student", "value"),
        Input("history-dates", "start_date"),
        Input("history-dates", "end_date"),
    )
    def update(course_id, participant_id, start_date, end_date):
        require_admin()
        filters = (
            parse_filters(
                {
                    "course": course_id or "",
                    "student": participant_id or "",
                    "since": start_date or "",
                    "until": end_date or "",
                }
            )
            or Filters()
        )
        records = load_records(filters)
        query = filters.query()
        href = "/download/history.csv" + (f"?{query}" if query else "")
        return _summary(records), figures.admin_history_figure(records), grid_rows(_rows(records)), href
