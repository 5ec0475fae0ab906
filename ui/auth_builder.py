"""Glue between the auth builder's widgets and console.manifest.auth_form."""

from __future__ import annotations

from dataclasses import fields, replace

import streamlit as st

from console import service
from console.manifest.auth_form import AuthForm, apply_auth_form, auth_form_from
from console.manifest.document import ManifestError, parse_manifest
from console.store import AppRecord, Store
from ui import state


def revision(app: AppRecord) -> int:
    return int(st.session_state.get(f"auth_rev_{app.id}", 0))


def widget_key(app: AppRecord, name: str) -> str:
    return f"auth_{app.id}_{revision(app)}_{name}"


def initial(app: AppRecord) -> AuthForm:
    """Field values: what the widgets hold, else what the saved document says."""
    saved = auth_form_from(app.manifest)
    held = {f.name: st.session_state[widget_key(app, f.name)] for f in fields(AuthForm)
            if widget_key(app, f.name) in st.session_state}
    return replace(saved, **held)


def apply_widgets(store: Store, app_ref: int) -> None:
    """on_change: rebuild the auth section from every field; save only when all fields read."""
    app = service.get_app(store, app_ref)
    if app is None:
        return
    form = initial(app)
    updated, issues = apply_auth_form(app.manifest, form)
    state.set_auth_issues(issues)
    if not issues and updated != app.manifest:
        service.save_manifest(store, app.id, updated, actor=state.actor())


def import_manifest(store: Store, app: AppRecord, data: bytes | str) -> str | None:
    """Replace the app's App JSON; the error message, or None on success (then the form reloads)."""
    try:
        document = parse_manifest(data)
    except ManifestError as exc:
        return str(exc)
    service.save_manifest(store, app.id, document, actor=state.actor())
    st.session_state[f"auth_rev_{app.id}"] = revision(app) + 1
    state.clear_auth_issues()
    return None
