"""Chart details a teacher sees: clock labels along the time axis, moment markers, gaps, the live chart's title.

The axis labels and markers are checked where Plotly lays them out: the figure as an HTML file (plotly.js
inside) in headless Chromium at 800 px.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import numpy as np
import pytest
from report_support import PASSWORDS, chromium_missing, login, make_driver, page_request, start_running_class

from analytics.report import figures, fmt
from analytics.report_measures import ClassSeries, Moment
from analytics.schema import EMOTIONS

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
X_LABELS = 'g[class^="x"][class$="tick"] text'  # the tick labels of every x axis (xtick, x2tick ...)


def series(minutes: float, bucket_s: float, gaps: tuple[int, ...] = ()) -> ClassSeries:
    """A class of 10 students, all with faces, mostly neutral and happy, with no capture in ``gaps``."""
    n = round(minutes * 60 / bucket_s)
    captures = np.ones(n)
    captures[list(gaps)] = 0
    on = captures > 0
    faces = np.where(on, 10.0, 0.0)
    labels = np.zeros((len(EMOTIONS), n))
    labels[EMOTIONS.index("neutral")] = np.where(on, 6.0, 0.0)
    labels[EMOTIONS.index("happiness")] = np.where(on, 4.0, 0.0)
    return ClassSeries(
        start=START,
        bucket_s=bucket_s,
        captures=captures,
        present=faces.copy(),
        faces=faces,
        valence_sum=np.where(on, 2.5, 0.0),
        valence_n=faces.copy(),
        labels=labels,
        students_present=faces.copy(),
        students_camera_on=faces.copy(),
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if chromium_missing():
        pytest.skip(chromium_missing())
    root = tmp_path_factory.mktemp("chromium")
    driver = make_driver(root / "profile", root, width=800, height=700)
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver, figure, path) -> None:
    figure.write_html(path, include_plotlyjs=True, full_html=True, default_width="100%")
    driver.get(path.as_uri())
    for _ in range(50):
        if driver.execute_script("return document.querySelectorAll(arguments[0]).length", X_LABELS):
            return
        time.sleep(0.1)
    raise AssertionError("the figure did not draw")


def test_clock_labels_are_not_repeated_along_the_time_axis(browser, tmp_path):
    # a class that just started: 2 minutes in 10-second buckets, the live page's case
    _open(browser, figures.class_mood_figure(series(2, 10), smooth_minutes=1.0), tmp_path / "mood.html")
    labels = browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(t => t.textContent)", X_LABELS
    )
    assert len(labels) >= 3
    assert len(labels) == len(set(labels)), labels


def test_date_labels_are_not_repeated_on_history_with_one_class(browser, tmp_path):
    from types import SimpleNamespace

    records = [
        SimpleNamespace(
            session_id=1, course="Demo class", started_at=START, present=True, mean_valence=0.1, minutes_camera_on=20.0
        )
        for _ in range(30)
    ]
    _open(browser, figures.admin_history_figure(records), tmp_path / "history.html")
    labels = browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(t => t.textContent)", X_LABELS
    )
    assert labels and len(labels) == len(set(labels)), labels


def _moment(kind: str, start_s: float, end_s: float) -> Moment:
    start, end = START + timedelta(seconds=start_s), START + timedelta(seconds=end_s)
    return Moment(kind, start, end, start_s / 60, end_s / 60, start, -0.2, 0.1, f"a {kind}")


def test_moment_markers_do_not_overlap_at_800_px(browser, tmp_path):
    # a dip in mood and a rise of negative expressions over nearly the same minutes (both are reported)
    moments = [_moment("dip", 600, 720), _moment("negative", 610, 730), _moment("lift", 900, 1000)]
    _open(browser, figures.class_mood_figure(series(20, 30), moments), tmp_path / "moments.html")
    boxes = browser.execute_script(
        "return [...document.querySelectorAll('.annotation-text')]"
        ".filter(t => /^[0-9]/.test(t.textContent))"
        ".map(t => { const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.right]; })"
    )
    texts = [text for text, _, _ in boxes]
    assert {n for text in texts for n in text.split("·")} == {"1", "2", "3"}  # every moment is marked
    boxes.sort(key=lambda box: box[1])
    for (a, _, a_right), (b, b_left, _) in pairwise(boxes):
        assert a_right <= b_left, f"markers {a} and {b} overlap"


def test_stacked_areas_drop_square_at_a_gap_instead_of_sloping_to_zero():
    figure = figures.class_mood_figure(series(6, 30, gaps=(4, 5, 6)))
    areas = [trace for trace in figure.data if trace.stackgroup]
    assert areas
    for trace in areas:
        points = list(zip(trace.x, trace.y, strict=True))
        for (x0, y0), (x1, y1) in pairwise(points):
            if (y0 == 0) != (y1 == 0):  # into or out of a gap: a vertical edge, not a slope across a bucket
                assert abs((x1 - x0).total_seconds()) < 0.01, (trace.name, x0, x1, y0, y1)
        # the gap itself is at zero from its first edge to its last
        first, last = fmt.local(START + timedelta(seconds=120)), fmt.local(START + timedelta(seconds=210))
        inside = [y for x, y in points if first < x < last]
        assert inside and all(y == 0 for y in inside)


def test_the_live_chart_title_says_last_minute_for_a_class_one_minute_old(tmp_path):
    from analytics import auth
    from analytics.db import open_database
    from analytics.report.app import create_app

    url = f"sqlite:///{tmp_path / 'live.db'}"
    db = open_database(url)
    try:
        auth.create_user(db, "ian", PASSWORDS["ian"], role="instructor")
        start_running_class(url, minutes=1, students=3)
        client = create_app(db, secret_key="live-title-secret").server.test_client()
        login(client, "ian")
        page = client.post("/_dash-update-component", json=page_request("/live")).get_data(as_text=True)
    finally:
        db.dispose()
    assert "Class mood, last minute" in page
    assert "1 minutes" not in page
