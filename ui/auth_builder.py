"""Glue between the auth builder's widgets and console.manifest.auth_form."""

from __future__ import annotations

from dataclasses import fields, replace

import streamlit as st

from console import service
from console.manifest.auth_form import AuthForm, apply_auth_form, auth_form_from
from console.manifest.document import auth_of, request_of
from console.manifest.findings import ValidationIssue
from console.service import apps, versions
from console.service.merge import StaleSave
from console.store import AppRecord, Store
from ui import gate, stale, state

FORM = "auth"


def revision(app: AppRecord) -> int:
    return state.form_generation(f"auth_{app.id}")


def widget_key(app: AppRecord, name: str) -> str:
    return f"auth_{app.id}_{revision(app)}_{name}"


def initial(app: AppRecord) -> AuthForm:
    """Field values: what the widgets hold, else what the saved document says."""
    saved = auth_form_from(app.manifest)
    held = {f.name: state.widget_value(widget_key(app, f.name)) for f in fields(AuthForm)
            if state.widget_value(widget_key(app, f.name)) is not None}
    return replace(saved, **held)


def unsaved_problems(app: AppRecord) -> list[ValidationIssue]:
    """Why what the fields hold now is not saved (a field that does not read), recomputed on every run:
    so a problem shows only while its field still holds the text, and only on the app it concerns."""
    return apply_auth_form(app.manifest, initial(app))[1]


def apply_widgets(store: Store, app_ref: int) -> None:
    """on_change: rebuild the auth section from every field; save only when all fields read.

    Back from Manual to Server-side, the request comes back as it was (the versions keep it), not
    as an empty one."""
    if not gate.write_allowed(store):  # revoked or signed out since the last run: nothing is stored
        return
    app = service.get_app(store, app_ref)
    if app is None:
        return
    form = initial(app)
    if form.delivery == "server" and request_of(app.manifest) is None:
        held = versions.held_request(store, app.id)
        if held is not None:
            auth = {**(auth_of(app.manifest) or {"type": "APIKEY"}), "request": held}
            form = replace(auth_form_from({**app.manifest, "auth": auth}), delivery="server")
    updated, issues = apply_auth_form(app.manifest, form)
    if issues or updated == app.manifest:
        return
    try:
        after = apps.save_manifest(store, app.id, updated, source="page", actor=state.actor(),
                                   based_on=stale.opened(FORM, app))
    except StaleSave as exc:  # another session changed a field this one changed too: shown with the choice
        stale.refuse(FORM, app.id, exc, lambda document, revision: _keep_mine(store, app_ref, document, revision))
        return
    except service.ServiceError as exc:  # refused on the server (a role): nothing stored
        st.error(str(exc), icon=":material/block:")
        reload_form(app)  # the fields show what is stored again
        return
    if after.manifest != updated:  # others' changes since were merged in: the fields show them
        reload_form(after)
    stale.saved(FORM, after)
    state.clear_undo_cursor(app.id)


def _keep_mine(store: Store, app_ref: int, document: object, revision: int) -> None:
    """"Keep mine" after a refusal: the merge with this session's values on the fields both changed."""
    if gate.write_allowed(store) and isinstance(document, dict):
        apps.save_manifest(store, app_ref, document, source="page", actor=state.actor(), based_on=revision)


def reload_form(app: AppRecord) -> None:
    """After a change made elsewhere (import, restore, undo): the fields show the saved document again."""
    state.next_form_generation(f"auth_{app.id}")
    stale.forget(FORM, app.id)
