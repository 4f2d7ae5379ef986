"""Admin: users (instructors and admins) and which instructor each course belongs to."""

from __future__ import annotations

import dash
from dash import Input, Output, State, ctx, dcc, html

from analytics import auth
from analytics.errors import AnalyticsError
from analytics.report import fmt
from analytics.report.common import (
    admins_only,
    card,
    context,
    data_grid,
    db_session,
    grid_rows,
    parse_id,
    require_admin,
    viewer,
)
from analytics.report_data import courses_per_owner, list_courses, set_course_owner

USER_COLUMNS = [
    {"field": "username", "headerName": "Username", "flex": 2},
    {"field": "role", "headerName": "Role", "flex": 1},
    {"field": "courses", "headerName": "Courses", "type": "numericColumn", "flex": 1},
    {"field": "created", "headerName": "Added", "flex": 2},
]
COURSE_COLUMNS = [
    {"field": "name", "headerName": "Course", "flex": 2},
    {"field": "owner", "headerName": "Instructor", "flex": 2},
]


def _users_data():
    users = auth.list_users(context().db)
    with db_session() as session:
        counts = courses_per_owner(session)
        courses = list_courses(session, viewer())
    rows = [
        {
            "id": u.id,
            "username": u.username,
            "role": u.role,
            "courses": counts.get(u.id, 0),
            "created": fmt.day_short(u.created_at),
        }
        for u in users
    ]
    user_options = [{"label": f"{u.username} ({u.role})", "value": u.username} for u in users]
    owner_options = [{"label": "Nobody (admins only)", "value": 0}] + [
        {"label": f"{u.username} ({u.role})", "value": u.id} for u in users
    ]
    course_rows = [{"id": c.id, "name": c.name, "owner": c.owner or "nobody (admins only)"} for c in courses]
    course_options = [{"label": c.name + (f" ({c.owner})" if c.owner else ""), "value": c.id} for c in courses]
    return rows, user_options, owner_options, course_rows, course_options


def _grid(id: str, rows, columns):
    return data_grid(id, rows, columns, max_auto_rows=12)


def _field(label: str, component) -> html.Div:
    return html.Div([html.Div(label, className="flabel"), component])


def _role_choice(id: str) -> dcc.RadioItems:
    return dcc.RadioItems(
        id=id,
        value="instructor",
        inline=True,
        options=[{"label": "Instructor", "value": "instructor"}, {"label": "Admin", "value": "admin"}],
    )


def layout(**_ignored) -> html.Div:
    user = viewer()
    if not user.is_admin:
        return admins_only()
    rows, user_options, owner_options, course_rows, course_options = _users_data()
    return html.Div(
        [
            html.H1("Users and courses"),
            html.P(
                "Instructors see only the courses they own; admins see everything. Passwords need at least "
                f"{auth.MIN_PASSWORD_LENGTH} characters.",
                className="cm-sub",
            ),
            html.Div(id="users-message", className="cm-message", role="status"),
            html.Div(
                [
                    card(_grid("users-table", rows, USER_COLUMNS), title="Users"),
                    card(_grid("courses-table", course_rows, COURSE_COLUMNS), title="Courses"),
                ],
                className="cm-grid-2",
            ),
            _add_user_card(),
            _change_user_card(user_options),
            _course_owner_card(course_options, owner_options),
        ]
    )


def _add_user_card() -> html.Div:
    return card(
        html.Div(
            [
                _field(
                    "Username",
                    dcc.Input(id="new-username", type="text", autoComplete="off", className="cm-input"),
                ),
                _field(
                    "Password",
                    dcc.Input(id="new-password", type="password", autoComplete="new-password", className="cm-input"),
                ),
                _field("Role", _role_choice("new-role")),
                html.Button("Add user", id="add-user", className="cm-button primary", n_clicks=0),
            ],
            className="cm-form-row",
        ),
        title="Add a user",
    )


def _change_user_card(user_options) -> html.Div:
    return card(
        html.Div(
            [
                _field(
                    "User",
                    dcc.Dropdown(
                        id="edit-user",
                        options=user_options,
                        style={"minWidth": "220px"},
                        placeholder="Pick a user",
                    ),
                ),
                _field("Role", _role_choice("edit-role")),
                html.Button("Save role", id="save-role", className="cm-button", n_clicks=0),
                _field(
                    "New password",
                    dcc.Input(id="edit-password", type="password", autoComplete="new-password", className="cm-input"),
                ),
                html.Button("Set password", id="save-password", className="cm-button", n_clicks=0),
                dcc.ConfirmDialogProvider(
                    html.Button("Remove user", className="cm-button danger"),
                    id="remove-user",
                    message="Remove this user? Their courses stay, with no instructor.",
                ),
            ],
            className="cm-form-row",
        ),
        title="Change a user",
    )


def _course_owner_card(course_options, owner_options) -> html.Div:
    return card(
        html.Div(
            [
                _field(
                    "Course",
                    dcc.Dropdown(
                        id="owner-course",
                        options=course_options,
                        style={"minWidth": "240px"},
                        placeholder="Pick a course",
                    ),
                ),
                _field(
                    "Instructor",
                    dcc.Dropdown(
                        id="owner-user",
                        options=owner_options,
                        style={"minWidth": "220px"},
                        placeholder="Pick a user",
                    ),
                ),
                html.Button("Give course", id="save-owner", className="cm-button", n_clicks=0),
            ],
            className="cm-form-row",
        ),
        title="Who teaches which course",
        help="Courses the bot created without an instructor are visible to admins only until given to one.",
    )


def _act(trigger: str, me, values: dict) -> str:
    """Run one admin action; returns the message to show. Raises ValueError/AnalyticsError for bad input."""
    db = context().db
    if trigger == "add-user":
        created = auth.create_user(db, values["new_username"] or "", values["new_password"] or "", values["new_role"])
        return f"Added {created.username} ({created.role})."
    if trigger in ("save-role", "save-password", "remove-user"):
        username = values["edit_user"]
        if not username:
            raise ValueError("pick a user first")
        if trigger == "save-role":
            if username == me.username and values["edit_role"] != "admin":
                raise ValueError("you cannot take away your own admin role")
            auth.set_role(db, username, values["edit_role"])
            return f"{username} is now {'an admin' if values['edit_role'] == 'admin' else 'an instructor'}."
        if trigger == "save-password":
            auth.set_password(db, username, values["edit_password"] or "")
            return f"Password of {username} changed."
        if username == me.username:
            raise ValueError("you cannot remove yourself")
        auth.remove_user(db, username)
        return f"Removed {username}."
    if trigger == "save-owner":
        course_id = parse_id(values["owner_course"])
        if course_id is None or values["owner_user"] is None:
            raise ValueError("pick a course and an instructor")
        owner = parse_id(values["owner_user"])
        with context().db.transaction() as session:
            set_course_owner(session, course_id, owner)
        return "Course given." if owner else "The course now has no instructor (admins only)."
    raise ValueError("nothing to do")


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path="/admin/users", name="Users", title="Users · ClassMood", layout=layout)

    @app.callback(Output("edit-role", "value"), Input("edit-user", "value"), prevent_initial_call=True)
    def show_role(username):
        require_admin()
        if not username:
            return dash.no_update
        try:
            return auth.get_user(context().db, username).role
        except AnalyticsError:
            return dash.no_update

    @app.callback(
        Output("users-message", "children"),
        Output("users-message", "className"),
        Output("users-table", "rowData"),
        Output("edit-user", "options"),
        Output("owner-user", "options"),
        Output("courses-table", "rowData"),
        Output("owner-course", "options"),
        Output("new-password", "value"),
        Output("edit-password", "value"),
        Input("add-user", "n_clicks"),
        Input("save-role", "n_clicks"),
        Input("save-password", "n_clicks"),
        Input("remove-user", "submit_n_clicks"),
        Input("save-owner", "n_clicks"),
        State("new-username", "value"),
        State("new-password", "value"),
        State("new-role", "value"),
        State("edit-user", "value"),
        State("edit-role", "value"),
        State("edit-password", "value"),
        State("owner-course", "value"),
        State("owner-user", "value"),
        prevent_initial_call=True,
    )
    def act(
        _add,
        _role,
        _password,
        _remove,
        _owner,
        new_username,
        new_password,
        new_role,
        edit_user,
        edit_role,
        edit_password,
        owner_course,
        owner_user,
    ):
        me = require_admin()
        values = {
            "new_username": new_username,
            "new_password": new_password,
            "new_role": new_role,
            "edit_user": edit_user,
            "edit_role": edit_role,
            "edit_password": edit_password,
            "owner_course": owner_course,
            "owner_user": owner_user,
        }
        try:
            message, style = _act(str(ctx.triggered_id), me, values), "cm-message ok"
        except (ValueError, AnalyticsError) as error:
            message, style = f"Not done: {error}.", "cm-message error"
        rows, user_options, owner_options, course_rows, course_options = _users_data()
        return (
            message,
            style,
            grid_rows(rows),
            user_options,
            owner_options,
            grid_rows(course_rows),
            course_options,
            "",
            "",
        )
