"""What the pages share: the app's context (database, caches), the logged-in viewer, access checks, widgets.

Pages are plain modules whose layout functions and callbacks run inside a
Flask request; they find the database through :func:`context` (stored on the
Flask app, so several apps can live in one process, as in the tests) and the
user through :func:`viewer` (set by the login guard, see
:mod:`analytics.report.security`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import dash_ag_grid as dag
import flask
from dash import dcc, html
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden, NotFound

from analytics import queries
from analytics.db import Database
from analytics.report_data import SessionData, Viewer, can_see_participant, can_see_session, load_session

CONTEXT_KEY = "CLASSMOOD_REPORT"


class SessionCache:
    """Recently built :class:`SessionData`, keyed by session and invalidated when the session changes.

    A session's version is (status, end, number of captures, last capture):
    a finished session never changes, a running one changes at every capture.
    """

    def __init__(self, size: int = 12) -> None:
        self.size = size
        self._items: OrderedDict[int, tuple[tuple, SessionData]] = OrderedDict()
        self._flag_counts: dict[int, tuple[tuple, int, int]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def version(figures: queries.SessionFigures) -> tuple:
        return (figures.status, figures.ended_at, figures.captures, figures.last_capture)

    def get(self, session: Session, session_id: int) -> SessionData:
        figures = queries.session_figures(session, [session_id]).get(session_id)
        version = self.version(figures) if figures is not None else None
        with self._lock:
            hit = self._items.get(session_id)
            if hit is not None and hit[0] == version:
                self._items.move_to_end(session_id)
                return hit[1]
        data = load_session(session, session_id)
        with self._lock:
            self._items[session_id] = (version, data)
            self._items.move_to_end(session_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            self._flag_counts[session_id] = (version, len(data.flags), len({f.participant_id for f in data.flags}))
        return data

    def flag_counts(self, session: Session, figures: queries.SessionFigures) -> tuple[int, int]:
        """(flags, students flagged) of a session, computed once per version."""
        version = self.version(figures)
        with self._lock:
            hit = self._flag_counts.get(figures.id)
            if hit is not None and hit[0] == version:
                return hit[1], hit[2]
        data = self.get(session, figures.id)
        return len(data.flags), len({f.participant_id for f in data.flags})


@dataclass
class ReportContext:
    db: Database
    landing: str = "/"
    cache: SessionCache = field(default_factory=SessionCache)
    baseline_cache: dict = field(default_factory=dict)


def context() -> ReportContext:
    return flask.current_app.config[CONTEXT_KEY]


def viewer() -> Viewer:
    """The logged-in user (the guard has already refused anonymous requests)."""
    user = flask.g.get("viewer")
    if user is None:  # a route the guard does not cover would be a bug: refuse rather than leak
        raise Forbidden("login required")
    return user


@contextmanager
def db_session() -> Iterator[Session]:
    with context().db.session() as session:
        yield session


def require_admin() -> Viewer:
    user = viewer()
    if not user.is_admin:
        raise Forbidden("admins only")
    return user


def parse_id(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def check_session(session: Session, session_id) -> int:
    """``session_id`` as an int if the viewer may see it; else 404 (the same answer for "not yours" and "no such")."""
    sid = parse_id(session_id)
    if sid is None or not can_see_session(session, viewer(), sid):
        raise NotFound("no such session")
    return sid


def check_participant(session: Session, participant_id) -> int:
    pid = parse_id(participant_id)
    if pid is None or not can_see_participant(session, viewer(), pid):
        raise NotFound("no such student")
    return pid


# ----------------------------------------------------------------------------- widgets


def card(
    *children,
    title: str | None = None,
    help: str | None = None,
    right=None,
    id: str | None = None,
    class_name: str = "cm-card",
) -> html.Div:
    head = []
    if title or right is not None:
        head.append(html.Div([html.H2(title) if title else html.Span(), right], className="cm-card-head"))
    if help:
        head.append(html.P(help, className="cm-help"))
    kwargs = {"id": id} if id else {}
    return html.Div([*head, *children], className=class_name, **kwargs)


def kpi(label: str, value: str, note: str | None = None, title: str | None = None) -> html.Div:
    kwargs = {"title": title} if title else {}
    return html.Div(
        [
            html.Div(label, className="label"),
            html.Div(value, className="value"),
            html.Div(note, className="note") if note else None,
        ],
        className="cm-kpi",
        **kwargs,
    )


def not_found(message: str = "No such page, or it belongs to a course you do not have access to.") -> html.Div:
    return html.Div(
        [html.H1("Not found"), html.P(message, className="cm-sub"), dcc.Link("Back to your classes", href="/")]
    )


def admins_only() -> html.Div:
    return html.Div(
        [
            html.H1("Admins only"),
            html.P("This page is for ClassMood admins.", className="cm-sub"),
            dcc.Link("Back to your classes", href="/"),
        ]
    )


def graph(figure, id: str | None = None, **kwargs) -> dcc.Graph:
    config = {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
        "toImageButtonOptions": {"format": "png", "scale": 2},
    }
    props = {"figure": figure, "config": config, "className": "cm-graph"}
    height = getattr(getattr(figure, "layout", None), "height", None)
    if height:  # a responsive graph takes its container's height: give the container the figure's
        props["style"] = {"height": f"{height}px"}
    if id:
        props["id"] = id
    props.update(kwargs)
    return dcc.Graph(**props)


def grid_rows(rows: list[dict], row_id: str = "id") -> list[dict]:
    """Rows for :func:`data_grid`, each with the string id AG Grid wants."""
    return [{**row, "_row_id": str(row[row_id])} for row in rows]


def data_grid(
    id: str,
    rows: list[dict],
    columns: list[dict],
    *,
    row_id: str = "id",
    paginate: bool = False,
    filters: bool = False,
    max_auto_rows: int | None = None,
) -> dag.AgGrid:
    """A sortable table (AG Grid) as tall as its rows (or its page's rows), so the page scrolls, not a box in it.

    ``max_auto_rows`` caps that: beyond it the table becomes a scroll box (for short side lists only).
    """
    options = {
        "animateRows": False,
        "tooltipShowDelay": 300,
        "suppressCellFocus": True,
    }
    style = {"width": "100%"}
    if paginate:
        options.update(pagination=True, paginationPageSize=50, paginationPageSizeSelector=[50, 100, 500])
    if paginate or max_auto_rows is None or len(rows) <= max_auto_rows:
        options["domLayout"] = "autoHeight"
    else:
        style["height"] = "640px"
    rows = grid_rows(rows, row_id)
    return dag.AgGrid(
        id=id,
        rowData=rows,
        columnDefs=columns,
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "filter": filters,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions=options,
        getRowId="params.data._row_id",
        columnSize="responsiveSizeToFit",
        style=style,
        className="ag-theme-quartz",
    )


#: AG Grid value formatters shared by the attendance tables: "-" for no value.
PERCENT_FORMATTER = {"function": "params.value == null ? '-' : params.value + '%'"}
SIGNED_FORMATTER = {"function": "params.value == null ? '-' : (params.value > 0 ? '+' : '') + params.value.toFixed(2)"}
