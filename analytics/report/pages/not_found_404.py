"""The page for addresses that match no page."""

from __future__ import annotations

import dash
from dash import html

from analytics.report.common import not_found


def layout(**_ignored) -> html.Div:
    return not_found("There is no page at this address.")


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path="/404", name="Not found", title="Not found · ClassMood", layout=layout)
