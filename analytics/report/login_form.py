"""The login form: its page, its CSRF token, and the check on where it may send the browser next.

Used by :mod:`analytics.report.security` (the ``/login`` and ``/logout`` routes) and by the report's
logout button (:func:`csrf_token`). The page is self-contained: no scripts, only inline styles.
"""

from __future__ import annotations

import hmac
import html
import re
import secrets
from urllib.parse import unquote, urlsplit

import flask

from analytics.report.theme import ACCENT, FONT, MUTED, TEXT


def csrf_token() -> str:
    token = flask.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        flask.session["csrf"] = token
    return token


def check_csrf() -> bool:
    expected = flask.session.get("csrf")
    given = flask.request.form.get("csrf", "")
    return bool(expected) and hmac.compare_digest(str(expected), str(given))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None) -> str:
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


def login_page(error: str = "", username: str = "", next_url: str = "/", status: int = 200) -> flask.Response:
    body = LOGIN_PAGE.format(
        text=TEXT,
        font=FONT,
        accent=ACCENT,
        muted=MUTED,
        error=f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "",
        csrf=html.escape(csrf_token()),
        next=html.escape(safe_next(next_url)),
        username=html.escape(username),
    )
    response = flask.make_response(body, status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response
