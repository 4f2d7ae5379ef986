"""The bot's console: one status line, rewritten in place on a terminal, with event log lines printed above it."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class StatusLine:
    """One status line, rewritten in place on a terminal (a tqdm bar of text); every 30 s as a line elsewhere.

    Log lines (events: a failed capture, a closed window) go through :meth:`logging_above` and print above the
    status line instead of through it.
    """

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.interactive = stream.isatty()
        self._last_print = 0.0
        self._bar = None

    def show(self, text: str) -> None:
        if self.interactive:
            if self._bar is None:
                from tqdm import tqdm

                self._bar = tqdm(file=self.stream, bar_format="{desc}", dynamic_ncols=True, leave=False)
            self._bar.set_description_str(text)
        elif time.monotonic() - self._last_print > 30:
            self.stream.write(text + "\n")
            self._last_print = time.monotonic()

    def logging_above(self):
        """A context in which log records print above the status line (tqdm's logging redirect)."""
        from contextlib import nullcontext

        if not self.interactive:
            return nullcontext()
        from tqdm.contrib.logging import logging_redirect_tqdm

        return logging_redirect_tqdm()

    def done(self, text: str) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self.stream.write(text + "\n")
        self.stream.flush()
