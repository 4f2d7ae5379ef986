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
  SameSite=Lax, and POSTs from another origin are refused. The login page
  itself, the token and the check on the page's ``next`` target are in
  :mod:`analytics.report.login_form`.
* The secret key comes from ``$CLASSMOOD_SECRET_KEY``, else from a file in the
  user config directory, created once with a random key (mode 0600, folder
  0700); keys shorter than 32 characters are refused, a key file others can
  read is warned about (:mod:`analytics.report.secret_key`).
* Sessions last at most SESSION_HOURS from login (using them does not extend
  them), and logging out bumps the user's ``session_version``, so a copied
  cookie is refused afterwards.
* Failed logins are counted before the password is checked (parallel guesses
  cannot overrun the limit). A browser where the user logged in before keeps
  its own count, so strangers failing on a username, or behind the same
  address, do not lock its owner out. Client addresses come from
  ``X-Forwarded-For`` only with ``behind_proxy`` (ProxyFix, one proxy).
* The cookie is ``Secure`` whenever the request came over HTTPS, and pages
  carry a Content-Security-Policy.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from analytics import auth
from analytics.report.login_form import check_csrf as _check_csrf
from analytics.report.login_form import csrf_token as csrf_token
from analytics.report.login_form import login_page as _login_page
from analytics.report.login_form import safe_next as _safe_next
from analytics.report.secret_key import MIN_SECRET_LENGTH as MIN_SECRET_LENGTH
from analytics.report.secret_key import SECRET_ENV as SECRET_ENV
from analytics.report.secret_key import SECRET_FILE as SECRET_FILE
from analytics.report.secret_key import SecretKeyError as SecretKeyError
from analytics.report.secret_key import load_secret_key as load_secret_key
from analytics.report.secret_key import secret_key_path as secret_key_path
from analytics.report_data import Viewer
from analytics.schema import User

PUBLIC_PATHS = frozenset({"/login"})
SESSION_HOURS = 12
MAX_FAILURES = 5  # per username
MAX_FAILURES_PER_ADDRESS = 20
LOCKOUT_S = 60.0
KNOWN_BROWSER_COOKIE = "classmood_known"
KNOWN_BROWSER_DAYS = 180


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
            "proxy (and pass --behind-proxy), or use the default --host 127.0.0.1 and an SSH tunnel.",
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
    started = flask.session.get("t0")
    if not isinstance(started, int | float) or time.time() - started > SESSION_HOURS * 3600:
        flask.session.clear()  # an absolute lifetime: using a session does not extend it
        return None
    with db.session() as session:
        row = session.execute(
            select(User.id, User.username, User.role, User.password_hash, User.session_version).where(User.id == uid)
        ).first()
    if (
        row is None
        or not hmac.compare_digest(str(flask.session.get("pw", "")), _fingerprint(row[3]))
        or flask.session.get("sv") != row[4]
    ):
        flask.session.clear()
        return None
    return Viewer(row[0], row[1], row[2])


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


class _Throttle:
    """Login attempts per key (username, client address): after ``limit`` failures in LOCKOUT_S, wait.

    :meth:`attempt` counts an attempt as failed before the password is even
    checked, in one locked step, so parallel guesses cannot all pass the
    check; :meth:`succeeded` takes the count back.
    """

    def __init__(self) -> None:
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def attempt(self, *keys: tuple[str, int]) -> float:
        """0 and the attempt counted, or the seconds to wait (nothing counted)."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for key, limit in keys:
                recent = [t for t in self._failures.get(key, []) if now - t < LOCKOUT_S]
                self._failures[key] = recent
                if len(recent) >= limit:
                    waits.append(LOCKOUT_S - (now - recent[0]))
            if waits:
                return max(waits)
            for key, _limit in keys:
                self._failures[key].append(now)
            return 0.0

    def succeeded(self, *keys: tuple[str, int]) -> None:
        """The password was right: the username's failures are cleared, the address's attempt taken back."""
        with self._lock:
            for index, (key, _limit) in enumerate(keys):
                if index == 0:
                    self._failures.pop(key, None)
                elif self._failures.get(key):
                    self._failures[key].pop()


# ----------------------------------------------------------------------------- install


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the cookie marked ``Secure`` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: flask.Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (flask.has_request_context() and flask.request.is_secure))


def _known_browser(server: flask.Flask, username: str) -> str | None:
    """An id for this browser if the user ``username`` logged in from it before (a signed cookie), else None."""
    raw = flask.request.cookies.get(KNOWN_BROWSER_COOKIE)
    if not raw:
        return None
    try:
        name, browser = URLSafeSerializer(server.secret_key, salt="known-browser").loads(raw)
    except (BadSignature, ValueError, TypeError):
        return None
    return str(browser) if name == username.casefold() else None


def install(server: flask.Flask, db, *, secret_key: str, behind_proxy: bool = False) -> None:
    """Configure the Flask server: secret, cookie settings, the guard, /login, /logout, security headers.

    With ``behind_proxy`` the client address, scheme and host come from the
    ``X-Forwarded-*`` headers of one reverse proxy (which must set them).
    """
    _configure(server, secret_key, behind_proxy)
    throttle = _Throttle()
    server.before_request(_guard(db))
    server.route("/login", methods=["GET", "POST"])(_login_view(server, db, throttle))
    server.route("/logout", methods=["POST"])(_logout_view(db))
    server.after_request(_headers_hook(server))


def _configure(server: flask.Flask, secret_key: str, behind_proxy: bool) -> None:
    """The secret key, the session cookie's settings, and ProxyFix with ``behind_proxy``."""
    server.secret_key = secret_key
    server.session_interface = _SessionInterface()
    server.config.update(
        SESSION_COOKIE_NAME="classmood_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
    )
    if behind_proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=1, x_proto=1, x_host=1)


def _guard(db):
    """The ``before_request`` hook: every route but /login needs a logged-in user (see the module docstring)."""

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

    return guard


def _throttle_keys(username: str, browser: str | None) -> tuple[tuple[str, int], ...]:
    """The counters a login attempt for ``username`` from ``browser`` (:func:`_known_browser`) goes against."""
    if browser is not None:  # its owner's browser: strangers' failures (name or address) do not lock it out
        return ((f"user:{username.casefold()}:browser:{browser}", MAX_FAILURES),)
    client = flask.request.remote_addr or "?"
    return ((f"user:{username.casefold()}", MAX_FAILURES), (f"addr:{client}", MAX_FAILURES_PER_ADDRESS))


def _start_session(db, user) -> None:
    """A fresh signed session for ``user``, who just gave the right password."""
    with db.session() as session:
        row = session.execute(select(User.password_hash, User.session_version).where(User.id == user.id)).one()
    flask.session.clear()
    flask.session.permanent = True
    flask.session["uid"] = user.id
    flask.session["pw"] = _fingerprint(row[0] or "")
    flask.session["sv"] = row[1]
    flask.session["t0"] = int(time.time())
    flask.session["csrf"] = secrets.token_urlsafe(24)


def _remember_browser(server: flask.Flask, response: flask.Response, username: str, browser: str | None) -> None:
    """Mark this browser as one ``username`` logged in from (the cookie :func:`_known_browser` reads)."""
    known = URLSafeSerializer(server.secret_key, salt="known-browser").dumps(
        [username.casefold(), browser or secrets.token_urlsafe(12)]
    )
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        known,
        max_age=KNOWN_BROWSER_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=flask.request.is_secure,
    )


def _login_view(server: flask.Flask, db, throttle: _Throttle):
    """The /login route: the form (GET), and checking it (POST) against the throttle and the password."""

    def login():
        if flask.request.method == "GET":
            return _login_page(next_url=flask.request.args.get("next", "/"))
        form = flask.request.form
        username = form.get("username", "").strip()
        password = form.get("password", "")
        next_url = _safe_next(form.get("next"))
        if not _check_csrf():
            return _login_page("The form expired; please try again.", username, next_url, 400)
        browser = _known_browser(server, username)
        keys = _throttle_keys(username, browser)
        wait = throttle.attempt(*keys)
        if wait > 0:
            return _login_page(f"Too many failed attempts; try again in {wait:.0f} s.", username, next_url, 429)
        user = auth.authenticate(db, username, password) if username and password else None
        if user is None:
            return _login_page("Wrong username or password.", username, next_url, 401)
        throttle.succeeded(*keys)
        _start_session(db, user)
        if next_url != "/":
            response = flask.redirect(next_url)
        else:
            response = flask.redirect(landing_for(db, Viewer(user.id, user.username, user.role), server.config))
        _remember_browser(server, response, username, browser)
        return response

    return login


def _logout_view(db):
    """The /logout route (POST, with the form's CSRF token): every cookie issued to the user stops working."""

    def logout():
        if not _check_csrf():
            return flask.Response("the form expired; reload the page and try again\n", 400, mimetype="text/plain")
        uid = flask.session.get("uid")
        if isinstance(uid, int):  # every cookie issued to this user until now stops working
            with db.transaction() as session:
                session.execute(update(User).where(User.id == uid).values(session_version=User.session_version + 1))
        flask.session.clear()
        return flask.redirect("/login")

    return logout


def _headers_hook(server: flask.Flask):
    """The ``after_request`` hook: security headers on every response, no caching but for Dash's bundles."""

    def headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        csp = server.config.get("CLASSMOOD_CSP")
        if csp and response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", csp() if callable(csp) else csp)
        path = flask.request.path
        if not path.startswith("/_dash-component-suites/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    return headers


def _quote(target: str) -> str:
    from urllib.parse import quote

    return quote(target, safe="/")
