"""Every session-state key the pages use, with typed accessors.

What a browser session looks at (its app, its last fire, its held key) lives in that session
and in its URL (``?app=<id>``), never in a global row of the database: two people on one
console never change each other's view, and a link shows a teammate the same app.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

APP = "app"  # the selected app's id (also ?app= in the URL)
LAST_FIRE = "last_fire"  # the id of the fire this session made last
LAST_KEY = "last_key"  # the plain key of that fire: held only in this session's memory
PREVIEW_KEY = "preview_key"
SCOPES_CHANGED = "scopes_changed"  # the app id whose scopes this session changed
SIDEBAR_APP = "sidebar_app"
AUTH_ISSUES = "auth_form_issues"


def query_app() -> int | None:
    """The app id in the URL, when it is a number."""
    raw = st.query_params.get(APP, "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def selected_app() -> int | None:
    value = st.session_state.get(APP)
    return value if isinstance(value, int) else None


def select_app(app_ref: int | None) -> None:
    """Show this app in this session (and in its URL)."""
    if app_ref is None:
        st.session_state.pop(APP, None)
        st.query_params.pop(APP, None)
    else:
        st.session_state[APP] = app_ref
        st.query_params[APP] = str(app_ref)


def app_link_params(app_ref: int | None) -> dict[str, str]:
    """Query params that keep the app when following a link to another page."""
    return {} if app_ref is None else {APP: str(app_ref)}


def last_fire() -> int | None:
    value = st.session_state.get(LAST_FIRE)
    return value if isinstance(value, int) else None


def held_key() -> str:
    return str(st.session_state.get(LAST_KEY, ""))


def remember_fire(fire_id: int, key: str) -> None:
    st.session_state[LAST_FIRE] = fire_id
    st.session_state[LAST_KEY] = key


def preview_key(factory: Any) -> str:
    return str(st.session_state.setdefault(PREVIEW_KEY, factory()))


def mark_scopes_changed(app_ref: int) -> None:
    st.session_state[SCOPES_CHANGED] = app_ref


def scopes_changed(app_ref: int) -> bool:
    return st.session_state.get(SCOPES_CHANGED) == app_ref


def auth_issues() -> list[Any]:
    return list(st.session_state.get(AUTH_ISSUES, []))


def set_auth_issues(issues: list[Any]) -> None:
    st.session_state[AUTH_ISSUES] = issues


def clear_auth_issues() -> None:
    st.session_state.pop(AUTH_ISSUES, None)


TEAM_SESSION = "team_session"  # this browser session's sign-in (the database holds its hash)
ACTOR = "actor"  # who is signed in: refreshed from the database on every run by the gate


def actor() -> str:
    """Who this browser session is: the signed-in person, or 'local' when the console has no gate."""
    value = st.session_state.get(ACTOR)
    return value if isinstance(value, str) and value else "local"


def set_actor(name: str | None) -> None:
    if name:
        st.session_state[ACTOR] = name
    else:
        st.session_state.pop(ACTOR, None)


def team_session() -> str:
    value = st.session_state.get(TEAM_SESSION)
    return value if isinstance(value, str) else ""


def hold_team_session(token: str) -> None:
    st.session_state[TEAM_SESSION] = token


def forget_team_session() -> None:
    st.session_state.pop(TEAM_SESSION, None)
    st.session_state.pop(ACTOR, None)
