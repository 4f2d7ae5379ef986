"""File downloads: a class's attendance (CSV) and whole report (HTML), and the admin history (CSV).

Plain Flask routes under ``/download/``; the login guard covers them and each
checks that the viewer may see what it asks for (404 otherwise, the same as
for something that does not exist).
"""

from __future__ import annotations

import re

import flask
from werkzeug.exceptions import NotFound

from analytics.report.common import check_session, context, db_session, require_admin


def _filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "classmood"


def _attachment(body: str, filename: str, mimetype: str) -> flask.Response:
    response = flask.Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def register(server: flask.Flask) -> None:
    @server.route("/download/session/<session_id>/attendance.csv")
    def attendance_csv(session_id: str):
        from analytics.report.session_report import attendance_csv as to_csv
        from analytics.report.session_report import attendance_lines

        with db_session() as session:
            sid = check_session(session, session_id)
            data = context().cache.get(session, sid)
        f = data.figures
        name = _filename(f"attendance-{f.course}-{f.started_at.astimezone():%Y-%m-%d-%H%M}.csv")
        return _attachment("\ufeff" + to_csv(attendance_lines(data)), name, "text/csv")

    @server.route("/download/session/<session_id>/report.html")
    def report_html(session_id: str):
        from analytics.report.export import render_session_html
        from analytics.report.session_report import build_from_data

        with db_session() as session:
            sid = check_session(session, session_id)
            data = context().cache.get(session, sid)
        f = data.figures
        name = _filename(f"classmood-{f.course}-{f.started_at.astimezone():%Y-%m-%d-%H%M}.html")
        return _attachment(render_session_html(build_from_data(data)), name, "text/html")

    @server.route("/download/history.csv")
    def history_csv():
        from analytics.report.pages.admin_history import history_csv_text, parse_filters

        require_admin()
        filters = parse_filters(flask.request.args)
        if filters is None:
            raise NotFound("bad filters")
        return _attachment("\ufeff" + history_csv_text(filters), "classmood-history.csv", "text/csv")
