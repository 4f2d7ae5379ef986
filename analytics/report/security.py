"""Login, the guard in front of every route, the secret key, and the loopback-only default.

* Every request goes through :func:`guard` (a Flask ``before_request``):
  pages, Dash's ``/_dash-layout``, ``/_dash-dependencies``,
  ``/_dash-update-component``, its JavaScript bundles, the downloads. Only
  ``/login`` (a self-contained page, no scripts) is open. Anonymous page
  requests are redirected to the login page; anything else gets 401.
* Passwords are checked with :func:`analytics.auth.authenticate` (Argon2id).
  The signed session cookie holds the user id and a fingerprint of their
  password hash, so changing a password or removing a user ends their
  sessions. Each request reloads the user, so a role change applies at once.
* Forms (login, logout) carry a CSRF token; the cookie is HttpOnly and
  SameSite=Lax, and POSTs from another origin are refused.
* The secret key comes from ``$CLASSMOOD_SECRET_KEY``, else from a file in the
  user config directory, created once with a random key (mode 0600).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import os
import secrets
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import flask
from sqlalchemy import select

from analytics import auth
from analytics.report.theme import ACCENT, FONT, MUTED, TEXT
from analytics.report_data import Viewer
from analytics.schema import User

SECRET_ENV = "CLASSMOOD_SECRET_KEY"
SECRET_FILE = "report-secret-key"
PUBLIC_PATHS = frozenset({"/login"})
SESSION_HOURS = 12
MAX_FAILURES = 5  # per username
MAX_FAILURES_PER_ADDRESS = 20
LOCKOUT_S = 60.0


# ----------------------------------------------------------------------------- secret key


def secret_key_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("classmood", appauthor=False)) / SECRET_FILE


def load_secret_key(path: Path | None = None) -> str:
    """``$CLASSMOOD_SECRET_KEY``, else the key stored in ``path`` (created with a random key on first use)."""
    from_env = os.environ.get(SECRET_ENV, "").strip()
    if from_env:
        return from_env
    path = path or secret_key_path()
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race (or an empty file): use what is there
        existing = path.read_text(encoding="utf-8").strip()
        if existing:
            return existing
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


# ----------------------------------------------------------------------------- binding


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, port: int) -> str | None:
    """A loud warning when the report is bound to something other than loopback; None for loopback."""
    if is_loopback(host):
        return None
    bar = "!" * 78
    return "\n".join(
        [
            bar,
            f"WARNING: the ClassMood report is listening on {host}:{port}, not only on this computer.",
            "Anyone who can reach this address can try to log in, and the report shows students' names,",
            "attendance and moods. Traffic is plain HTTP (not encrypted): put it behind an HTTPS reverse",
            "proxy, or use the default --host 127.0.0.1 and an SSH tunnel.",
            bar,
        ]
    )


# ----------------------------------------------------------------------------- users in requests


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def _load_viewer(db) -> Viewer | None:
    uid = flask.session.get("uid")
    if not isinstance(uid, int):
        return None
    with db.session() as session:
        row = session.execute(
            select(User.id, User.username, User.role, User.password_hash).where(User.id == uid)
        ).first()
    if row is None or not hmac.compare_digest(str(flask.session.get("pw", "")), _fingerprint(row[3])):
        flask.session.clear()
        return None
    return Viewer(row[0], row[1], row[2])


def csrf_token() -> str:
    token = flask.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        flask.session["csrf"] = token
    return token


def _check_csrf() -> bool:
    expected = flask.session.get("csrf")
    given = flask.request.form.get("csrf", "")
    return bool(expected) and hmac.compare_digest(str(expected), str(given))


def _same_origin() -> bool:
    origin = flask.request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == flask.request.host


def landing_for(db, viewer: Viewer, config) -> str:
    """Where a fresh login goes: the configured class if this user may see it, else their most recent class,
    else the class list (an instructor with no class yet, or one who does not teach the configured class)."""
    from analytics.errors import NotFoundError
    from analytics.report_data import resolve_visible_session

    configured = str(config.get("CLASSMOOD_LANDING", "/"))
    prefix = "/session/"
    refs = [configured.removeprefix(prefix)] if configured.startswith(prefix) else []
    with db.session() as session:
        for ref in [*refs, "last"]:
            try:
                return f"{prefix}{resolve_visible_session(session, viewer, ref)}"
            except NotFoundError:
                continue
    return "/"


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class _Throttle:
    """Failed logins per key (username, client address): after ``limit`` in LOCKOUT_S, wait."""

    def __init__(self) -> None:
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, *keys: tuple[str, int]) -> float:
        now = time.monotonic()
        with self._lock:
            waits = []
            for key, limit in keys:
                recent = [t for t in self._failures.get(key, []) if now - t < LOCKOUT_S]
                self._failures[key] = recent
                if len(recent) >= limit:
                    waits.append(LOCKOUT_S - (now - recent[0]))
            return max(waits, default=0.0)

    def fail(self, *keys: tuple[str, int]) -> None:
        now = time.monotonic()
        with self._lock:
            for key, _limit in keys:
                self._failures.setdefault(key, []).append(now)

    def clear(self, *keys: tuple[str, int]) -> None:
        with self._lock:
            for key, _limit in keys[:1]:  # a success clears the username's failures, not the address's
                self._failures.pop(key, None)


# ----------------------------------------------------------------------------- the login page


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · ClassMood</title><link rel="icon" href="data:,">
<style>
body {{ margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
  background: #f6f7f9; color: {text}; font-family: {font}; font-size: 15px; }}
form {{ background: #fff; border: 1px solid #e4e7ec; border-radius: 12px; padding: 28px 30px; width: 340px;
  box-shadow: 0 2px 10px rgba(16, 24, 40, 0.05); }}
h1 {{ font-size: 22px; margin: 0 0 4px; }} h1 span {{ color: {accent}; }}
p.sub {{ color: {muted}; margin: 0 0 20px; font-size: 14px; }}
label {{ display: block; font-size: 14px; margin: 12px 0 4px; color: {muted}; }}
input[type=text], input[type=password] {{ width: 100%; box-sizing: border-box; font: inherit; padding: 8px 10px;
  border: 1px solid #cfd5dd; border-radius: 7px; }}
button {{ margin-top: 20px; width: 100%; font: inherit; font-weight: 600; padding: 9px; border: 0; border-radius: 7px;
  background: {accent}; color: #fff; cursor: pointer; }}
.error {{ color: #b42318; background: #fef3f2; border-radius: 6px; padding: 8px 10px; font-size: 14px; }}
</style></head>
<body><form method="post" action="/login" autocomplete="on">
<h1>Class<span>Mood</span></h1><p class="sub">Log in to see your classes.</p>
{error}
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="next" value="{next}">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="{username}" autofocus required autocomplete="username">
<label for="password">Password</label>
<input type="password" id="password" name="password" required autocomplete="current-password">
<button type="submit" id="login-button">Log in</button>
</form></body></html>
"""


def _login_page(error: str = "", username: str = "", next_url: str = "/", status: int = 200) -> flask.Response:
    body = LOGIN_PAGE.format(
        text=TEXT,
        font=FONT,
        accent=ACCENT,
        muted=MUTED,
        error=f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "",
        csrf=html.escape(csrf_token()),
        next=html.escape(_safe_next(next_url)),
        username=html.escape(username),
    )
    response = flask.make_response(body, status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


# ----------------------------------------------------------------------------- install


def install(server: flask.Flask, db, *, secret_key: str) -> None:
    """Configure the Flask server: secret, cookie settings, the guard, /login, /logout, security headers."""
    server.secret_key = secret_key
    server.config.update(
        SESSION_COOKIE_NAME="classmood_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
    )
    throttle = _Throttle()

    @server.before_request
    def guard():
        path = flask.request.path
        if path in PUBLIC_PATHS:
            return None
        if flask.request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin():
            return flask.Response("cross-origin request refused\n", 403, mimetype="text/plain")
        user = _load_viewer(db)
        if user is None:
            if flask.request.method == "GET" and not path.startswith(("/_", "/download/")):
                query = flask.request.query_string.decode("utf-8", "replace")
                target = path + ("?" + query if query else "")
                return flask.redirect("/login" + ("?next=" + _quote(target) if target != "/" else ""))
            return flask.jsonify({"error": "login required", "login": "/login"}), 401
        flask.g.viewer = user
        return None

    @server.route("/login", methods=["GET", "POST"])
    def login():
        if flask.request.method == "GET":
            return _login_page(next_url=flask.request.args.get("next", "/"))
        form = flask.request.form
        username = form.get("username", "").strip()
        password = form.get("password", "")
        next_url = _safe_next(form.get("next"))
        if not _check_csrf():
            return _login_page("The form expired; please try again.", username, next_url, 400)
        client = flask.request.remote_addr or "?"
        keys = ((f"user:{username.casefold()}", MAX_FAILURES), (f"addr:{client}", MAX_FAILURES_PER_ADDRESS))
        wait = throttle.blocked(*keys)
        if wait > 0:
            return _login_page(f"Too many failed attempts; try again in {wait:.0f} s.", username, next_url, 429)
        user = auth.authenticate(db, username, password) if username and password else None
        if user is None:
            throttle.fail(*keys)
            return _login_page("Wrong username or password.", username, next_url, 401)
        throttle.clear(*keys)
        with db.session() as session:
            password_hash = session.scalar(select(User.password_hash).where(User.id == user.id))
        flask.session.clear()
        flask.session.permanent = True
        flask.session["uid"] = user.id
        flask.session["pw"] = _fingerprint(password_hash or "")
        flask.session["csrf"] = secrets.token_urlsafe(24)
        if next_url != "/":
            return flask.redirect(next_url)
        return flask.redirect(landing_for(db, Viewer(user.id, user.username, user.role), server.config))

    @server.route("/logout", methods=["POST"])
    def logout():
        if not _check_csrf():
            return flask.Response("the form expired; reload the page and try again\n", 400, mimetype="text/plain")
        flask.session.clear()
        return flask.redirect("/login")

    @server.after_request
    def headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        path = flask.request.path
        if not path.startswith("/_dash-component-suites/"):
            response.headers["Cache-Control"] = "no-store"
        return response


def _quote(target: str) -> str:
    from urllib.parse import quote

    return quote(target, safe="/")
