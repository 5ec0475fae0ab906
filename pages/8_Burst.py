"""Burst: re-key many installations at once, as ManyChat does when an app's new scopes pass review."""

import streamlit as st

from console.sandbox.sample_endpoint import MODE_HELP, MODES
from console.service import bursts
from ui import page_setup, require_app, state
from ui.refusal import attempt
from ui.render_burst import burst_runner, render_run
from ui.resources import address_policy, sample_endpoint

RUN = "burst_run"  # the run this session is looking at (also ?run= in the URL)

page = page_setup("Burst")
app = require_app(page)
store = page.store
runner = burst_runner()
st.title(":material/bolt: Burst")
st.caption("When a public app's new scopes pass review, ManyChat issues a new App Key for **every** installation "
           "and fires every install request. Rehearse it: N installations, each with its own fresh key and page_id, "
           "fired at bounded concurrency. The burst runs in a process of its own: leave the page and come back.")

with st.container(border=True):  # no form: Enter in a field only sets it, a run starts from its button alone
    c1, c2, c3 = st.columns(3)
    installations = c1.number_input("Installations (N)", 1, 100_000, 1_000, step=500, key="burst_n")
    concurrency = c2.number_input("Concurrency", 1, 1000, 50, step=10, key="burst_concurrency")
    targets = {"sample": "Built-in sample endpoint", "endpoint": "My endpoint (auth.request.url)"}
    target = c3.radio("Target", list(targets), format_func=targets.__getitem__, key="burst_target")
    m1, m2 = st.columns(2)
    mode = m1.selectbox("Sample endpoint mode", MODES, format_func=lambda m: f"{m}: {MODE_HELP[m]}", key="burst_mode")
    arg = m2.number_input("Seconds to wait (slow) · requests to fail (flaky)", 1, 60, 1, key="burst_arg")
    start = st.button("Start burst", type="primary", icon=":material/rocket_launch:", key="burst_start")

if start:
    run_id = attempt(bursts.start_app_burst, store, app, sample_endpoint().base_url, address_policy(),
                     installations=int(installations), concurrency=int(concurrency), target=target,
                     sample_mode=mode, sample_arg=int(arg) if mode in ("slow", "flaky") else None,
                     actor=state.actor())
    if run_id is not None and runner.launch(store, run_id, actor=state.actor()):
        st.session_state[RUN] = run_id
        st.query_params["run"] = run_id

runs = bursts.recent_bursts(store, app.id)
ids = [run.id for run in runs]
wanted = st.query_params.get("run") or st.session_state.get(RUN)
if ids:
    index = ids.index(wanted) if wanted in ids else 0
    labels = {run.id: f"{run.created_at:%Y-%m-%d %H:%M:%S} UTC · {run.total:,} installations · {run.target_kind}"
              for run in runs}
    chosen = st.selectbox("Burst run", ids, index=index, format_func=labels.__getitem__, key="burst_pick")
    if chosen != wanted:
        st.session_state[RUN] = chosen
        st.query_params["run"] = chosen

    def resume() -> None:
        if attempt(bursts.reopen_burst, store, chosen, actor=state.actor()):
            runner.launch(store, chosen, actor=state.actor())

    render_run(store, chosen, on_resume=resume)
else:
    st.info("No burst yet for this app. Start one above: the built-in sample endpoint in mode ok is a safe first run.")
