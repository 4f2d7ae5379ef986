"""``synthetic:PLATFORM``: a synthetic class played as a recorded frame source (``classmood demo``).

A :class:`bot.sources.Source` over :func:`bot.synthetic.classroom.simulate_class`: each grab is the
next capture of the class, stamped with its time in the class; :class:`bot.sources.SourceEnded`
when the class is over.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from bot.sources.base import Source, SourceEnded
from bot.synthetic.classroom import simulate_class


class SimulatedSource(Source):
    """The frames of a synthetic class of ``students`` on ``platform``, ``interval_s`` apart from ``start``."""

    kind = "synthetic"
    live = False

    def __init__(
        self,
        *,
        students: int = 30,
        minutes: float = 20,
        interval_s: float = 5,
        platform: str = "zoom",
        seed: int = 0,
        start: datetime | None = None,
    ) -> None:
        super().__init__(interval_s)
        self._captures = simulate_class(
            students=students, minutes=minutes, interval_s=interval_s, platform=platform, seed=seed, start=start
        )
        self._description = f"a synthetic {platform} class of {students} students"
        self._current = 0

    def _grab_image(self) -> tuple[np.ndarray, datetime]:
        try:
            capture = next(self._captures)
        except StopIteration:
            raise SourceEnded("the synthetic class is over") from None
        self._current = capture.frame.index
        return capture.frame.image, capture.at

    def _frame_index(self) -> int:
        return self._current

    def describe(self) -> str:
        return self._description

    def close(self) -> None:
        self._captures.close()
        super().close()
