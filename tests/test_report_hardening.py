"""Report security hardening (issue 17, items 8, 10, 12, 13, 14), through Flask's test client.

The seeded database (see report_support): ``ian`` owns "Physics 101", ``ivy``
owns "Chemistry 201", ``ada`` is an admin.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import threading
from urllib.parse import urlsplit

import pytest
from report_support import PASSWORDS, login, seed_report_db

from analytics.db import open_database
from analytics.report import security
from analytics.report.app import create_app

SECRET = "a-test-secret-key-long-enough-for-the-check"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seed_report_db(f"sqlite:///{tmp_path_factory.mktemp('report-hardening') / 'report.db'}")


@pytest.fixture
def app(seeded):
    """A fresh app per test: its login throttle starts empty."""
    db = open_database(seeded.url)
    try:
        yield create_app(db, secret_key=SECRET)
    finally:
        db.dispose()


def _token(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)


BYPASSES = [
    "//evil.example/x",
    "/\t/evil.example/x",
    "/%09/evil.example/x",
    "/\\evil.example/x",
    "/\\/evil.example/x",
    "\\\\evil.example/x",
    "/%2F/evil.example/x",
    "/%2f%2fevil.example/x",
    "/%5Cevil.example/x",
    "/%255C%255Cevil.example",
    "https://evil.example/x",
    "javascript:alert(1)",
    "/\r\nSet-Cookie: x=1",
    "/%0d%0aLocation: https://evil.example",
    "/\n/evil.example",
    " //evil.example",
    "///evil.example",
]


@pytest.mark.parametrize("target", BYPASSES)
def test_next_after_login_stays_on_this_site(target):
    assert security._safe_next(target) == "/"


def test_login_with_a_bypass_in_next_lands_here(app):
    c = app.server.test_client()
    token = _token(c)
    for target in ("/%09/evil.example/x", "/\r\nSet-Cookie: x=1"):
        data = {"username": "ian", "password": PASSWORDS["ian"], "csrf": token, "next": target}
        response = c.post("/login", data=data)
        assert response.status_code == 302
        location = response.headers["Location"]
        # the refused next is dropped: the login lands on this site (the user's landing page, issue 16)
        assert urlsplit(location).netloc in ("", "localhost") and urlsplit(location).path.startswith("/"), location
        assert "evil" not in location and "Set-Cookie" not in location, location
        token = _token(c)


def test_login_page_with_crlf_in_next_is_not_a_server_error(app):
    c = app.server.test_client()
    assert c.get("/login?next=/%0d%0aSet-Cookie:%20x=1").status_code == 200


def test_a_same_site_next_is_kept(app):
    c = app.server.test_client()
    response = c.post(
        "/login", data={"username": "ian", "password": PASSWORDS["ian"], "csrf": _token(c), "next": "/student/3?x=1"}
    )
    assert response.headers["Location"] == "/student/3?x=1"


def test_a_copied_cookie_is_refused_after_logout(app):
    from tests.test_report_security import form_token

    owner = app.server.test_client()
    login(owner, "ian")
    cookie = owner.get_cookie("classmood_session").value
    thief = app.server.test_client()
    thief.set_cookie("classmood_session", cookie)
    assert thief.get("/_dash-layout").status_code == 200
    assert owner.post("/logout", data={"csrf": form_token(owner.get("/_dash-layout").get_json())}).status_code == 302
    assert thief.get("/_dash-layout").status_code == 401


def test_a_session_ends_12_hours_after_login_however_much_it_is_used(app):
    c = app.server.test_client()
    login(c, "ian")
    assert c.get("/_dash-layout").status_code == 200
    with c.session_transaction() as session:
        session["t0"] -= security.SESSION_HOURS * 3600 + 1
    assert c.get("/_dash-layout").status_code == 401


def test_parallel_wrong_passwords_get_no_more_checks_than_the_limit(app):
    clients = [app.server.test_client() for _ in range(16)]
    tokens = [_token(c) for c in clients]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def guess(c, token) -> None:
        barrier.wait()
        codes.append(c.post("/login", data={"username": "ivy", "password": "wrong", "csrf": token}).status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(401) == security.MAX_FAILURES and codes.count(429) == len(clients) - security.MAX_FAILURES


def test_strangers_cannot_lock_the_owner_out_of_a_browser_they_used_before(app):
    owner = app.server.test_client()
    login(owner, "ivy")
    owner.delete_cookie("classmood_session")  # logged out; the browser is still known
    stranger = app.server.test_client()
    token = _token(stranger)
    codes = [
        stranger.post("/login", data={"username": "ivy", "password": "x", "csrf": token}).status_code
        for _ in range(security.MAX_FAILURES + 1)
    ]
    assert codes[-1] == 429
    login(owner, "ivy")  # the right password from the owner's browser still works


def test_client_address_from_x_forwarded_for_only_behind_a_proxy(seeded, monkeypatch):
    monkeypatch.setattr(security, "MAX_FAILURES_PER_ADDRESS", 3)
    db = open_database(seeded.url)
    try:
        for behind_proxy, blocked in ((False, True), (True, False)):
            app = create_app(db, secret_key=SECRET, behind_proxy=behind_proxy)
            codes = []
            for attempt in range(security.MAX_FAILURES_PER_ADDRESS + 1):
                c = app.server.test_client()
                headers = {"X-Forwarded-For": f"10.0.0.{attempt}"}
                token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
                data = {"username": f"nobody{attempt}", "password": "x", "csrf": token}
                codes.append(c.post("/login", data=data, headers=headers).status_code)
            assert (codes[-1] == 429) is blocked, (behind_proxy, codes)
    finally:
        db.dispose()


def test_cookie_is_secure_over_https_and_behind_an_https_proxy(seeded):
    db = open_database(seeded.url)
    try:
        plain = create_app(db, secret_key=SECRET).server.test_client()
        assert "Secure" not in plain.get("/login").headers["Set-Cookie"]
        https = create_app(db, secret_key=SECRET).server.test_client()
        assert "Secure" in https.get("/login", base_url="https://localhost").headers["Set-Cookie"]
        proxied = create_app(db, secret_key=SECRET, behind_proxy=True).server.test_client()
        assert "Secure" in proxied.get("/login", headers={"X-Forwarded-Proto": "https"}).headers["Set-Cookie"]
        direct = create_app(db, secret_key=SECRET).server.test_client()
        assert "Secure" not in direct.get("/login", headers={"X-Forwarded-Proto": "https"}).headers["Set-Cookie"]
    finally:
        db.dispose()


def test_pages_carry_a_csp_that_allows_exactly_their_inline_scripts(app):
    c = app.server.test_client()
    login(c, "ian")
    page = c.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    body = page.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", body, re.S)
    assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp, script[:80]
    assert "Content-Security-Policy" in c.get("/login").headers


def test_short_secret_keys_are_refused_and_loose_key_files_warned_about(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("CLASSMOOD_SECRET_KEY", "short")
    with pytest.raises(security.SecretKeyError, match="at least 32"):
        security.load_secret_key(tmp_path / "key")
    monkeypatch.delenv("CLASSMOOD_SECRET_KEY")
    path = tmp_path / "key"
    path.write_text("k" * 40)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        assert security.load_secret_key(path) == "k" * 40
    assert "chmod 600" in caplog.text
    path.write_text("tiny")
    with pytest.raises(security.SecretKeyError):
        security.load_secret_key(path)
