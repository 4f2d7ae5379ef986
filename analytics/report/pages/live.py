"""Live class: follows a class being recorded (``class_sessions.status == 'running'``), refreshed every few seconds.

``/live`` follows the viewer's running class (or lists them when there are
several); ``/live?session=ID`` follows one.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import dash
from dash import Input, Output, State, dcc, html

from analytics import queries
from analytics.report import figures, fmt
from analytics.report.common import card, check_session, context, db_session, graph, kpi, not_found, parse_id, viewer
from analytics.report.pages.session_report import flags_list
from analytics.report.theme import MOOD_HELP
from analytics.report_data import can_see_session, load_live, running_sessions, session_baselines
from analytics.schema import EMOTIONS

REFRESH_MS = 5000
BASELINE_TTL_S = 60.0
NOW_MINUTES = 1.0


def _baselines(session, session_id: int) -> dict[int, float]:
    """Students' usual mood so far, recomputed at most once a minute (it needs the whole session)."""
    cache = context().baseline_cache
    hit = cache.get(session_id)
    if hit is not None and time.monotonic() - hit[0] < BASELINE_TTL_S:
        return hit[1]
    values = session_baselines(session, session_id)
    cache[session_id] = (time.monotonic(), values)
    return values


def _ago(seconds: float) -> str:
    if seconds < 90:
        return f"{max(0, round(seconds))} s ago"
    return f"{round(seconds / 60)} min ago"


def live_body(session_id: int) -> html.Div:
    with db_session() as session:
        live = load_live(session, session_id, baselines=_baselines(session, session_id))
    f = live.figures
    children = []
    if f.status != "running":
        children.append(
            html.Div(
                ["This class is no longer being recorded. ", dcc.Link("See its report", href=f"/session/{f.id}")],
                className="cm-banner",
            )
        )
    now = datetime.now(UTC)
    if live.last_capture is None:
        children.append(html.Div("Waiting for the first capture…", className="cm-banner"))
        return html.Div(children, id="live-content")
    age = (now - live.last_capture).total_seconds()
    if f.status == "running" and age > max(60.0, 6 * (f.interval_s or 5.0)):
        children.append(
            html.Div(
                f"No capture for {_ago(age).replace(' ago', '')}: is the bot still running, and is the meeting "
                "window visible?",
                className="cm-banner",
            )
        )
    shares, mood_now = _last_minute(live.series)
    children.append(_kpis(live, mood_now, age))
    children.append(
        card(
            graph(
                figures.emotion_bar_figure(shares, height=56),
                id="live-now-bar",
                config={"displayModeBar": False, "staticPlot": False},
            ),
            title="Expressions in the last minute",
            help="Share of the visible faces showing each expression.",
        )
    )
    children.append(_mood_card(live))
    children.append(_people_cards(live))
    return html.Div(children, id="live-content")


def _last_minute(series) -> tuple[dict[str, float], float | None]:
    """Share of each expression and the mean mood over the last NOW_MINUTES."""
    k = series.window(NOW_MINUTES)
    labels = series.labels[:, -k:].sum(axis=1)
    total = labels.sum()
    shares = {e: float(labels[i] / total) for i, e in enumerate(EMOTIONS)} if total else {}
    n = series.valence_n[-k:].sum()
    mood_now = float(series.valence_sum[-k:].sum() / n) if n else None
    return shares, mood_now


def _kpis(live, mood_now: float | None, age: float) -> html.Div:
    present = len(live.present_now)
    cameras = present - len(live.camera_off_now)
    flagged = len({flag.participant_id for flag in live.flags_now})
    return html.Div(
        [
            kpi("Mood now", fmt.mood(mood_now), f"{fmt.mood_words(mood_now)}, last minute", title=MOOD_HELP),
            kpi("Students present", str(present), "at the last capture"),
            kpi("Cameras on", f"{cameras} of {present}" if present else "-", "at the last capture"),
            kpi("Needs attention now", str(flagged), "students"),
            kpi("Last capture", fmt.clock_seconds(live.last_capture), _ago(age)),
        ],
        className="cm-kpis",
    )


def _mood_card(live) -> html.Div:
    minutes = round((live.grid.bucket_start(live.grid.n_buckets) - live.window_start).total_seconds() / 60)
    return card(
        graph(figures.class_mood_figure(live.series, height=330, smooth_minutes=1.0), id="live-mood-graph"),
        title="Class mood, last " + ("minute" if minutes <= 1 else f"{minutes} minutes"),
        help="Coloured bands: share of faces showing each expression. Dark line: average mood over 1 minute. "
        + MOOD_HELP,
    )


def _people_cards(live) -> html.Div:
    """Who needs attention right now, and who is in class (camera off marked)."""
    f = live.figures
    names = []
    off = set(live.camera_off_now)
    for name in live.present_now:
        names.append(html.Li([name, html.Span("  camera off", className="cm-help") if name in off else None]))
    return html.Div(
        [
            card(
                flags_list(live.flags_now, f.started_at, session_id=f.id, empty="Nobody, right now."),
                title="Needs attention right now",
                help="Still going on at the last capture: mood well below their usual, camera off, or away.",
                id="live-flags-card",
            ),
            card(
                html.Ul(names, className="cm-names") if names else html.P("Nobody.", className="cm-empty"),
                title=f"In class now ({len(live.present_now)})",
                id="live-present-card",
            ),
        ],
        className="cm-grid-2",
    )


def layout(session: str | None = None, **_ignored) -> html.Div:
    user = viewer()
    requested = parse_id(session)
    with db_session() as db:
        running = running_sessions(db, user)
        if requested is not None:
            if not can_see_session(db, user, requested):
                return not_found("No such class, or it belongs to a course you do not have access to.")
            sid = requested
        elif len(running) == 1:
            sid = running[0][0]
        elif running:
            return html.Div(
                [
                    html.H1("Live classes"),
                    html.P("Several classes are being recorded now. Pick one:", className="cm-sub"),
                    card(
                        html.Ul(
                            [
                                html.Li(dcc.Link(f"{name}, since {fmt.clock(started)}", href=f"/live?session={i}"))
                                for i, name, started in running
                            ],
                            className="cm-list",
                        )
                    ),
                ]
            )
        else:
            return html.Div(
                [
                    html.H1("Live class"),
                    html.P(
                        "No class is being recorded right now. Start the bot before class with "
                        'classmood bot start --course "Your course"; this page then follows it as it happens.',
                        className="cm-sub",
                    ),
                    dcc.Link("See past classes", href="/"),
                ]
            )
        f = queries.session_figures(db, [sid])[sid]
    heading = f"{f.course} · live since {fmt.clock(f.started_at)}" if f.status == "running" else f.course
    return html.Div(
        [
            dcc.Store(id="live-session", data=sid),
            dcc.Interval(id="live-tick", interval=REFRESH_MS, n_intervals=0),
            html.Div(
                [
                    html.H1(heading, id="live-title"),
                    html.P(f"Updates every {REFRESH_MS // 1000} seconds.", className="cm-sub"),
                ]
            ),
            html.Div(live_body(sid), id="live-body"),
        ]
    )


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path="/live", name="Live", title="Live class · ClassMood", layout=layout)

    @app.callback(
        Output("live-body", "children"),
        Input("live-tick", "n_intervals"),
        State("live-session", "data"),
        prevent_initial_call=True,
    )
    def refresh(_n, session_id):
        with db_session() as session:
            sid = check_session(session, session_id)
        return live_body(sid)
