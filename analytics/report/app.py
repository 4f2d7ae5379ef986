"""The Dash app factory: :func:`create_app` wires the Flask server, the login guard and the pages.

Pages are modules under :mod:`analytics.report.pages`, each with a
``register(app)`` that calls ``dash.register_page`` for its layout and
``app.callback`` for its callbacks (bound to this app, not Dash's global
callback list, so that several apps can be created in one process).
"""

from __future__ import annotations

import base64
import hashlib

import dash
import flask
from dash import dcc, html

from analytics.db import Database
from analytics.report import downloads, security
from analytics.report.common import CONTEXT_KEY, ReportContext, db_session, viewer
from analytics.report.theme import CSS
from analytics.report_data import running_sessions

# When a request comes back 401 (the login expired), go to the login page instead of failing silently.
_RELOGIN_SCRIPT = """
<script>
(function () {
  var original = window.fetch;
  window.fetch = function () {
    return original.apply(this, arguments).then(function (response) {
      if (response.status === 401) { window.location.assign('/login?next=' + encodeURIComponent(
        window.location.pathname + window.location.search)); }
      return response;
    });
  };
})();
</script>
"""

INDEX_STRING = (
    """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
        <style>"""
    + CSS
    + """</style>"""
    + _RELOGIN_SCRIPT
    + """
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""
)


def _header() -> html.Header:
    user = viewer()
    with db_session() as session:
        live = running_sessions(session, user)
    links = [dcc.Link("Classes", href="/", id="nav-sessions")]
    live_label = [html.Span(className="cm-live-dot"), "Live now"] if live else ["Live"]
    links.append(dcc.Link(live_label, href="/live", id="nav-live", title="Follow a class being recorded now"))
    if user.is_admin:
        links.append(dcc.Link("History", href="/admin", id="nav-admin", title="Attendance and mood across classes"))
        links.append(dcc.Link("Users", href="/admin/users", id="nav-users"))
    role = "admin" if user.is_admin else "instructor"
    return html.Header(
        html.Div(
            [
                dcc.Link(html.Span(["Class", html.Span("Mood")]), href="/", className="cm-brand"),
                html.Nav(links, className="cm-nav"),
                html.Div(
                    [
                        html.Span(f"{user.username} ({role})", id="nav-user"),
                        html.Form(
                            [
                                dcc.Input(type="hidden", name="csrf", value=security.csrf_token()),
                                html.Button("Log out", type="submit", className="cm-button", id="logout-button"),
                            ],
                            action="/logout",
                            method="POST",
                        ),
                    ],
                    className="cm-user",
                ),
            ],
            className="cm-header-inner",
        ),
        className="cm-header",
    )


def _shell() -> html.Div:
    if flask.has_request_context() and flask.g.get("viewer") is None:
        # Dash also calls the layout outside any page request (to validate it on the first request, which may
        # be /login): no user, no header.
        return html.Div(html.Main(dash.page_container, className="cm-main"))
    return html.Div([_header(), html.Main(dash.page_container, className="cm-main")])


def create_app(
    db: Database, *, secret_key: str | None = None, landing: str = "/", behind_proxy: bool = False
) -> dash.Dash:
    """The report app over ``db``. ``secret_key`` defaults to :func:`security.load_secret_key`.

    ``landing`` is where a fresh login goes (``classmood report --session`` sets it);
    ``behind_proxy`` trusts one reverse proxy's ``X-Forwarded-*`` headers.
    """
    server = flask.Flask("classmood.report", static_folder=None)
    server.config[CONTEXT_KEY] = ReportContext(db=db, landing=landing)
    server.config["CLASSMOOD_LANDING"] = landing
    security.install(server, db, secret_key=secret_key or security.load_secret_key(), behind_proxy=behind_proxy)
    app = dash.Dash(
        "classmood.report",
        server=server,
        use_pages=True,
        pages_folder="",
        suppress_callback_exceptions=True,
        title="ClassMood",
        update_title=None,
        serve_locally=True,
        assets_folder=str(_no_assets_dir()),
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = INDEX_STRING
    app.layout = _shell
    from analytics.report.pages import PAGES

    for page in PAGES:
        page.register(app)
    downloads.register(server)
    _close_dead_sessions_now_and_then(server, db)
    # Computed per page: Dash registers some inline scripts (the pages plugin's) only on the first request.
    server.config["CLASSMOOD_CSP"] = lambda: content_security_policy(app)
    return app


HEARTBEAT_CHECK_S = 30.0


def _close_dead_sessions_now_and_then(server: flask.Flask, db: Database) -> None:
    """Every HEARTBEAT_CHECK_S at most, mark 'running' sessions whose bot stopped writing as 'interrupted'.

    A live bot writes a capture every interval; one silent for ten intervals
    (at least two minutes) was killed or lost its machine, and the report
    must not keep showing its class as live.
    """
    import threading
    import time

    from analytics.store import Store

    state = {"next": 0.0}
    lock = threading.Lock()

    @server.before_request
    def heartbeat() -> None:
        with lock:
            if time.monotonic() < state["next"]:
                return
            state["next"] = time.monotonic() + HEARTBEAT_CHECK_S
        try:
            Store(db).close_orphaned_sessions()
        except Exception as error:  # a read-only database still serves the report
            server.logger.warning(
                "could not close stale sessions: %s", str(error).splitlines()[0] if str(error) else error
            )


def content_security_policy(app: dash.Dash) -> str:
    """Scripts only from this site plus the page's own inline scripts (by hash); no frames, plugins or forms elsewhere.

    Styles may be inline: Dash components and Plotly set style attributes.
    """
    relogin = _RELOGIN_SCRIPT.strip().removeprefix("<script>").removesuffix("</script>")
    digest = base64.b64encode(hashlib.sha256(relogin.encode("utf-8")).digest()).decode("ascii")
    scripts = " ".join([f"'sha256-{digest}'", *app.csp_hashes()])  # csp_hashes() are quoted already
    return (
        f"default-src 'self'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


def _no_assets_dir():
    """An assets folder that does not exist: the report serves no files from disk."""
    from pathlib import Path

    return Path(__file__).with_name("no-assets")
