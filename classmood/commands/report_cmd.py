"""``classmood report``: serve the Dash report, or export one class as a self-contained HTML file.

Imports the report (Dash, Plotly) only when a handler runs; never torch or timm.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from classmood.commands._common import DB_HELP, add_db_option, db_url, open_db
from classmood.errors import CommandError, user_errors


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="serve the class report (Dash), or export one class as HTML",
        description="Serve the ClassMood report over the database: classes, each class's report (mood over time, "
        "each student's timeline, who needs attention, attendance), a live page for a class being recorded, "
        "student pages and admin pages. Everyone logs in (create users with `classmood admin users add`). "
        "`classmood report export` writes one class as a single HTML file instead.",
    )
    add_db_option(parser)
    parser.add_argument(
        "--session", metavar="ID|last", default="last", help="the class to open first (default: the last one)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this computer only)"
    )
    parser.add_argument("--port", type=int, default=8050, help="port (default: %(default)s)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument(
        "--behind-proxy",
        action="store_true",
        help="an HTTPS reverse proxy (nginx, Caddy) forwards to this port: trust its X-Forwarded-For/-Proto/-Host",
    )
    parser.set_defaults(handler=_serve)
    sub = parser.add_subparsers(dest="report_command", metavar="SUBCOMMAND")
    export = sub.add_parser(
        "export",
        help="write one class's report as a self-contained HTML file",
        description="Write the report of one class as one HTML file that opens in any browser without a server "
        "or internet (plotly.js is inside it).",
    )
    # SUPPRESS: given only here, these options do not overwrite the same options given before `export`.
    export.add_argument("--db", metavar="URL", type=db_url, default=argparse.SUPPRESS, help=DB_HELP)
    export.add_argument(
        "--session", metavar="ID|last", default=argparse.SUPPRESS, help="the class to export (default: the last one)"
    )
    export.add_argument("--out", required=True, metavar="FILE", help="the HTML file to write, e.g. report.html")
    export.set_defaults(handler=_export)


def _resolve(db, ref: str) -> int:
    from analytics import queries

    with user_errors(), db.session() as session:
        return queries.resolve_session(session, ref or "last")


def _export(args: argparse.Namespace) -> int:
    from analytics.report.export import export_session

    out = Path(args.out)
    if out.is_dir():
        raise CommandError(f"{out} is a folder: give a file name such as {out / 'report.html'}")
    db = open_db(args)
    try:
        session_id = _resolve(db, args.session)
        with user_errors():
            try:
                path = export_session(db, session_id, out)
            except OSError as error:
                raise CommandError(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        db.dispose()
    size = path.stat().st_size / 1e6
    print(f"wrote the report of session {session_id} to {path} ({size:.1f} MB, opens offline)")
    return 0


def _has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _serve(args: argparse.Namespace) -> int:
    from analytics import auth
    from analytics.errors import NotFoundError

    if not 0 < args.port < 65536:
        raise CommandError(f"bad port {args.port}")
    db = open_db(args)
    with user_errors():
        users = auth.list_users(db)
    if not users:
        db.dispose()
        raise CommandError(
            "nobody can log in yet: add an admin first with `classmood admin users add NAME --role admin`"
        )
    from analytics import queries

    ref = (args.session or "last").strip().lower()
    landing = "/session/last"  # each user's own last class (the page resolves it for whoever logs in)
    if ref != "last":
        try:
            with db.session() as session:
                landing = f"/session/{queries.resolve_session(session, ref)}"
        except NotFoundError as error:
            db.dispose()
            raise CommandError(str(error)) from None
    from analytics.report import security
    from analytics.report.app import create_app
    from analytics.report.server import serve

    try:
        app = create_app(db, landing=landing, behind_proxy=args.behind_proxy)
    except security.SecretKeyError as error:
        db.dispose()
        raise CommandError(str(error)) from None
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else shown_host}:{args.port}{landing}"
    print(f"ClassMood report on {db.url}: open {url} (Ctrl+C to stop)", flush=True)
    if not args.no_browser and _has_display():
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        serve(app, args.host, args.port)
    except OSError as error:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
    finally:
        db.dispose()
    return 0
