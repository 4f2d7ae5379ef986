"""The report's pages, downloads, static export, CLI and benchmark (no browser; see test_report_browser)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from report_support import login, page_request, seed_report_db, start_running_class

from analytics.db import open_database
from analytics.report.app import create_app
from classmood.cli import main


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    seeded = seed_report_db(f"sqlite:///{tmp_path_factory.mktemp('report-app') / 'report.db'}")
    seeded.running = start_running_class(seeded.url, minutes=6)
    return seeded


@pytest.fixture(scope="module")
def app(seeded):
    db = open_database(seeded.url)
    try:
        yield create_app(db, secret_key="test-secret-key")
    finally:
        db.dispose()


def _page(c, path: str, search: str = "") -> str:
    response = c.post("/_dash-update-component", json=page_request(path, search))
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_every_page_renders_for_an_instructor(app, seeded):
    c = app.server.test_client()
    login(c, "ian")
    home = _page(c, "/")
    assert "Physics 101" in home and "Chemistry" not in home and "Live now" in home
    report = _page(c, f"/session/{seeded.physics_last}")
    for text in (
        "Class mood over time",
        "Needs attention",
        "Moments",
        "Each student over time",
        "Attendance",
        "Zed Absent",
        "Missed this class",
        "Camera off the whole time",
        "Ben Schultz",
    ):
        assert text in report, text
    assert "still being recorded" in _page(c, "/session/last")  # the most recent class is the running one
    live = _page(c, "/live")
    assert "live since" in live and "Needs attention right now" in live
    assert "Camera off since" in live and "Away since" in live  # the scripted running class
    from analytics import report_data

    with app.server.config["CLASSMOOD_REPORT"].db.session() as session:
        viewer = report_data.Viewer(seeded.user_ids["ian"], "ian", "instructor")
        ben = next(pid for pid, name, _ in report_data.list_participants(session, viewer) if name == "Ben Schultz")
    student = _page(c, f"/student/{ben}", f"?session={seeded.physics_last}")
    assert "Ben Schultz" in student and "Across classes" in student and "Away during class" in student
    assert "Not found" in _page(c, "/no/such/page")


def test_heatmap_switches_views(app, seeded):
    from test_report_security import callback_body, dependency

    c = app.server.test_client()
    login(c, "ian")
    dep = dependency(app, "heatmap-measure")
    state = {"report-session.data": seeded.physics_last}
    emotion = c.post(
        "/_dash-update-component",
        json=callback_body(dep, {"heatmap-measure.value": "emotion", "heatmap-scale.value": "relative"}, state),
    ).get_json()
    figure = emotion["response"]["heatmap-graph"]["figure"]
    assert "Main expression" in json.dumps(figure) and emotion["response"]["heatmap-scale-box"]["style"] == {
        "display": "none"
    }
    relative = c.post(
        "/_dash-update-component",
        json=callback_body(dep, {"heatmap-measure.value": "valence", "heatmap-scale.value": "relative"}, state),
    ).get_json()
    assert "their usual" in json.dumps(relative["response"]["heatmap-graph"]["figure"])


def test_attendance_csv_download(app, seeded):
    c = app.server.test_client()
    login(c, "ian")
    response = c.get(f"/download/session/{seeded.physics_last}/attendance.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    by_name = {r["Student"]: r for r in rows}
    assert len(rows) == 9  # 8 in the demo class + Zed, who missed it
    assert by_name["Zed Absent"]["Minutes present"] == "0.0" and by_name["Zed Absent"]["First seen"] == ""
    assert by_name["Chloé Martin"]["Camera on (% of time present)"] == "0"
    assert float(by_name["Amara Okafor"]["Minutes present"]) == pytest.approx(12.0)
    assert by_name["Amara Okafor"]["Share of class (%)"] == "100"
    assert float(by_name["Ben Schultz"]["Minutes present"]) < 11  # left for a while


def external_resources(html: str) -> list[str]:
    """src/href of the scripts, stylesheets and images an HTML page would fetch (script bodies are not parsed)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if tag in ("script", "img", "iframe") and values.get("src"):
                found.append(values["src"])
            if tag == "link" and values.get("href"):
                found.append(values["href"])

    Parser().feed(html)
    return [url for url in found if not url.startswith("data:")]


def test_static_export_is_one_self_contained_file(app, seeded, tmp_path, capsys):
    out = tmp_path / "report.html"
    code = main(["report", "export", "--session", str(seeded.physics_last), "--db", seeded.url, "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Physics 101" in html
    assert external_resources(html) == []  # plotly.js is inlined: nothing to fetch, opens offline
    assert html.count("Plotly.newPlot") == 2 and "plotly.js v" in html  # the library itself is in the file
    for text in ("Class mood over time", "Needs attention", "Zed Absent", "attendance-table", "data:text/csv"):
        assert text in html, text
    # The same file from the server (the "Save report as HTML" button).
    c = app.server.test_client()
    login(c, "ian")
    served = c.get(f"/download/session/{seeded.physics_last}/report.html")
    assert served.status_code == 200 and b"Plotly.newPlot" in served.get_data()
    # Errors are one line.
    code = main(["report", "export", "--session", "999", "--db", seeded.url, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "no session 999" in err and err.count("\n") == 1


def test_report_command_refuses_an_empty_user_table(tmp_path, capsys):
    code = main(["report", "--db", f"sqlite:///{tmp_path / 'empty.db'}", "--no-browser"])
    err = capsys.readouterr().err
    assert code == 2 and "classmood admin users add" in err


def test_cli_does_not_import_torch():
    code = "from classmood.cli import build_parser; build_parser().parse_args(['report', '--help'])"
    check = (
        "import sys\n"
        "from classmood.cli import build_parser\n"
        "build_parser()\n"
        "from analytics.report.app import create_app\n"
        "import analytics.report.export, analytics.report.bench\n"
        "bad = [m for m in ('torch', 'timm', 'torchvision') if m in sys.modules]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    help_text = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
    assert "--session" in help_text and "--host" in help_text and "127.0.0.1" in help_text


def test_bench_report_small(tmp_path, capsys):
    code = main(
        [
            "bench",
            "report",
            "--json",
            "--students",
            "5",
            "--minutes",
            "3",
            "--interval",
            "2",
            "--runs",
            "2",
            "--db",
            f"sqlite:///{tmp_path / 'bench.db'}",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert result["observations"] == 5 * 90 and result["runs"] == 2
    assert 0 < result["aggregate_median_s"] < result["total_median_s"]
    assert result["target_s"] == 1.5 and "ok" in result
    # With a URL the benchmark removes its course again.
    db = open_database(f"sqlite:///{tmp_path / 'bench.db'}")
    try:
        from analytics import queries

        with db.session() as session:
            assert queries.list_sessions(session) == []
    finally:
        db.dispose()


def _login_lands_on(app, username: str, password: str | None = None) -> str:
    import re

    from report_support import PASSWORDS

    c = app.server.test_client()
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
    response = c.post("/login", data={"username": username, "password": password or PASSWORDS[username], "csrf": token})
    assert response.status_code == 302
    return response.headers["Location"]


def test_login_lands_on_the_users_most_recent_class_or_the_class_list(seeded):
    from analytics import auth

    db = open_database(seeded.url)
    try:
        auth.create_user(db, "newbie", "newbie-teacher-pass")
        # configured to open ivy's chemistry class (`classmood report --session`): ian cannot see it
        app = create_app(db, secret_key="landing-secret", landing=f"/session/{seeded.chemistry}")
        assert _login_lands_on(app, "ivy") == f"/session/{seeded.chemistry}"
        assert _login_lands_on(app, "ian") == f"/session/{seeded.running}"  # his most recent class
        assert _login_lands_on(app, "newbie", "newbie-teacher-pass") == "/"  # no class yet: the class list
        # the default landing resolves to a class too, not a fixed page
        assert _login_lands_on(create_app(db, secret_key="s2"), "ivy") == f"/session/{seeded.chemistry}"
    finally:
        auth.remove_user(db, "newbie")
        db.dispose()


def test_the_page_of_a_student_whose_camera_was_off_shows_no_nan(app, seeded):
    from analytics import report_data

    c = app.server.test_client()
    login(c, "ian")
    with app.server.config["CLASSMOOD_REPORT"].db.session() as session:
        viewer = report_data.Viewer(seeded.user_ids["ian"], "ian", "instructor")
        chloe = next(pid for pid, name, _ in report_data.list_participants(session, viewer) if name == "Chloé Martin")
    page = _page(c, f"/student/{chloe}", f"?session={seeded.physics_last}")
    assert "Camera off the whole time" in page
    assert "nan" not in page.lower().replace("nanoseconds", "")
    assert "no face seen (camera off)" in page
