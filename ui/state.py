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
SCOPES_CHANGED = "scopes_baseline"  # per app: its scopes when this session first showed them
SIDEBAR_APP = "sidebar_app"
HISTORY_PAGE = "history_page"


def query_app() -> int | None:
    """The app id in the URL, when it is a number."""
    raw = st.query_params.get(APP, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


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


def scopes_baseline(app_ref: int, scopes: tuple[str, ...]) -> tuple[str, ...]:
    """The app's scopes when this session first showed them (so "you changed the scopes" is about this app,
    and goes away when a scope is ticked and unticked again)."""
    baselines = st.session_state.setdefault(SCOPES_CHANGED, {})
    return tuple(baselines.setdefault(app_ref, tuple(sorted(scopes))))


LISTING = "listing"  # this person's mode: judged for an App Store listing or as being built (also ?listing=1)


def listing_mode() -> bool | None:
    """This session's choice of mode (the URL's ?listing=1/0 first); None: not chosen (the app's default)."""
    raw = st.query_params.get(LISTING)
    if raw in ("1", "0"):
        st.session_state[LISTING] = raw == "1"
    value = st.session_state.get(LISTING)
    return value if isinstance(value, bool) else None


def choose_listing_mode(for_listing: bool) -> None:
    """The mode this person looks at apps in (this session and its URL: never stored on the app)."""
    st.session_state[LISTING] = for_listing
    st.query_params[LISTING] = "1" if for_listing else "0"


NOTICE = "notice"  # a confirmation to show once, after the rerun that follows an action


def notify(message: str) -> None:
    """Say ``message`` once on the next run (e.g. after st.rerun())."""
    st.session_state[NOTICE] = message


def show_notice() -> None:
    message = st.session_state.pop(NOTICE, None)
    if message:
        from ui.text import md

        st.success(md(message), icon=":material/check_circle:")  # it may quote an app's name: shown as written


def form_generation(name: str) -> int:
    """A counter in a form's key: a new value gives the form fresh, empty widgets."""
    return int(st.session_state.get(f"form_generation_{name}", 0))


def next_form_generation(name: str) -> None:
    st.session_state[f"form_generation_{name}"] = form_generation(name) + 1


def set_widget(key: str, value: Any) -> None:
    """Put a widget's value before it is drawn (e.g. a checkbox that mirrors the database)."""
    st.session_state[key] = value


def widget_value(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def history_page() -> int:
    value = st.session_state.get(HISTORY_PAGE, 1)
    return value if isinstance(value, int) and value >= 1 else 1


def pending_import(app_ref: int) -> Any:
    """The import preview waiting for confirmation in this session (console.service.ImportPreview)."""
    return st.session_state.get(f"pending_import_{app_ref}")


def set_pending_import(app_ref: int, preview: Any) -> None:
    st.session_state[f"pending_import_{app_ref}"] = preview


def clear_pending_import(app_ref: int) -> None:
    st.session_state.pop(f"pending_import_{app_ref}", None)


def undo_cursor(app_ref: int) -> tuple[int, int] | None:
    """(the version an undo brought back, the version that undo saved): the next undo steps back from there."""
    value = st.session_state.get(f"undo_cursor_{app_ref}")
    return value if isinstance(value, tuple) else None


def set_undo_cursor(app_ref: int, restored: int, saved: int) -> None:
    st.session_state[f"undo_cursor_{app_ref}"] = (restored, saved)


def clear_undo_cursor(app_ref: int) -> None:
    st.session_state.pop(f"undo_cursor_{app_ref}", None)


# ---- sandbox: App Keys of installations made in this browser session (memory only, never stored)
SANDBOX_KEYS = "sandbox_keys"  # installation id -> the plain key this session received
SANDBOX_SHOW_ONCE = "sandbox_show_once"  # (installation id, key) to show once for manual copy
SANDBOX_LAST = "sandbox_last"  # the installation this session acted on last


def hold_sandbox_key(installation_id: int, key: str, show_once: bool = False) -> None:
    st.session_state.setdefault(SANDBOX_KEYS, {})[installation_id] = key
    st.session_state[SANDBOX_LAST] = installation_id
    if show_once:
        st.session_state[SANDBOX_SHOW_ONCE] = (installation_id, key)


def sandbox_keys() -> dict[int, str]:
    return dict(st.session_state.get(SANDBOX_KEYS, {}))


def take_show_once() -> tuple[int, str] | None:
    """The key to show once (then it is gone from the screen; the session still holds it masked)."""
    value = st.session_state.pop(SANDBOX_SHOW_ONCE, None)
    return value if isinstance(value, tuple) else None


def last_sandbox_installation() -> int | None:
    value = st.session_state.get(SANDBOX_LAST)
    return value if isinstance(value, int) else None


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


SESSION_ENDED = "gate_session_ended"  # a callback found the session over: the next run says so


def mark_session_ended() -> None:
    st.session_state[SESSION_ENDED] = True


def take_session_ended() -> bool:
    return bool(st.session_state.pop(SESSION_ENDED, False))


def forget_all_but_gate(keep: str) -> None:
    """Drop every session-state entry (held keys, selections, widgets' values and clicks) whose key does
    not contain ``keep`` (the sign-in form's own fields and its submit button)."""
    for key in list(st.session_state.keys()):
        if keep not in str(key):
            del st.session_state[key]


def report_times(app_ref: int) -> dict[str, str]:
    """The "Generated" time of each report content this session downloaded for the app (one report, one time)."""
    times: dict[str, str] = st.session_state.setdefault(f"report_times_{app_ref}", {})
    return times
