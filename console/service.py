"""Every operation a page or a command performs, one function each.

Pages and the CLI call these and never write the store themselves, so each operation (a
scope change, a saved App JSON, a fire) has one place where its rules and side effects live.
Results are frozen dataclasses; a refused change raises ServiceError and changes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from console import demo
from console.burst_run import (
    BurstError,
    BurstProgress,
    BurstReport,
    BurstSpec,
    create_run,
    execute_run,
    mark_interrupted,
    new_burst_id,
    progress_of,
    report_of,
)
from console.catalog import get_scope, sort_paths
from console.conformance import MAX_FIRES, ConformanceFire, new_run_id, run_conformance
from console.fire.prepare import FireContext, fill_params
from console.fire.send import Timeouts, fire_install_request
from console.manifest.diff import Change, diff_documents, summarize
from console.manifest.document import (
    ManifestError,
    as_list,
    new_manifest,
    param_names,
    read_manifest,
    request_of,
    request_or_default,
)
from console.manifest.findings import ValidationIssue, ValidationReport
from console.manifest.snippet import Snippet, read_snippet
from console.manifest.validate import validate_manifest
from console.netpolicy import AddressPolicy
from console.outcome import FireRecord, FireResult
from console.profile import AppProfile, check_profile
from console.readiness import ChecklistItem, ReadinessInput, Verdict, evaluate_checklist, verdict_of
from console.sandbox import installations as sandbox
from console.sandbox.client import CallAnswer, call_sandbox
from console.sandbox.sample_endpoint import install_path, is_sample_url
from console.sandbox.usage import LeastPrivilege, least_privilege
from console.store import (
    AppRecord,
    AppSummary,
    BurstRunRecord,
    CallRecord,
    FireFilter,
    InstallationRecord,
    SandboxAppRow,
    Store,
    StoreConflict,
    VersionRecord,
    open_store,
)

TARGETS = ("sample", "endpoint")
DEFAULT_AUTHOR = "console"
MAX_CONFORMANCE_FIRES = MAX_FIRES
RECENT_FIRES = 20
DEFAULT_SETTINGS: dict[str, Any] = {
    "target": "endpoint", "sample_mode": "ok", "sample_arg": None, "sample_series": 0,
    "page_id": "100200300", "param_values": {}, "connect_timeout": 5.0, "total_timeout": 10.0,
    "for_listing": True, "sample_args": {}, "targets": [],
}


class ServiceError(ValueError):
    """A change that was refused; the message says which field and why. Nothing was written."""


def open_console_store(url: str | None = None) -> Store:
    """The console's database (CONSOLE_DATABASE_URL, default a SQLite file under .console/), migrated."""
    from console.config import database_url

    return open_store(url or database_url())


# ---------------------------------------------------------------- apps


def app_names(store: Store) -> dict[int, str]:
    """Every app's name by id (History's app filter)."""
    return store.apps.names()


def database_label(store: Store) -> str:
    """Where the console keeps its data (password hidden), for the About view."""
    return f"{store.engine.url.render_as_string(hide_password=True)} ({store.dialect})"


def list_apps(store: Store) -> list[AppSummary]:
    return store.apps.summaries()


MAX_ID = 2**31 - 1


def get_app(store: Store, app_ref: int) -> AppRecord | None:
    """The app, or None (also for ids no app can have, such as -1 or 10**20 from a crafted link)."""
    return store.apps.get(app_ref) if isinstance(app_ref, int) and 0 < app_ref <= MAX_ID else None


def profile_of(app: AppRecord) -> AppProfile:
    return AppProfile(app.name, app.app_id, app.version, app.kind)


def _checked(profile: AppProfile) -> AppProfile:
    problems = check_profile(profile)
    if problems:
        raise ServiceError(" ".join(problems))
    return AppProfile(profile.name.strip(), profile.app_id.strip(), profile.version.strip(), profile.kind)


def _must_get(store: Store, app_ref: int) -> AppRecord:
    app = store.apps.get(app_ref)
    if app is None:
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted.")
    return app


def _check_app_id_free(store: Store, app_id: str, app_ref: int | None = None) -> None:
    taken = [ref for ref in store.apps.with_app_id(app_id) if ref != app_ref]
    if taken:
        other = store.apps.get(taken[0])
        raise ServiceError(f"App ID: {app_id} is already used by the app '{other.name if other else taken[0]}'. "
                           "Each ManyChat app has its own ID: switch to that app in the sidebar, or use another ID.")


def _log(store: Store, app: AppRecord | None, actor: str, action: str, summary: str, *, app_ref: int | None = None,
         app_name: str = "", fire_id: int | None = None, run_id: str | None = None,
         signoff_id: int | None = None) -> None:
    """One row of the activity log: who did what to which app (the evidence linked by id)."""
    store.activity.record(app_ref=app.id if app else app_ref, app_name=app.name if app else app_name, actor=actor,
                          action=action, summary=summary, fire_id=fire_id, run_id=run_id, signoff_id=signoff_id)


def create_app(store: Store, profile: AppProfile, manifest: dict[str, Any] | None = None,
               scopes: Sequence[str] = (), settings: dict[str, Any] | None = None, *,
               source: str = "page", actor: str = "local") -> AppRecord:
    """A new app (an empty server-side auth section unless a document is given); its document is version 1.
    App IDs are unique."""
    profile = _checked(profile)
    _check_app_id_free(store, profile.app_id)
    document = new_manifest() if manifest is None else manifest
    try:
        app_ref = store.apps.insert(
            name=profile.name, app_id=profile.app_id, version=profile.version, kind=profile.kind,
            scopes=sort_paths(scopes), manifest=document, settings={**DEFAULT_SETTINGS, **(settings or {})},
        )
    except StoreConflict:  # another session took the App ID between the check and the insert
        _check_app_id_free(store, profile.app_id)
        raise ServiceError(f"App ID: {profile.app_id} was just taken by another app; use another ID.") from None
    store.versions.save(app_ref, document, author=actor, source=source, summary="app created", update_app=False)
    app = _must_get(store, app_ref)
    _log(store, app, actor, "app_created", f"created {app.name} (App ID {app.app_id}, version {app.version}, "
                                          f"{app.kind} app) with {len(app.scopes)} scope(s)")
    return app


def update_profile(store: Store, app_ref: int, profile: AppProfile, *, actor: str = "local") -> AppRecord:
    profile = _checked(profile)
    _check_app_id_free(store, profile.app_id, app_ref)
    before = store.apps.get(app_ref)
    try:
        updated = before is not None and store.apps.update(app_ref, name=profile.name, app_id=profile.app_id,
                                                           version=profile.version, kind=profile.kind)
    except StoreConflict:
        _check_app_id_free(store, profile.app_id, app_ref)
        raise ServiceError(f"App ID: {profile.app_id} was just taken by another app; use another ID.") from None
    if not updated:
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted.")
    app = _must_get(store, app_ref)
    changed = [f"{field} {getattr(before, field)!r} → {getattr(app, field)!r}"
               for field in ("name", "app_id", "version", "kind") if getattr(before, field) != getattr(app, field)]
    _log(store, app, actor, "profile_changed", "profile: " + ("; ".join(changed) or "saved unchanged"))
    return app


def delete_app(store: Store, app_ref: int, *, actor: str = "local") -> None:
    """Delete an app with its fire history (the database cascades); the deletion stays in the activity log."""
    app = store.apps.get(app_ref)
    if app is None or not store.apps.delete(app_ref):
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted already.")
    _log(store, app, actor, "app_deleted", f"deleted {app.name} with its fires and sign-offs")


def change_scopes(store: Store, app_ref: int, scopes: Sequence[str], policy: AddressPolicy | None = None, *,
                  actor: str = "local") -> AppRecord:
    """Replace the app's scopes (unknown paths refused). The one place a scope change happens.

    In the sandbox a dev app's change applies at once (every installation re-keyed, its install
    request fired); a public app's needs a republish and a review (see ``rescope``).
    """
    before = set(_must_get(store, app_ref).scopes)
    app = rescope(store, app_ref, scopes, policy).app
    added, removed = sorted(set(app.scopes) - before), sorted(before - set(app.scopes))
    _log(store, app, actor, "scopes_changed",
         "scopes: " + ", ".join([f"+{p}" for p in added] + [f"-{p}" for p in removed] or ["unchanged"])
         + f" ({len(app.scopes)} selected)")
    return app


def toggle_scope(store: Store, app_ref: int, path: str, *, actor: str = "local") -> AppRecord:
    """Select the scope if it is not selected, else deselect it (read fresh, so two tabs do not collide)."""
    current = set(_must_get(store, app_ref).scopes)
    return change_scopes(store, app_ref, sorted(current ^ {path}), actor=actor)


def save_manifest(store: Store, app_ref: int, document: dict[str, Any], *, source: str = "page",
                  actor: str = "local") -> AppRecord:
    """Replace the app's App JSON document; every change becomes a version (who, when, from where, what)."""
    from console.signoff import document_hash

    if not isinstance(document, dict):
        raise ServiceError("App JSON must be an object with 'auth' and 'actions'.")
    app = _must_get(store, app_ref)
    if document == app.manifest:
        return app
    if store.versions.count(app_ref) == 0:  # an app from before versions were kept: keep its state first
        store.versions.save(app_ref, app.manifest, author=DEFAULT_AUTHOR, source="initial",
                            summary="the App JSON before the first recorded change", update_app=False)
    store.versions.save(app_ref, document, author=actor, source=source,
                        summary=summarize(diff_documents(app.manifest, document)))
    app = _must_get(store, app_ref)
    _log(store, app, actor, "app_json_changed", f"App JSON saved from {source} (sha256 {document_hash(document)[:12]})")
    return app


def save_settings(store: Store, app_ref: int, *, actor: str = "local", **changes: Any) -> AppRecord:
    """Change some of the app's settings (target, sample mode, sample values, timeouts)."""
    app = _must_get(store, app_ref)
    before = settings_of(app)
    store.apps.update(app_ref, settings={**before, **changes})
    app = _must_get(store, app_ref)
    changed = sorted(name for name, value in changes.items() if before.get(name) != value)
    if changed:
        _log(store, app, actor, "settings_changed", "settings: " + ", ".join(
            f"{name} = {value!r}" for name, value in sorted(changes.items()) if name in changed))
    return app


def choose_sample_mode(store: Store, app_ref: int, mode: str, arg: int | None, *,
                       actor: str = "local") -> AppRecord:
    """Fire at the sample endpoint in ``mode``; a changed mode starts a new series (flaky counts from 0).

    Each mode keeps its own number (slow's N seconds, flaky's K failures)."""
    from console.sandbox.sample_endpoint import MODES

    if mode not in MODES:
        raise ServiceError(f"Unknown sample mode {mode!r}: use one of {', '.join(MODES)}.")
    if arg is not None and not 1 <= int(arg) <= 60:
        raise ServiceError("The sample mode's number must be from 1 to 60.")
    app = _must_get(store, app_ref)
    settings = settings_of(app)
    if (mode, arg) == (settings["sample_mode"], settings["sample_arg"]):
        return app
    args = {**settings["sample_args"], **({mode: int(arg)} if arg is not None else {})}
    return save_settings(store, app_ref, actor=actor, sample_mode=mode, sample_arg=arg, sample_args=args,
                         sample_series=int(settings["sample_series"]) + 1)


def sample_arg_for(app: AppRecord, mode: str) -> int:
    """The number a sample mode uses for this app (its own last value, else the mode's default)."""
    remembered = settings_of(app)["sample_args"].get(mode)
    return int(remembered) if remembered else (3 if mode == "slow" else 1)


def save_target(store: Store, app_ref: int, name: str, url: str, *, actor: str = "local") -> AppRecord:
    """Add or replace a named target URL (e.g. local, staging, production) and fire at it from now on."""
    from urllib.parse import urlsplit

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
    app = _must_get(store, app_ref)
    targets = [t for t in settings_of(app)["targets"] if t["name"] != name] + [{"name": name, "url": url}]
    return save_settings(store, app_ref, actor=actor, targets=targets[-20:], target=f"saved:{name}")


def delete_target(store: Store, app_ref: int, name: str, *, actor: str = "local") -> AppRecord:
    app = _must_get(store, app_ref)
    settings = settings_of(app)
    targets = [t for t in settings["targets"] if t["name"] != name]
    target = "endpoint" if settings["target"] == f"saved:{name}" else settings["target"]
    return save_settings(store, app_ref, actor=actor, targets=targets, target=target)


def create_demo_app(store: Store, name: str | None = None, *, actor: str = "local") -> AppRecord:
    """The demo app from assets/, set to fire at the built-in sample endpoint (numbered if loaded again)."""
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
    return create_app(store, profile, demo.demo_manifest(), demo.DEMO_SCOPES, demo.demo_settings(), actor=actor)


def seed_demo(store: Store, fires: int, app_name: str | None = None,
              on_batch: Callable[[int], None] | None = None, *, actor: str = "local") -> AppRecord:
    """The demo app with ``fires`` realistic stored fires over 30 days (batched, no network)."""
    if not 0 <= fires <= 1_000_000:
        raise ServiceError("--fires: give a number from 0 to 1,000,000.")
    app = create_demo_app(store, app_name, actor=actor)

    def insert(rows: Sequence[dict[str, Any]]) -> list[int]:
        return store.fires.insert_many(rows, return_ids=False)

    for done in demo.seed_fires(insert, app.id, app.name, fires):
        if on_batch is not None:
            on_batch(done)
    return app


# ---------------------------------------------------------------- firing


def settings_of(app: AppRecord) -> dict[str, Any]:
    """The app's settings with defaults filled in (the Checklist checks where Test fire fires, until told)."""
    settings = {**DEFAULT_SETTINGS, **app.settings}
    settings.setdefault("checklist_target", target_kind(str(settings["target"])))
    return settings


def fire_context(app: AppRecord) -> FireContext:
    settings = settings_of(app)
    params = fill_params(param_names(app.manifest), settings["param_values"])
    return FireContext(app.app_id, app.version, str(settings["page_id"]), params)


def timeouts_of(app: AppRecord) -> Timeouts:
    settings = settings_of(app)
    return Timeouts(float(settings["connect_timeout"]), float(settings["total_timeout"]))


def target_kind(target: str) -> str:
    """What a target is, as fires record it: 'sample' (a rehearsal) or 'endpoint' (the developer's own)."""
    return "sample" if target == "sample" else "endpoint"


def target_url(app: AppRecord, sample_base_url: str, target: str | None = None) -> str | None:
    """The URL to fire at: the sample endpoint in its mode, a saved target's URL, or None for the app's own
    auth.request.url."""
    settings = settings_of(app)
    chosen = target or settings["target"]
    if chosen.startswith("saved:"):
        saved = {t["name"]: t["url"] for t in settings["targets"]}
        return saved.get(chosen.removeprefix("saved:"))
    if chosen != "sample":
        return None
    series = f"{app.id}-{settings['sample_series']}" if settings["sample_mode"] == "flaky" else ""
    return sample_base_url + install_path(settings["sample_mode"], settings["sample_arg"], series)


def fired_url(app: AppRecord, sample_base_url: str, target: str | None = None) -> str:
    """The URL a fire at ``target`` goes to (before templates are filled in); '' when there is none."""
    return target_url(app, sample_base_url, target) or str((request_of(app.manifest) or {}).get("url") or "")


def _row(result: FireResult, *, app_ref: int | None, app_name: str, source: str, target_kind: str,
         run_id: str | None = None, step: str | None = None, actor: str = "local") -> dict[str, Any]:
    return {**result.to_stored(), "app_ref": app_ref, "app_name": app_name, "source": source,
            "target_kind": target_kind, "run_id": run_id, "step": step, "actor": actor[:80]}


@dataclass(frozen=True)
class FireOutcome:
    result: FireResult
    record: FireRecord


def fire_for_app(store: Store, app: AppRecord, sample_base_url: str, policy: AddressPolicy,
                 app_key: str | None = None, retry_of: int | None = None, url: str | None = None, *,
                 actor: str = "local") -> FireOutcome:
    """Fire the app's install request at its current target (or ``url``) and store the fire.

    ``retry_of`` names the fire this one retries (the page labels it, with whether the key is the same)."""
    target = settings_of(app)["target"]
    result = fire_install_request(request_or_default(app.manifest), fire_context(app), app_key=app_key,
                                  url=url or target_url(app, sample_base_url), timeouts=timeouts_of(app),
                                  policy=policy)
    kind = target_kind(target) if url is None else ("sample" if is_sample_url(url) else "endpoint")
    row = _row(result, app_ref=app.id, app_name=app.name, source="page", target_kind=kind, actor=actor)
    if retry_of is not None:
        before = get_fire(store, retry_of)
        same = before is not None and before.key_fingerprint == result.key_fingerprint
        row["detail"]["retry_of"] = {"fire": retry_of, "same_key": same}
    try:
        fire_id = store.fires.insert(row)
    except StoreConflict:
        raise ServiceError(f"The app '{app.name}' was deleted (in another session) while it fired; the fire was "
                           "not stored. Pick another app in the sidebar.") from None
    record = get_fire(store, fire_id)
    assert record is not None
    _log(store, app, actor, "fire", f"fired at the {target}: {result.category.value}"
                                    + (f" (HTTP {result.status})" if result.status is not None else ""),
         fire_id=fire_id)
    return FireOutcome(result, record)


def refire(store: Store, fire_id: int, sample_base_url: str, policy: AddressPolicy, *,
           actor: str = "local") -> FireOutcome:
    """Fire a stored fire's app again at the URL that fire went to (a fresh key, today's App JSON)."""
    before = get_fire(store, fire_id)
    if before is None:
        raise ServiceError(f"There is no fire #{fire_id}.")
    app = None if before.app_ref is None else store.apps.get(before.app_ref)
    if app is None:
        raise ServiceError(f"Fire #{fire_id} belongs to no app (a CLI fire, or its app was deleted): "
                           "re-fire it with `python -m console fire`.")
    url = before.url if "•" not in before.url else None  # a URL that carried the masked key is rendered again
    return fire_for_app(store, app, sample_base_url, policy, url=url, actor=actor)


def run_conformance_for_app(store: Store, app: AppRecord, sample_base_url: str, policy: AddressPolicy,
                            target: str, on_fire: Callable[[ConformanceFire, int], None] | None = None, *,
                            actor: str = "local") -> str:
    """Run every conformance step at ``target``; the fires are stored in one transaction. The run's id."""
    run_id = new_run_id()
    fired = run_conformance(request_or_default(app.manifest), fire_context(app),
                            url=target_url(app, sample_base_url, target), timeouts=timeouts_of(app), policy=policy,
                            on_fire=on_fire)
    try:
        ids = store.fires.insert_many([_row(item.result, app_ref=app.id, app_name=app.name, source="conformance",
                                            target_kind=target, run_id=run_id, step=item.step, actor=actor)
                                       for item in fired])
    except StoreConflict:
        raise ServiceError(f"The app '{app.name}' was deleted (in another session) during the conformance runs; "
                           "their fires were not stored.") from None
    ok = sum(1 for item in fired if item.result.ok)
    _log(store, app, actor, "conformance_run", f"conformance run at the {target}: {len(fired)} fire(s), {ok} got 200",
         fire_id=ids[0] if ids else None, run_id=run_id)
    return run_id


def record_cli_fires(store: Store, results: Sequence[tuple[FireResult, str | None]], app_name: str,
                     target_kind: str, run_id: str | None = None, *, actor: str = "cli") -> list[FireRecord]:
    """Store fires made on the command line (one transaction); the stored records, in firing order."""
    ids = store.fires.insert_many([_row(result, app_ref=None, app_name=app_name, source="cli",
                                        target_kind=target_kind, run_id=run_id, step=step, actor=actor)
                                   for result, step in results])
    if ids:
        _log(store, None, actor, "cli_fires", f"{len(ids)} fire(s) from the command line at the {target_kind}",
             app_name=app_name, fire_id=ids[0], run_id=run_id)
    return [FireRecord.from_row(row) for row in store.fires.in_order(FireFilter(run_id=run_id), len(ids))] \
        if run_id else []


# ---------------------------------------------------------------- reading fires


def get_fire(store: Store, fire_id: int) -> FireRecord | None:
    row = store.fires.get(fire_id)
    return None if row is None else FireRecord.from_row(row)


def latest_fire(store: Store, app_ref: int) -> FireRecord | None:
    rows = store.fires.page(FireFilter(app_ref=app_ref), limit=1, with_detail=True)
    return FireRecord.from_row(rows[0]) if rows else None


def recent_fires(store: Store, app_ref: int, limit: int = 5) -> list[FireRecord]:
    return [FireRecord.from_row(row) for row in store.fires.page(FireFilter(app_ref=app_ref), limit=limit)]


@dataclass(frozen=True)
class HistoryView:
    total: int
    breakdown: dict[str, int]
    points: list[tuple[datetime, float, str]]  # the newest fires' time, latency and category
    rows: list[FireRecord]
    pages: int


def history(store: Store, where: FireFilter, page: int = 1, page_size: int = 25,
            points: int = 500) -> HistoryView:
    """One page of History: counts and breakdown aggregated in SQL, the newest points, one page of rows."""
    breakdown = store.fires.breakdown(where)
    total = sum(breakdown.values())
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = [FireRecord.from_row(r) for r in store.fires.page(where, limit=page_size, offset=(page - 1) * page_size)]
    latency = [(r["fired_at"], float(r["elapsed_ms"]), str(r["category"]))
               for r in store.fires.latencies(where, limit=points)] if total else []
    return HistoryView(total, breakdown, latency, rows, pages)


# ---------------------------------------------------------------- readiness and progress


@dataclass(frozen=True)
class Readiness:
    items: list[ChecklistItem]
    verdict: Verdict


def readiness(store: Store, app: AppRecord, target: str, for_listing: bool) -> Readiness:
    """The checklist for one app at one target, from its newest fires and latest conformance run."""
    recent = [FireRecord.from_row(r) for r in store.fires.page(
        FireFilter(app_ref=app.id, target_kind=target), limit=RECENT_FIRES, with_detail=True)]
    run_id = store.fires.latest_run_id(app.id, target)
    conformance = [FireRecord.from_row(r) for r in store.fires.in_order(FireFilter(run_id=run_id))] if run_id else []
    usage = sandbox_least_privilege(store, app.id)
    items = evaluate_checklist(ReadinessInput(app.manifest, app.scopes, target, recent, conformance, for_listing,
                                              sandbox=usage))
    return Readiness(items, verdict_of(items))


def checklist(store: Store, app: AppRecord) -> Readiness:
    """The readiness verdict as the Checklist page shows it for this app (its target and listing toggle):
    Home, the Checklist and the report all show this one."""
    settings = settings_of(app)
    return readiness(store, app, str(settings["checklist_target"]), bool(settings["for_listing"]))


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    done: bool
    status: str


def progress(store: Store, app: AppRecord) -> list[Step]:
    """The four steps, each done or not, derived from the app's state and its readiness verdict."""
    latest = store.fires.page(FireFilter(app_ref=app.id), limit=1)
    check = checklist(store, app)
    by_id = {item.id: item for item in check.items}
    valid = by_id["manifest.valid"].status == "pass"
    server_side = by_id["delivery.server_side"].status == "pass"
    errors = len(by_id["manifest.valid"].evidence)  # one piece of evidence per error
    last = FireRecord.from_row(latest[0]) if latest else None
    return [
        Step(1, "Scopes", bool(app.scopes),
             f"{len(app.scopes)} scope(s) selected" if app.scopes else "no scopes selected yet"),
        Step(2, "Auth section", valid and server_side,
             "valid, server-side delivery" if valid and server_side
             else (f"{errors} error(s) to fix" if errors else "manual delivery (no request object)")),
        Step(3, "Test fire", last is not None and last.ok,
             "no fire yet" if last is None else
             (f"latest fire: HTTP 200 ({last.target_kind})" if last.ok
              else f"latest fire failed: {last.category.value}")),
        Step(4, "Checklist", check.verdict.ready, check.verdict.summary),
    ]



# ---- App JSON versions, import preview, whole-document validation (issue 10)


def validate_app(app: AppRecord, for_listing: bool = False) -> ValidationReport:
    """The whole App JSON checked, with the cross-checks against the app's scopes."""
    return validate_manifest(app.manifest, for_listing=for_listing, scopes=app.scopes)


def add_scope(store: Store, app_ref: int, path: str, *, actor: str = "local") -> AppRecord:
    """Select one more scope (the one-click fix of a missing-scope finding); nothing when already selected."""
    app = _must_get(store, app_ref)
    return app if path in app.scopes else change_scopes(store, app_ref, [*app.scopes, path], actor=actor)


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


def restore_version(store: Store, app_ref: int, number: int, *, author: str = DEFAULT_AUTHOR,
                    source: str = "restore") -> AppRecord:
    """Make version ``number`` the current App JSON again: a new version, so nothing is lost."""
    document = get_version(store, app_ref, number).document
    assert document is not None
    app = _must_get(store, app_ref)
    if document == app.manifest:
        return app
    store.versions.save(app_ref, document, author=author, source=source,
                        summary=f"restored version {number}: " + summarize(diff_documents(app.manifest, document)))
    return _must_get(store, app_ref)


@dataclass(frozen=True)
class Undone:
    app: AppRecord
    restored: int  # the version number whose document is current now
    version: int  # the new version that undo saved (or the newest one when nothing changed)


def undo_manifest(store: Store, app_ref: int, showing: int | None = None, *,
                  author: str = DEFAULT_AUTHOR) -> Undone:
    """Step back one state: restore the version before ``showing`` (the newest when None). Repeated
    undos, each given the previous result's ``restored``, walk back through every earlier state."""
    versions = store.versions.listing(app_ref, limit=1)
    if not versions:
        raise ServiceError("There is nothing to undo: this app has no earlier version.")
    current = showing if showing is not None else versions[0].number
    if current <= 1:
        raise ServiceError("There is nothing to undo: this is the first version of the App JSON.")
    app = restore_version(store, app_ref, current - 1, author=author, source="undo")
    return Undone(app, current - 1, store.versions.listing(app_ref, limit=1)[0].number)


def held_request(store: Store, app_ref: int, look_back: int = 50) -> dict[str, Any] | None:
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
    def document(self) -> dict[str, Any]:
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


# ---- sandbox


def _policy(policy: AddressPolicy | None) -> AddressPolicy:
    from console.config import allowed_hosts, console_mode

    return policy or AddressPolicy(console_mode(), allowed_hosts())


def rescope(store: Store, app_ref: int, scopes: Sequence[str], policy: AddressPolicy | None = None
            ) -> sandbox.ScopeChange:
    """Save the app's scopes and apply the sandbox's rule: dev re-keys now, public needs a republish."""
    unknown = [path for path in scopes if get_scope(path) is None]
    if unknown:
        raise ServiceError("Unknown scope(s): " + ", ".join(unknown) + ". Pick endpoints from the catalog.")
    _must_get(store, app_ref)
    store.apps.update(app_ref, scopes=sort_paths(scopes))
    return sandbox.scopes_saved(store, _must_get(store, app_ref), _policy(policy))


@dataclass(frozen=True)
class SandboxOverview:
    app: AppRecord
    state: SandboxAppRow
    review: str  # a label: live, republish needed, in review, review rejected
    installations: list[InstallationRecord]


def sandbox_overview(store: Store, app_ref: int) -> SandboxOverview:
    app = _must_get(store, app_ref)
    state = sandbox.sandbox_state(store, app)
    return SandboxOverview(app, state, sandbox.REVIEW_LABELS[state.review_state], store.installations.for_app(app.id))


def _installation(store: Store, installation_id: int) -> tuple[AppRecord, InstallationRecord]:
    installation = store.installations.get(installation_id)
    if installation is None:
        raise ServiceError(f"There is no installation #{installation_id}; list them with `sandbox log` or on the "
                           "Sandbox page.")
    return _must_get(store, installation.app_ref), installation


def _refused(error: sandbox.InstallationError) -> ServiceError:
    return ServiceError(str(error))


def install_app(store: Store, app_ref: int, page_id: str, url: str | None = None,
                policy: AddressPolicy | None = None) -> sandbox.Delivery:
    """Install the app on a sandbox page: a new App Key, its install request fired (or manual delivery)."""
    try:
        return sandbox.install(store, _must_get(store, app_ref), page_id, _policy(policy), url)
    except sandbox.InstallationError as exc:
        raise _refused(exc) from None


def uninstall_installation(store: Store, installation_id: int) -> InstallationRecord:
    _app, installation = _installation(store, installation_id)
    try:
        return sandbox.uninstall(store, installation)
    except sandbox.InstallationError as exc:
        raise _refused(exc) from None


def reinstall_installation(store: Store, installation_id: int, url: str | None = None,
                           policy: AddressPolicy | None = None) -> sandbox.Delivery:
    app, installation = _installation(store, installation_id)
    try:
        return sandbox.reinstall(store, app, installation, _policy(policy), url)
    except sandbox.InstallationError as exc:
        raise _refused(exc) from None


def retry_installation(store: Store, installation_id: int, app_key: str | None = None,
                       policy: AddressPolicy | None = None) -> sandbox.Delivery:
    """Send the install request again (the held key when it is the current one, else a fresh key)."""
    app, installation = _installation(store, installation_id)
    try:
        return sandbox.retry(store, app, installation, _policy(policy), app_key)
    except sandbox.InstallationError as exc:
        raise _refused(exc) from None


def retry_failed_installations(store: Store, app_ref: int, policy: AddressPolicy | None = None
                               ) -> list[sandbox.Delivery]:
    return sandbox.retry_failed(store, _must_get(store, app_ref), _policy(policy))


def republish_app(store: Store, app_ref: int) -> sandbox.ScopeChange:
    try:
        return sandbox.republish(store, _must_get(store, app_ref))
    except sandbox.InstallationError as exc:
        raise _refused(exc) from None


def approve_review(store: Store, app_ref: int, policy: AddressPolicy | None = None) -> sandbox.ScopeChange:
    try:
        return sandbox.approve(store, _must_get(store, app_ref), _policy(policy))
    except sandbox.InstallationError as exc:
        raise _refused(exc) from None


def reject_review(store: Store, app_ref: int) -> sandbox.ScopeChange:
    try:
        return sandbox.reject(store, _must_get(store, app_ref))
    except sandbox.InstallationError as exc:
        raise _refused(exc) from None


def set_sandbox_rules(store: Store, app_ref: int, *, replaced_key_rule: bool | None = None,
                      rate_limits: bool | None = None) -> SandboxAppRow:
    """The sandbox's visible settings: a replaced key answers 401 (our assumption), rate limits (429)."""
    app = _must_get(store, app_ref)
    sandbox.sandbox_state(store, app)
    changes = {name: value for name, value in (("replaced_key_rule", replaced_key_rule),
                                               ("rate_limits", rate_limits)) if value is not None}
    if changes:
        store.installations.update_sandbox_app(app.id, **changes)
    return sandbox.sandbox_state(store, app)


def sandbox_calls(store: Store, app_ref: int | None = None, limit: int = 100) -> list[CallRecord]:
    """The call log, newest first (every app when ``app_ref`` is None)."""
    return store.sandbox_calls.page(app_ref, limit=max(1, min(limit, 10_000)))


def sandbox_least_privilege(store: Store, app_ref: int) -> LeastPrivilege:
    """Granted scopes against the scopes the app's sandbox calls used; the 401s show what is missing."""
    app = _must_get(store, app_ref)
    state = store.installations.sandbox_app(app.id)
    granted = state.live_scopes if state is not None else tuple(app.scopes)
    return least_privilege(granted, store.sandbox_calls.usage(app.id))


def try_sandbox_call(base_url: str, app_key: str, path: str, args: dict[str, Any] | None = None) -> CallAnswer:
    """One call to the local sandbox with a key the caller holds (the key is not stored)."""
    if not app_key.strip() or any(c in app_key for c in "\r\n"):
        return CallAnswer(None, "", "Give an App Key (one line) to call with.")
    return call_sandbox(base_url, app_key.strip(), path, args)


def install_from_file(store: Store, manifest: dict[str, Any], name: str, page_id: str, scopes: Sequence[str],
                      kind: str = "dev", url: str | None = None, policy: AddressPolicy | None = None
                      ) -> sandbox.Delivery:
    """`sandbox install APP_JSON`: the console app named after the file (made with these scopes when new,
    its App JSON refreshed from the file), installed on the page."""
    unknown = [path for path in scopes if get_scope(path) is None]
    if unknown:
        raise ServiceError("Unknown scope(s): " + ", ".join(unknown) + ". Pick endpoints from the catalog.")
    existing = [a for a in store.apps.summaries() if a.name == name]
    if existing:
        app = _must_get(store, existing[0].id)
        state = store.installations.sandbox_app(app.id)
        granted = list(state.live_scopes) if state is not None else list(app.scopes)
        if granted != sort_paths(scopes):
            raise ServiceError(f"The app {name!r} (#{app.id}) is granted {', '.join(granted) or 'no scopes'}; "
                               "change its scopes with `sandbox rescope ID --scope …` instead.")
        save_manifest(store, app.id, manifest)
    else:
        app = create_app(store, AppProfile(name[:80], _free_app_id(store), "1.0", kind), manifest, scopes)
    return install_app(store, app.id, page_id, url, policy)


def _free_app_id(store: Store, start: int = 1000001) -> str:
    """The first App ID from ``start`` on that no app uses (for apps made from a file, without one)."""
    taken = {app.app_id for app in store.apps.summaries()}
    number = start
    while str(number) in taken:
        number += 1
    return str(number)


# ---- burst
# Re-keying many installations at once (console/burst_run.py runs it; console/fire/burst.py fires).


def burst_spec_for_app(app: AppRecord, sample_base_url: str, policy: AddressPolicy, *, installations: int = 0,
                       concurrency: int = 50, target: str = "sample", sample_mode: str = "ok",
                       sample_arg: int | None = None, run_id: str = "",
                       explicit: Sequence[tuple[str, str]] | None = None) -> BurstSpec:
    """What a burst for an app fires: its install request at the sample endpoint (a mode) or at its own URL.

    ``explicit`` re-keys given (installation id, page_id) pairs instead of ``installations`` generated ones.
    """
    if target not in TARGETS:
        raise ServiceError(f"target: choose one of {', '.join(TARGETS)}.")
    url = None
    if target == "sample":
        try:
            # A flaky series of its own per run, so "the first K fail" counts this run's requests only.
            url = sample_base_url + install_path(sample_mode, sample_arg, run_id if sample_mode == "flaky" else "")
        except ValueError as exc:
            raise ServiceError(f"sample mode: {exc}") from None
    shown = url or str((request_of(app.manifest) or {}).get("url") or "")
    if not shown:
        raise ServiceError("The app's auth section has no request URL: set it in step 2, or fire at the sample "
                           "endpoint.")
    return BurstSpec(request_or_default(app.manifest), fire_context(app), url, shown,
                     installations if explicit is None else len(explicit), concurrency, timeouts_of(app), policy,
                     None if explicit is None else list(explicit), app.id, app.name, target)


def create_burst(store: Store, spec: BurstSpec, run_id: str | None = None) -> str:
    """Record a burst run (before anything is fired); its id. Refused specs raise ServiceError."""
    try:
        return create_run(store, spec, run_id)
    except BurstError as exc:
        raise ServiceError(str(exc)) from None


def start_app_burst(store: Store, app: AppRecord, sample_base_url: str, policy: AddressPolicy, *,
                    installations: int, concurrency: int, target: str, sample_mode: str = "ok",
                    sample_arg: int | None = None) -> str:
    """Record a burst for an app (the page then runs it in a process of its own: launch_burst); its id."""
    run_id = new_burst_id()
    spec = burst_spec_for_app(app, sample_base_url, policy, installations=installations, concurrency=concurrency,
                              target=target, sample_mode=sample_mode, sample_arg=sample_arg, run_id=run_id)
    return create_burst(store, spec, run_id)


def run_burst(store: Store, run_id: str, *, workers: int | None = None, policy: AddressPolicy | None = None,
              on_progress: Callable[[BurstProgress], None] | None = None) -> BurstReport:
    """Execute (or resume) a recorded run in this process, until every installation has a result or it is cancelled."""
    mark_interrupted(store)
    try:
        return execute_run(store, run_id, workers=workers, policy=policy, on_progress=on_progress)
    except BurstError as exc:
        raise ServiceError(str(exc)) from None


def rekey_installations(store: Store, app: AppRecord, installations: Sequence[tuple[str, str]], policy: AddressPolicy,
                        *, url: str | None = None, concurrency: int = 50) -> BurstReport:
    """Fire the install request for each given (installation id, page_id), each with a fresh key; wait for the report.

    The re-keying after a scope change: the results are one burst run, resumable like any other.
    """
    spec = burst_spec_for_app(app, "", policy, concurrency=concurrency, target="endpoint",
                              explicit=list(installations))
    if url:
        spec = replace(spec, url=url, shown_url=url)
    return run_burst(store, create_burst(store, spec), policy=policy)


def launch_burst(store: Store, run_id: str) -> subprocess.Popen[bytes]:
    """Run a recorded burst in a process of its own (``python -m console.burst_run``); the caller reaps it."""
    env = {**os.environ, "CONSOLE_DATABASE_URL": store.engine.url.render_as_string(hide_password=False)}
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return subprocess.Popen([sys.executable, "-m", "console.burst_run", run_id], env=env, cwd=root,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def reopen_burst(store: Store, run_id: str) -> bool:
    """Mark a cancelled or interrupted run as waiting to be resumed (then launch_burst it). False when it is not."""
    return store.bursts.reopen(run_id)


def cancel_burst(store: Store, run_id: str) -> bool:
    """Ask a running burst to stop starting fires (it stores what is in flight, then ends 'cancelled')."""
    return store.bursts.request_cancel(run_id)


def burst_progress(store: Store, run_id: str) -> BurstProgress | None:
    """Counters, rate and ETA of a run, read from its row (constant work, whatever its size)."""
    mark_interrupted(store)
    run = store.bursts.get(run_id)
    return None if run is None else progress_of(run)


def burst_report(store: Store, run_id: str) -> BurstReport | None:
    run = store.bursts.get(run_id)
    return None if run is None else report_of(run)


def recent_bursts(store: Store, app_ref: int | None = None, limit: int = 10) -> list[BurstRunRecord]:
    """The newest burst runs (interrupted ones shown as such)."""
    mark_interrupted(store)
    return store.bursts.recent(app_ref, limit)


# ---- team mode: the access gate, invites, who did what, sign-offs


def gate_problem(store: Store) -> str | None:
    """Why the console refuses to start (team mode without a gate, a short shared token), or None."""
    from console import team

    return team.gate_problem(store)


def gate_enabled(store: Store) -> bool:
    from console import team

    return team.gate_enabled(store)


def sign_in(store: Store, token: str, name: str, client: str) -> Any:
    """A session for a valid token (team.GateRefused otherwise, with the client's slow-down applied)."""
    from console import team

    try:
        return team.sign_in(store, token, name, client)
    except team.GateRefused as exc:
        raise ServiceError(str(exc)) from None


def session_actor(store: Store, session_token: str) -> str | None:
    from console import team

    return team.session_actor(store, session_token)


def sign_out(store: Store, session_token: str) -> None:
    from console import team

    team.sign_out(store, session_token)


def invite_person(store: Store, name: str, *, actor: str = "cli") -> str:
    """Invite a person; their personal token, to be shown once (only its hash is stored)."""
    from console import team

    try:
        token = team.invite(store, name, actor)
    except team.TeamError as exc:
        raise ServiceError(str(exc)) from None
    _log(store, None, actor, "person_invited", f"invited {name.strip()}")
    return token


def revoke_person(store: Store, name: str, *, actor: str = "cli") -> None:
    from console import team

    try:
        team.revoke(store, name)
    except team.TeamError as exc:
        raise ServiceError(str(exc)) from None
    _log(store, None, actor, "person_revoked", f"revoked {name.strip()}'s token and ended their sessions")


def list_people(store: Store) -> list[Any]:
    return store.people.all()


def activity_for_app(store: Store, app_ref: int, limit: int = 200) -> list[Any]:
    """The app's activity log, newest first: what changed, when, by whom, with the evidence's ids."""
    return store.activity.for_app(app_ref, limit=limit)


def signoffs_for_app(store: Store, app: AppRecord) -> list[Any]:
    """The app's sign-offs, newest first, each judged fresh or stale against the app's current state."""
    from console.signoff import judge

    return [judge(record, app.manifest, app.scopes) for record in store.signoffs.for_app(app.id)]


def sign_off(store: Store, app: AppRecord, decision: str, comment: str, target: str, for_listing: bool, *,
             actor: str = "local") -> Any:
    """Record a reviewer's decision on the app's current state (verdict, App JSON, scopes, evidence)."""
    from console.signoff import DECISIONS, MAX_COMMENT, document_hash, evidence_of, judge, scopes_hash

    if decision not in DECISIONS:
        raise ServiceError(f"Unknown decision {decision!r}: use one of {', '.join(DECISIONS)}.")
    if target not in TARGETS:
        raise ServiceError(f"Unknown target {target!r}: use one of {', '.join(TARGETS)}.")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ServiceError(f"The comment is {len(comment)} characters long: keep it under {MAX_COMMENT}.")
    if decision == "changes_requested" and not comment:
        raise ServiceError("Say which changes you request in the comment.")
    app = _must_get(store, app.id)  # sign what is stored now, not what the page read earlier
    check = readiness(store, app, target, for_listing)
    if decision == "approved" and not check.verdict.ready:
        raise ServiceError(f"Cannot sign off: not ready at the {target} ({check.verdict.summary}). "
                           "Missing evidence is never a pass: run the conformance runs, or request changes.")
    signoff_id = store.signoffs.insert(
        app_ref=app.id, actor=actor, decision=decision, comment=comment, ready=check.verdict.ready,
        verdict=check.verdict.summary, target=target, for_listing=for_listing,
        manifest_hash=document_hash(app.manifest), scopes_hash=scopes_hash(app.scopes),
        evidence=evidence_of(check.items))
    _log(store, app, actor, "signoff", f"{DECISIONS[decision]} at the {target} ({check.verdict.summary})"
         + (f": {comment}" if comment else ""), signoff_id=signoff_id)
    return judge(store.signoffs.for_app(app.id, limit=1)[0], app.manifest, app.scopes)


@dataclass(frozen=True)
class SignoffCheck:
    ok: bool
    message: str
    signoff: Any = None


def require_signoff(store: Store, manifest: dict[str, Any], app_ref: int | None = None,
                    for_listing: bool = False) -> SignoffCheck:
    """Is there a fresh sign-off for this App JSON (of the app ``app_ref``, or any app holding the document)?
    With ``for_listing``, the sign-off must have been made with the App Store listing rules on."""
    from console.signoff import document_hash

    digest = document_hash(manifest)
    candidates = [app_ref] if app_ref is not None else store.signoffs.apps_with_manifest(digest)
    if app_ref is not None and store.apps.get(app_ref) is None:
        return SignoffCheck(False, f"--app {app_ref}: there is no app #{app_ref} in the console's database.")
    if not candidates:
        return SignoffCheck(False, f"No sign-off for this App JSON (sha256 {digest[:12]}): nobody signed off this "
                                   "exact document in the console. Sign off on the Checklist page, or give --app ID.")
    reasons = []
    for ref in candidates:
        app = store.apps.get(ref)
        if app is None:
            continue
        views = signoffs_for_app(store, app)
        if not views:
            reasons.append(f"app #{ref} ({app.name}) has no sign-off")
            continue
        latest = views[0]
        who = f"{latest.record.actor} on {latest.record.at:%Y-%m-%d %H:%M} UTC"
        if latest.record.decision != "approved":
            reasons.append(f"app #{ref} ({app.name}): the latest decision is 'changes requested' by {who}")
        elif latest.stale:
            reasons.append(f"app #{ref} ({app.name}): the sign-off by {who} is stale ({latest.why_stale})")
        elif for_listing and not latest.record.for_listing:
            reasons.append(f"app #{ref} ({app.name}): the sign-off by {who} was made without the App Store listing "
                           "rules (turn on 'For an App Store listing' on the Checklist and sign off again)")
        elif latest.record.manifest_hash != digest:
            reasons.append(f"app #{ref} ({app.name}): the sign-off by {who} is for another App JSON "
                           f"(sha256 {latest.record.manifest_hash[:12]}, this file is {digest[:12]})")
        else:
            return SignoffCheck(True, f"signed off by {who} for app #{ref} ({app.name})", latest)
    return SignoffCheck(False, "No fresh sign-off: " + "; ".join(reasons or ["the signed app was deleted"]) + ".")


def gate_client(headers: dict[str, str], ip_address: str | None) -> str:
    from console import team

    return team.client_key(headers, ip_address)


def reveal_allowed() -> bool:
    """Team mode never reveals a key on screen, not even the one this browser session fired."""
    from console.config import console_mode

    return console_mode() != "team"


# ---- every write checks the actor's role (and sign-offs separation of duties) before storing: see console.access
from console.access import guard_writes  # noqa: E402

guard_writes(globals())
