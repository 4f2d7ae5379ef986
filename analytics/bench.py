"""Database benchmark: the write path and the attendance query at class scale.

1. Write path: ``captures`` calls of :meth:`Store.record_capture`, each with
   ``per_capture`` observations (known students, so the participant cache is
   warm after the first), timed one by one.
2. Query: a ``minutes``-long class of ``students`` sampled every
   ``interval_s`` seconds (90 min x 50 students / 2 s = 135,000
   observations), built with bulk inserts, then :func:`queries.attendance`
   and :func:`queries.history` timed over several runs.

By default everything happens in a temporary SQLite file that is deleted
afterwards. With a URL, the benchmark writes into its own throw-away courses
in that database and deletes them at the end.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from analytics.schema import EMOTIONS, PROBABILITY_COLUMNS, Capture, Course, Observation, Participant

CAPTURE_TARGET_MS = 5.0
ATTENDANCE_TARGET_MS = 200.0


@dataclass
class DbBenchResult:
    backend: str
    captures: int
    observations_per_capture: int
    capture_median_ms: float
    capture_p95_ms: float
    capture_mean_ms: float
    class_students: int
    class_minutes: float
    class_interval_s: float
    observations: int
    build_s: float
    query_runs: int
    attendance_median_ms: float
    attendance_min_ms: float
    history_median_ms: float
    capture_target_ms: float = CAPTURE_TARGET_MS
    attendance_target_ms: float = ATTENDANCE_TARGET_MS

    @property
    def capture_ok(self) -> bool:
        return self.capture_median_ms <= self.capture_target_ms

    @property
    def attendance_ok(self) -> bool:
        return self.attendance_median_ms <= self.attendance_target_ms

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["capture_ok"] = self.capture_ok
        data["attendance_ok"] = self.attendance_ok
        return data

    def summary(self) -> str:
        def verdict(ok: bool) -> str:
            return "ok" if ok else "SLOWER THAN TARGET"

        return "\n".join(
            [
                f"database benchmark ({self.backend})",
                f"  write path: {self.captures} captures x {self.observations_per_capture} observations",
                f"    median {self.capture_median_ms:.2f} ms/capture, p95 {self.capture_p95_ms:.2f} ms, "
                f"mean {self.capture_mean_ms:.2f} ms  (target <= {self.capture_target_ms:g} ms: "
                f"{verdict(self.capture_ok)})",
                f"  class: {self.class_students} students x {self.class_minutes:g} min every "
                f"{self.class_interval_s:g} s = {self.observations:,} observations (built in {self.build_s:.1f} s)",
                f"    attendance query: median {self.attendance_median_ms:.1f} ms, "
                f"best {self.attendance_min_ms:.1f} ms over {self.query_runs} runs  "
                f"(target <= {self.attendance_target_ms:g} ms: {verdict(self.attendance_ok)})",
                f"    one student's history: median {self.history_median_ms:.1f} ms",
            ]
        )


def _probs(rng: random.Random) -> tuple[float, ...]:
    raw = [rng.random() ** 3 for _ in EMOTIONS]
    raw[0] += 1.0
    total = sum(raw)
    return tuple(v / total for v in raw)


def _bench_writes(store: Any, course: str, captures: int, per_capture: int, rng: random.Random) -> list[float]:
    from analytics.store import ObservationIn

    session_id = store.start_session(course, interval_s=2.0, source="bench")
    start = datetime.now(UTC) - timedelta(seconds=2 * (captures + 1))
    names = [f"Bench Student {i:03d}" for i in range(per_capture)]

    def observations() -> list[ObservationIn]:
        out = []
        for i, name in enumerate(names):
            face = rng.random() > 0.1
            out.append(
                ObservationIn(
                    name=name,
                    face_found=face,
                    tile_box=(160 * (i % 7), 90 * (i // 7), 160, 90),
                    probs=_probs(rng) if face else None,
                    face_box=(160 * (i % 7) + 40, 90 * (i // 7) + 10, 60, 60) if face else None,
                )
            )
        return out

    timings = {"capture": 8.0, "split": 1.0, "names": 2.0, "detect": 20.0, "classify": 15.0}
    store.record_capture(session_id, start, observations(), tiles=per_capture, faces=per_capture, names=per_capture)
    samples = []
    for k in range(captures):
        batch = observations()
        t0 = time.perf_counter()
        store.record_capture(
            session_id,
            start + timedelta(seconds=2 * (k + 1)),
            batch,
            tiles=per_capture,
            faces=sum(o.face_found for o in batch),
            names=per_capture,
            timings=timings,
            total_ms=46.0,
        )
        samples.append((time.perf_counter() - t0) * 1000.0)
    store.finish_session(session_id)
    return samples


def build_class(
    db: Any, course: str, *, students: int, minutes: float, interval_s: float, seed: int = 0
) -> tuple[int, int]:
    """Bulk-write a finished class (bypassing the per-capture path, for speed); returns (session id, observations)."""
    from analytics.store import Store

    rng = random.Random(seed)
    store = Store(db)
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    start = end - timedelta(minutes=minutes)
    session_id = store.start_session(course, started_at=start, interval_s=interval_s, source="bench")
    course_id = store.session_info(session_id).course_id
    n_captures = int(minutes * 60 / interval_s)
    with db.transaction() as session:
        session.execute(
            insert(Participant.__table__),
            [
                {"course_id": course_id, "display_name": f"Student {i:03d}", "normalized_name": f"student {i:03d}"}
                for i in range(students)
            ],
        )
        pids = list(session.scalars(select(Participant.id).where(Participant.course_id == course_id)))
    palette = [_probs(rng) for _ in range(64)]
    total = 0
    chunk: list[dict[str, Any]] = []
    captures: list[dict[str, Any]] = []
    with db.transaction() as session:
        for k in range(n_captures):
            at = start + timedelta(seconds=k * interval_s)
            captures.append(
                {"session_id": session_id, "captured_at": at, "tiles": students, "faces": students, "names": students}
            )
            for i, pid in enumerate(pids):
                face = (i + k) % 11 != 0
                row: dict[str, Any] = {
                    "session_id": session_id,
                    "participant_id": pid,
                    "captured_at": at,
                    "face_found": face,
                    "tile_x": 160 * (i % 7),
                    "tile_y": 90 * (i // 7),
                    "tile_w": 160,
                    "tile_h": 90,
                    "face_x": None,
                    "face_y": None,
                    "face_w": None,
                    "face_h": None,
                    "top_label": None,
                    "confidence": None,
                    "thumbnail": None,
                }
                probs = palette[(i * 7 + k // 30) % len(palette)] if face else None
                for j, column in enumerate(PROBABILITY_COLUMNS):
                    row[column] = probs[j] if probs else None
                if probs:
                    best = max(range(len(probs)), key=probs.__getitem__)
                    row["top_label"], row["confidence"] = EMOTIONS[best], probs[best]
                chunk.append(row)
            if len(chunk) >= 20_000:
                session.execute(insert(Observation.__table__), chunk)
                total += len(chunk)
                chunk = []
        if chunk:
            session.execute(insert(Observation.__table__), chunk)
            total += len(chunk)
        session.execute(insert(Capture.__table__), captures)
    store.finish_session(session_id, ended_at=start + timedelta(minutes=minutes))
    return session_id, total


def _time(fn: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return samples


def bench_db(
    url: str | None = None,
    *,
    captures: int = 200,
    per_capture: int = 50,
    students: int = 50,
    minutes: float = 90.0,
    interval_s: float = 2.0,
    query_runs: int = 7,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> DbBenchResult:
    """Run the database benchmark (see the module docstring) and return its figures."""
    from analytics import queries
    from analytics.db import open_database
    from analytics.store import Store

    say = progress or (lambda _message: None)
    rng = random.Random(seed)
    tmpdir: Path | None = None
    if url is None:
        tmpdir = Path(tempfile.mkdtemp(prefix="classmood-bench-"))
        url = f"sqlite:///{tmpdir / 'bench.db'}"
    tag = uuid.uuid4().hex[:8]
    write_course, class_course = f"bench-writes-{tag}", f"bench-class-{tag}"
    db = open_database(url)
    try:
        say(f"write path: {captures} captures x {per_capture} observations")
        samples = _bench_writes(Store(db), write_course, captures, per_capture, rng)
        say(f"building a {minutes:g}-minute class of {students} students every {interval_s:g} s")
        t0 = time.perf_counter()
        session_id, observations = build_class(
            db, class_course, students=students, minutes=minutes, interval_s=interval_s, seed=seed
        )
        build_s = time.perf_counter() - t0
        say(f"timing the attendance query ({query_runs} runs)")
        with db.session() as session:
            queries.attendance(session, session_id=session_id)  # warm the caches once
            attendance_ms = _time(lambda: queries.attendance(session, session_id=session_id), query_runs)
            student = f"Student {min(7, students - 1):03d}"
            history_ms = _time(lambda: queries.history(session, student, course=class_course), query_runs)
        samples.sort()
        return DbBenchResult(
            backend=db.dialect,
            captures=captures,
            observations_per_capture=per_capture,
            capture_median_ms=statistics.median(samples),
            capture_p95_ms=samples[min(len(samples) - 1, int(0.95 * len(samples)))],
            capture_mean_ms=statistics.fmean(samples),
            class_students=students,
            class_minutes=minutes,
            class_interval_s=interval_s,
            observations=observations,
            build_s=build_s,
            query_runs=query_runs,
            attendance_median_ms=statistics.median(attendance_ms),
            attendance_min_ms=min(attendance_ms),
            history_median_ms=statistics.median(history_ms),
        )
    finally:
        if tmpdir is None:
            with db.transaction() as session:
                session.execute(delete(Course).where(Course.name.in_([write_course, class_course])))
        db.dispose()
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
