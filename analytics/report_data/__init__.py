"""What the report reads: observations aggregated in SQL per time bucket and per student.

Every function takes an open SQLAlchemy :class:`~sqlalchemy.orm.Session` and
returns small dataclasses or numpy arrays. Observations are never loaded row
by row: the database groups them by (student, time bucket, top label) or by
(session, student), and Python only reshapes the few thousand aggregated rows
(a 90-minute class of 50 students in 30-second buckets is 9,000 cells).

One module per page it feeds: :mod:`.session` (a class's report), :mod:`.live`,
:mod:`.sessions` (the classes list), :mod:`.student`, :mod:`.admin`; :mod:`.access`
(who sees what: an instructor the courses they own, an admin everything) and
:mod:`.sql` (time buckets) serve them all. Valence is
:func:`analytics.queries.valence_expression`, defined once for the admin
queries and the report. This package re-exports every public name.

Time buckets: see :mod:`analytics.report_data.sql`.
"""

from __future__ import annotations

from analytics.errors import NotFoundError
from analytics.report_data.access import (
    CourseInfo,
    Viewer,
    can_see_participant,
    can_see_session,
    list_courses,
    resolve_visible_session,
    restrict,
    running_sessions,
    visible_course_ids,
)
from analytics.report_data.admin import (
    HistoryRecord,
    courses_per_owner,
    history_records,
    list_participants,
    set_course_owner,
)
from analytics.report_data.live import LIVE_WINDOW_MINUTES, LiveData, load_live, session_baselines
from analytics.report_data.session import SessionData, build_grid, load_session, session_end
from analytics.report_data.sessions import SessionListRow, list_sessions
from analytics.report_data.sql import (
    MAX_BUCKETS,
    NICE_BUCKETS_S,
    bucket_expression,
    choose_bucket_s,
    dialect_of,
    observation_scope,
)
from analytics.report_data.student import (
    StudentInfo,
    StudentSessionRow,
    class_mean_valence,
    latest_thumbnail,
    student_history,
    student_info,
    student_sessions_present,
)

__all__ = [
    "LIVE_WINDOW_MINUTES",
    "MAX_BUCKETS",
    "NICE_BUCKETS_S",
    "CourseInfo",
    "HistoryRecord",
    "LiveData",
    "NotFoundError",
    "SessionData",
    "SessionListRow",
    "StudentInfo",
    "StudentSessionRow",
    "Viewer",
    "bucket_expression",
    "build_grid",
    "can_see_participant",
    "can_see_session",
    "choose_bucket_s",
    "class_mean_valence",
    "courses_per_owner",
    "dialect_of",
    "history_records",
    "latest_thumbnail",
    "list_courses",
    "list_participants",
    "list_sessions",
    "load_live",
    "load_session",
    "observation_scope",
    "resolve_visible_session",
    "restrict",
    "running_sessions",
    "session_baselines",
    "session_end",
    "set_course_owner",
    "student_history",
    "student_info",
    "student_sessions_present",
    "visible_course_ids",
]
