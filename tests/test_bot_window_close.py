"""The watched window closing is the normal end of a live session: no APScheduler traceback (issue 17, item 4)."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from types import SimpleNamespace

from test_bot_store_failures import COURSE, FakePipeline

from analytics.db import open_database
from analytics.store import Store


class ClosingWindow:
    """A live source whose window closes at the third grab."""

    def __init__(self) -> None:
        self.grabs = 0

    def describe(self) -> str:
        return 'the window "Zoom Meeting"'

    def grab(self):
        from bot.sources import SourceEnded

        self.grabs += 1
        if self.grabs == 3:
            raise SourceEnded('the window "Zoom Meeting" was closed')
        return SimpleNamespace(captured_at=datetime.now(UTC))

    def close(self) -> None:
        pass


def test_closing_the_window_ends_the_session_quietly(sqlite_url, caplog, capfd):
    from bot.runner import BotOptions, BotRunner, StatusLine

    db = open_database(sqlite_url)
    try:
        options = BotOptions(course=COURSE, source="window:Zoom", interval_s=0.2, duration_s=20)
        runner = BotRunner(options, Store(db), FakePipeline(), lambda *_args: ClosingWindow(), StatusLine(sys.stderr))
        with caplog.at_level(logging.INFO):
            summary = runner.run()
    finally:
        db.dispose()
    assert summary.ended_because == 'the window "Zoom Meeting" was closed' and summary.captures == 2
    assert "Traceback" not in caplog.text + capfd.readouterr().err
    assert not any(record.levelno >= logging.ERROR for record in caplog.records)
