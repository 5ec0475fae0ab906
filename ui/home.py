"""Home's app management forms and the About view (settings a stakeholder need not see up front)."""

from __future__ import annotations

import streamlit as st

from console import __version__, service
from console.config import console_mode
from console.profile import KINDS, AppProfile
from console.service import apps
from console.service.merge import StaleSave
from console.store import AppRecord, Store
from ui import stale, state
from ui.text import md


def render_edit_profile(store: Store, app: AppRecord) -> None:
    based_on = stale.opened("profile", app)  # the revision the form was shown at, in the run before

    def keep_mine(values: object, revision: int) -> None:
        if isinstance(values, dict):
            apps.update_profile(store, app.id, AppProfile(**values), actor=state.actor(), based_on=revision)

    stale.render("profile", app, lambda: None)
    with st.form(f"edit_app_{app.id}"):
        name = st.text_input("Name", value=app.name)
        app_id = st.text_input("App ID", value=app.app_id)
        version = st.text_input("Version", value=app.version)
        kind = st.radio("Kind", KINDS, index=KINDS.index(app.kind), horizontal=True,
                        format_func=lambda k: f"{k} app")
        if st.form_submit_button("Save profile"):
            try:
                apps.update_profile(store, app.id, AppProfile(name, app_id, version, kind),
                                    actor=state.actor(), based_on=based_on)
            except StaleSave as exc:  # the same field changed by another since: shown with the choice
                stale.refuse("profile", app.id, exc, keep_mine)
                st.rerun()
            except service.ServiceError as exc:
                st.error(f"Not saved: {md(exc)}")
            else:
                stale.forget("profile", app.id)
                state.notify("Profile saved.")
                st.rerun()
    stale.saved("profile", app)  # the form shows the profile at this revision


def render_delete(store: Store, app: AppRecord) -> None:
    st.text(f"Deleting '{app.name}' removes its App JSON, scopes and fire history. This cannot be undone.")
    sure = st.checkbox("Yes, delete this app", key=f"confirm_delete_{app.id}")
    if st.button("Delete app", disabled=not sure, type="primary"):
        try:
            apps.delete_app(store, app.id, actor=state.actor())
        except service.ServiceError as exc:
            st.error(str(exc))
            return
        state.select_app(None)
        state.notify(f"Deleted the app '{app.name}' and its history.")
        st.rerun()


def render_about(store: Store) -> None:
    with st.expander("About and settings"):
        st.text(f"App Key Console {__version__}\n"
                f"Mode: {console_mode()}\n"
                f"Database: {apps.database_label(store)}")
        st.caption("Settings come from environment variables (CONSOLE_DATABASE_URL, CONSOLE_MODE, …): see the README.")
