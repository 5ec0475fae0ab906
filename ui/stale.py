"""What a session's save was based on, and the choice when another session changed the same field.

Each form remembers the app revision its widgets were filled from (``opened``); a save sends it, so
changes made elsewhere since are merged in, and a change of the same field comes back as a StaleSave
that this module keeps and shows: who, when, the difference, "Take theirs" or "Keep mine".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from console.service.merge import StaleSave
from console.store import AppRecord

Retry = Callable[[Any, int], object]  # (keep_mine value, based_on): saves it


def _key(form: str, app_ref: int) -> str:
    return f"based_on_{form}_{app_ref}"


def opened(form: str, app: AppRecord) -> int:
    """The revision this form's widgets were filled from (the current one the first time it is shown)."""
    return int(st.session_state.setdefault(_key(form, app.id), app.revision))


def saved(form: str, app: AppRecord) -> None:
    """After this session's own save (or its reload): the widgets hold the app at this revision."""
    st.session_state[_key(form, app.id)] = app.revision


def forget(form: str, app_ref: int) -> None:
    st.session_state.pop(_key(form, app_ref), None)


def refuse(form: str, app_ref: int, error: StaleSave, retry: Retry) -> None:
    """Keep the refusal (shown by ``render``) with how to save "mine" if the person chooses it."""
    st.session_state[f"stale_{form}_{app_ref}"] = (error, retry)


def render(form: str, app: AppRecord, on_theirs: Callable[[], None]) -> None:
    """The refusal, if this form has one: the message, each clashing field, and the choice."""
    held = st.session_state.get(f"stale_{form}_{app.id}")
    if held is None:
        return
    error, retry = held
    with st.container(border=True, key=f"stale_box_{form}_{app.id}"):
        st.error(str(error), icon=":material/sync_problem:")
        for clash in error.clashes:
            st.caption(f"{clash.pointer or '/'}")
            base, theirs, mine = st.columns(3)
            base.caption("When you opened it")
            base.code(clash.base, language="json", wrap_lines=True)
            theirs.caption(f"Theirs ({error.by})")
            theirs.code(clash.theirs, language="json", wrap_lines=True)
            mine.caption("Mine")
            mine.code(clash.mine, language="json", wrap_lines=True)
        left, right = st.columns(2)
        if left.button("Take theirs", key=f"stale_theirs_{form}_{app.id}", icon=":material/download:"):
            st.session_state.pop(f"stale_{form}_{app.id}", None)
            forget(form, app.id)
            on_theirs()
            st.rerun()
        if right.button("Keep mine", key=f"stale_mine_{form}_{app.id}", icon=":material/upload:"):
            st.session_state.pop(f"stale_{form}_{app.id}", None)
            retry(error.keep_mine, error.revision)
            forget(form, app.id)
            on_theirs()
            st.rerun()
