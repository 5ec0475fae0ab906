"""Step 3: build the actions, see them as installers will in the Flow Builder, rehearse each request as ManyChat
sends it."""

import streamlit as st

from console import service
from console.service import actions as action_service
from console.service import readiness
from ui import page_setup, require_app, state
from ui.frame import page_url
from ui.render_actions import render_action_list, render_add, render_sources
from ui.render_fire import render_checklist
from ui.render_rehearsal import (
    render_history,
    render_preview,
    render_rehearse,
    render_result,
    render_sources_rehearsal,
    render_target,
)
from ui.resources import address_policy, sample_endpoint
from ui.sample_values import render_sample_values
from ui.versions_view import render_undo

page = page_setup("Actions")
app = require_app(page)
store = page.store
st.title("3 · Actions")
st.caption("What your app does in a flow: each action is a form the installer fills in the Flow Builder and a "
           "request ManyChat sends. Every change is a version (Undo brings back the one before).")
render_undo(store, app)
report = readiness.validate_app(app)
issues = list(report.issues)
sample = sample_endpoint()
rehearsals = action_service.recent_rehearsals(store, app.id)

left, right = st.columns([1, 1], gap="large")
with left:
    render_add(store, app)
    render_action_list(store, app, issues)
    with st.expander("Sources (dropdown data for form fields)"):
        render_sources(store, app, issues)
with right:
    preview_tab, rehearse_tab, history_tab = st.tabs(["Flow Builder preview", "Rehearse", "Rehearsals"])
    with preview_tab:
        st.caption("What an installer sees for each action. Dropdowns come from a static source or from the "
                   "newest rehearsal of an rpc source.")
        render_preview(app, rehearsals)
    with rehearse_tab:
        render_target(store, app)
        with st.expander("Installer values"):
            render_sample_values(store, app)
        render_rehearse(store, app, sample.base_url, address_policy(), rehearsals)
        render_sources_rehearsal(store, app, sample.base_url, address_policy())
        last = st.session_state.get(f"last_rehearsal_{app.id}")
        shown = action_service.stored_rehearsal(store, int(last)) if last else None
        if shown is not None and shown.fire.app_ref == app.id:
            render_result(store, app, shown)
    with history_tab:
        render_history(store, app, rehearsals, sample.base_url, address_policy())

st.subheader("Review criteria for actions", anchor=False)
settings = service.settings_of(app)
target = settings.checklist_kind
st.caption(f"Decided from the rehearsals stored at the Checklist's target ({target}) with today's App JSON.")
if st.button("Rehearse every action and rpc source", icon=":material/playlist_play:", key=f"rehearse_all_{app.id}"):
    with st.spinner("Rehearsing …"):
        action_service.rehearse_all(store, app.id, sample.base_url, address_policy(), target=target,
                                    actor=state.actor())
    st.rerun()
render_checklist(action_service.action_checklist(store, app, target, settings.for_listing),
                 lambda fire_id: page_url(6, app, fire=fire_id))
