"""Login, the guard on every route, and what each user may see - through Flask's test client.

The seeded database (see report_support): ``ian`` owns "Physics 101", ``ivy``
owns "Chemistry 201", ``ada`` is an admin.
"""

from __future__ import annotations

import re
import stat

import pytest
from report_support import PASSWORDS, login, page_request, seed_report_db

from analytics.db import open_database
from analytics.report import security
from analytics.report.app import create_app


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seed_report_db(f"sqlite:///{tmp_path_factory.mktemp('report-security') / 'report.db'}")


@pytest.fixture(scope="module")
def app(seeded):
    db = open_database(seeded.url)
    try:
        yield create_app(db, secret_key="test-secret-key")
    finally:
        db.dispose()


def client(app, user: str | None = None):
    c = app.server.test_client()
    if user:
        login(c, user)
    return c


def chemistry_student(app, seeded) -> int:
    from sqlalchemy import select

    from analytics.schema import ClassSession, Participant

    with app.server.config["CLASSMOOD_REPORT"].db.session() as session:
        course = session.scalar(select(ClassSession.course_id).where(ClassSession.id == seeded.chemistry))
        return session.scalar(select(Participant.id).where(Participant.course_id == course).limit(1))


def dependency(app, input_id: str) -> dict:
    """The registered callback that takes ``input_id`` as an input (from /_dash-dependencies, as a browser sees it)."""
    c = client(app, "ada")
    for dep in c.get("/_dash-dependencies").get_json():
        if any(i["id"] == input_id for i in dep["inputs"]):
            return dep
    raise AssertionError(f"no callback takes {input_id}")


def callback_body(dep: dict, inputs: dict, state: dict | None = None) -> dict:
    """A crafted /_dash-update-component body for ``dep``: values by "id.property"."""

    def spec(items, values):
        return [
            {"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")} for i in items
        ]

    outputs = [
        {"id": part.split(".")[0], "property": part.split(".")[1]} for part in dep["output"].strip(".").split("...")
    ]
    return {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": spec(dep["inputs"], inputs),
        "state": spec(dep["state"], state or {}),
        "changedPropIds": [f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"],
    }


def form_token(component) -> str | None:
    """The value of the hidden ``csrf`` input somewhere in a Dash layout (JSON)."""
    if isinstance(component, dict):
        props = component.get("props", {})
        if props.get("name") == "csrf":
            return props.get("value")
        children = [props.get("children")] if "props" in component else list(component.values())
    elif isinstance(component, list):
        children = component
    else:
        return None
    for child in children:
        found = form_token(child)
        if found:
            return found
    return None


# ----------------------------------------------------------------------------- anonymous


def test_every_route_refuses_anonymous_requests(app, seeded):
    anonymous = client(app)
    sid = seeded.physics_last
    checked = []
    for rule in app.server.url_map.iter_rules():
        if rule.rule == "/login":
            continue
        path = rule.rule
        for name in rule.arguments:
            value = {
                "session_id": str(sid),
                "package_name": "dash",
                "fingerprinted_path": "dash-renderer.js",
                "filename": "x.css",
                "path": f"session/{sid}",
            }.get(name, "1")
            path = re.sub(rf"<(?:[^:>]+:)?{name}>", value, path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = anonymous.open(path, method=method, json={} if method == "POST" else None)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login"), (method, path)
            else:
                assert response.status_code in (401, 403), (method, path, response.status_code)
            assert "Physics" not in response.get_data(as_text=True)
            checked.append((method, path))
    paths = {p for _, p in checked}
    for needed in (
        "/",
        "/_dash-layout",
        "/_dash-dependencies",
        "/_dash-update-component",
        f"/download/session/{sid}/attendance.csv",
        f"/download/session/{sid}/report.html",
        "/download/history.csv",
        "/logout",
        f"/session/{sid}",
    ):
        assert needed in paths, needed
    # Page routes redirect to the login page; data routes answer 401.
    assert anonymous.get(f"/session/{sid}").status_code == 302
    assert anonymous.get("/_dash-layout").status_code == 401
    assert anonymous.post("/_dash-update-component", json=page_request(f"/session/{sid}")).status_code == 401
    assert anonymous.get(f"/download/session/{sid}/attendance.csv").status_code == 401


def test_login_form_checks_password_and_csrf(app):
    c = client(app)
    page = c.get("/login")
    assert page.status_code == 200 and 'type="password"' in page.get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    wrong = c.post("/login", data={"username": "ian", "password": "not it", "csrf": token})
    assert wrong.status_code == 401 and "Wrong username or password" in wrong.get_data(as_text=True)
    assert c.get("/_dash-layout").status_code == 401
    no_token = c.post("/login", data={"username": "ian", "password": PASSWORDS["ian"]})
    assert no_token.status_code == 400
    assert c.get("/_dash-layout").status_code == 401
    ok = c.post("/login", data={"username": "ian", "password": PASSWORDS["ian"], "csrf": token, "next": "//evil"})
    # no open redirect: the login lands on ian's most recent class instead
    assert (
        ok.status_code == 302
        and ok.headers["Location"].startswith("/session/")
        and "evil" not in ok.headers["Location"]
    )
    assert c.get("/_dash-layout").status_code == 200
    # Logging out needs the form's token, then everything is closed again.
    assert c.post("/logout").status_code == 400
    logout_token = form_token(c.get("/_dash-layout").get_json())
    assert logout_token, "the header has no logout form token"
    assert c.post("/logout", data={"csrf": logout_token}).status_code == 302
    assert c.get("/_dash-layout").status_code == 401


def test_repeated_failures_are_throttled(app):
    c = client(app)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
    codes = [
        c.post("/login", data={"username": "ivy", "password": "wrong", "csrf": token}).status_code for _ in range(6)
    ]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    blocked = c.post("/login", data={"username": "ivy", "password": PASSWORDS["ivy"], "csrf": token})
    assert blocked.status_code == 429


def test_cross_origin_posts_are_refused(app, seeded):
    c = client(app, "ian")
    response = c.post(
        "/_dash-update-component",
        json=page_request(f"/session/{seeded.physics_last}"),
        headers={"Origin": "http://evil.example"},
    )
    assert response.status_code == 403


# ----------------------------------------------------------------------------- instructors see their own


def test_instructor_cannot_open_another_instructors_session_by_url(app, seeded):
    ian = client(app, "ian")
    own = ian.post("/_dash-update-component", json=page_request(f"/session/{seeded.physics_last}"))
    assert own.status_code == 200 and "Physics 101" in own.get_data(as_text=True)
    for path in (f"/session/{seeded.chemistry}", f"/live?session={seeded.chemistry}"):
        pathname, _, search = path.partition("?")
        other = ian.post("/_dash-update-component", json=page_request(pathname, "?" + search if search else ""))
        text = other.get_data(as_text=True)
        assert other.status_code == 200 and "Not found" in text and "Chemistry" not in text, path
    student = chemistry_student(app, seeded)
    other = ian.post("/_dash-update-component", json=page_request(f"/student/{student}"))
    assert "Not found" in other.get_data(as_text=True) and "Chemistry" not in other.get_data(as_text=True)
    for download in ("attendance.csv", "report.html"):
        assert ian.get(f"/download/session/{seeded.chemistry}/{download}").status_code == 404
        assert ian.get(f"/download/session/{seeded.physics_last}/{download}").status_code == 200
    # An id that does not exist answers the same as someone else's.
    assert ian.get("/download/session/99999/attendance.csv").status_code == 404
    # The admin sees every course.
    ada = client(app, "ada")
    text = ada.post("/_dash-update-component", json=page_request(f"/session/{seeded.chemistry}")).get_data(as_text=True)
    assert "Chemistry 201" in text and "Not found" not in text


def test_instructor_cannot_read_another_session_through_a_crafted_callback(app, seeded):
    ian = client(app, "ian")
    heatmap = dependency(app, "heatmap-measure")
    inputs = {"heatmap-measure.value": "valence", "heatmap-scale.value": "absolute"}
    own = ian.post(
        "/_dash-update-component", json=callback_body(heatmap, inputs, {"report-session.data": seeded.physics_last})
    )
    assert own.status_code == 200 and "heatmap" in own.get_data(as_text=True)
    other = ian.post(
        "/_dash-update-component", json=callback_body(heatmap, inputs, {"report-session.data": seeded.chemistry})
    )
    assert other.status_code == 404 and "heatmap" not in other.get_data(as_text=True)

    live = dependency(app, "live-tick")
    other = ian.post(
        "/_dash-update-component",
        json=callback_body(live, {"live-tick.n_intervals": 1}, {"live-session.data": seeded.chemistry}),
    )
    assert other.status_code == 404
    own = ian.post(
        "/_dash-update-component",
        json=callback_body(live, {"live-tick.n_intervals": 1}, {"live-session.data": seeded.physics_last}),
    )
    assert own.status_code == 200

    student_dep = dependency(app, "student-session")
    student = chemistry_student(app, seeded)
    other = ian.post(
        "/_dash-update-component",
        json=callback_body(student_dep, {"student-session.value": seeded.chemistry}, {"student-id.data": student}),
    )
    assert other.status_code == 404
    # ... nor mix their own student with another course's session.
    from sqlalchemy import select

    from analytics.schema import Observation

    with app.server.config["CLASSMOOD_REPORT"].db.session() as session:
        own_student = session.scalar(
            select(Observation.participant_id).where(Observation.session_id == seeded.physics_last).limit(1)
        )
    mixed = ian.post(
        "/_dash-update-component",
        json=callback_body(student_dep, {"student-session.value": seeded.chemistry}, {"student-id.data": own_student}),
    )
    assert mixed.status_code == 404
    own = ian.post(
        "/_dash-update-component",
        json=callback_body(
            student_dep, {"student-session.value": seeded.physics_last}, {"student-id.data": own_student}
        ),
    )
    assert own.status_code == 200


def test_admin_pages_and_callbacks_are_for_admins_only(app, seeded):
    ian = client(app, "ian")
    for path in ("/admin", "/admin/users"):
        text = ian.post("/_dash-update-component", json=page_request(path)).get_data(as_text=True)
        assert "Admins only" in text and "ivy" not in text
    history = dependency(app, "history-dates")
    body = callback_body(
        history,
        {
            "history-course.value": None,
            "history-student.value": None,
            "history-dates.start_date": None,
            "history-dates.end_date": None,
        },
    )
    assert ian.post("/_dash-update-component", json=body).status_code == 403
    users = dependency(app, "add-user")
    body = callback_body(
        users,
        {"add-user.n_clicks": 1},
        {"new-username.value": "mallory", "new-password.value": "a long password", "new-role.value": "admin"},
    )
    assert ian.post("/_dash-update-component", json=body).status_code == 403
    assert ian.get("/download/history.csv").status_code == 403
    from analytics import auth

    with pytest.raises(auth.NotFoundError):
        auth.get_user(app.server.config["CLASSMOOD_REPORT"].db, "mallory")

    ada = client(app, "ada")
    assert ada.post("/_dash-update-component", json=body).status_code == 200
    assert auth.get_user(app.server.config["CLASSMOOD_REPORT"].db, "mallory").role == "admin"
    csv_text = ada.get("/download/history.csv").get_data(as_text=True)
    assert "Chemistry 201" in csv_text and "Physics 101" in csv_text


def test_removing_a_user_or_changing_their_password_ends_their_session(app):
    from analytics import auth

    db = app.server.config["CLASSMOOD_REPORT"].db
    auth.create_user(db, "temp", "temporary-pass")
    c = client(app)
    login(c, "temp", "temporary-pass")
    assert c.get("/_dash-layout").status_code == 200
    auth.set_password(db, "temp", "another-pass-1")
    assert c.get("/_dash-layout").status_code == 401
    login(c, "temp", "another-pass-1")
    auth.remove_user(db, "temp")
    assert c.get("/_dash-layout").status_code == 401


# ----------------------------------------------------------------------------- secret key and binding


def test_secret_key_from_env_else_a_private_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CLASSMOOD_SECRET_KEY", "from-the-environment-" + "k" * 20)
    assert security.load_secret_key(tmp_path / "key") == "from-the-environment-" + "k" * 20
    assert not (tmp_path / "key").exists()
    monkeypatch.delenv("CLASSMOOD_SECRET_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = security.secret_key_path()
    assert path.is_relative_to(tmp_path / "config")
    first = security.load_secret_key()
    assert len(first) >= 40 and path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert security.load_secret_key() == first  # generated once


def test_binding_elsewhere_than_loopback_warns_loudly():
    assert security.exposure_warning("127.0.0.1", 8050) is None
    assert security.exposure_warning("::1", 8050) is None
    assert security.exposure_warning("localhost", 8050) is None
    warning = security.exposure_warning("0.0.0.0", 8050)
    assert warning and "WARNING" in warning and "0.0.0.0:8050" in warning and "HTTPS" in warning
