"""Test fire's controls: the target (sample endpoint, auth.request.url, saved targets) and its mode."""

from __future__ import annotations

import streamlit as st

from console import service
from console.sandbox.sample_endpoint import MODE_HELP, MODES
from console.service import apps
from console.service.merge import StaleSave
from console.store import AppRecord, Store
from ui import stale, state
from ui.refusal import attempt
from ui.text import md

TARGET = "fire_target"


def target_label(app: AppRecord, target: str) -> str:
    if target == "sample":
        return "Built-in sample endpoint"
    if target == "endpoint":
        return "auth.request.url"
    return md(target.removeprefix("saved:"))  # a name the user typed: shown as written


def _redraw(app: AppRecord) -> None:
    state.next_form_generation(f"{TARGET}_{app.id}")
    stale.forget(TARGET, app.id)


def _save_target(store: Store, app: AppRecord, target: str, based_on: int) -> None:
    """Fire at ``target`` from now on; a target another session chose since the radio was drawn is kept
    (the radio shows it), a change of it by both is refused with the choice."""
    try:
        after = attempt(apps.save_settings, store, app.id, actor=state.actor(), target=target, based_on=based_on)
    except StaleSave as exc:
        stale.refuse(TARGET, app.id, exc, lambda chosen, revision: apps.save_settings(
            store, app.id, actor=state.actor(), based_on=revision, target=chosen["target"]))
        st.rerun()
    if after is None:  # refused on the server (a role): the refusal is shown, nothing stored
        return
    if service.settings_of(after).target != target:
        _redraw(after)
    else:
        stale.saved(TARGET, after)
    st.rerun()


def render_target(store: Store, app: AppRecord) -> AppRecord:
    """Pick where to fire; returns the app as saved after any change (the page reruns on a change)."""
    settings = service.settings_of(app)
    options = ["sample", "endpoint", *(f"saved:{t.name}" for t in settings.targets)]
    current = settings.target if settings.target in options else "endpoint"
    based_on = stale.opened(TARGET, app)  # the revision the radio was drawn from
    stale.render(TARGET, app, lambda: _redraw(app))
    target = st.radio("Target", options, index=options.index(current), horizontal=True,
                      format_func=lambda t: target_label(app, t),
                      key=f"target_{app.id}_{len(options)}_{state.form_generation(f'{TARGET}_{app.id}')}")
    if target == settings.target:
        stale.saved(TARGET, app)
    elif state.widget_value(f"stale_{TARGET}_{app.id}") is None:  # (a refusal waits for the person's choice)
        _save_target(store, app, target, based_on)
    if target == "sample":
        mode = st.selectbox("Sample endpoint mode", MODES, index=MODES.index(settings.sample_mode),
                            format_func=lambda m: f"{m}: {MODE_HELP[m]}", key=f"sample_mode_{app.id}")
        arg = None
        if mode in ("slow", "flaky"):
            label = "N seconds to wait" if mode == "slow" else "K requests to fail"
            arg = int(st.number_input(label, 1, 60, apps.sample_arg_for(app, mode),
                                      key=f"sample_arg_{app.id}_{mode}"))
        if (mode, arg) != (settings.sample_mode, settings.sample_arg):
            if attempt(apps.choose_sample_mode, store, app.id, mode, arg, actor=state.actor()) is not None:
                st.rerun()
    elif target.startswith("saved:") and st.button("Remove this target", key=f"remove_{target}"):
        if attempt(apps.delete_target, store, app.id, target.removeprefix("saved:"), actor=state.actor()):
            st.rerun()
    with st.popover("Add a target URL", icon=":material/add:"):
        with st.form(f"add_target_{app.id}"):
            name = st.text_input("Name", placeholder="staging")
            url = st.text_input("URL", placeholder="https://staging.example.com/manychat/installed")
            if st.form_submit_button("Save target"):
                try:
                    apps.save_target(store, app.id, name, url, actor=state.actor())
                except service.ServiceError as exc:
                    st.error(str(exc))
                else:
                    st.rerun()
    return app
