"""The Checklist's sign-off section: the decision in force, the form, and every sign-off so far.

Names and comments are people's free text: shown with st.text / st.dataframe, never as Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from console import service
from console.service import team
from console.store import AppRecord, Store
from ui import state
from ui.tables import dataframe


def render_current(views: Sequence[Any]) -> None:
    if not views:
        st.info("Nobody has signed off this app yet.", icon=":material/draw:")
        return
    latest = views[0]
    record = latest.record
    if record.decision == "changes_requested":
        st.error("Changes requested by the latest reviewer.", icon=":material/pan_tool:")
    elif latest.stale:
        st.warning(f"The latest sign-off is stale: {latest.why_stale}. Review the app again.",
                   icon=":material/schedule:")
    else:
        st.success("Signed off: the App JSON and the scopes are the ones that were reviewed.",
                   icon=":material/check_circle:")
    scope = "for an App Store listing" if record.for_listing else "not for a listing"
    st.text(f"by {record.actor} · {record.at:%Y-%m-%d %H:%M:%S} UTC · at the {record.target}, {scope} · verdict then: "
            f"{record.verdict}" + (f"\ncomment: {record.comment}" if record.comment else ""))


def render_signoff(store: Store, app: AppRecord, target: str, for_listing: bool, views: Sequence[Any]) -> None:
    """The sign-off section of the Checklist for the app at ``target``."""
    st.subheader("Sign-off")
    render_current(views)
    generation = state.form_generation(f"signoff_{app.id}")  # a new one after a recorded decision: empty form
    with st.form(f"signoff_{app.id}_{generation}"):  # not cleared on submit: a refusal keeps the comment
        comment = st.text_area("Comment", max_chars=2000, key=f"signoff_comment_{app.id}_{generation}",
                               placeholder="What you checked, or which changes you request")
        c1, c2 = st.columns(2)
        approve = c1.form_submit_button("Sign off", icon=":material/draw:", type="primary", width="stretch")
        request = c2.form_submit_button("Request changes", icon=":material/pan_tool:", width="stretch")
    if approve or request:
        try:
            team.sign_off(store, app, "approved" if approve else "changes_requested", comment, target,
                             for_listing, actor=state.actor())
        except service.ServiceError as exc:
            st.error(f"Not recorded: {exc}")
        else:
            state.next_form_generation(f"signoff_{app.id}")
            st.rerun()
    if views:
        dataframe([{
            "when (UTC)": v.record.at.strftime("%Y-%m-%d %H:%M:%S"), "by": v.record.actor,
            "decision": v.record.decision.replace("_", " "), "target": v.record.target,
            "verdict then": v.record.verdict, "App JSON sha256": v.record.manifest_hash[:12],
            "state": f"stale: {v.why_stale}" if v.stale else "fresh", "comment": v.record.comment,
        } for v in views])
