"""The ClassMood store: schema, database setup, write path, queries and the report.

Modules: :mod:`analytics.schema` (tables, emotion set, name normalization),
:mod:`analytics.db` (``open_database``), :mod:`analytics.store` (write path),
:mod:`analytics.queries` (attendance, history), :mod:`analytics.auth` (users),
:mod:`analytics.retention` (purge), :mod:`analytics.demo_seed`,
:mod:`analytics.bench`. Nothing here imports ``model``, ``bot`` or ``training``.
"""
