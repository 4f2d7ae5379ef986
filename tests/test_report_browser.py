"""The report in a real browser: headless Debian Chromium driven through chromium-driver (selenium).

Starts the app on 127.0.0.1 on a free port (in a thread), logs in as an
instructor, opens the last class from the home page, checks that every figure
rendered with no Dash error and no browser console error, switches the
heatmap, downloads the attendance CSV and checks its rows, visits the student
and live pages, logs out; then the admin pages as an admin. Screenshots of
every page at 1366x768 and 1920x1080 are kept in test-artifacts/report/.

Skipped, with the reason, when chromium or chromium-driver is not installed
(.ci/install-browser.sh installs them).
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from report_support import (
    ARTIFACTS,
    PASSWORDS,
    chromium_missing,
    live_server,
    make_driver,
    seed_report_db,
    start_running_class,
)

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")

SIZES = ((1366, 768), (1920, 1080))
TIMEOUT = 40


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    seeded = seed_report_db(f"sqlite:///{tmp_path_factory.mktemp('report-browser') / 'report.db'}")
    seeded.running = start_running_class(seeded.url, minutes=6)
    return seeded


@pytest.fixture(scope="module")
def server(seeded):
    from analytics.db import open_database
    from analytics.report.app import create_app

    db = open_database(seeded.url)
    app = create_app(db, secret_key="browser-test-secret")
    # Dash's dev tools show an error overlay and check component props: a broken page cannot pass unnoticed.
    app.enable_dev_tools(
        debug=True,
        dev_tools_ui=True,
        dev_tools_props_check=True,
        dev_tools_hot_reload=False,
        dev_tools_disable_version_check=True,  # it would call plotly.com from the page
    )
    try:
        with live_server(app) as base:
            yield base
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    root = tmp_path_factory.mktemp("chromium")
    downloads = root / "downloads"
    downloads.mkdir()
    driver = make_driver(root / "profile", downloads)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


# ----------------------------------------------------------------------------- helpers


def wait_for(condition, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception as error:  # stale elements while Dash re-renders
            last = error
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}" + (f" ({last!r})" if last else ""))


def page_ready(driver, element_id: str, graphs: int = 0) -> None:
    """Wait until the page's marker element is there, Dash is idle and ``graphs`` Plotly figures have drawn."""
    from selenium.webdriver.common.by import By

    wait_for(lambda: driver.find_elements(By.ID, element_id), f"#{element_id}")
    if graphs:
        wait_for(
            lambda: len(driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .main-svg")) >= graphs,
            f"{graphs} rendered figures",
        )
    wait_for(lambda: not driver.find_elements(By.CSS_SELECTOR, "[data-dash-is-loading='true']"), "Dash to settle")


def assert_clean(driver, where: str) -> None:
    """No Dash error overlay or error count, and no errors in the browser console."""
    from selenium.webdriver.common.by import By

    errors = driver.find_elements(By.CSS_SELECTOR, ".dash-fe-error__title, .test-devtools-error-count")
    assert not errors, f"{where}: Dash shows errors: {[e.text for e in errors]}"
    console = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not console, f"{where}: browser console errors: {console}"


def screenshots(driver, name: str) -> None:
    """The current page at both sizes (what fits the screen), back to the first size after."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Dash's dev-tools bar (on in this test to catch errors) is not part of the page a teacher sees.
    driver.execute_script(
        "document.querySelectorAll('.dash-debug-menu__outer, .dash-debug-menu').forEach(e => e.style.display='none')"
    )
    for width, height in SIZES:
        driver.set_window_size(width, height)
        time.sleep(0.4)  # let Plotly's responsive layout redraw
        driver.save_screenshot(str(ARTIFACTS / f"{name}-{width}x{height}.png"))
    driver.set_window_size(*SIZES[0])


def click(driver, by, value: str) -> None:
    """Click an element like a person would: scrolled to the middle of the screen, not under the sticky header."""
    element = wait_for(lambda: driver.find_element(by, value), f"{value} to click")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def log_in(driver, base: str, user: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/")
    wait_for(lambda: driver.find_elements(By.ID, "login-button"), "the login page")
    assert "/login" in driver.current_url
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(PASSWORDS[user])
    click(driver, By.ID, "login-button")
    wait_for(lambda: driver.find_elements(By.ID, "nav-user"), "the logged-in header")


def log_out(driver) -> None:
    from selenium.webdriver.common.by import By

    click(driver, By.ID, "logout-button")
    wait_for(lambda: driver.find_elements(By.ID, "login-button"), "the login page after logging out")


# ----------------------------------------------------------------------------- the test


def test_instructor_and_admin_in_a_real_browser(server, browser, seeded):
    from selenium.webdriver.common.by import By

    driver = browser
    log_in(driver, server, "ian")
    wait_for(lambda: driver.current_url.endswith(f"/session/{seeded.running}"), "his most recent class")
    click(driver, By.ID, "nav-sessions")
    page_ready(driver, f"session-link-{seeded.physics_last}")
    assert "Physics 101" in driver.page_source and "Chemistry" not in driver.page_source
    assert_clean(driver, "home")
    screenshots(driver, "instructor-home")

    # Open the last finished class from the list.
    click(driver, By.ID, f"session-link-{seeded.physics_last}")
    page_ready(driver, "attendance-card", graphs=2)
    assert driver.current_url.endswith(f"/session/{seeded.physics_last}")
    for graph in ("mood-graph", "heatmap-graph"):
        svg = driver.find_elements(By.CSS_SELECTOR, f"#{graph} .main-svg")
        assert svg, f"{graph} did not render"
    assert driver.find_elements(By.CSS_SELECTOR, "#mood-graph .scatterlayer .trace"), "no mood traces drawn"
    assert driver.find_elements(By.CSS_SELECTOR, "#heatmap-graph .hm"), "no heatmap drawn"
    flags = driver.find_element(By.ID, "flags-card").text
    assert "Zed Absent" in flags and "Chloé Martin" in flags
    grid_text = wait_for(lambda: driver.find_element(By.ID, "attendance-table").text, "the attendance table")
    assert "Amara Okafor" in grid_text
    assert_clean(driver, "session report")
    screenshots(driver, "instructor-session-report")

    # Switch the heatmap to the main expression.
    click(driver, By.CSS_SELECTOR, "#heatmap-measure input[value='emotion']")
    wait_for(lambda: "Main" in driver.find_element(By.ID, "heatmap-graph").text, "the expression heatmap")
    assert_clean(driver, "heatmap switch")

    # Download the attendance CSV through the browser and read it.
    click(driver, By.ID, "download-attendance")
    path = wait_for(lambda: next((p for p in Path(driver.downloads).glob("*.csv")), None), "the CSV download")
    wait_for(lambda: not list(Path(driver.downloads).glob("*.crdownload")), "the download to finish")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    by_name = {row["Student"]: row for row in rows}
    assert len(rows) == 9 and by_name["Zed Absent"]["Minutes present"] == "0.0"
    assert by_name["Chloé Martin"]["Camera on (% of time present)"] == "0"
    assert by_name["Amara Okafor"]["Share of class (%)"] == "100"

    # A student's page, from the attendance table.
    click(driver, By.LINK_TEXT, "Ben Schultz")
    page_ready(driver, "student-title", graphs=2)
    assert driver.find_element(By.ID, "student-title").text == "Ben Schultz"
    assert_clean(driver, "student page")
    screenshots(driver, "instructor-student")

    # The live page follows the running class.
    click(driver, By.ID, "nav-live")
    page_ready(driver, "live-title", graphs=2)
    assert "live since" in driver.find_element(By.ID, "live-title").text
    assert "Camera off since" in driver.find_element(By.ID, "live-flags-card").text
    assert_clean(driver, "live page")
    screenshots(driver, "instructor-live")

    log_out(driver)
    driver.get(server + f"/session/{seeded.physics_last}")
    wait_for(lambda: "/login" in driver.current_url, "the redirect to the login page")
    screenshots(driver, "login")

    # The admin pages.
    log_in(driver, server, "ada")
    click(driver, By.ID, "nav-admin")
    page_ready(driver, "history-download", graphs=1)
    wait_for(lambda: "Chemistry 201" in driver.find_element(By.ID, "history-table").text, "the history table")
    assert_clean(driver, "admin history")
    screenshots(driver, "admin-history")
    click(driver, By.ID, "nav-users")
    page_ready(driver, "users-table")
    wait_for(lambda: "ivy" in driver.find_element(By.ID, "users-table").text, "the users table")
    assert_clean(driver, "admin users")
    screenshots(driver, "admin-users")
    log_out(driver)
