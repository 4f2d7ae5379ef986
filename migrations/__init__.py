"""Alembic migrations of the ClassMood database (see :mod:`analytics.migrate`)."""
