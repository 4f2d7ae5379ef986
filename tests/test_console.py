"""The bot's console: one status line per capture, rewritten in place on a terminal, and log lines only for events."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

import pytest

from analytics.db import open_database
from analytics.store import Store
from bot.frames import Frame
from bot.runner import BotOptions, BotRunner, StatusLine
from bot.synthetic.classroom import simulate_class


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class LiveClass:
    """A live source (the screen, say) showing a synthetic class: each grab is stamped now."""

    kind, live, screen_origin = "screen", True, (0, 0)

    def __init__(self) -> None:
        self.image = next(simulate_class(students=4, minutes=1, interval_s=5, seed=3)).frame.image

    def grab(self) -> Frame:
        return Frame(self.image, datetime.now(UTC))

    def describe(self) -> str:
        return "a synthetic live class"

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def pipeline():
    from classmood.commands._models import load_pipeline

    return load_pipeline("ferplus", ocr=False)


def test_a_live_recording_logs_no_line_per_capture(tmp_path, pipeline, caplog):
    caplog.set_level(logging.INFO)  # what `classmood` configures
    db = open_database(f"sqlite:///{tmp_path / 'live.db'}")
    try:
        options = BotOptions(course="Live", source="screen", interval_s=0.5, duration_s=2.2)
        console = io.StringIO()
        runner = BotRunner(options, Store(db), pipeline, lambda *_: LiveClass(), status=StatusLine(console))
        summary = runner.run()
    finally:
        db.dispose()
    assert summary.captures >= 3
    per_run = [r.getMessage() for r in caplog.records if r.name.startswith("apscheduler") and r.levelno < 30]
    assert per_run == []  # APScheduler's "Running job ..." / "... executed successfully"


def test_the_status_line_is_rewritten_in_place_on_a_terminal():
    terminal = Terminal()
    status = StatusLine(terminal)
    for k in range(1, 6):
        status.show(f"capture {k}: 4 tiles")
    status.done("session 1 closed")
    text = terminal.getvalue()
    assert all(f"capture {k}: 4 tiles" in text for k in range(1, 6))
    assert text.count("\n") == 1 and text.endswith("session 1 closed\n")  # one line, then the summary
