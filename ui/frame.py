"""page_setup(): the frame every page shares (config, sidebar app switcher, the session's app)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import streamlit as st

from console import service
from console.config import ConfigError, console_mode
from console.service import apps as apps_service
from console.store import AppRecord, Store
from ui import atomic_callbacks, first_click, gate, heap, review_view, state
from ui.resources import get_store
from ui.text import md

ROOT = Path(__file__).resolve().parent.parent
STEPS = 5  # pages 1-5 are the steps of the journey; the others are tools
ICONS = {1: ":material/tune:", 2: ":material/extension:", 3: ":material/bolt:", 4: ":material/rocket_launch:",
         5: ":material/checklist:", 6: ":material/history:", 7: ":material/science:", 8: ":material/speed:",
         9: ":material/group:", 10: ":material/code:", 11: ":material/admin_panel_settings:"}


@cache
def pages() -> dict[int, tuple[str, str]]:
    """Every page by its number: (path, label), every label numbered as in the README (``5 · History``)."""
    found: dict[int, tuple[str, str]] = {}
    for path in sorted((ROOT / "pages").glob("*.py")):
        match = re.match(r"^(\d+)_(.+)$", path.stem)
        if match:
            number, title = int(match.group(1)), match.group(2).replace("_", " ")
            found[number] = (f"pages/{path.name}", f"{number} · {title}")
    return dict(sorted(found.items()))


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
    apps = apps_service.list_apps(store)
    return service.get_app(store, apps[0].id) if apps else None


def _switch() -> None:
    state.select_app(state.widget_value(state.SIDEBAR_APP))


def page_setup(title: str) -> Page:
    """Set up the page; returns the store and this session's app (None when there is none)."""
    st.set_page_config(page_title=f"{title} · App Key Console", page_icon=":material/key:", layout="wide")
    first_click.install()  # once per process: a page link clicked while typing opens the page
    atomic_callbacks.install()  # and what was typed is saved: a callback is never stopped half-way
    heap.freeze_once(title)  # the collection after each run skips the libraries' objects (ui/heap.py)
    try:
        mode = console_mode()
    except ConfigError as exc:
        st.error("**The console cannot start with this configuration.**", icon=":material/error:")
        st.text(str(exc))
        st.stop()
    store = get_store()
    gate.guard(store)  # before anything is shown or done: the access gate (team mode)
    if state.query_app() is not None and service.get_app(store, state.query_app() or 0) is None:
        st.warning(f"There is no app #{state.query_app()} (it may have been deleted); showing another one.")
    app = _resolve_app(store)
    state.select_app(None if app is None else app.id)
    review_view.render_role_banner(store, app)
    apps = apps_service.list_apps(store)
    with st.sidebar:
        st.markdown("### :material/key: App Key Console")
        if apps and app is not None:
            ids = [a.id for a in apps]
            names = {a.id: f"{a.name} · ID {a.app_id}" for a in apps}  # short enough not to be cut
            state.set_widget(state.SIDEBAR_APP, app.id)
            st.selectbox("App being configured", ids, format_func=names.__getitem__, key=state.SIDEBAR_APP,
                         on_change=_switch)
            st.caption(md(f"{app.kind} app · ID {app.app_id}"))  # the whole ID, whatever the sidebar's width
        else:
            st.caption("No app yet: create one on the Home page.")
        keep = state.app_link_params(None if app is None else app.id)
        st.page_link("Home.py", label="Home", icon=":material/home:", query_params=keep)
        for number, (path, label) in pages().items():
            st.page_link(path, label=label, icon=ICONS.get(number, ":material/build:"), query_params=keep)
        st.caption(f"Mode: {mode}")
    return Page(store, app)


def page_link(number: int, label: str, app: AppRecord | None, icon: str = ":material/arrow_forward:") -> None:
    """A link to page ``number`` that keeps the app."""
    st.page_link(pages()[number][0], label=label, icon=icon,
                 query_params=state.app_link_params(None if app is None else app.id))


def page_url(number: int, app: AppRecord | None, **params: str) -> str:
    """A relative link to page ``number`` (for Markdown links and evidence), keeping the app."""
    name = re.sub(r"^\d+_", "", Path(pages()[number][0]).stem)
    query = {**state.app_link_params(None if app is None else app.id), **params}
    return name + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def require_app(page: Page) -> AppRecord:
    """Stop the page with a pointer to Home when no app exists yet."""
    if page.app is None:
        st.info("Create an app or load the demo app on the Home page first.")
        st.page_link("Home.py", label="Go to Home", icon=":material/home:")
        st.stop()
    assert page.app is not None
    return page.app
