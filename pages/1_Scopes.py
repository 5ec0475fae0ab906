"""Step 1: pick the endpoint scopes, and see exactly what installers will be told."""

import pandas as pd
import streamlit as st

from console.catalog import GROUP_TITLES, describe_for_installer, rescope_consequence, search_scopes, sort_paths
from ui import page_setup, require_app

page = page_setup("Scopes")
app = require_app(page)
st.title("1 · Scopes")
st.caption("The Public API endpoints the App Key of every installation may call. Pick only what the app needs: "
           "installers see this list before they confirm.")

left, right = st.columns([3, 2], gap="large")
with left:
    search = st.text_input("Search", placeholder="path or description, e.g. tag, sendFlow, custom field")
    f1, f2 = st.columns(2)
    groups = f1.multiselect("Group", list(GROUP_TITLES), format_func=GROUP_TITLES.__getitem__)
    access = f2.segmented_control("Access", ["read", "write"], selection_mode="multi", default=["read", "write"])
    shown = search_scopes(search, groups or None, access or ["read", "write"])
    selected = set(app.scopes)
    table = pd.DataFrame([{
        "selected": s.path in selected, "path": s.path, "method": s.method, "access": s.access,
        "group": s.group, "rps": s.rps, "what it does": s.description,
        "attention": "⚠️ sends messages" if s.is_sending else ("✏️ writes" if s.is_write else ""),
    } for s in shown], columns=["selected", "path", "method", "access", "group", "rps", "what it does", "attention"])
    revision = st.session_state.setdefault("scopes_rev", 0)
    filter_key = f"{search}|{','.join(groups)}|{','.join(access or [])}"
    edited = st.data_editor(
        table, key=f"scopes_{app.id}_{revision}_{filter_key}", hide_index=True, width="stretch",
        disabled=[c for c in table.columns if c != "selected"],
        column_config={"selected": st.column_config.CheckboxColumn("✓", help="grant this scope"),
                       "rps": st.column_config.NumberColumn("rps", help="ManyChat's rate limit (requests/s)")},
    )
    st.caption(f"{len(shown)} of 34 endpoints shown · {len(selected)} selected")
    chosen = (selected - {s.path for s in shown}) | set(edited.loc[edited["selected"], "path"])
    if chosen != selected:
        page.store.update_app(app.id, scopes=sort_paths(chosen))
        st.session_state["scopes_changed"] = True
        st.rerun()
    if selected and st.button("Clear selection"):
        page.store.update_app(app.id, scopes=[])
        st.session_state["scopes_changed"] = True
        st.session_state["scopes_rev"] += 1
        st.rerun()

with right:
    st.subheader("What installers are told")
    view = describe_for_installer(app.scopes)
    with st.container(border=True):
        st.markdown(f"**{app.name}** will be able to:")
        for line in view.lines or ["(nothing yet: select scopes on the left)"]:
            st.markdown(f"- {line}")
    for caution in view.cautions:
        st.warning(caution, icon="⚠️")
    if st.session_state.get("scopes_changed"):
        st.info("**You changed the scopes.** " + rescope_consequence(app.kind), icon="🔁")
    else:
        st.caption("When scopes change: " + rescope_consequence(app.kind))
