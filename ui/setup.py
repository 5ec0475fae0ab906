"""page_setup(): the frame every page shares (config, sidebar app switcher, current app)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.engine import make_url

from console.config import console_mode, database_url
from console.store import AppRecord, Store
from ui.resources import get_store

CURRENT_APP = "current_app"


@dataclass(frozen=True)
class Page:
    store: Store
    app: AppRecord | None


def current_app(store: Store) -> AppRecord | None:
    """The app being configured (kept in the database, so a refresh keeps it)."""
    raw = store.get_setting(CURRENT_APP)
    app = store.get_app(int(raw)) if raw and raw.isdigit() else None
    if app is None:
        apps = store.list_apps()
        app = apps[0] if apps else None
    return app


def select_app(store: Store, app_ref: int | None) -> None:
    store.set_setting(CURRENT_APP, "" if app_ref is None else str(app_ref))


def _switch(store: Store) -> None:
    select_app(store, st.session_state["sidebar_app"])


def page_setup(title: str) -> Page:
    """Set up the page; returns the store and the current app (None when there is none)."""
    st.set_page_config(page_title=f"{title} · App Key Console", page_icon="🔑", layout="wide")
    store = get_store()
    app = current_app(store)
    apps = store.list_apps()
    with st.sidebar:
        st.markdown("### 🔑 App Key Console")
        if apps and app is not None:
            ids = [a.id for a in apps]
            names = {a.id: f"{a.name} ({a.kind})" for a in apps}
            st.session_state["sidebar_app"] = app.id
            st.selectbox("App being configured", ids, format_func=names.__getitem__, key="sidebar_app",
                         on_change=_switch, args=(store,))
        else:
            st.caption("No app yet: create one on the Home page.")
        st.caption(f"Mode: **{console_mode()}** · Database: `{make_url(database_url()).render_as_string()}`")
    return Page(store, app)


def require_app(page: Page) -> AppRecord:
    """Stop the page with a pointer to Home when no app exists yet."""
    if page.app is None:
        st.info("Create an app or load the demo app on the Home page first.")
        st.page_link("Home.py", label="Go to Home", icon="🏠")
        st.stop()
    assert page.app is not None
    return page.app
