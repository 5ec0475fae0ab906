"""The two writes several use cases share: an app's App JSON document (every change a version) and its
settings. Apps, versions and actions call these; they import nothing but ``base`` of the service
(and ``merge``: a save carries the revision it was based on)."""

from __future__ import annotations

from typing import Unpack

from console.access import guard_writes
from console.manifest.diff import diff_documents, summarize
from console.manifest.document import Document, document_hash
from console.service.base import DEFAULT_AUTHOR, ServiceError, log_activity, must_get, settings_of, with_changes
from console.service.merge import base_part, resolve
from console.settings import AppSettings, SettingsChange
from console.store import AppRecord, Store

__all__ = ["save_manifest", "save_settings"]


def save_manifest(store: Store, app_ref: int, document: Document, *, source: str = "page",
                  actor: str = "local", based_on: int | None = None) -> AppRecord:
    """Replace the app's App JSON document; every change becomes a version (who, when, from where, what).

    ``based_on``: the app revision the document was edited from; changes saved since are kept (merged per
    JSON pointer), a pointer both changed is refused (StaleSave). None: no check (the CLI)."""
    if not isinstance(document, dict):
        raise ServiceError("App JSON must be an object with 'auth' and 'actions'.")
    for _attempt in range(5):  # another save between the read and the write: merge again
        app = must_get(store, app_ref)
        merged = resolve(store, app, based_on, "App JSON", "manifest", document)
        if merged == app.manifest:
            return app
        if store.versions.count(app_ref) == 0:  # an app from before versions were kept: keep its state first
            store.versions.save(app_ref, app.manifest, author=DEFAULT_AUTHOR, source="initial",
                                summary="the App JSON before the first recorded change", update_app=False)
        if store.versions.save(app_ref, merged, author=actor, source=source, expect_revision=app.revision,
                               summary=summarize(diff_documents(app.manifest, merged))):
            break
    else:
        raise ServiceError("The App JSON is being changed by others right now; try the save again.")
    document = merged
    app = must_get(store, app_ref)
    log_activity(store, app, actor, "app_json_changed",
                 f"App JSON saved from {source} (sha256 {document_hash(document)[:12]})")
    return app


def save_settings(store: Store, app_ref: int, *, actor: str = "local", based_on: int | None = None,
                  **changes: Unpack[SettingsChange]) -> AppRecord:
    """Change some of the app's settings (target, sample mode, sample values, timeouts), read fresh so two
    tabs do not undo each other's changes. An unknown field is a TypeError; a value out of range a
    ServiceError that names it. ``based_on``: a setting changed since that revision and changed here too is
    refused (StaleSave)."""
    for _attempt in range(5):
        app = must_get(store, app_ref)
        before = settings_of(app)
        base_raw = base_part(store, app, based_on, "settings") or {}
        mine = {**base_raw, **with_changes(AppSettings.from_stored(base_raw), changes).to_stored()}
        stored = resolve(store, app, based_on, "settings", "settings", mine)
        after = AppSettings.from_stored(stored)
        if after == before:
            return app
        if store.apps.update(app_ref, actor=actor, expect_revision=app.revision,
                             settings={**app.settings, **after.to_stored()}):
            break
    else:
        raise ServiceError("The settings are being changed by others right now; try again.")
    app = must_get(store, app_ref)
    old, new = before.to_stored(), after.to_stored()
    changed = sorted(name for name in new if old.get(name) != new[name])
    log_activity(store, app, actor, "settings_changed",
                 "settings: " + ", ".join(f"{name} = {new[name]!r}" for name in changed))
    return app


# every write checks the actor's role before storing: console.access
guard_writes(globals(), ServiceError)
