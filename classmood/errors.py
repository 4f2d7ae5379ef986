"""The one error type of the command line, and the translation of library errors into it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class CommandError(Exception):
    """A problem the user can fix (bad input, unknown name, unreachable database).

    The CLI prints it as one line on stderr and exits with status 2.
    """


def first_line(error: BaseException) -> str:
    """The first non-empty line of an error (of the driver's error for SQLAlchemy's wrappers)."""
    original = getattr(error, "orig", None) or error
    for line in str(original).splitlines():
        if line.strip():
            return line.strip()
    return type(original).__name__


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn analytics errors and database failures into :class:`CommandError` (one line, exit 2)."""
    from sqlalchemy import exc

    from analytics.errors import AnalyticsError

    try:
        yield
    except AnalyticsError as error:
        raise CommandError(str(error)) from None
    except exc.OperationalError as error:
        raise CommandError(f"database error: {first_line(error)}") from None
