"""Home page: the viewer's classes, per course, newest first.

Each row: date and time, length, students seen, average mood and the number
of "needs attention" flags; a class being recorded now is marked live.
"""

from __future__ import annotations

import dash
from dash import dcc, html

from analytics import queries
from analytics.report import fmt
from analytics.report.common import card, context, db_session, parse_id, viewer
from analytics.report.theme import MOOD_HELP
from analytics.report_data import list_courses, list_sessions, running_sessions

PER_COURSE = 8
PAGE_SIZE = 50


def _table(session, rows) -> html.Table:
    cache = context().cache
    figures = queries.session_figures(session, [r.id for r in rows])
    head = html.Thead(
        html.Tr(
            [
                html.Th("Date"),
                html.Th("Time"),
                html.Th("Length", className="num"),
                html.Th("Students", className="num", title="Students seen at least once"),
                html.Th("Average mood", className="num", title=MOOD_HELP),
                html.Th(
                    "Needs attention",
                    className="num",
                    title="Flags: a sustained drop below a student's usual mood, a long time with the camera "
                    "off, or a long absence",
                ),
                html.Th(""),
            ]
        )
    )
    body = []
    for r in rows:
        flags, students = cache.flag_counts(session, figures[r.id])
        end = r.ended_at or figures[r.id].last_capture
        status = None
        if r.status == "running":
            status = dcc.Link(html.Span("Live now", className="cm-pill live"), href=f"/live?session={r.id}")
        elif r.status == "interrupted":
            status = html.Span(
                "Interrupted", className="cm-pill warn", title="The bot stopped before the end of the class"
            )
        body.append(
            html.Tr(
                [
                    html.Td(dcc.Link(fmt.day(r.started_at), href=f"/session/{r.id}", id=f"session-link-{r.id}")),
                    html.Td(f"{fmt.clock(r.started_at)}-{fmt.clock(end)}"),
                    html.Td(fmt.duration(r.minutes), className="num"),
                    html.Td(str(r.students_seen), className="num"),
                    html.Td(html.Span(fmt.mood(r.mean_valence), title=fmt.mood_words(r.mean_valence)), className="num"),
                    html.Td(
                        html.Span(
                            str(flags),
                            className="cm-pill warn" if flags else "cm-pill ok",
                            title=f"{flags} flag(s) for {students} student(s)",
                        ),
                        className="num",
                    ),
                    html.Td(status),
                ]
            )
        )
    return html.Table([head, html.Tbody(body)], className="cm-table")


def layout(course: str | None = None, page: str | None = None, **_ignored) -> html.Div:
    user = viewer()
    course_id = parse_id(course)
    page_number = parse_id(page) or 1
    with db_session() as session:
        courses = list_courses(session, user)
        live = running_sessions(session, user)
        children = [
            html.H1("All classes" if user.is_admin else "Your classes"),
            html.P(
                "Pick a class to see its report: the class's mood over time, each student's timeline, who needs "
                "attention, and attendance.",
                className="cm-sub",
            ),
        ]
        for sid, name, started in live:
            children.append(
                html.Div(
                    [
                        html.Span("Live now", className="cm-pill live"),
                        f"  {name} is being recorded now (started at {fmt.clock(started)}). ",
                        dcc.Link("Follow it live", href=f"/live?session={sid}"),
                    ],
                    className="cm-banner",
                )
            )
        if not courses:
            children.append(
                card(
                    html.P(
                        "No classes yet. Courses appear here once the bot has recorded a class "
                        + ("." if user.is_admin else "and an admin has given you the course."),
                        className="cm-empty",
                    )
                )
            )
            return html.Div(children)
        shown = [c for c in courses if course_id is None or c.id == course_id]
        if not shown:
            children.append(card(html.P("No such course.", className="cm-empty")))
        for c in shown:
            limit = PAGE_SIZE if course_id is not None else PER_COURSE
            offset = (page_number - 1) * PAGE_SIZE if course_id is not None else 0
            rows, total = list_sessions(session, user, course_id=c.id, limit=limit, offset=offset)
            right = None
            if course_id is None and total > PER_COURSE:
                right = dcc.Link(f"All {total} classes", href=f"/?course={c.id}")
            elif course_id is not None:
                pages = []
                if page_number > 1:
                    pages.append(dcc.Link("Newer", href=f"/?course={c.id}&page={page_number - 1}"))
                if offset + len(rows) < total:
                    pages.append(dcc.Link("Older", href=f"/?course={c.id}&page={page_number + 1}"))
                pages.append(dcc.Link("All courses", href="/"))
                right = html.Span([item for link in pages for item in (link, "  ")])
            owner = (
                f" · taught by {c.owner}"
                if user.is_admin and c.owner
                else (" · no instructor yet" if user.is_admin else "")
            )
            children.append(
                card(
                    _table(session, rows) if rows else html.P("No classes recorded yet.", className="cm-empty"),
                    title=c.name,
                    help=f"{total} class{'es' if total != 1 else ''}{owner}",
                    right=right,
                )
            )
    return html.Div(children)


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path="/", name="Classes", title="Classes · ClassMood", layout=layout)
