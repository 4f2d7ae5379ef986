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
  user config directory, created once with a random key (mode 0600, folder
  0700); keys shorter than 32 characters are refused, a key file others can
  read is warned about.
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
import html
import ipaddress
import logging
import os
import re
import secrets
import stat
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

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
MIN_SECRET_LENGTH = 32
KNOWN_BROWSER_COOKIE = "classmood_known"
KNOWN_BROWSER_DAYS = 180

log = logging.getLogger(__name__)


class SecretKeyError(ValueError):
    """The configured secret key is unusable (too short); the message says what to do."""


# ----------------------------------------------------------------------------- secret key


def secret_key_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("classmood", appauthor=False)) / SECRET_FILE


def load_secret_key(path: Path | None = None) -> str:
    """``$CLASSMOOD_SECRET_KEY``, else the key stored in ``path`` (created with a random key on first use)."""
    from_env = os.environ.get(SECRET_ENV, "").strip()
    if from_env:
        return _long_enough(from_env, f"${SECRET_ENV}")
    path = path or secret_key_path()
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                log.warning("warning: the secret key file %s can be read by others (mode %o): chmod 600 it", path, mode)
            return _long_enough(key, str(path))
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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


def _long_enough(key: str, where: str) -> str:
    if len(key) < MIN_SECRET_LENGTH:
        raise SecretKeyError(
            f"the secret key in {where} is {len(key)} characters long; use at least {MIN_SECRET_LENGTH} "
            '(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
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


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/``.

    Browsers drop tabs and newlines from URLs and read backslashes as
    slashes, so ``/<TAB>/evil.example`` or ``/\\evil.example`` lead to another
    site: anything with control characters or backslashes is refused, also
    once percent-decoded, and what is left must be a path without a host.
    """
    if not target:
        return "/"
    decoded = target
    for _ in range(3):
        decoded = unquote(decoded)
    for candidate in (target, decoded):
        if _CONTROL.search(candidate) or "\\" in candidate:
            return "/"
        if not candidate.startswith("/") or candidate.startswith("//"):
            return "/"
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return "/"
    return target


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
        browser = _known_browser(server, username)
        if browser is not None:  # its owner's browser: strangers' failures (name or address) do not lock it out
            keys: tuple[tuple[str, int], ...] = ((f"user:{username.casefold()}:browser:{browser}", MAX_FAILURES),)
        else:
            client = flask.request.remote_addr or "?"
            keys = ((f"user:{username.casefold()}", MAX_FAILURES), (f"addr:{client}", MAX_FAILURES_PER_ADDRESS))
        wait = throttle.attempt(*keys)
        if wait > 0:
            return _login_page(f"Too many failed attempts; try again in {wait:.0f} s.", username, next_url, 429)
        user = auth.authenticate(db, username, password) if username and password else None
        if user is None:
            return _login_page("Wrong username or password.", username, next_url, 401)
        throttle.succeeded(*keys)
        with db.session() as session:
            row = session.execute(select(User.password_hash, User.session_version).where(User.id == user.id)).one()
        flask.session.clear()
        flask.session.permanent = True
        flask.session["uid"] = user.id
        flask.session["pw"] = _fingerprint(row[0] or "")
        flask.session["sv"] = row[1]
        flask.session["t0"] = int(time.time())
        flask.session["csrf"] = secrets.token_urlsafe(24)
        if next_url != "/":
            response = flask.redirect(next_url)
        else:
            response = flask.redirect(landing_for(db, Viewer(user.id, user.username, user.role), server.config))
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
        return response

    @server.route("/logout", methods=["POST"])
    def logout():
        if not _check_csrf():
            return flask.Response("the form expired; reload the page and try again\n", 400, mimetype="text/plain")
        uid = flask.session.get("uid")
        if isinstance(uid, int):  # every cookie issued to this user until now stops working
            with db.transaction() as session:
                session.execute(update(User).where(User.id == uid).values(session_version=User.session_version + 1))
        flask.session.clear()
        return flask.redirect("/login")

    @server.after_request
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


def _quote(target: str) -> str:
    from urllib.parse import quote

    return quote(target, safe="/")
