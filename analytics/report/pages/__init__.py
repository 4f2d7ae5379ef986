"""The report's pages, one module each (layout + callbacks); see :mod:`analytics.report.app`."""

from __future__ import annotations

from analytics.report.pages import (
    admin_history,
    admin_users,
    live,
    not_found_404,
    session_report,
    sessions,
    student,
)

PAGES = [sessions, session_report, live, student, admin_history, admin_users, not_found_404]
