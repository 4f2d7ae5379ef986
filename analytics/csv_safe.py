"""CSV cells that a spreadsheet will not run as formulas.

Excel, LibreOffice and Google Sheets treat a cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula, so a student who names
themselves ``=HYPERLINK("http://evil.example", "click")`` would put a live
link (or worse) into the teacher's attendance sheet. Such text cells get a
leading apostrophe, which spreadsheets show as plain text (OWASP's advice).
Numbers, negative ones included, are left as they are.
"""

from __future__ import annotations

import csv
import re
from typing import Any, TextIO

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def safe_cell(value: Any) -> Any:
    """``value``, with an apostrophe in front when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """:func:`csv.writer` whose rows go through :func:`safe_cell`."""

    def __init__(self, stream: TextIO, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Any) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Any) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: TextIO, **options: Any) -> SafeWriter:
    """A CSV writer for files people open in spreadsheets (see the module docstring)."""
    return SafeWriter(stream, **options)
