"""Step 3: fire the install request exactly as ManyChat would, and read why it failed."""

import streamlit as st

from console import keys, service
from console.manifest.document import request_of
from console.sandbox.sample_endpoint import MODE_HELP, MODES
from ui import page_link, page_setup, require_app, state
from ui.render_fire import curl_command, render_fire_tabs, render_verdict
from ui.resources import address_policy, sample_endpoint
from ui.sample_values import render_sample_values

page = page_setup("Test fire")
app = require_app(page)
store = page.store
settings = service.settings_of(app)
st.title("3 · Test fire")
st.caption("Sends the install request from your auth section with a fresh App Key, as ManyChat does right after "
           "installation. ManyChat counts only **200 OK** as success.")


def save(**changes: object) -> None:
    service.save_settings(store, app.id, actor=state.actor(), **changes)


left, right = st.columns([2, 3], gap="large")
with left:
    targets = {"sample": "Built-in sample endpoint", "endpoint": "My endpoint (auth.request.url)"}
    target = st.radio("Target", list(targets), format_func=targets.__getitem__,
                      index=list(targets).index(settings["target"]), horizontal=True)
    if target != settings["target"]:
        save(target=target)
        st.rerun()
    sample = sample_endpoint()
    if target == "sample":
        mode = st.selectbox("Sample endpoint mode", MODES, index=MODES.index(settings["sample_mode"]),
                            format_func=lambda m: f"{m}: {MODE_HELP[m]}", key=f"sample_mode_{app.id}")
        arg = settings["sample_arg"]
        if mode in ("slow", "flaky"):
            label = "N seconds to wait" if mode == "slow" else "K requests to fail"
            arg = int(st.number_input(label, 1, 60, int(arg or (3 if mode == "slow" else 1))))
        if (mode, arg) != (settings["sample_mode"], settings["sample_arg"]):
            service.choose_sample_mode(store, app.id, mode, arg, actor=state.actor())
            st.rerun()
    url = service.target_url(app, sample.base_url) or (request_of(app.manifest) or {}).get("url") or ""
    st.markdown(f"Fires at `{url or '(no URL: set it in step 2)'}`")
    with st.expander("Installer values and timeouts"):
        render_sample_values(store, app)
        t1, t2 = st.columns(2)
        connect = t1.number_input("Connect timeout (s)", 0.5, 60.0, float(settings["connect_timeout"]))
        total = t2.number_input("Total deadline (s)", 1.0, 120.0, float(settings["total_timeout"]))
        if st.button("Save timeouts"):
            save(connect_timeout=connect, total_timeout=total)
            st.rerun()

    def fire(app_key: str | None) -> None:
        key = app_key or keys.generate_app_key()
        with st.spinner(f"Firing at {url} … (deadline {settings['total_timeout']:g} s)"):
            outcome = service.fire_for_app(store, app, sample.base_url, address_policy(), app_key=key,
                                           actor=state.actor())
        state.remember_fire(outcome.record.id, key)

    if st.button("Fire", type="primary", icon="🚀", width="stretch", key="fire"):
        fire(None)
    last = service.get_fire(store, state.last_fire() or 0) if state.last_fire() else None
    if last is None or last.app_ref != app.id:  # e.g. after a refresh: the latest stored fire
        last = service.latest_fire(store, app.id)
    held_key = state.held_key()
    same_key = last is not None and bool(held_key) and last.key_fingerprint == keys.fingerprint(held_key)
    if last is not None:
        with right:
            st.subheader(f"Fire #{last.id}")
            render_verdict(last)
            retry_help = ("Re-send with the same key, as ManyChat's Retry does" if same_key else
                          "The key of this fire is not held by this browser session: Retry sends a fresh one")
            if not last.ok and st.button("Retry", icon="🔁", key="retry", help=retry_help):
                fire(held_key if same_key else None)
                st.rerun()
            can_reveal = same_key and service.reveal_allowed()
            reveal = st.toggle("Reveal the key in the cURL command", disabled=not can_reveal, key="reveal",
                               help="Only for a fire made in this browser session" if service.reveal_allowed()
                               else "Team mode never reveals a key on screen")
            assert last.detail is not None
            plain = held_key if reveal and can_reveal else ""
            render_fire_tabs(last, curl_command(last.detail.request, plain, keys.mask_key(held_key)))
    else:
        right.info("Press **Fire** to send the install request. The verdict appears here.")

    st.subheader("Recent fires")
    recent = service.recent_fires(store, app.id, limit=5)
    st.dataframe([{"#": f.id, "when (UTC)": f.fired_at.strftime("%H:%M:%S"), "target": f.target_kind,
                   "status": f.status, "category": f.category.value, "ms": round(f.elapsed_ms)} for f in recent],
                 hide_index=True, width="stretch")
    page_link(5, "All fires in History", app, icon="📜")
