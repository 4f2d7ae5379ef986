"""The session report as data: figures, tables and lists built from one aggregated session.

:func:`build_session_report` is what the Dash page, the static HTML export and
``classmood bench report`` all call, so the benchmark times exactly what a
teacher's browser waits for.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import plotly.graph_objects as go
from sqlalchemy.orm import Session

from analytics import csv_safe
from analytics.report import figures, fmt
from analytics.report_data import SessionData, load_session
from analytics.report_measures import Flag, Moment

ATTENDANCE_CSV_COLUMNS = (
    "Student",
    "First seen",
    "Last seen",
    "Minutes present",
    "Share of class (%)",
    "Minutes with camera on",
    "Camera on (% of time present)",
)


@dataclass
class AttendanceLine:
    participant_id: int
    student: str
    first_seen: str
    last_seen: str
    minutes_present: float
    share: float  # of the class, 0..1
    minutes_camera_on: float
    camera_share: float | None  # of the time present, 0..1

    def record(self) -> dict:
        """A row for the Dash table (percent values 0..100, rounded)."""
        return {
            "participant_id": self.participant_id,
            "student": self.student,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "minutes_present": round(self.minutes_present, 1),
            "share": round(100 * self.share),
            "camera_share": round(100 * self.camera_share) if self.camera_share is not None else None,
        }


@dataclass
class SessionReport:
    data: SessionData
    mood: go.Figure
    heatmap: go.Figure
    attendance: list[AttendanceLine]

    @property
    def flags(self) -> list[Flag]:
        return self.data.flags

    @property
    def moments(self) -> list[Moment]:
        return self.data.moments

    @property
    def title(self) -> str:
        f = self.data.figures
        return f"{f.course} · {fmt.when(f.started_at)}"

    def camera_on_share(self) -> float | None:
        present = sum(line.minutes_present for line in self.attendance)
        camera = sum(line.minutes_camera_on for line in self.attendance)
        return camera / present if present > 0 else None

    def flagged_students(self) -> int:
        return len({f.participant_id for f in self.flags})

    def attendance_csv(self) -> str:
        return attendance_csv(self.attendance)


def attendance_lines(data: SessionData) -> list[AttendanceLine]:
    lines = []
    for row in data.attendance:
        lines.append(
            AttendanceLine(
                participant_id=row.participant_id,
                student=row.student,
                first_seen=fmt.clock_seconds(row.first_seen) if row.first_seen else "not seen",
                last_seen=fmt.clock_seconds(row.last_seen) if row.last_seen else "not seen",
                minutes_present=row.minutes_present,
                share=row.share,
                minutes_camera_on=row.minutes_camera_on,
                camera_share=(row.minutes_camera_on / row.minutes_present) if row.minutes_present > 0 else None,
            )
        )
    return lines


def attendance_csv(lines: list[AttendanceLine]) -> str:
    """The attendance table as CSV (header row + one row per student, plain column names)."""
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer, lineterminator="\r\n")
    writer.writerow(ATTENDANCE_CSV_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.student,
                "" if line.first_seen == "not seen" else line.first_seen,
                "" if line.last_seen == "not seen" else line.last_seen,
                f"{line.minutes_present:.1f}",
                f"{100 * line.share:.0f}",
                f"{line.minutes_camera_on:.1f}",
                "" if line.camera_share is None else f"{100 * line.camera_share:.0f}",
            ]
        )
    return buffer.getvalue()


def build_from_data(data: SessionData, *, measure: str = "valence", relative: bool = True) -> SessionReport:
    return SessionReport(
        data=data,
        mood=figures.class_mood_figure(data.series, data.moments),
        heatmap=figures.heatmap_figure(data.grid, measure=measure, relative=relative),
        attendance=attendance_lines(data),
    )


def build_session_report(session: Session, session_id: int, **options) -> SessionReport:
    """Aggregate session ``session_id`` and build all its figures and tables."""
    return build_from_data(load_session(session, session_id), **options)
