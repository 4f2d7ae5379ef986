"""The class report's page and its HTML export are built from one list of sections (analytics/report/sections.py)."""

from __future__ import annotations

import html

import pytest
from report_support import seed_report_db

from analytics.db import open_database
from analytics.report.export import render_session_html
from analytics.report.pages.session_report import report_layout
from analytics.report.sections import SECTIONS, rows
from analytics.report.session_report import build_session_report


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    seeded = seed_report_db(f"sqlite:///{tmp_path_factory.mktemp('sections') / 'report.db'}")
    db = open_database(seeded.url)
    try:
        with db.session() as session:
            yield build_session_report(session, seeded.physics_last), seeded.physics_last
    finally:
        db.dispose()


def _cards(component, found: dict) -> dict:
    """Page components by id, walking the Dash tree."""
    if getattr(component, "id", None):
        found[component.id] = component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            _cards(child, found)
    return found


def _texts(component) -> list[str]:
    """Every string in a component's tree."""
    if isinstance(component, str):
        return [component]
    children = getattr(component, "children", None)
    out: list[str] = []
    for child in children if isinstance(children, list) else [children]:
        if child is not None:
            out.extend(_texts(child))
    return out


def test_page_and_export_show_the_same_sections_in_the_same_order(report):
    built, session_id = report
    page = _cards(report_layout(built, session_id), {})
    saved = render_session_html(built)
    positions = []
    for section in SECTIONS:
        card = page[f"{section.id}-card"]  # on the page: a card per section, with its title and help
        assert section.title in _texts(card)
        help_text = section.help_for("page")
        if help_text:
            assert help_text in _texts(card)
        positions.append(saved.index(f'id="{section.id}-card"'))  # in the file: the same card, title and help
        assert f"<h2>{html.escape(section.title)}</h2>" in saved
        assert html.escape(section.help_for("export")) in saved
    assert positions == sorted(positions)


def test_paired_sections_share_a_row():
    assert [[s.id for s in row] for row in rows()] == [["mood"], ["moments", "flags"], ["heatmap"], ["attendance"]]
