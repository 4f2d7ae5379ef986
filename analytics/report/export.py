"""Static export: one self-contained HTML file with a class's report (no server; opens offline).

plotly.js is inlined once (``include_plotlyjs=True`` on the first figure), the
figures are the same functions the Dash page uses, the sections (titles, help,
order) are the page's own list (:mod:`analytics.report.sections`), the
attendance table sorts with a few lines of inline JavaScript, and its CSV is
embedded as a data URL.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path

from analytics.db import Database
from analytics.report import figures, fmt
from analytics.report.sections import SECTIONS, rows
from analytics.report.session_report import SessionReport, build_session_report
from analytics.report.theme import CAMERA_OFF_FILL, CSS

_SORT_SCRIPT = """
<script>
document.querySelectorAll('table.cm-sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, column) {
    th.style.cursor = 'pointer';
    th.title = 'Click to sort';
    th.addEventListener('click', function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var ascending = th.getAttribute('data-order') !== 'asc';
      table.querySelectorAll('th').forEach(function (other) { other.removeAttribute('data-order'); });
      th.setAttribute('data-order', ascending ? 'asc' : 'desc');
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute('data-sort') || a.cells[column].textContent;
        var y = b.cells[column].getAttribute('data-sort') || b.cells[column].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var result = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return ascending ? result : -result;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
</script>
"""


def _e(text) -> str:
    return html.escape(str(text))


def _list(items: list[str], empty: str) -> str:
    if not items:
        return f'<p class="cm-empty">{_e(empty)}</p>'
    return '<ul class="cm-list">' + "".join(items) + "</ul>"


def _flags_html(report: SessionReport) -> str:
    start = report.data.figures.started_at
    items = [
        f'<li><div><span class="who">{_e(f.student)}</span> <span class="cm-pill warn">{_e(f.title)}</span></div>'
        f'<div>{_e(f.reason)}</div><div class="when">{_e(fmt.span(f.start, f.end, start))}</div></li>'
        for f in report.flags
    ]
    return _list(items, "Nobody needs attention in this class.")


def _moments_html(report: SessionReport) -> str:
    items = []
    for number, m in enumerate(report.moments, start=1):
        pill = "ok" if m.kind == "lift" else "warn"
        items.append(
            f'<li><div><span class="who">{number}. {_e(fmt.clock(m.start))}-{_e(fmt.clock(m.end))}</span> minutes '
            f"{round(m.minute_start)}-{round(m.minute_end)} of class "
            f'<span class="cm-pill {pill}">{_e(m.title)}</span></div><div>{_e(m.description)}</div></li>'
        )
    return _list(items, "No marked change in the class's mood.")


def _attendance_html(report: SessionReport) -> str:
    head = (
        '<thead><tr><th>Student</th><th>First seen</th><th>Last seen</th><th class="num">Minutes present</th>'
        '<th class="num">Share of class</th><th class="num">Camera on</th></tr></thead>'
    )
    rows = []
    for line in sorted(report.attendance, key=lambda line: line.student.casefold()):
        camera = "-" if line.camera_share is None else f"{100 * line.camera_share:.0f}%"
        camera_sort = "-1" if line.camera_share is None else f"{line.camera_share:.4f}"
        rows.append(
            f"<tr><td>{_e(line.student)}</td><td>{_e(line.first_seen)}</td><td>{_e(line.last_seen)}</td>"
            f'<td class="num" data-sort="{line.minutes_present:.3f}">{line.minutes_present:.1f}</td>'
            f'<td class="num" data-sort="{line.share:.4f}">{100 * line.share:.0f}%</td>'
            f'<td class="num" data-sort="{camera_sort}">{camera}</td></tr>'
        )
    return f'<table class="cm-table cm-sortable" id="attendance-table">{head}<tbody>{"".join(rows)}</tbody></table>'


def _kpi(label: str, value: str, note: str = "") -> str:
    return (
        f'<div class="cm-kpi"><div class="label">{_e(label)}</div><div class="value">{_e(value)}</div>'
        f'<div class="note">{_e(note)}</div></div>'
    )


def _banner(status: str) -> str:
    if status == "running":
        return '<div class="cm-banner">This class was still being recorded when this file was saved.</div>'
    if status == "interrupted":
        return '<div class="cm-banner">The bot stopped before the end of this class.</div>'
    return ""


def _heatmap_html(report: SessionReport, config: dict) -> str:
    heatmap = figures.heatmap_switch_figure(report.data.grid)
    legend = (
        '<div class="cm-legend"><span><span class="cm-swatch" style="background:#fff;border:1px solid #ccd"></span>'
        f'not in class</span><span><span class="cm-swatch" style="background:{CAMERA_OFF_FILL}"></span>camera off'
        "</span></div>"
    )
    return legend + heatmap.to_html(full_html=False, include_plotlyjs=False, config=config, div_id="heatmap-graph")


def _sections_html(report: SessionReport) -> str:
    """The report's sections (:data:`analytics.report.sections.SECTIONS`) as cards, paired ones side by side."""
    config = {"displaylogo": False, "responsive": True}
    bodies = {
        "mood": lambda: report.mood.to_html(full_html=False, include_plotlyjs=True, config=config, div_id="mood-graph"),
        "moments": lambda: _moments_html(report),
        "flags": lambda: _flags_html(report),
        "heatmap": lambda: _heatmap_html(report, config),
        "attendance": lambda: _attendance_html(report),
    }
    out = []
    for row in rows(SECTIONS):
        cards = []
        for s in row:
            help_text = s.help_for("export")
            help_html = f'<p class="cm-help">{_e(help_text)}</p>' if help_text else ""
            cards.append(
                f'<div class="cm-card" id="{s.id}-card"><h2>{_e(s.title)}</h2>{help_html}\n{bodies[s.id]()}</div>'
            )
        out.append(cards[0] if len(cards) == 1 else '<div class="cm-grid-2">\n' + "\n".join(cards) + "\n</div>")
    return "\n".join(out)


def render_session_html(report: SessionReport) -> str:
    """The whole report of one class as one HTML document (plotly.js inlined, in the first section's figure)."""
    data = report.data
    f = data.figures
    csv_b64 = base64.b64encode(("\ufeff" + report.attendance_csv()).encode("utf-8")).decode("ascii")
    flagged = report.flagged_students()
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(f.course)} · {_e(fmt.when(f.started_at))} · ClassMood report</title>
<style>{CSS}</style></head>
<body><main class="cm-main">
{_banner(f.status)}
<div class="cm-card-head"><div><h1>{_e(f.course)}</h1>
<p class="cm-sub">{_e(fmt.day(f.started_at))}, {_e(fmt.clock(f.started_at))}-{_e(fmt.clock(data.end))} ·
capture every {f.interval_s:g} s · saved from ClassMood</p></div>
<div><a class="cm-button" download="attendance.csv" href="data:text/csv;charset=utf-8;base64,{csv_b64}">
Attendance (CSV)</a></div></div>
<div class="cm-kpis">
{_kpi("Length", fmt.duration(f.duration_s / 60.0))}
{_kpi("Students seen", str(data.students_seen), f"of {len(data.attendance)} in the course")}
{_kpi("Average mood", fmt.mood(data.mean_valence), fmt.mood_words(data.mean_valence))}
{_kpi("Cameras on", fmt.percent(report.camera_on_share()), "of the time students were present")}
{_kpi("Needs attention", str(flagged), f"students, {len(report.flags)} flags")}
</div>
{_sections_html(report)}
</main>
{_SORT_SCRIPT}
</body></html>
"""


def export_session(db: Database, session_id: int, out: Path) -> Path:
    """Write the report of ``session_id`` to ``out`` (one self-contained HTML file); returns the path."""
    with db.session() as session:
        report = build_session_report(session, session_id)
    out = Path(out)
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Students' names and moods: readable by the owner only (0600), also when replacing an older export.
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(render_session_html(report))
    return out
