"""page_setup(): the frame every page shares (config, sidebar app switcher, the session's app)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from console import service
from console.config import console_mode
from console.store import AppRecord, Store
from ui import gate, state
from ui.resources import get_store

PAGES = {1: "pages/1_Scopes.py", 2: "pages/2_Auth_section.py", 3: "pages/3_Test_fire.py",
         4: "pages/4_Checklist.py", 5: "pages/5_History.py", 8: "pages/8_Activity.py"}


@dataclass(frozen=True)
class Page:
    store: Store
    app: AppRecord | None


def _resolve_app(store: Store) -> AppRecord | None:
    """This session's app: ?app= in the URL, else the one it showed last, else the first app."""
    for wanted in (state.query_app(), state.selected_app()):
        if wanted is not None:
            app = service.get_app(store, wanted)
            if app is not None:
                return app
    apps = service.list_apps(store)
    return service.get_app(store, apps[0].id) if apps else None


def _switch() -> None:
    state.select_app(st.session_state[state.SIDEBAR_APP])


def page_setup(title: str) -> Page:
    """Set up the page; returns the store and this session's app (None when there is none)."""
    st.set_page_config(page_title=f"{title} · App Key Console", page_icon="🔑", layout="wide")
    store = get_store()
    gate.guard(store)  # before anything is shown or done: the access gate (team mode)
    if state.query_app() is not None and service.get_app(store, state.query_app() or 0) is None:
        st.warning(f"There is no app #{state.query_app()} (it may have been deleted); showing another one.")
    app = _resolve_app(store)
    state.select_app(None if app is None else app.id)
    apps = service.list_apps(store)
    with st.sidebar:
        st.markdown("### 🔑 App Key Console")
        if apps and app is not None:
            ids = [a.id for a in apps]
            names = {a.id: f"{a.name} ({a.kind} app · ID {a.app_id})" for a in apps}
            st.session_state[state.SIDEBAR_APP] = app.id
            st.selectbox("App being configured", ids, format_func=names.__getitem__, key=state.SIDEBAR_APP,
                         on_change=_switch)
        else:
            st.caption("No app yet: create one on the Home page.")
        st.caption(f"Mode: **{console_mode()}**")
    return Page(store, app)


def page_link(number: int, label: str, app: AppRecord | None, icon: str = "➡️") -> None:
    """A link to step ``number`` that keeps the app."""
    st.page_link(PAGES[number], label=label, icon=icon,
                 query_params=state.app_link_params(None if app is None else app.id))


def require_app(page: Page) -> AppRecord:
    """Stop the page with a pointer to Home when no app exists yet."""
    if page.app is None:
        st.info("Create an app or load the demo app on the Home page first.")
        st.page_link("Home.py", label="Go to Home", icon="🏠")
        st.stop()
    assert page.app is not None
    return page.app
