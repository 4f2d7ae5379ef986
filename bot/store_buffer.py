"""Captures kept in memory while the database is not accepting writes.

The bot hands every capture to :class:`BufferedWriter`. While the store works
it is written at once. When a write fails (disk full, database dropped or
unreachable, file removed) the capture is kept, in order, and the writer tries
again with a growing, jittered delay; the captures of the following frames
queue behind it. After a few failures in a row it says once, in one line, what
is wrong. When the store comes back everything kept is written, oldest first.
When the store stays down past ``down_limit_s`` (or more than ``max_pending``
captures wait) it raises :class:`StoreUnavailable`, and the bot stops.
"""

from __future__ import annotations

import logging
import random
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analytics.store import ObservationIn, Store

log = logging.getLogger(__name__)

FAIL_THRESHOLD = 3
DOWN_LIMIT_S = 600.0
MAX_PENDING = 5000
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 30.0


class StoreUnavailable(Exception):
    """The database stayed unavailable past the limit; the message is one line for the user."""


def store_errors() -> tuple[type[BaseException], ...]:
    """Exceptions meaning "the store cannot take this write now" (not "this capture is malformed")."""
    from sqlalchemy.exc import SQLAlchemyError

    from analytics.errors import AnalyticsError

    return (SQLAlchemyError, AnalyticsError, OSError)


def reason(error: BaseException) -> str:
    """The driver's first line: what went wrong, without the SQL or its parameters (student names)."""
    original = getattr(error, "orig", None) or error
    for line in str(original).splitlines():
        line = line.strip()
        if line and not line.startswith(("[SQL", "[parameters", "(Background")):
            return line
    return type(original).__name__


@dataclass(frozen=True)
class PendingCapture:
    session_id: int
    captured_at: datetime
    observations: Sequence[ObservationIn]
    fields: dict[str, Any]


class BufferedWriter:
    """Writes captures through a :class:`Store`, keeping them in memory while it fails."""

    def __init__(
        self,
        store: Store,
        *,
        down_limit_s: float = DOWN_LIMIT_S,
        max_pending: int = MAX_PENDING,
        fail_threshold: int = FAIL_THRESHOLD,
        backoff_base_s: float = BACKOFF_BASE_S,
        backoff_max_s: float = BACKOFF_MAX_S,
        clock: Callable[[], float] = time.monotonic,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.down_limit_s = down_limit_s
        self.max_pending = max_pending
        self.fail_threshold = fail_threshold
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.clock = clock
        self.say = say or (lambda text: print(text, file=sys.stderr, flush=True))
        self.pending: deque[PendingCapture] = deque()
        self.written = 0
        self.failures = 0  # consecutive failed writes
        self.last_error = ""
        self._down_since: float | None = None
        self._next_try = 0.0
        self._warned = False

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def record(self, session_id: int, captured_at: datetime, observations: Sequence[ObservationIn], **fields) -> None:
        """Queue one capture (arguments as :meth:`Store.record_capture`) and write what is due.

        Raises :class:`StoreUnavailable` when the store has been down too long.
        """
        self.pending.append(PendingCapture(session_id, captured_at, list(observations), dict(fields)))
        self.flush()

    def flush(self, *, force: bool = False) -> bool:
        """Write the queued captures, oldest first, unless a retry is not due yet; True when none is left."""
        if self.pending and (force or self.clock() >= self._next_try):
            errors = store_errors()
            flushed = 0
            while self.pending:
                item = self.pending[0]
                try:
                    self.store.record_capture(item.session_id, item.captured_at, item.observations, **item.fields)
                except errors as error:
                    self._failed(error)
                    break
                except ValueError as error:  # malformed (a name empty once normalized): keep it as a failed capture
                    log.warning("capture not stored as is: %s", error)
                    self.pending[0] = PendingCapture(
                        item.session_id, item.captured_at, [], {"tiles": 0, "faces": 0, "names": 0, "error": str(error)}
                    )
                    continue
                self.pending.popleft()
                self.written += 1
                flushed += 1
            else:
                self._recovered(flushed)
        if self.down and (self.clock() - self._down_since > self.down_limit_s or len(self.pending) > self.max_pending):
            raise StoreUnavailable(
                f"the database has not accepted a write for {self.clock() - self._down_since:.0f} s "
                f"({self.last_error}); {len(self.pending)} capture(s) kept in memory could not be stored"
            )
        return not self.pending

    def drain(self, sleep: Callable[[float], None] = time.sleep) -> None:
        """Write everything still queued, waiting for the store up to the limit (the session is ending)."""
        while not self.flush():
            sleep(max(0.0, min(self._next_try - self.clock(), 1.0)))

    def _failed(self, error: BaseException) -> None:
        self.failures += 1
        self.last_error = reason(error)
        now = self.clock()
        if self._down_since is None:
            self._down_since = now
        log.debug("store write failed (%d in a row): %s", self.failures, self.last_error)
        if self.failures >= self.fail_threshold and not self._warned:
            self._warned = True
            self.say(
                f"warning: the database is not accepting writes ({self.last_error}); keeping captures in memory "
                f"and retrying, for up to {self.down_limit_s:g} s"
            )
        delay = min(self.backoff_max_s, self.backoff_base_s * 2 ** (self.failures - 1))
        self._next_try = now + random.uniform(delay / 2, delay)

    def _recovered(self, flushed: int) -> None:
        if self._warned:
            self.say(f"the database is back: the {flushed} capture(s) kept in memory are stored")
        self.failures = 0
        self._down_since = None
        self._warned = False
        self._next_try = 0.0
