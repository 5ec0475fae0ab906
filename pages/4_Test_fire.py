"""Step 4: fire the install request exactly as ManyChat would, and read why it failed."""

import streamlit as st

from console import keys, service
from console.service import apps, firing, history, team
from console.service.merge import StaleSave
from ui import page_link, page_setup, require_app, stale, state
from ui.refusal import attempt
from ui.render_fire import render_fire_tabs, render_recent, render_verdict, scroll_into_view
from ui.render_inspector import render_inspector
from ui.render_test_fire import render_target
from ui.resources import address_policy, sample_endpoint
from ui.sample_values import render_sample_values

page = page_setup("Test fire")
app = require_app(page)
store = page.store
settings = service.settings_of(app)
st.title("4 · Test fire")
st.caption("Sends the install request from your auth section with a fresh App Key, as ManyChat does right after "
           "installation. ManyChat counts only **200 OK** as success.")
sample = sample_endpoint()

left, right = st.columns([2, 3], gap="large")
with left:
    render_target(store, app)
    url = service.fired_url(app, sample.base_url)
    st.text(f"Fires at {url}" if url else "No URL to fire at yet.")
    with st.expander("Installer values and timeouts"):
        render_sample_values(store, app)
        t1, t2 = st.columns(2)
        connect = t1.number_input("Connect timeout (s)", 0.5, 60.0, settings.connect_timeout)
        total = t2.number_input("Total deadline (s)", 1.0, 120.0, settings.total_timeout)
        if st.button("Save timeouts"):
            try:  # based on the timeouts shown in the run before: a timeout changed since by another is refused
                saved = attempt(apps.save_settings, store, app.id, actor=state.actor(),
                                connect_timeout=min(connect, total), total_timeout=total,
                                based_on=stale.opened("timeouts", app))
            except StaleSave as exc:
                stale.refuse("timeouts", app.id, exc, lambda chosen, revision: apps.save_settings(
                    store, app.id, actor=state.actor(), based_on=revision,
                    connect_timeout=chosen["connect_timeout"], total_timeout=chosen["total_timeout"]))
                saved = app
            if saved is not None:
                st.rerun()
        stale.render("timeouts", app, lambda: None)
        stale.saved("timeouts", app)

    def fire(app_key: str | None, retry_of: int | None = None) -> None:
        key = app_key or keys.generate_app_key()
        with st.spinner(f"Firing … (deadline {settings.total_timeout:g} s)"):
            outcome = attempt(firing.fire_for_app, store, app, sample.base_url, address_policy(), app_key=key,
                              retry_of=retry_of, actor=state.actor())
        if outcome is not None:
            state.remember_fire(outcome.record.id, key)
            st.session_state["test_fire_scroll"] = True  # at phone width the verdict is below the fold: bring it up

    if st.button("Fire", type="primary", icon=":material/rocket_launch:", width="stretch", key="fire",
                 disabled=not url):
        fire(None)
    if not url:
        st.caption("Set auth.request.url in step 2, or add a target URL above, to enable Fire.")

last = history.get_fire(store, state.last_fire() or 0) if state.last_fire() else None
if last is None or last.app_ref != app.id:  # e.g. after a refresh: the latest stored fire
    last = history.latest_fire(store, app.id)
held_key = state.held_key()
same_key = last is not None and bool(held_key) and last.key_fingerprint == keys.fingerprint(held_key)
with right:
    if last is None or last.detail is None:
        st.info("Press **Fire** to send the install request. The verdict appears here.")
    else:
        st.subheader(f"Fire #{last.id}", anchor="verdict")
        if last.detail.retry_of is not None:
            st.text(last.detail.retry_label)
        render_verdict(last)
        if st.session_state.pop("test_fire_scroll", False):
            scroll_into_view("verdict")
        if not last.ok:
            label = f"Retry #{last.id} with the same key" if same_key else f"Retry #{last.id} with a fresh key"
            if st.button(label, icon=":material/replay:", key="retry"):
                fire(held_key if same_key else None, retry_of=last.id)
                st.rerun()
            if not same_key:
                st.caption(f"This browser session does not hold the key of #{last.id}, so Retry sends a fresh one.")
        reveal = st.toggle("Reveal the key in the code to reproduce", key=f"reveal_{last.id}",
                           disabled=not same_key or not team.reveal_allowed(),
                           help="Only for a fire made in this browser session; it applies to this fire only")
        render_fire_tabs(last, held_key if reveal and same_key else "")

if settings.target == "sample":
    render_inspector(sample)
st.subheader("Recent fires", anchor=False)
render_recent(history.recent_fires(store, app.id, limit=5))
page_link(6, "All fires in History", app, icon=":material/history:")
