"""A bot session: capture at an interval (APScheduler), run the pipeline, store every capture.

Live sources (screen, region, window) are captured by an APScheduler interval
job that never overlaps itself; recorded sources (video, images) are replayed
as fast as the pipeline goes, with their own timestamps. Ctrl-C, SIGTERM, the
end of ``--duration``, a closed window or the end of a recording all end the
session the same way: the capture under way finishes, then the session is
closed. Each capture is one database transaction, so a crash loses at most
the capture in flight; the next start closes an orphaned session at its last
capture.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from analytics.store import ObservationIn, Store
from bot.console import StatusLine
from bot.gallery_watch import GalleryWatch
from bot.pipeline import CapturePipeline, CaptureResult
from bot.sources.compression import watch_for
from bot.store_buffer import DOWN_LIMIT_S, BufferedWriter, StoreUnavailable
from bot.store_buffer import reason as error_reason

log = logging.getLogger(__name__)

BOT_MARK = "recorded by bot pid "
RECORDED_PREFIXES = ("video:", "images:", "synthetic:")


@dataclass
class BotOptions:
    course: str
    source: str = "screen"
    interval_s: float = 5.0
    duration_s: float | None = None
    keep_thumbnails: bool = False
    all_pages: bool = False
    ensure_gallery: bool = False
    dry_run: bool = False
    platform: str | None = None
    owner_id: int | None = None
    #: stop (exit 2) when the database accepts no write for this long
    store_down_limit_s: float = DOWN_LIMIT_S


@dataclass
class SessionSummary:
    session_id: int
    captures: int
    failed: int
    participants: int
    ended_because: str
    #: set when the bot stopped because the database stayed unavailable (one line)
    store_error: str | None = None


def to_store_rows(pipeline: CapturePipeline, result: CaptureResult) -> list[ObservationIn]:
    return [
        ObservationIn(
            name=observation.name or "Unnamed",
            face_found=observation.face_box is not None,
            tile_box=observation.tile.box,
            probs=None if observation.probabilities is None else [float(p) for p in observation.probabilities],
            face_box=observation.face_box,
            top_label=observation.label,
            confidence=observation.confidence,
            thumbnail=pipeline.thumbnail(result, observation),
        )
        for observation in result.observations
    ]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BotRunner:
    """Runs one session from start to a clean close."""

    def __init__(
        self,
        options: BotOptions,
        store: Store,
        pipeline: CapturePipeline,
        source_factory: Callable[[str, float, datetime], object],
        status: StatusLine | None = None,
    ) -> None:
        self.options = options
        self.store = store
        self.pipeline = pipeline
        self.source_factory = source_factory
        self.status = status or StatusLine()
        self._stop = threading.Event()
        self._ended_because = ""
        self._captures = 0
        self._failed = 0
        self._gallery_watch = GalleryWatch()
        self._participants: set[str] = set()
        self._first_capture_at: datetime | None = None
        self._last_capture_at: datetime | None = None
        self._page_turner = None
        self._compression = None
        self._previous_handlers: dict[int, object] = {}
        self.writer = BufferedWriter(store, down_limit_s=options.store_down_limit_s)
        self._store_error: str | None = None

    def stop(self, reason: str) -> None:
        if not self._stop.is_set():
            self._ended_because = reason
            self._stop.set()

    def _install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum, reason in ((signal.SIGINT, "stopped with Ctrl-C"), (signal.SIGTERM, "stopped (SIGTERM)")):
            self._previous_handlers[signum] = signal.signal(signum, lambda *_args, reason=reason: self.stop(reason))

    def _restore_signal_handlers(self) -> None:
        """Give Ctrl-C and SIGTERM back: what runs after the session (the demo's report server) must stop on them."""
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers.clear()

    def _session_span(self, started: datetime, recorded: bool) -> tuple[datetime, datetime]:
        """When the session started and ended, for :meth:`Store.finish_session`.

        A live session runs from the bot's start to its last capture. A recording carries its own clock (the
        demo's class happened in the 20 minutes before now, a video's frames are stamped from its start): it
        runs from its first capture to one interval after its last, the time the last capture stands for.
        """
        if recorded and self._first_capture_at is not None and self._last_capture_at is not None:
            return self._first_capture_at, self._last_capture_at + timedelta(seconds=self.options.interval_s)
        ended_at = self._last_capture_at or datetime.now(UTC)
        return started, max(ended_at, started)

    def run(self) -> SessionSummary:
        from bot.sources import SourceEnded

        options = self.options
        closed = self.store.close_orphaned_sessions(dead=self._sessions_of_dead_bots())
        if closed:
            print(
                f"closed {len(closed)} session(s) left open by an earlier run that did not stop cleanly",
                file=sys.stderr,
            )
        started = datetime.now(UTC)
        source = self.source_factory(options.source, options.interval_s, started)
        self._compression = watch_for(source)
        self.session_id = self.store.start_session(
            options.course,
            started_at=started,
            source=options.source,
            interval_s=options.interval_s,
            owner_id=options.owner_id,
            notes=f"{BOT_MARK}{os.getpid()} on {socket.gethostname()}",
        )
        # a label cut short ("Anna-Katharina Schönberger-Wit...") is the student of the class it begins
        self.pipeline.registry.know(self.store.participant_names(self.session_id))
        what = source.describe()  # a recording's or a folder's own pace is part of it
        pace = "" if " every " in what else f" every {options.interval_s:g} s"
        print(
            f"recording {options.course!r} from {what}{pace} (session {self.session_id}); Ctrl-C to stop",
            file=sys.stderr,
        )
        self._install_signal_handlers()
        if options.all_pages or options.ensure_gallery:
            from bot.paging import PageTurner, ensure_gallery

            if options.ensure_gallery:
                ensure_gallery(source, options.platform, dry_run=options.dry_run)
            if options.all_pages:
                self._page_turner = PageTurner(source, self.pipeline.splitter, dry_run=options.dry_run)
        recorded = options.source.startswith(RECORDED_PREFIXES)
        try:
            with self.status.logging_above():
                if recorded:
                    self._replay(source)
                else:
                    self._schedule(source, started)
        except SourceEnded as ended:
            self.stop(str(ended))
        finally:
            self._check_compression(None)
            self._restore_signal_handlers()
            source.close()
            self._close_session(*self._session_span(started, recorded))
        lost = len(self.writer.pending)
        summary = SessionSummary(
            self.session_id,
            self._captures - lost,
            self._failed,
            len(self._participants),
            self._ended_because or "done",
            self._store_error,
        )
        self.status.done(
            f"session {summary.session_id} {'stopped' if self._store_error else 'closed'} ({summary.ended_because}): "
            f"{summary.captures} captures, {summary.participants} participants"
            + (f", {summary.failed} failed captures" if summary.failed else "")
            + (f", {lost} not stored" if lost else "")
        )
        return summary

    def _close_session(self, started_at: datetime, ended_at: datetime) -> None:
        """Store what is still kept in memory, then close the session ('interrupted' if the store failed)."""
        if self._store_error is None:
            if self.writer.down:
                print(
                    f"waiting for the database to store the {len(self.writer.pending)} capture(s) kept in memory "
                    "(Ctrl-C again to give them up)",
                    file=sys.stderr,
                )
                if threading.current_thread() is threading.main_thread():
                    signal.signal(signal.SIGINT, signal.default_int_handler)
            try:
                self.writer.drain()
            except StoreUnavailable as error:
                self._store_down(error)
        try:
            self.store.finish_session(
                self.session_id,
                started_at=started_at,
                ended_at=ended_at,
                status="interrupted" if self._store_error else "finished",
            )
        except Exception as error:
            if self._store_error is None:
                raise
            print(
                f"could not close session {self.session_id} ({error_reason(error)}): the next `bot start` closes it",
                file=sys.stderr,
            )

    def _store_down(self, error: StoreUnavailable) -> None:
        self._store_error = str(error)
        self.stop("the database stayed unavailable")

    def _sessions_of_dead_bots(self) -> list[int]:
        """Running sessions started on this machine by a bot process that no longer exists (killed, crashed)."""
        here = socket.gethostname()
        dead = []
        for session_id, notes in self.store.running_sessions():
            match = re.fullmatch(rf"{re.escape(BOT_MARK)}(\d+) on (.+)", notes or "")
            if match and match.group(2) == here and not _process_alive(int(match.group(1))):
                dead.append(session_id)
        return dead

    def _replay(self, source) -> None:
        from bot.sources import SourceEnded

        deadline = None
        while not self._stop.is_set():
            try:
                frame = source.grab()
            except SourceEnded as ended:
                self.stop(str(ended))
                break
            if deadline is None and self.options.duration_s:
                deadline = frame.captured_at + timedelta(seconds=self.options.duration_s)
            if deadline is not None and frame.captured_at > deadline:
                self.stop("the --duration ran out")
                break
            self._capture(source, frame)

    def _schedule(self, source, started: datetime) -> None:
        from apscheduler.events import EVENT_JOB_ERROR
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        from bot.sources import SourceEnded

        end = started + timedelta(seconds=self.options.duration_s) if self.options.duration_s else None
        # APScheduler logs every run at INFO ("Running job", "executed successfully"): the status line says it.
        for name in ("apscheduler.scheduler", "apscheduler.executors.default"):
            logging.getLogger(name).setLevel(logging.WARNING)
        scheduler = BackgroundScheduler(timezone="UTC")

        def on_error(event) -> None:
            self.stop(f"stopped: {error_reason(event.exception)}")

        def capture() -> None:
            try:
                self._capture(source)
            except SourceEnded as ended:  # e.g. the meeting window was closed: the normal end, no traceback
                self.stop(str(ended))

        scheduler.add_listener(on_error, EVENT_JOB_ERROR)
        scheduler.add_job(
            capture,
            IntervalTrigger(seconds=self.options.interval_s, start_date=started, end_date=end, timezone="UTC"),
            next_run_time=started,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(self.options.interval_s)),
            id="capture",
        )
        scheduler.start()
        try:
            while not self._stop.wait(timeout=0.25):
                if end is not None and datetime.now(UTC) >= end + timedelta(seconds=0.5):
                    self.stop("the --duration ran out")
        finally:
            scheduler.shutdown(wait=True)  # the capture under way finishes and is stored

    def _capture(self, source, frame=None) -> None:
        from bot.sources import SourceEnded

        if self._stop.is_set():
            return
        started = time.perf_counter()
        captured_at = datetime.now(UTC)
        try:
            frame = frame if frame is not None else source.grab()
            captured_at = frame.captured_at
            grab_ms = round((time.perf_counter() - started) * 1000.0, 2)
            self._check_compression(frame)
            if self._page_turner is not None:
                pages = self._page_turner.collect(frame)
                result = self.pipeline.process([f for f, _ in pages], [g for _, g in pages])
            else:
                result = self.pipeline.process([frame])
            result.timings_ms = {"grab": grab_ms, **result.timings_ms}
            rows = to_store_rows(self.pipeline, result)
        except SourceEnded:
            raise
        except Exception as error:  # one bad capture must not end the class
            self._failed += 1
            log.warning("capture failed: %s", error_reason(error), exc_info=log.isEnabledFor(logging.DEBUG))
            self._store(captured_at, [], tiles=0, faces=0, names=0, error=error_reason(error))
            return
        check = self._gallery_watch.observe(result.gallery)
        if check.message:
            log.warning(check.message)
        store_started = time.perf_counter()
        stored = self._store(
            captured_at,
            rows,
            tiles=result.tiles,
            faces=result.faces,
            names=result.names,
            timings=result.timings_ms,
            total_ms=round((time.perf_counter() - started) * 1000.0, 2),
            error="; ".join(result.errors) or None,
            split_confidence=round(result.gallery.confidence, 3),
            gallery_flag=check.flag if check.doubtful else None,
        )
        if not stored:
            return
        store_ms = (time.perf_counter() - store_started) * 1000.0
        self._captures += 1
        self._first_capture_at = self._first_capture_at or captured_at
        self._last_capture_at = captured_at
        self._participants.update(row.name for row in rows)
        total = (time.perf_counter() - started) * 1000.0
        self.status.show(
            f"● {self.options.course} {captured_at.astimezone().strftime('%H:%M:%S')}  capture {self._captures}: "
            f"{result.tiles} tiles{'?' if check.doubtful else ''}, {result.faces} faces, {result.names} names  "
            f"{total:.0f} ms (store {store_ms:.0f} ms)"
        )

    def _check_compression(self, frame) -> None:
        """Say once when a recording's pictures are heavily compressed (``frame`` None: the source has ended)."""
        if self._compression is not None:
            message = self._compression.observe(frame.image) if frame is not None else self._compression.finish()
            if message:
                log.warning(message)

    def _store(self, captured_at: datetime, rows: list[ObservationIn], **fields) -> bool:
        """Hand a capture to the writer (kept in memory while the database is down); False once the bot must stop."""
        try:
            self.writer.record(self.session_id, captured_at, rows, **fields)
        except StoreUnavailable as error:
            self._store_down(error)
            return False
        return True
