"""The ClassMood store: schema, database setup, write path, queries and the report.

Modules: :mod:`analytics.schema` (tables, emotion set), :mod:`analytics.names`
(name normalization, no SQLAlchemy), :mod:`analytics.db` (``open_database``),
:mod:`analytics.store` (write path), :mod:`analytics.queries` (attendance,
history, valence), :mod:`analytics.report_data` and :mod:`analytics.report_measures`
(what the report reads), :mod:`analytics.report` (the Dash report),
:mod:`analytics.auth` (users), :mod:`analytics.retention` (purge),
:mod:`analytics.demo_seed`, :mod:`analytics.bench`. Nothing here imports
``model``, ``bot`` or ``training`` (tests/test_import_rules.py).
"""
