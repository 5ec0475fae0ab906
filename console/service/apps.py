"""Apps: create, profile, the App JSON document, settings and saved targets, delete; the demo app."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from console import demo
from console.access import guard_writes
from console.catalog import get_scope, sort_paths
from console.manifest.document import Document, new_manifest
from console.profile import AppProfile, check_profile
from console.sandbox.sample_endpoint import MODES
from console.service.base import (
    ServiceError,
    log_activity,
    must_get,
    settings_of,
)
from console.service.documents import save_manifest, save_settings
from console.service.merge import resolve
from console.settings import AppSettings, SavedTarget
from console.store import AppRecord, AppSummary, Store, StoreConflict


def list_apps(store: Store) -> list[AppSummary]:
    return store.apps.summaries()


def database_label(store: Store) -> str:
    """Where the console keeps its data (password hidden), for the About view."""
    return f"{store.engine.url.render_as_string(hide_password=True)} ({store.dialect})"


def profile_of(app: AppRecord) -> AppProfile:
    return AppProfile(app.name, app.app_id, app.version, app.kind)


def _checked(profile: AppProfile) -> AppProfile:
    problems = check_profile(profile)
    if problems:
        raise ServiceError(" ".join(problems))
    return AppProfile(profile.name.strip(), profile.app_id.strip(), profile.version.strip(), profile.kind)


def _check_app_id_free(store: Store, app_id: str, app_ref: int | None = None) -> None:
    taken = [ref for ref in store.apps.with_app_id(app_id) if ref != app_ref]
    if taken:
        other = store.apps.get(taken[0])
        raise ServiceError(f"App ID: {app_id} is already used by the app '{other.name if other else taken[0]}'. "
                           "Each ManyChat app has its own ID: switch to that app in the sidebar, or use another ID.")


def create_app(store: Store, profile: AppProfile, manifest: Document | None = None,
               scopes: Sequence[str] = (), settings: AppSettings | None = None, *,
               source: str = "page", actor: str = "local") -> AppRecord:
    """A new app (an empty server-side auth section unless a document is given); its document is version 1.
    App IDs are unique."""
    profile = _checked(profile)
    _check_app_id_free(store, profile.app_id)
    document = new_manifest() if manifest is None else manifest
    try:
        app_ref = store.apps.insert(
            name=profile.name, app_id=profile.app_id, version=profile.version, kind=profile.kind,
            scopes=sort_paths(scopes), manifest=document, settings=(settings or AppSettings()).to_stored(),
            actor=actor)
    except StoreConflict:  # another session took the App ID between the check and the insert
        _check_app_id_free(store, profile.app_id)
        raise ServiceError(f"App ID: {profile.app_id} was just taken by another app; use another ID.") from None
    store.versions.save(app_ref, document, author=actor, source=source, summary="app created", update_app=False)
    app = must_get(store, app_ref)
    log_activity(store, app, actor, "app_created", f"created {app.name} (App ID {app.app_id}, version {app.version}, "
                                          f"{app.kind} app) with {len(app.scopes)} scope(s)")
    return app


def update_profile(store: Store, app_ref: int, profile: AppProfile, *, actor: str = "local",
                   based_on: int | None = None) -> AppRecord:
    """Change the profile; a save based on an older revision keeps the fields changed since (StaleSave
    when one of them is a field this save changes too)."""
    profile = _checked(profile)
    _check_app_id_free(store, profile.app_id, app_ref)
    before = store.apps.get(app_ref)
    mine = {"name": profile.name, "app_id": profile.app_id, "version": profile.version, "kind": profile.kind}
    values = resolve(store, before, based_on, "profile", "profile", mine) if before is not None else mine
    try:
        updated = before is not None and store.apps.update(app_ref, actor=actor, **values)
    except StoreConflict:
        _check_app_id_free(store, profile.app_id, app_ref)
        raise ServiceError(f"App ID: {profile.app_id} was just taken by another app; use another ID.") from None
    if not updated:
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted.")
    app = must_get(store, app_ref)
    changed = [f"{field} {getattr(before, field)!r} → {getattr(app, field)!r}"
               for field in ("name", "app_id", "version", "kind") if getattr(before, field) != getattr(app, field)]
    log_activity(store, app, actor, "profile_changed", "profile: " + ("; ".join(changed) or "saved unchanged"))
    return app


def delete_app(store: Store, app_ref: int, *, actor: str = "local") -> None:
    """Delete an app with its fire history (the database cascades); the deletion stays in the activity log."""
    app = store.apps.get(app_ref)
    if app is None or not store.apps.delete(app_ref):
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted already.")
    log_activity(store, app, actor, "app_deleted", f"deleted {app.name} with its fires and sign-offs")


def choose_sample_mode(store: Store, app_ref: int, mode: str, arg: int | None, *,
                       actor: str = "local") -> AppRecord:
    """Fire at the sample endpoint in ``mode``; a changed mode starts a new series (flaky counts from 0).

    Each mode keeps its own number (slow's N seconds, flaky's K failures)."""
    if mode not in MODES:
        raise ServiceError(f"Unknown sample mode {mode!r}: use one of {', '.join(MODES)}.")
    if arg is not None and not 1 <= int(arg) <= 60:
        raise ServiceError("The sample mode's number must be from 1 to 60.")
    app = must_get(store, app_ref)
    settings = settings_of(app)
    number = None if arg is None else int(arg)
    if (mode, number) == (settings.sample_mode, settings.sample_arg):
        return app
    args = {**settings.sample_args, **({mode: number} if number is not None else {})}
    return save_settings(store, app_ref, actor=actor, sample_mode=mode, sample_arg=number, sample_args=args,
                         sample_series=settings.sample_series + 1)


def sample_arg_for(app: AppRecord, mode: str) -> int:
    """The number a sample mode uses for this app (its own last value, else the mode's default)."""
    remembered = settings_of(app).sample_args.get(mode)
    return int(remembered) if remembered else (3 if mode == "slow" else 1)


def save_target(store: Store, app_ref: int, name: str, url: str, *, actor: str = "local") -> AppRecord:
    """Add or replace a named target URL (e.g. local, staging, production) and fire at it from now on."""
    name, url = name.strip(), url.strip()
    if not name or len(name) > 40:
        raise ServiceError("Target name: give a short name (1-40 characters), e.g. staging.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ServiceError("Target URL: it is not a valid URL (check the host and port).") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise ServiceError("Target URL: give a full http:// or https:// address without spaces, "
                           "e.g. https://staging.example.com/manychat/installed.")
    app = must_get(store, app_ref)
    targets = [t for t in settings_of(app).targets if t.name != name] + [SavedTarget(name, url)]
    return save_settings(store, app_ref, actor=actor, targets=tuple(targets[-20:]), target=f"saved:{name}")


def delete_target(store: Store, app_ref: int, name: str, *, actor: str = "local") -> AppRecord:
    app = must_get(store, app_ref)
    settings = settings_of(app)
    targets = tuple(t for t in settings.targets if t.name != name)
    target = "endpoint" if settings.target == f"saved:{name}" else settings.target
    return save_settings(store, app_ref, actor=actor, targets=targets, target=target)


def create_demo_app(store: Store, name: str | None = None, *, actor: str = "local",
                    history: bool = False, target: str = "sample") -> AppRecord:
    """A new demo app from assets/ (numbered if one exists), installing at the built-in sample endpoint's
    https origin; with ``history``, 30 days of seeded fires, conformance runs and a sign-off at an earlier
    staging URL and App JSON (History and Activity look alive; none of it is evidence for today)."""
    summaries = store.apps.summaries()
    taken, ids = {app.name for app in summaries}, {app.app_id for app in summaries}
    base = replace(demo.DEMO_PROFILE, name=name) if name else demo.DEMO_PROFILE
    number = 1
    while True:  # the first free "Demo (n)" name and App ID
        profile = replace(base, name=base.name if number == 1 else f"{base.name} ({number})",
                          app_id=str(int(demo.DEMO_PROFILE.app_id) + number - 1))
        if profile.name not in taken and profile.app_id not in ids:
            break
        number += 1
    app = create_app(store, profile, demo.demo_manifest(demo.DEMO_INSTALL_URL), demo.DEMO_SCOPES,
                     AppSettings.from_stored({**demo.demo_settings(), "target": target}), actor=actor)
    if history:
        seeded = demo.demo_history(app.id, app.name)
        store.fires.insert_many(list(seeded.fires), return_ids=False)
        store.signoffs.insert(**seeded.signoff)
    return app


def open_demo_app(store: Store, *, actor: str = "local") -> tuple[AppRecord, bool]:
    """The demo app: the existing one when there is one (a second "Load the demo app" opens it, it does not
    make "Demo (2)"), else a new one with its seeded history. Also whether it was created now."""
    for summary in store.apps.summaries():
        if summary.app_id == demo.DEMO_PROFILE.app_id:
            existing = store.apps.get(summary.id)
            if existing is not None:
                return existing, False
    return create_demo_app(store, actor=actor, history=True, target="endpoint"), True


def seed_demo(store: Store, fires: int, app_name: str | None = None,
              on_batch: Callable[[int], None] | None = None, *, actor: str = "local") -> AppRecord:
    """The demo app with ``fires`` realistic stored fires over 30 days (batched, no network)."""
    if not 0 <= fires <= 1_000_000:
        raise ServiceError("--fires: give a number from 0 to 1,000,000.")
    app = create_demo_app(store, app_name, actor=actor)

    def insert(rows: Sequence[Mapping[str, object]]) -> list[int]:  # seeded by whoever asked for the demo
        return store.fires.insert_many([{**row, "actor": actor} for row in rows], return_ids=False)

    for done in demo.seed_fires(insert, app.id, app.name, fires):
        if on_batch is not None:
            on_batch(done)
    return app


def app_for_file(store: Store, manifest: Document, name: str, scopes: Sequence[str], kind: str = "dev", *,
                 actor: str = "local") -> AppRecord:
    """The console app named after an App JSON file (`sandbox install APP_JSON`): made with these scopes when
    new, else its App JSON refreshed from the file (its granted scopes must be these: change them with a
    scope change instead)."""
    unknown = [path for path in scopes if get_scope(path) is None]
    if unknown:
        raise ServiceError("Unknown scope(s): " + ", ".join(unknown) + ". Pick endpoints from the catalog.")
    existing = [a for a in store.apps.summaries() if a.name == name]
    if not existing:
        return create_app(store, AppProfile(name[:80], _free_app_id(store), "1.0", kind), manifest, scopes,
                          source="cli", actor=actor)
    app = must_get(store, existing[0].id)
    state = store.installations.sandbox_app(app.id)
    granted = list(state.live_scopes) if state is not None else list(app.scopes)
    if granted != sort_paths(scopes):
        raise ServiceError(f"The app {name!r} (#{app.id}) is granted {', '.join(granted) or 'no scopes'}; "
                           "change its scopes with `sandbox rescope ID --scope …` instead.")
    return save_manifest(store, app.id, manifest, source="cli", actor=actor)


def _free_app_id(store: Store, start: int = 1000001) -> str:
    """The first App ID from ``start`` on that no app uses (for apps made from a file, without one)."""
    taken = {app.app_id for app in store.apps.summaries()}
    number = start
    while str(number) in taken:
        number += 1
    return str(number)


def database_revision(store: Store) -> str | None:
    """The migration the database is at."""
    from console.store.engine import current_revision

    return current_revision(store.engine)


def database_location(store: Store) -> str:
    """The database's URL with the password hidden."""
    return store.engine.url.render_as_string(hide_password=True)


# every write checks the actor's role (a sign-off also separation of duties) before storing: console.access
guard_writes(globals(), ServiceError)
