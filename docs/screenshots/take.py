"""Screenshots of the report on the demo's class: ``python docs/screenshots/take.py`` (needs chromium, selenium).

Runs ``classmood demo --no-serve`` into a throw-away home folder (the real default database is left alone),
serves ``classmood report`` on it, logs in as the demo's teacher in headless Chromium at 1280 px and saves the
class report, a student's page, the live page and History here as PNG, each whole page, reduced to 128
colours (each file well under 300 KB).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from report_support import free_port, make_driver  # noqa: E402

from bot.synthetic.classroom import class_names  # noqa: E402

WIDTH = 1280
CLASSMOOD = [sys.executable, "-m", "classmood"]


def _wait(condition, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:
            value = None
        if value:
            return value
        time.sleep(0.3)
    raise SystemExit(f"timed out waiting for {what}")


def _settled(driver, marker: str) -> None:
    from selenium.webdriver.common.by import By

    _wait(lambda: driver.find_elements(By.ID, marker), marker)
    _wait(lambda: not driver.find_elements(By.CSS_SELECTOR, "[data-dash-is-loading='true']"), "Dash to settle")
    time.sleep(1.5)  # Plotly's last redraw


def _shoot(driver, name: str) -> Path:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    chrome = driver.execute_script("return window.outerHeight - window.innerHeight")
    driver.set_window_size(WIDTH, min(max(height, 800), 4000) + chrome)
    time.sleep(1.0)
    path = HERE / f"{name}.png"
    driver.save_screenshot(str(path))
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    driver.set_window_size(WIDTH, 900)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1024:.0f} KB")
    return path


def main() -> int:
    from selenium.webdriver.common.by import By

    home = Path(tempfile.mkdtemp(prefix="classmood-shots-"))
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "PYTHONPATH": str(ROOT)}
    env.pop("CLASSMOOD_DATABASE_URL", None)
    subprocess.run([*CLASSMOOD, "demo", "--no-serve"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([*CLASSMOOD, "report", "--port", str(port), "--no-browser"], cwd=ROOT, env=env)
    driver = make_driver(home / "profile", home, width=WIDTH, height=900)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: driver.get(base + "/login") or driver.find_elements(By.ID, "login-button"), "the login page")
        driver.find_element(By.ID, "username").send_keys("teacher")
        driver.find_element(By.ID, "password").send_keys("demo-class")
        driver.find_element(By.ID, "login-button").click()
        _settled(driver, "attendance-card")  # the landing page: the teacher's last class
        session_path = driver.current_url.removeprefix(base)
        _shoot(driver, "class-report")
        leaver = class_names(30, 0)[1]  # the student who leaves for four minutes
        driver.find_element(By.LINK_TEXT, leaver).click()
        _settled(driver, "student-title")
        _shoot(driver, "student")
        driver.get(base + "/live?session=" + session_path.rsplit("/", 1)[-1])
        _settled(driver, "live-title")
        _shoot(driver, "live")
        driver.get(base + "/admin")
        _settled(driver, "history-download")
        _wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#history-table .ag-row"), "the history rows")
        _shoot(driver, "history")
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
