"""The ClassMood report: a Dash app over the analytics database, and its static HTML export.

* :mod:`analytics.report.app` — :func:`create_app`, the Flask server with the login guard and the pages;
* :mod:`analytics.report.pages` — one module per page (layout + callbacks);
* :mod:`analytics.report.figures` — plain functions from aggregated data to ``go.Figure`` (a module per page);
* :mod:`analytics.report.session_report` — a class's figures and tables (page, export and benchmark share it);
* :mod:`analytics.report.sections` — the class report's sections in order, for the page and the export;
* :mod:`analytics.report.export` — one self-contained HTML file per class;
* :mod:`analytics.report.security` — login, the guard, the secret key;
  :mod:`analytics.report.login_form` (the login page, CSRF) and :mod:`analytics.report.secret_key` its parts;
* :mod:`analytics.report.server` — serving it (waitress), loopback by default;
* :mod:`analytics.report.bench` — ``classmood bench report``.

The data comes from :mod:`analytics.report_data` (SQL aggregation) and
:mod:`analytics.report_measures` (baselines, flags, moments).
"""
