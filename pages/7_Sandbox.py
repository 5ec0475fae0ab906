"""The local ManyChat API: install the app on a sandbox page, call it with the App Key, change scopes."""

import json
from collections.abc import Callable
from typing import Any

import streamlit as st

from console import service
from console.catalog import describe_for_installer, rescope_consequence
from console.service import readiness, sandbox
from ui import page_setup, require_app, state
from ui.refusal import attempt
from ui.render_sandbox import (
    TRY_PATHS,
    render_answer,
    render_calls,
    render_delivery,
    render_installations,
    render_least_privilege,
    render_show_once,
)
from ui.resources import address_policy, sample_endpoint, sandbox_server

page = page_setup("Sandbox")
app = require_app(page)
store = page.store
server = sandbox_server()
st.title("7 · Sandbox")
st.caption("A local stand-in for https://api.manychat.com: each installation has its own App Key, and the API "
           "answers exactly as ManyChat does (401 outside the scopes, 500 once uninstalled).")
st.text(f"Base URL for your app's code: {server.base_url}   (OpenAPI: {server.base_url}/openapi.json)")


def act(action: Callable[..., Any], *args: Any) -> Any:
    """Run a service action as the signed-in person; a refusal is shown (nothing changed), never a traceback."""
    return attempt(action, *args, actor=state.actor())


def held(delivery: Any, select: bool = False) -> None:
    """Hold a new key in this session (shown once when delivery is manual); optionally select its installation."""
    if delivery is not None:
        state.hold_sandbox_key(delivery.installation.id, delivery.app_key, show_once=delivery.result is None)
        if select:
            st.session_state["sb_chosen"] = delivery.installation.id


def _older(installation_id: int) -> dict[int, Any]:
    """The installation chosen earlier in this session when it is no longer among the newest listed."""
    try:
        owner, found = sandbox.app_of_installation(store, installation_id)
    except service.ServiceError:
        return {}
    return {found.id: found} if owner.id == app.id else {}


overview = sandbox.sandbox_overview(store, app.id)
left, right = st.columns([2, 3], gap="large")
with left:
    st.subheader("Installer view")
    view = describe_for_installer(overview.state.live_scopes)
    st.text("\n".join(view.lines) or "This app asks for no API access.")
    for caution in view.cautions:
        st.warning(caution)
    page_id = st.text_input("Sandbox page_id", value=service.settings_of(app).page_id, key="sb_page")
    targets = {"endpoint": "auth.request.url (my endpoint)", "sample": "built-in sample endpoint (ok mode)"}
    target = st.radio("Send the install request to", list(targets), format_func=targets.__getitem__,
                      horizontal=True, key="sb_target")
    url = sample_endpoint().install_url("ok") if target == "sample" else None
    installed_now = st.button("Install on this page", type="primary", icon=":material/download:", key="sb_install")
    if installed_now:
        held(act(sandbox.install_app, store, app.id, page_id, url, address_policy()), select=True)
    st.subheader("Scope changes")
    st.caption(rescope_consequence(app.kind))
    st.text(f"Status: {overview.review}\nGranted now: {', '.join(overview.state.live_scopes) or 'none'}\n"
            f"Saved on the Scopes page: {', '.join(app.scopes) or 'none'}"
            + (f"\nIn review: {', '.join(overview.state.pending_scopes)}" if overview.state.pending_scopes else ""))
    if app.kind == "public":
        b1, b2, b3 = st.columns(3)
        if b1.button("Republish", disabled=overview.state.review_state not in ("republish_needed", "rejected"),
                     key="sb_republish", width="stretch"):
            act(sandbox.republish_app, store, app.id)
            st.rerun()
        if b2.button("Approve", disabled=overview.state.review_state != "in_review", key="sb_approve",
                     width="stretch", help="Approve the review: the scopes apply and every installation is re-keyed"):
            change = act(sandbox.approve_review, store, app.id, address_policy())
            for delivery in change.deliveries if change else ():
                held(delivery)
            st.rerun()
        if b3.button("Reject", disabled=overview.state.review_state != "in_review", key="sb_reject",
                     width="stretch", help="Reject the review: nothing changes"):
            act(sandbox.reject_review, store, app.id)
            st.rerun()
    with st.expander("Sandbox rules"):
        rule = st.toggle("A replaced key answers 401 (our assumption; ManyChat does not say)",
                         value=overview.state.replaced_key_rule, key="sb_rule")
        limits = st.toggle("Rate limits (429), incl. sendFlow's 100 per subscriber per hour",
                           value=overview.state.rate_limits, key="sb_limits")
        if (rule, limits) != (overview.state.replaced_key_rule, overview.state.rate_limits):
            if attempt(sandbox.set_sandbox_rules, store, app.id, replaced_key_rule=rule, rate_limits=limits,
                       actor=state.actor()) is not None:
                st.rerun()

with right:
    shown = state.take_show_once()
    if shown is not None:
        render_show_once(*shown)
    # read again only when the install above may have added one (the list is the rerun's biggest read)
    listed = sandbox.sandbox_overview(store, app.id) if installed_now else overview
    rows = listed.installations
    st.subheader("Installations")
    if not rows:
        st.info("No installation yet: install the app on a sandbox page.")
    else:
        keys_held = state.sandbox_keys()
        render_installations(rows, keys_held, listed.total)
        last = state.last_sandbox_installation()
        by_id = {r.id: r for r in rows}
        for earlier in (last, st.session_state.get("sb_chosen")):  # chosen before, now older than those listed
            if isinstance(earlier, int) and earlier not in by_id:
                by_id.update(_older(earlier))
        ids = sorted(by_id)
        chosen = st.selectbox("Installation", ids, index=ids.index(last) if last in ids else len(ids) - 1,
                              format_func=lambda i: f"#{i} on page {by_id[i].page_id}", key="sb_chosen")
        current = by_id[chosen]
        render_delivery(store, current)
        c1, c2, c3, c4 = st.columns(4)
        if current.installed and current.delivery in ("failed", "pending") and c1.button(
                "Retry", icon=":material/replay:",
                                                                                          key="sb_retry"):
            held(act(sandbox.retry_installation, store, current.id, keys_held.get(current.id), address_policy()))
            st.rerun()
        if current.installed and c2.button("Uninstall", key="sb_uninstall"):
            act(sandbox.uninstall_installation, store, current.id)
            st.rerun()
        if not current.installed and c3.button("Reinstall", key="sb_reinstall"):
            held(act(sandbox.reinstall_installation, store, current.id, None, address_policy()))
            st.rerun()
        if listed.undelivered and c4.button(f"Retry all failed ({listed.undelivered:,})", key="sb_retry_all"):
            retried = attempt(sandbox.retry_failed_installations, store, app.id, address_policy(), actor=state.actor())
            if retried is not None:
                for delivery in retried:
                    held(delivery)
                st.rerun()

    st.subheader("Try a call")
    held_ids = sorted(state.sandbox_keys())
    source = st.selectbox("App Key", [*held_ids, "paste a key"], key="sb_try_key",
                          format_func=lambda v: v if isinstance(v, str) else f"installation #{v} (held, masked)")
    pasted = st.text_input("App Key to call with", type="password", key="sb_try_paste") \
        if source == "paste a key" else ""
    path = st.selectbox("Endpoint", TRY_PATHS, key="sb_try_path")
    raw = st.text_area("Query parameters (GET) or JSON body (POST)", value="{}", key="sb_try_args")
    if st.button("Call", icon=":material/cell_tower:", key="sb_try_call"):
        try:
            args = json.loads(raw or "{}")
            assert isinstance(args, dict)
        except (ValueError, AssertionError):
            st.error("Write the parameters as one JSON object, e.g. {\"subscriber_id\": 1000000001}.")
        else:
            key = pasted if source == "paste a key" else state.sandbox_keys().get(int(str(source)), "")
            render_answer(sandbox.try_sandbox_call(server.base_url, key, path, args))

st.subheader("Least privilege: granted vs used")
render_least_privilege(readiness.sandbox_least_privilege(store, app.id))
st.subheader("Call log")
render_calls(sandbox.sandbox_calls(store, app.id, limit=50))
