"""Report benchmark: server time to build a whole class report from the database.

Builds a ``minutes``-long class of ``students`` sampled every ``interval_s``
seconds (90 min x 50 students / 2 s = 135,000 observations) with
:func:`analytics.bench.build_class`, then times, ``runs`` times and from
cold (no cache), what the server does for the class report page:

1. aggregate: :func:`analytics.report_data.load_session` (SQL GROUP BY time
   bucket and student, baselines, attendance, flags, moments);
2. figures and tables: :func:`analytics.report.session_report.build_from_data`;
3. the page: the Dash layout of the page, serialized to JSON as the server
   sends it.

Target: the median of the total <= 1.5 s.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete

TARGET_S = 1.5


@dataclass
class ReportBenchResult:
    backend: str
    students: int
    minutes: float
    interval_s: float
    observations: int
    build_s: float
    runs: int
    aggregate_median_s: float
    figures_median_s: float
    page_median_s: float
    total_median_s: float
    total_min_s: float
    total_max_s: float
    page_json_kb: float
    flags: int
    moments: int
    target_s: float = TARGET_S

    @property
    def ok(self) -> bool:
        return self.total_median_s <= self.target_s

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def summary(self) -> str:
        verdict = "ok" if self.ok else "SLOWER THAN TARGET"
        return "\n".join(
            [
                f"report benchmark ({self.backend})",
                f"  class: {self.students} students x {self.minutes:g} min every {self.interval_s:g} s = "
                f"{self.observations:,} observations (built in {self.build_s:.1f} s)",
                f"  session report, server side, {self.runs} cold runs (medians):",
                f"    aggregate in SQL  {self.aggregate_median_s * 1000:7.0f} ms",
                f"    figures + tables  {self.figures_median_s * 1000:7.0f} ms",
                f"    page layout JSON  {self.page_median_s * 1000:7.0f} ms  ({self.page_json_kb:,.0f} kB)",
                f"    total             {self.total_median_s * 1000:7.0f} ms  (best {self.total_min_s * 1000:.0f}, "
                f"worst {self.total_max_s * 1000:.0f})  target <= {self.target_s:g} s: {verdict}",
                f"  found {self.flags} needs-attention flags and {self.moments} moments",
            ]
        )


def time_report(db, session_id: int) -> tuple[float, float, float, int, Any]:
    """One cold build of the session report page: (aggregate s, figures s, page s, page bytes, report)."""
    from plotly.io.json import to_json_plotly

    from analytics.report.pages.session_report import report_layout
    from analytics.report.session_report import build_from_data
    from analytics.report_data import load_session

    t0 = time.perf_counter()
    with db.session() as session:
        data = load_session(session, session_id)
    t1 = time.perf_counter()
    report = build_from_data(data)
    t2 = time.perf_counter()
    page = to_json_plotly(report_layout(report, session_id))
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, len(page), report


def bench_report(
    url: str | None = None,
    *,
    students: int = 50,
    minutes: float = 90.0,
    interval_s: float = 2.0,
    runs: int = 5,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> ReportBenchResult:
    """Run the report benchmark (see the module docstring) and return its figures."""
    from analytics.bench import build_class
    from analytics.db import open_database
    from analytics.schema import Course

    say = progress or (lambda _message: None)
    tmpdir: Path | None = None
    if url is None:
        tmpdir = Path(tempfile.mkdtemp(prefix="classmood-bench-report-"))
        url = f"sqlite:///{tmpdir / 'bench.db'}"
    course = f"bench-report-{uuid.uuid4().hex[:8]}"
    db = open_database(url)
    try:
        say(f"building a {minutes:g}-minute class of {students} students every {interval_s:g} s")
        t0 = time.perf_counter()
        session_id, observations = build_class(
            db, course, students=students, minutes=minutes, interval_s=interval_s, seed=seed
        )
        build_s = time.perf_counter() - t0
        say("warming up (imports, first query)")
        time_report(db, session_id)
        say(f"timing the session report ({runs} runs)")
        samples = []
        report = None
        size = 0
        for _ in range(runs):
            aggregate, figures, page, size, report = time_report(db, session_id)
            samples.append((aggregate, figures, page, aggregate + figures + page))
        totals = [s[3] for s in samples]
        return ReportBenchResult(
            backend=db.dialect,
            students=students,
            minutes=minutes,
            interval_s=interval_s,
            observations=observations,
            build_s=build_s,
            runs=runs,
            aggregate_median_s=statistics.median(s[0] for s in samples),
            figures_median_s=statistics.median(s[1] for s in samples),
            page_median_s=statistics.median(s[2] for s in samples),
            total_median_s=statistics.median(totals),
            total_min_s=min(totals),
            total_max_s=max(totals),
            page_json_kb=size / 1000.0,
            flags=len(report.flags) if report else 0,
            moments=len(report.moments) if report else 0,
        )
    finally:
        if tmpdir is None:
            with db.transaction() as session:
                session.execute(delete(Course).where(Course.name == course))
        db.dispose()
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
