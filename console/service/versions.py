"""App JSON versions: the list, one version, the difference of two, restore, undo; the import preview."""

from __future__ import annotations

from dataclasses import dataclass

from console.access import guard_writes
from console.manifest.compat import CompatReport, classify
from console.manifest.diff import Change, diff_documents, summarize
from console.manifest.document import Document, ManifestError, as_list, read_manifest, request_of
from console.manifest.findings import ValidationIssue
from console.manifest.snippet import Snippet, read_snippet
from console.service.base import DEFAULT_AUTHOR, ServiceError, must_get
from console.service.merge import resolve
from console.store import AppRecord, Store, VersionRecord


def list_versions(store: Store, app_ref: int, limit: int = 50) -> list[VersionRecord]:
    """The app's App JSON versions, newest first (without their documents)."""
    return store.versions.listing(app_ref, limit)


def get_version(store: Store, app_ref: int, number: int) -> VersionRecord:
    version = store.versions.get(app_ref, number)
    if version is None:
        raise ServiceError(f"App #{app_ref} has no version {number}.")
    return version


def diff_versions(store: Store, app_ref: int, old: int, new: int) -> list[Change]:
    """What changed from version ``old`` to version ``new`` (JSON pointers into ``new``)."""
    return diff_documents(get_version(store, app_ref, old).document, get_version(store, app_ref, new).document)


def compat_versions(store: Store, app_ref: int, old: int, new: int) -> CompatReport:
    """What the change from version ``old`` to ``new`` breaks, for whom (breaking / needs review / safe).
    Versions hold no scopes, so scope changes are not judged here (the report's notes say so)."""
    app = must_get(store, app_ref)
    return classify(get_version(store, app_ref, old).document or {}, get_version(store, app_ref, new).document or {},
                    kind=app.kind if app.kind in ("public", "dev") else None)


def restore_version(store: Store, app_ref: int, number: int, *, author: str = DEFAULT_AUTHOR,
                    source: str = "restore", based_on: int | None = None) -> AppRecord:
    """Make version ``number`` the current App JSON again: a new version, so nothing is lost.

    ``based_on``: the app revision the person restored from; changes saved since stay (merged per JSON
    pointer), a pointer both changed is refused (StaleSave)."""
    version = get_version(store, app_ref, number).document
    assert version is not None
    for _attempt in range(5):
        app = must_get(store, app_ref)
        document = resolve(store, app, based_on, "App JSON", "manifest", version)
        if document == app.manifest:
            return app
        summary = f"restored version {number}: " + summarize(diff_documents(app.manifest, document))
        if store.versions.save(app_ref, document, author=author, source=source, summary=summary,
                               expect_revision=app.revision):
            return must_get(store, app_ref)
    raise ServiceError("The App JSON is being changed by others right now; try again.")


@dataclass(frozen=True)
class Undone:
    app: AppRecord
    restored: int  # the version number whose document is current now
    version: int  # the new version that undo saved (or the newest one when nothing changed)


def undo_manifest(store: Store, app_ref: int, showing: int | None = None, *,
                  author: str = DEFAULT_AUTHOR, based_on: int | None = None) -> Undone:
    """Step back one state: restore the version before ``showing`` (the newest when None). Repeated
    undos, each given the previous result's ``restored``, walk back through every earlier state."""
    versions = store.versions.listing(app_ref, limit=1)
    if not versions:
        raise ServiceError("There is nothing to undo: this app has no earlier version.")
    current = showing if showing is not None else versions[0].number
    if current <= 1:
        raise ServiceError("There is nothing to undo: this is the first version of the App JSON.")
    app = restore_version(store, app_ref, current - 1, author=author, source="undo", based_on=based_on)
    return Undone(app, current - 1, store.versions.listing(app_ref, limit=1)[0].number)


def held_request(store: Store, app_ref: int, look_back: int = 50) -> Document | None:
    """The newest auth.request the app's versions hold (kept while Manual delivery is selected)."""
    for version in store.versions.listing(app_ref, look_back):
        full = store.versions.get(app_ref, version.number)
        request = request_of(full.document) if full is not None and full.document is not None else None
        if request is not None:
            return request
    return None


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do, shown before anything is saved."""

    snippet: Snippet
    changes: list[Change]
    drops_auth: bool  # the current document has an auth section and the new one has none
    drops_actions: bool  # the current document has actions and the new one has none
    warnings: tuple[ValidationIssue, ...] = ()  # what reading found (e.g. a key given twice: the last one wins)

    @property
    def document(self) -> Document:
        return self.snippet.document

    @property
    def cautions(self) -> list[str]:
        notes = []
        if self.drops_auth:
            notes.append("This import DROPS THE WHOLE AUTH SECTION (params, connection and the install request).")
        if self.drops_actions:
            notes.append("This import DROPS EVERY ACTION of the current App JSON.")
        return notes


def preview_import(app: AppRecord, data: bytes | str, strip_comments: bool = True) -> ImportPreview:
    """Read pasted or uploaded App JSON (comments stripped, a fragment merged into the current
    document) and compare it with the current one. Raises ManifestError with a fixable message."""
    accepts = ("Import takes a whole App JSON document (an object with 'auth' and/or 'actions') or one of its "
               "parts: an auth section, a request object, or a list of actions or triggers.")
    try:
        snippet = read_snippet(data, app.manifest, strip=strip_comments)
    except ManifestError as exc:
        raise ManifestError(f"{exc} {accepts}") from None
    if snippet.kind == "document" and not {"auth", "actions"} & set(snippet.document):
        keys_seen = ", ".join(repr(k) for k in list(snippet.document)[:5]) or "no keys"
        raise ManifestError(f"This is not App JSON: the object has {keys_seen} but neither 'auth' nor 'actions', "
                            f"so importing it would wipe the app's document. {accepts}")
    current, new = app.manifest, snippet.document
    drops_auth = isinstance(current.get("auth"), dict) and not isinstance(new.get("auth"), dict)
    drops_actions = bool(as_list(current.get("actions"))) and not as_list(new.get("actions"))
    try:
        warnings = read_manifest(snippet.cleaned_text).findings if snippet.kind == "document" else ()
    except ManifestError:
        warnings = ()
    return ImportPreview(snippet, diff_documents(current, new), drops_auth, drops_actions, warnings)


# every write checks the actor's role (a sign-off also separation of duties) before storing: console.access
guard_writes(globals(), ServiceError)
