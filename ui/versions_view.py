"""Import with a preview (cleaned text, diff, cautions) and a confirmation; the version list with
diff and restore; undo. Each change goes through console.service and reloads the auth form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from console import service
from console.manifest.document import ManifestError, dump_manifest
from console.service import apps
from console.service import versions as versions_service
from console.service.merge import StaleSave
from console.store import AppRecord, Store
from ui import stale, state
from ui.auth_builder import FORM, reload_form
from ui.compat_view import render_compat
from ui.findings_view import plain
from ui.refusal import attempt
from ui.tables import dataframe

SOURCE_LABELS = {"page": "page 2", "actions": "Actions page",
                 "import": "import", "cli": "command line", "restore": "restore", "undo": "undo",
                 "initial": "before versions", "migration": "before versions", "demo": "demo"}


def render_import(store: Store, app: AppRecord) -> None:
    pending: Any = state.pending_import(app.id)
    with st.expander("Import App JSON (upload or paste)", expanded=pending is not None):
        upload = st.file_uploader("App JSON file", type=["json", "txt"], key=f"upload_{app.id}")
        pasted = st.text_area("…or paste App JSON, or a fragment such as \"request\": {…}", height=120,
                              key=f"paste_{app.id}")
        strip = st.checkbox("Strip // and /* */ comments (ManyChat's App JSON field accepts none)", value=True,
                            key=f"strip_{app.id}")
        data = upload.getvalue() if upload is not None else pasted
        if st.button("Preview import", key=f"preview_import_{app.id}"):  # enabled: the click commits the text
            try:
                if upload is None and not pasted.strip():
                    raise ManifestError("Nothing to import: choose a file or paste App JSON above, then Preview.")
                preview = versions_service.preview_import(app, data, strip)
                state.set_pending_import(app.id, (data, strip, preview, app.revision))  # confirmed against it
            except ManifestError as exc:
                state.clear_pending_import(app.id)
                st.error(f"Not imported (the saved app is unchanged): {plain(str(exc))}")
            pending = state.pending_import(app.id)
        if pending is None:
            return
        if pending[:2] != (data, strip):  # the input changed since the preview: preview again
            state.clear_pending_import(app.id)
            st.caption("The input changed since the preview: press Preview import again.")
            return
        pending, previewed_at = pending[2], pending[3]
        st.info(f"Read as {pending.snippet.label}. Nothing is saved until you confirm.", icon=":material/search:")
        if pending.snippet.comment is not None:
            st.warning(f"Comments were stripped (the first at {pending.snippet.comment.describe()}): ManyChat's "
                       "App JSON field accepts JSON without comments. The cleaned document is below.",
                       icon=":material/content_cut:")
        for caution in pending.cautions:
            st.error(caution, icon=":material/error:")
        for warning in pending.warnings:
            st.warning(f"{plain(warning.message)} {plain(warning.hint)}", icon=":material/warning:")
        st.markdown(f"**{len(pending.changes)} change(s) against the current App JSON**")
        st.code("\n".join(c.describe(90) for c in pending.changes) or "(no change)", language=None)
        st.caption("The document that would be saved:")
        st.code(dump_manifest(pending.document), language="json")
        confirm, cancel = st.columns(2)
        if confirm.button("Replace the App JSON" if pending.cautions or pending.snippet.kind == "document"
                          else "Merge into the App JSON", type="primary", key=f"confirm_import_{app.id}"):
            saved = _saved_or_refused(store, app, lambda: apps.save_manifest(
                store, app.id, pending.document, source="import", actor=state.actor(), based_on=previewed_at))
            if saved is None:  # refused on the server (a role): the refusal is shown, the import kept
                return
            state.clear_pending_import(app.id)
            if not saved:
                st.rerun()
            reload_form(app)
            st.toast("App JSON imported (a new version)")
            st.rerun()
        if cancel.button("Cancel", key=f"cancel_import_{app.id}"):
            state.clear_pending_import(app.id)
            st.rerun()


def render_undo(store: Store, app: AppRecord) -> None:
    versions = versions_service.list_versions(store, app.id, limit=1)
    latest = versions[0] if versions else None
    cursor = state.undo_cursor(app.id)
    showing = cursor[0] if cursor is not None and latest is not None and cursor[1] == latest.number else None
    left, right = st.columns([1, 4])
    if left.button("Undo", icon=":material/undo:", key=f"undo_{app.id}",
                   disabled=latest is None or (showing or latest.number) <= 1,
                   help="Bring back the App JSON as it was before the last change (again for earlier states)."):
        try:
            undone = versions_service.undo_manifest(store, app.id, showing, author=state.actor(),
                                                    based_on=stale.opened(FORM, app))
        except StaleSave as exc:
            _refuse(store, app, exc)
            st.rerun()
        except service.ServiceError as exc:
            st.error(str(exc), icon=":material/block:")
            return
        state.set_undo_cursor(app.id, undone.restored, undone.version)
        reload_form(app)
        st.toast(f"Back to version {undone.restored}")
        st.rerun()
    if latest is not None:
        where = SOURCE_LABELS.get(latest.source, latest.source)
        right.caption(f"Version {latest.number} · {latest.created_at:%Y-%m-%d %H:%M:%S} UTC · {latest.author} "
                      f"({where}) · {plain(latest.summary)}")


def render_versions(store: Store, app: AppRecord) -> None:
    versions = versions_service.list_versions(store, app.id, limit=50)
    with st.expander(f"Versions ({len(versions)})"):
        if not versions:
            st.caption("No version yet: every saved change of the App JSON becomes one.")
            return
        dataframe([{"version": v.number, "when (UTC)": f"{v.created_at:%Y-%m-%d %H:%M:%S}", "who": v.author,
                    "from": SOURCE_LABELS.get(v.source, v.source), "what changed": v.summary} for v in versions])
        numbers = [v.number for v in versions]
        a, b = st.columns(2)
        old = a.selectbox("Compare version", numbers, index=min(1, len(numbers) - 1), key=f"diff_old_{app.id}")
        new = b.selectbox("with version", numbers, index=0, key=f"diff_new_{app.id}")
        changes = versions_service.diff_versions(store, app.id, int(old), int(new))
        st.code("\n".join(c.describe(90) for c in changes) or "(the same App JSON)", language=None)
        render_compat(versions_service.compat_versions(store, app.id, int(old), int(new)), int(old), int(new))
        if st.button(f"Restore version {old}", key=f"restore_{app.id}",
                     help="Makes it the current App JSON again, as a new version: nothing is lost."):
            saved = _saved_or_refused(store, app, lambda: versions_service.restore_version(
                store, app.id, int(old), author=state.actor(), based_on=stale.opened(FORM, app)))
            if saved is None:  # refused on the server (a role): the refusal is shown
                return
            if not saved:
                st.rerun()
            state.clear_undo_cursor(app.id)
            reload_form(app)
            st.toast(f"Version {old} restored")
            st.rerun()


def _refuse(store: Store, app: AppRecord, error: StaleSave) -> None:
    """Another session changed a field this change touches: the Auth section shows the choice."""
    stale.refuse(FORM, app.id, error, lambda document, revision: apps.save_manifest(
        store, app.id, document, source="page", actor=state.actor(), based_on=revision))


def _saved_or_refused(store: Store, app: AppRecord, save: Callable[[], object]) -> bool | None:
    """Run ``save``; False (the choice is kept for the page) when it was refused as stale, None (the
    refusal shown) when the service refused it (a role)."""
    try:
        saved = attempt(save)
    except StaleSave as exc:
        _refuse(store, app, exc)
        return False
    return None if saved is None else True
