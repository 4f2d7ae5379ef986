"""Helpers for the report tests: a seeded database, a logged-in test client, a live server, headless Chromium.

The seeded database (``seed_report_db``):

* users: ``ada`` (admin), ``ian`` (instructor, owns "Physics 101"), ``ivy``
  (instructor, owns "Chemistry 201"); passwords in :data:`PASSWORDS`;
* "Physics 101", an older class a week ago written here (12 min, every 10 s):
  Amara Okafor, Ben Schultz and Zed Absent, all present with faces;
* "Physics 101", the last class, from :func:`analytics.demo_seed.seed_demo_class`
  (8 students, 12 min, every 5 s): Ben Schultz leaves for a while, Chloé Martin
  keeps the camera off, Diego Fernández joins late; Zed Absent does not come;
* "Chemistry 201", a demo class of 6 students (ivy's).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.synthetic.browser_eval import QUIET_FLAGS

PASSWORDS = {"ada": "ada-admin-pass", "ian": "ian-teacher-pass", "ivy": "ivy-teacher-pass"}
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "report"


@dataclass
class Seeded:
    url: str
    physics_old: int
    physics_last: int
    chemistry: int
    user_ids: dict[str, int]


def _older_class(db, course: str, start) -> int:
    from analytics.store import ObservationIn, Store

    store = Store(db)
    sid = store.start_session(course, started_at=start, interval_s=10.0, source="test")
    happy = (0.3, 0.6, 0.1, 0, 0, 0, 0, 0)
    for k in range(72):
        observations = [
            ObservationIn(
                name=name,
                face_found=True,
                tile_box=(i * 100, 0, 100, 100),
                probs=happy,
                face_box=(i * 100 + 10, 10, 50, 50),
            )
            for i, name in enumerate(("Amara Okafor", "Ben Schultz", "Zed Absent"))
        ]
        store.record_capture(sid, start + timedelta(seconds=10 * k), observations, tiles=3, faces=3, names=3)
    store.finish_session(sid, ended_at=start + timedelta(minutes=12))
    return sid


def seed_report_db(url: str) -> Seeded:
    from analytics import auth
    from analytics.db import open_database
    from analytics.demo_seed import seed_demo_class
    from analytics.report_data import set_course_owner
    from analytics.schema import Course, utcnow

    db = open_database(url)
    try:
        old = _older_class(db, "Physics 101", utcnow().replace(microsecond=0) - timedelta(days=7))
        last = seed_demo_class(db, "Physics 101", students=8, minutes=12, interval_s=5, seed=1)
        chemistry = seed_demo_class(db, "Chemistry 201", students=6, minutes=10, interval_s=5, seed=2)
        users = {
            name: auth.create_user(db, name, PASSWORDS[name], role="admin" if name == "ada" else "instructor").id
            for name in PASSWORDS
        }
        with db.transaction() as session:
            for course_id, name in session.execute(select(Course.id, Course.name)).all():
                set_course_owner(session, course_id, users["ian"] if name == "Physics 101" else users["ivy"])
    finally:
        db.dispose()
    return Seeded(url, old, last, chemistry, users)


def login(client, username: str, password: str | None = None) -> None:
    """Log ``client`` (a Flask test client) in through the real login form."""
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"username": username, "password": password or PASSWORDS[username], "csrf": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def page_request(path: str, search: str = "") -> dict:
    """The body of Dash's page-routing callback for ``path`` (what the browser posts when it opens a page)."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


# ----------------------------------------------------------------------------- live server + browser


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(app) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 on a free port in a thread; yields the base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="report-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which("chromium")):
        return f"Debian chromium not installed ({CHROMIUM}); run .ci/install-browser.sh"
    if not (os.access(CHROMEDRIVER, os.X_OK) or shutil.which("chromedriver")):
        return f"chromium-driver not installed ({CHROMEDRIVER}); run .ci/install-browser.sh"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


def make_driver(profile_dir: Path, download_dir: Path, width: int = 1366, height: int = 768):
    """Headless Debian Chromium through chromium-driver (no driver or browser download)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    for flag in (
        "--headless=new",
        *QUIET_FLAGS,
        "--disable-dev-shm-usage",
        "--disable-features=Translate,MediaRouter,OptimizationHints",
        f"--user-data-dir={profile_dir}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(download_dir),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    driver_path = CHROMEDRIVER if os.access(CHROMEDRIVER, os.X_OK) else shutil.which("chromedriver")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    return driver


def start_running_class(
    url: str,
    course: str = "Physics 101",
    *,
    owner: str | None = "ian",
    students: int = 6,
    minutes: float = 6,
    interval_s: float = 5.0,
) -> int:
    """A class still being recorded (status 'running'), with captures up to now: the last student's camera is
    off for the last few minutes and the first student left two minutes ago. Returns its id."""
    from analytics import auth
    from analytics.db import open_database
    from analytics.demo_seed import demo_names
    from analytics.schema import utcnow
    from analytics.store import ObservationIn, Store

    db = open_database(url)
    try:
        owner_id = auth.get_user(db, owner).id if owner else None
        store = Store(db)
        names = demo_names(students)
        n = int(minutes * 60 / interval_s)
        start = utcnow().replace(microsecond=0) - timedelta(seconds=n * interval_s)
        sid = store.start_session(
            course, started_at=start, interval_s=interval_s, source="test (live)", owner_id=owner_id
        )
        for k in range(n + 1):
            at = start + timedelta(seconds=k * interval_s)
            left = k * interval_s > (minutes - 2) * 60
            observations = []
            for i, name in enumerate(names):
                if i == 0 and left:
                    continue
                camera_off = i == students - 1 and k * interval_s > (minutes - 3) * 60
                happy = 0.2 + 0.5 * ((i + k) % 7) / 7
                probs = (0.7 - happy / 2, happy, 0.05, 0.1, 0.05, 0, 0.1 - happy / 8, 0)
                observations.append(
                    ObservationIn(
                        name=name,
                        face_found=not camera_off,
                        tile_box=(i * 100, 0, 100, 100),
                        probs=None if camera_off else probs,
                        face_box=None if camera_off else (i * 100 + 10, 10, 50, 50),
                    )
                )
            store.record_capture(
                sid,
                at,
                observations,
                tiles=len(observations),
                faces=sum(o.face_found for o in observations),
                names=len(observations),
            )
        return sid
    finally:
        db.dispose()
