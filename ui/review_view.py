"""Reviewing as a team on the pages: the signed-in person's role, the review state on Home (with the
open comments), comments per checklist item, and what changed since the last sign-off.

Comments, names and App JSON values are people's free text: shown with st.text / st.dataframe /
st.code, never as Markdown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import streamlit as st

from console import service
from console.service import conversation, review
from console.store import AppRecord, Store
from ui import state
from ui.tables import dataframe

STATES = {
    "none": ("Not reviewed yet.", ":material/rate_review:"),
    "signed_off": ("Signed off.", ":material/verified:"),
    "stale": ("The sign-off is stale: the app changed since it was reviewed.", ":material/update:"),
    "changes_requested": ("Changes requested.", ":material/pan_tool:"),
}


def render_role_banner(store: Store, app: AppRecord | None) -> None:
    """Tell a viewer (or a reviewer) up front what they cannot do here."""
    role = review.role_of(store, state.actor(), None if app is None else app.id)
    if role == "viewer":
        st.info("You are a viewer of this app: you can read everything; changes and fires are refused.",
                icon=":material/visibility:")
    elif role == "reviewer":
        st.caption("Your role: reviewer (fire, comment, sign off; changes to the app are refused).")


def render_review_state(store: Store, app: AppRecord) -> None:
    """Home: where the review stands; a 'changes requested' state lists the open comments."""
    state_of = conversation.review_state(store, app)
    text, icon = STATES[state_of.state]
    show = {"signed_off": st.success, "stale": st.warning, "changes_requested": st.error}.get(state_of.state, st.info)
    show(f"Review: {text}", icon=icon)
    if state_of.by and state_of.at is not None:
        st.text(f"by {state_of.by} · {state_of.at:%Y-%m-%d %H:%M} UTC"
                + (f" · {state_of.comment}" if state_of.comment else ""))
    if state_of.open_threads:
        st.caption(f"{len(state_of.open_threads)} open comment(s):")
        dataframe([{"item": t.item, "by": t.first.actor, "comment": t.first.body, "replies": len(t.replies),
                    "when (UTC)": t.first.at.strftime("%Y-%m-%d %H:%M")} for t in state_of.open_threads])


def _comments_open(app_ref: int, item: str) -> str:
    """The key of an item's comments expander: its open state is kept by the server, so posting a comment
    (which changes the expander's label, "(1 open)") never folds it away from under the person."""
    return f"comments_open_{app_ref}_{item}"


def _comment(store: Store, app_ref: int, item: str, key: str, parent_id: int | None) -> None:
    st.session_state[_comments_open(app_ref, item)] = True  # the new comment, or why not, stays in view
    body = str(st.session_state.get(key, ""))
    try:
        conversation.add_comment(store, app_ref, item, body, parent_id=parent_id, actor=state.actor())
    except service.ServiceError as exc:
        st.session_state[f"{key}_error"] = str(exc)  # the typed text stays in the box
    else:
        st.session_state[key] = ""
        st.session_state.pop(f"{key}_error", None)


def _resolve(store: Store, comment_id: int) -> None:
    try:
        conversation.resolve_comment(store, comment_id, actor=state.actor())
    except service.ServiceError as exc:
        st.session_state[f"resolve_error_{comment_id}"] = str(exc)


def render_item_comments(store: Store, app: AppRecord, item: str, title: str,
                         every_thread: Sequence[conversation.Thread] | None = None) -> None:
    """The comment threads of one checklist item, with a box to add one and to reply or resolve
    (from ``every_thread``, the app's threads read once for the whole checklist, when given)."""
    threads = conversation.threads(store, app.id, item) if every_thread is None else \
        [t for t in every_thread if t.item == item]
    open_count = sum(1 for t in threads if t.open)
    label = f"Comments on {title}" + (f" ({open_count} open)" if open_count else f" ({len(threads)})")
    with st.expander(label, icon=":material/forum:", key=_comments_open(app.id, item), on_change="rerun"):
        for thread in threads:
            first = thread.first
            st.text(f"{first.actor} · {first.at:%Y-%m-%d %H:%M} UTC" + ("" if thread.open else
                    f" · resolved by {first.resolved_by}") + f"\n{first.body}")
            for reply in thread.replies:
                st.text(f"    ↳ {reply.actor} · {reply.at:%Y-%m-%d %H:%M} UTC\n    {reply.body}")
            if thread.open:
                key = f"reply_{app.id}_{first.id}"
                st.text_input("Reply", key=key, max_chars=2000, label_visibility="collapsed", placeholder="Reply",
                              on_change=_comment, args=(store, app.id, item, key, first.id))
                if st.session_state.get(f"{key}_error"):
                    st.error(st.session_state[f"{key}_error"], icon=":material/block:")
                st.button("Resolve", key=f"resolve_{first.id}", icon=":material/check_circle:",
                          on_click=_resolve, args=(store, first.id))
                if st.session_state.get(f"resolve_error_{first.id}"):
                    st.error(st.session_state.pop(f"resolve_error_{first.id}"), icon=":material/block:")
        key = f"comment_{app.id}_{item}"
        st.text_area("New comment", key=key, max_chars=2000, placeholder="e.g. this evidence is from the old URL")
        st.button("Comment", key=f"{key}_send", icon=":material/add_comment:", on_click=_comment,
                  args=(store, app.id, item, key, None))
        if st.session_state.get(f"{key}_error"):
            st.error(st.session_state[f"{key}_error"], icon=":material/block:")


def render_since_signoff(store: Store, app: AppRecord) -> None:
    """What changed in the App JSON since the last sign-off, and which items' evidence predates it."""
    since = conversation.since_last_signoff(store, app)
    if since.signed_version is None:
        return
    st.subheader("Since the last sign-off")
    if not since.changes:
        st.caption(f"The App JSON is the one signed off (version {since.signed_version}).")
        return
    st.warning(f"The App JSON changed since the last sign-off: version {since.signed_version} → "
               f"{since.current_version}, {len(since.changes)} change(s).", icon=":material/difference:")
    dataframe([{"change": c.op, "where": c.pointer, "before": json.dumps(c.old, ensure_ascii=False)[:300],
                "after": json.dumps(c.new, ensure_ascii=False)[:300]} for c in since.changes])
    if since.predating_items:
        st.caption("Evidence older than the change (fire again before signing off):")
        st.text(", ".join(since.predating_items))
