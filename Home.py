"""Home: the app being configured, progress through the four steps, and app management."""

import streamlit as st

from console import service
from console.profile import KINDS, AppProfile
from ui import page_link, page_setup, state

page = page_setup("Home")
store, app = page.store, page.app

st.title("🔑 App Key Console")
st.write("Take your ManyChat app from *which endpoints do I need?* to *my install endpoint provably receives "
         "the App Key, and my app is ready for the App Store*.")

if st.button("Load the demo app", icon="🎁", help="An example app that fires at the built-in sample endpoint"):
    demo = service.create_demo_app(store, actor=state.actor())
    state.select_app(demo.id)
    st.rerun()

if app is not None:
    st.header(app.name, anchor=False)
    st.caption(f"App ID `{app.app_id}` · version {app.version} · {'public' if app.kind == 'public' else 'dev'} app")
    columns = st.columns(4)
    for column, step in zip(columns, service.progress(store, app), strict=True):
        with column.container(border=True):
            st.markdown(f"{'✅' if step.done else '⬜'} **{step.number}. {step.title}**")
            st.text(step.status)
            page_link(step.number, f"Open step {step.number}", app)
else:
    st.info("No app yet. Create one below, or load the demo app to see a working example in a minute.")

st.divider()
create_tab, edit_tab, delete_tab = st.tabs(["Create an app", "Rename / edit profile", "Delete"])
with create_tab, st.form("create_app"):
    name = st.text_input("Name", placeholder="My ManyChat app")
    app_id = st.text_input("App ID", placeholder="e.g. 1234567", help="The ID ManyChat shows for your app")
    version = st.text_input("Version", value="1.0")
    kind = st.radio("Kind", KINDS, horizontal=True, format_func=lambda k: f"{k} app")
    if st.form_submit_button("Create app", type="primary"):
        try:
            created = service.create_app(store, AppProfile(name, app_id, version, kind), actor=state.actor())
        except service.ServiceError as exc:
            st.error(f"Not created: {exc}")
        else:
            state.select_app(created.id)
            st.rerun()

if app is not None:
    with edit_tab, st.form(f"edit_app_{app.id}"):
        name = st.text_input("Name", value=app.name)
        app_id = st.text_input("App ID", value=app.app_id)
        version = st.text_input("Version", value=app.version)
        kind = st.radio("Kind", KINDS, index=KINDS.index(app.kind), horizontal=True)
        if st.form_submit_button("Save profile"):
            try:
                service.update_profile(store, app.id, AppProfile(name, app_id, version, kind),
                                       actor=state.actor())
            except service.ServiceError as exc:
                st.error(f"Not saved: {exc}")
            else:
                st.toast("Profile saved")
                st.rerun()
    with delete_tab:
        st.write(f"Deleting **{app.name}** removes its auth section, scopes and fire history.")
        sure = st.checkbox(f"Yes, delete {app.name}", key=f"confirm_delete_{app.id}")
        if st.button("Delete app", disabled=not sure, type="primary"):
            service.delete_app(store, app.id, actor=state.actor())
            state.select_app(None)
            st.rerun()
else:
    edit_tab.caption("Create an app first.")
    delete_tab.caption("Nothing to delete.")

with st.expander("What each step does"):
    st.markdown(
        "1. **Scopes**: pick the Public API endpoints your App Key may call; see what installers are told.\n"
        "2. **Auth section**: build and validate the App JSON `auth` section; import and export App JSON.\n"
        "3. **Test fire**: send the install request exactly as ManyChat would and read why it failed.\n"
        "4. **Checklist**: conformance runs, the readiness checklist and a report for your App Store listing.\n"
        "5. **History**: every fire, filtered, charted and inspectable.\n"
        "6. **Activity**: who changed what and when in the app, with links to the evidence."
    )
