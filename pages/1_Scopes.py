"""Step 1: pick the endpoint scopes, and see exactly what installers will be told."""

import streamlit as st

from console.catalog import GROUP_TITLES, SCOPES, describe_for_installer, rescope_consequence, search_scopes
from console.service import scopes
from console.service.merge import StaleSave
from ui import gate, page_setup, require_app, stale, state
from ui.findings_view import render_scope_cross_check
from ui.refusal import attempt
from ui.text import md

page = page_setup("Scopes")
app = require_app(page)
st.title("1 · Scopes")
st.caption("The Public API endpoints the App Key of every installation may call. Pick only what the app needs: "
           "installers see this list before they confirm.")

left, right = st.columns([3, 2], gap="large")
with left:
    search = st.text_input("Search", placeholder="path or description, e.g. tag, sendFlow, custom field",
                           type="search", live=True)  # filters while typing
    f1, f2 = st.columns(2)
    groups = f1.multiselect("Group", list(GROUP_TITLES), format_func=GROUP_TITLES.__getitem__)
    access = f2.segmented_control("Access", ["read", "write"], selection_mode="multi", default=["read", "write"])
    shown = search_scopes(search, groups or None, access) if access else []
    selected = set(app.scopes)
    baseline = state.scopes_baseline(app.id, app.scopes)

    def toggle(path: str) -> None:
        if not gate.write_allowed(page.store):  # checked in the callback, before anything is stored
            return
        try:  # based on the scopes this session was shown: others' ticks since are kept
            attempt(scopes.toggle_scope, page.store, app.id, path, actor=state.actor(),
                    based_on=stale.opened("scopes", app))
        except StaleSave as exc:
            stale.refuse("scopes", app.id, exc, lambda chosen, revision: _keep(list(chosen), revision))

    def _keep(chosen: list[str], revision: int) -> None:
        if gate.write_allowed(page.store):
            attempt(scopes.change_scopes, page.store, app.id, chosen, actor=state.actor(), based_on=revision)

    stale.render("scopes", app, lambda: None)

    st.caption(f"{len(shown)} of {len(SCOPES)} endpoints shown · {len(selected)} selected")
    if not access:
        st.info("Select **read**, **write** or both to see endpoints.")
    elif not shown:
        st.info("No endpoint matches these filters. Try a word of a path or description, e.g. tag or flow.")
    for group, title in GROUP_TITLES.items():
        in_group = [s for s in shown if s.group == group]
        if not in_group:
            continue
        st.markdown(f"**{title}**")
        for scope in in_group:
            flag = " :material/warning:" if scope.is_sending else (" :material/edit:" if scope.is_write else "")
            key = f"scope_{app.id}_{scope.path}"
            state.set_widget(key, scope.path in selected)
            st.checkbox(f"`{scope.method}` {scope.path} — {scope.description}{flag}", key=key, on_change=toggle,
                        args=(scope.path,), help=f"{scope.rps} requests per second per account"
                        + (" · sends messages to subscribers" if scope.is_sending else "")
                        + (" · writes data" if scope.is_write and not scope.is_sending else ""))
    stale.saved("scopes", app)  # the checkboxes show the scopes at this revision
    if selected and st.button("Clear selection"):
        if attempt(scopes.change_scopes, page.store, app.id, [], actor=state.actor()) is not None:
            st.rerun()

with right:
    st.subheader("What installers are told")
    view = describe_for_installer(app.scopes)
    with st.container(border=True):
        st.markdown(f"**{md(app.name)}** will be able to:")
        for line in view.lines or ["(nothing yet: select scopes on the left)"]:
            st.markdown(f"- {line}")
    for caution in view.cautions:
        st.warning(caution, icon=":material/warning:")
    render_scope_cross_check(page.store, app)
    if tuple(sorted(app.scopes)) != baseline:
        st.info("**You changed the scopes.** " + rescope_consequence(app.kind), icon=":material/replay:")
    else:
        st.caption("When scopes change: " + rescope_consequence(app.kind))
