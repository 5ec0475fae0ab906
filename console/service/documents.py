"""The two writes several use cases share: an app's App JSON document (every change a version) and its
settings. Apps, versions and actions call these; they import nothing but ``base`` of the service."""

from __future__ import annotations

from typing import Unpack

from console.access import guard_writes
from console.manifest.diff import diff_documents, summarize
from console.manifest.document import Document, document_hash
from console.service.base import DEFAULT_AUTHOR, ServiceError, log_activity, must_get, settings_of, with_changes
from console.settings import SettingsChange
from console.store import AppRecord, Store

__all__ = ["save_manifest", "save_settings"]


def save_manifest(store: Store, app_ref: int, document: Document, *, source: str = "page",
                  actor: str = "local") -> AppRecord:
    """Replace the app's App JSON document; every change becomes a version (who, when, from where, what)."""
    if not isinstance(document, dict):
        raise ServiceError("App JSON must be an object with 'auth' and 'actions'.")
    app = must_get(store, app_ref)
    if document == app.manifest:
        return app
    if store.versions.count(app_ref) == 0:  # an app from before versions were kept: keep its state first
        store.versions.save(app_ref, app.manifest, author=DEFAULT_AUTHOR, source="initial",
                            summary="the App JSON before the first recorded change", update_app=False)
    store.versions.save(app_ref, document, author=actor, source=source,
                        summary=summarize(diff_documents(app.manifest, document)))
    app = must_get(store, app_ref)
    log_activity(store, app, actor, "app_json_changed",
                 f"App JSON saved from {source} (sha256 {document_hash(document)[:12]})")
    return app


def save_settings(store: Store, app_ref: int, *, actor: str = "local",
                  **changes: Unpack[SettingsChange]) -> AppRecord:
    """Change some of the app's settings (target, sample mode, sample values, timeouts), read fresh so two
    tabs do not undo each other's changes. An unknown field is a TypeError; a value out of range a
    ServiceError that names it."""
    app = must_get(store, app_ref)
    before = settings_of(app)
    after = with_changes(before, changes)
    if after == before:
        return app
    store.apps.update(app_ref, settings={**app.settings, **after.to_stored()})
    app = must_get(store, app_ref)
    old, new = before.to_stored(), after.to_stored()
    changed = sorted(name for name in new if old.get(name) != new[name])
    log_activity(store, app, actor, "settings_changed",
                 "settings: " + ", ".join(f"{name} = {new[name]!r}" for name in changed))
    return app


# every write checks the actor's role before storing: console.access
guard_writes(globals(), ServiceError)
