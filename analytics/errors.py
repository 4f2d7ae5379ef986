"""Exceptions the analytics layer raises for problems a user can fix."""

from __future__ import annotations


class AnalyticsError(Exception):
    """Base class: the message is one line, fit to show a user as is."""


class DatabaseError(AnalyticsError):
    """The database cannot be opened or upgraded (bad URL, unreachable server, newer schema)."""


class NotFoundError(AnalyticsError, LookupError):
    """An unknown course, student, session or user."""


class ConflictError(AnalyticsError):
    """Something that must be unique already exists (a username, for instance)."""
