"""Derived measures of the report, computed from aggregated (students x time bucket) arrays.

Nothing here touches the database: :mod:`analytics.report_data` aggregates the
observations in SQL into per-student, per-bucket sums and hands the arrays to
these functions, which find

* each student's **baseline**: their own median valence over the session
  (from a histogram of valence computed in SQL, so the median is exact to
  within half a bin, 0.005);
* **needs-attention flags**: a sustained drop below the student's own baseline,
  a long stretch with the camera off, or a long absence (away during class,
  joined late, left early, or missed a class they usually attend);
* class **moments**: stretches where the class's mood dipped, negative
  expressions rose, or the mood lifted.

The rules are in :class:`FlagRules` and :class:`MomentRules`; their defaults
are what the report documents to teachers. Modules: :mod:`.flags`,
:mod:`.moments`, :mod:`.common`; this package re-exports them all.
"""

from __future__ import annotations

from analytics.report_measures.common import (
    NEGATIVE_EMOTIONS,
    NEGATIVE_INDEX,
    VALENCE_BIN,
    median_from_histogram,
    rolling_sum,
    runs,
    safe_divide,
    smooth_ratio,
)
from analytics.report_measures.flags import FLAG_TITLES, Flag, FlagRules, StudentGrid, find_flags
from analytics.report_measures.moments import MOMENT_TITLES, ClassSeries, Moment, MomentRules, find_moments

__all__ = [
    "FLAG_TITLES",
    "MOMENT_TITLES",
    "NEGATIVE_EMOTIONS",
    "NEGATIVE_INDEX",
    "VALENCE_BIN",
    "ClassSeries",
    "Flag",
    "FlagRules",
    "Moment",
    "MomentRules",
    "StudentGrid",
    "find_flags",
    "find_moments",
    "median_from_histogram",
    "rolling_sum",
    "runs",
    "safe_divide",
    "smooth_ratio",
]
