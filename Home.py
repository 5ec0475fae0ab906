"""Home: the app being configured, progress through the five steps, and app management."""

import streamlit as st

from console import service
from console.profile import KINDS, AppProfile
from console.service import apps, readiness
from ui import page_link, page_setup, state
from ui.home import render_about, render_delete, render_edit_profile
from ui.refusal import attempt
from ui.review_view import render_review_state
from ui.text import md

page = page_setup("Home")
store, app = page.store, page.app

st.title(":material/key: App Key Console")
st.write("Take your ManyChat app from *which endpoints do I need?* to *my install endpoint provably receives "
         "the App Key, and my app is ready for the App Store*.")
state.show_notice()

if st.button("Load the demo app", icon=":material/redeem:",
             help="An example app that fires at the built-in sample endpoint"):
    opened = attempt(apps.open_demo_app, store, actor=state.actor())
    if opened is not None:
        demo, new_demo = opened
        state.select_app(demo.id)
        state.notify(f"Loaded the demo app '{demo.name}': it installs at the built-in sample endpoint (https), "
                     "with 30 days of history. Press Run conformance on the Checklist to see it ready for a listing."
                     if new_demo else f"Opened the demo app '{demo.name}' (it was loaded already).")
        st.rerun()

if app is not None:
    st.header(md(app.name), anchor=False)
    st.text(f"App ID {app.app_id} · version {app.version} · {app.kind} app")
    render_review_state(store, app)
    columns = st.columns(5)
    for column, step in zip(columns, readiness.progress(store, app, state.listing_mode()), strict=True):
        with column.container(border=True):
            mark = (":green[:material/check_circle: done]" if step.done
                    else ":gray[:material/radio_button_unchecked: to do]")
            st.markdown(f"{mark} **{step.number}. {step.title}**")
            st.text(step.status)
            page_link(step.number, f"Open step {step.number}", app)
    latest = readiness.signoffs_for_app(store, app)[:1]
    if latest and latest[0].record.decision == "changes_requested":  # the decision in force: say it here too
        request = latest[0].record
        st.warning(f"Changes requested by {md(request.actor)} on {request.at:%Y-%m-%d %H:%M} UTC "
                   "(the latest decision): see the Checklist.", icon=":material/pan_tool:")
        st.text(request.comment)  # a person's free text: shown as written, never as Markdown
else:
    st.info("No app yet. Create one below, or load the demo app to see a working example in a minute.")

st.divider()
create_tab, edit_tab, delete_tab = st.tabs(["Create an app", "Rename / edit profile", "Delete"], key="home_tabs",
                                           on_change="rerun")  # the open tab is kept across reruns
with create_tab, st.form(f"create_app_{state.form_generation('create')}"):
    name = st.text_input("Name", placeholder="My ManyChat app")
    app_id = st.text_input("App ID", placeholder="e.g. 1234567", help="The ID ManyChat shows for your app")
    version = st.text_input("Version", value="1.0")
    kind = st.radio("Kind", KINDS, horizontal=True, format_func=lambda k: f"{k} app")
    if st.form_submit_button("Create app", type="primary"):
        try:
            created = apps.create_app(store, AppProfile(name, app_id, version, kind), actor=state.actor())
        except service.ServiceError as exc:
            st.error(f"Not created: {md(exc)}")
        else:
            state.select_app(created.id)
            state.next_form_generation("create")  # an empty form: pressing Create again makes no twin
            state.notify(f"Created the app '{created.name}'.")
            st.rerun()

if app is not None:
    with edit_tab:
        render_edit_profile(store, app)
    with delete_tab:
        render_delete(store, app)
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
        "6. **Sandbox**: a local ManyChat API: install the app on a page, re-key, call with the App Key.\n"
        "7. **Burst**: rehearse re-keying every installation at once, with p50/p95/p99 and failures.\n"
        "8. **Activity**: who changed what and when in the app, with links to the evidence."
    )
render_about(store)
