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
from console.manifest.document import new_manifest, param_names, request_of, request_or_default
from console.netpolicy import AddressPolicy
from console.outcome import FireRecord, FireResult
from console.profile import AppProfile, check_profile
from console.readiness import ChecklistItem, ReadinessInput, Verdict, evaluate_checklist, verdict_of
from console.sandbox.sample_endpoint import install_path
from console.store import AppRecord, AppSummary, BurstRunRecord, FireFilter, Store, open_store

TARGETS = ("sample", "endpoint")
MAX_CONFORMANCE_FIRES = MAX_FIRES
RECENT_FIRES = 20
DEFAULT_SETTINGS: dict[str, Any] = {
    "target": "endpoint", "sample_mode": "ok", "sample_arg": None, "sample_series": 0,
    "page_id": "100200300", "param_values": {}, "connect_timeout": 5.0, "total_timeout": 10.0,
}


class ServiceError(ValueError):
    """A change that was refused; the message says which field and why. Nothing was written."""


def open_console_store(url: str | None = None) -> Store:
    """The console's database (CONSOLE_DATABASE_URL, default a SQLite file under .console/), migrated."""
    from console.config import database_url

    return open_store(url or database_url())


# ---------------------------------------------------------------- apps


def list_apps(store: Store) -> list[AppSummary]:
    return store.apps.summaries()


def get_app(store: Store, app_ref: int) -> AppRecord | None:
    return store.apps.get(app_ref)


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


def create_app(store: Store, profile: AppProfile, manifest: dict[str, Any] | None = None,
               scopes: Sequence[str] = (), settings: dict[str, Any] | None = None) -> AppRecord:
    """A new app (an empty server-side auth section unless a document is given)."""
    profile = _checked(profile)
    app_ref = store.apps.insert(
        name=profile.name, app_id=profile.app_id, version=profile.version, kind=profile.kind,
        scopes=sort_paths(scopes), manifest=new_manifest() if manifest is None else manifest,
        settings={**DEFAULT_SETTINGS, **(settings or {})},
    )
    return _must_get(store, app_ref)


def update_profile(store: Store, app_ref: int, profile: AppProfile) -> AppRecord:
    profile = _checked(profile)
    if not store.apps.update(app_ref, name=profile.name, app_id=profile.app_id, version=profile.version,
                             kind=profile.kind):
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted.")
    return _must_get(store, app_ref)


def delete_app(store: Store, app_ref: int) -> None:
    """Delete an app with its fire history (the database cascades)."""
    if not store.apps.delete(app_ref):
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted already.")


def change_scopes(store: Store, app_ref: int, scopes: Sequence[str]) -> AppRecord:
    """Replace the app's scopes (unknown paths refused). The one place a scope change happens."""
    unknown = [path for path in scopes if get_scope(path) is None]
    if unknown:
        raise ServiceError("Unknown scope(s): " + ", ".join(unknown) + ". Pick endpoints from the catalog.")
    _must_get(store, app_ref)
    store.apps.update(app_ref, scopes=sort_paths(scopes))
    return _must_get(store, app_ref)


def toggle_scope(store: Store, app_ref: int, path: str) -> AppRecord:
    """Select the scope if it is not selected, else deselect it (read fresh, so two tabs do not collide)."""
    current = set(_must_get(store, app_ref).scopes)
    return change_scopes(store, app_ref, sorted(current ^ {path}))


def save_manifest(store: Store, app_ref: int, document: dict[str, Any]) -> AppRecord:
    """Replace the app's App JSON document."""
    if not isinstance(document, dict):
        raise ServiceError("App JSON must be an object with 'auth' and 'actions'.")
    _must_get(store, app_ref)
    store.apps.update(app_ref, manifest=document)
    return _must_get(store, app_ref)


def save_settings(store: Store, app_ref: int, **changes: Any) -> AppRecord:
    """Change some of the app's settings (target, sample mode, sample values, timeouts)."""
    app = _must_get(store, app_ref)
    store.apps.update(app_ref, settings={**settings_of(app), **changes})
    return _must_get(store, app_ref)


def create_demo_app(store: Store, name: str | None = None) -> AppRecord:
    """The demo app from assets/, set to fire at the built-in sample endpoint (numbered if loaded again)."""
    taken = {app.name for app in store.apps.summaries()}
    base = replace(demo.DEMO_PROFILE, name=name) if name else demo.DEMO_PROFILE
    profile, number = base, 1
    while profile.name in taken:
        number += 1
        profile = replace(base, name=f"{base.name} ({number})")
    return create_app(store, profile, demo.demo_manifest(), demo.DEMO_SCOPES, demo.demo_settings())


def seed_demo(store: Store, fires: int, app_name: str | None = None,
              on_batch: Callable[[int], None] | None = None) -> AppRecord:
    """The demo app with ``fires`` realistic stored fires over 30 days (batched, no network)."""
    if not 0 <= fires <= 1_000_000:
        raise ServiceError("--fires: give a number from 0 to 1,000,000.")
    app = create_demo_app(store, app_name)
    for done in demo.seed_fires(store.fires.insert_many, app.id, app.name, fires):
        if on_batch is not None:
            on_batch(done)
    return app


# ---------------------------------------------------------------- firing


def settings_of(app: AppRecord) -> dict[str, Any]:
    """The app's settings with defaults filled in."""
    return {**DEFAULT_SETTINGS, **app.settings}


def fire_context(app: AppRecord) -> FireContext:
    settings = settings_of(app)
    params = fill_params(param_names(app.manifest), settings["param_values"])
    return FireContext(app.app_id, app.version, str(settings["page_id"]), params)


def timeouts_of(app: AppRecord) -> Timeouts:
    settings = settings_of(app)
    return Timeouts(float(settings["connect_timeout"]), float(settings["total_timeout"]))


def target_url(app: AppRecord, sample_base_url: str, target: str | None = None) -> str | None:
    """The URL to fire at: the sample endpoint in its mode, or None for the app's own auth.request.url."""
    settings = settings_of(app)
    if (target or settings["target"]) != "sample":
        return None
    series = f"{app.id}-{settings['sample_series']}" if settings["sample_mode"] == "flaky" else ""
    return sample_base_url + install_path(settings["sample_mode"], settings["sample_arg"], series)


def fired_url(app: AppRecord, sample_base_url: str, target: str | None = None) -> str:
    """The URL a fire at ``target`` goes to (before templates are filled in); '' when there is none."""
    return target_url(app, sample_base_url, target) or str((request_of(app.manifest) or {}).get("url") or "")


def _row(result: FireResult, *, app_ref: int | None, app_name: str, source: str, target_kind: str,
         run_id: str | None = None, step: str | None = None) -> dict[str, Any]:
    return {**result.to_stored(), "app_ref": app_ref, "app_name": app_name, "source": source,
            "target_kind": target_kind, "run_id": run_id, "step": step}


@dataclass(frozen=True)
class FireOutcome:
    result: FireResult
    record: FireRecord


def fire_for_app(store: Store, app: AppRecord, sample_base_url: str, policy: AddressPolicy,
                 app_key: str | None = None) -> FireOutcome:
    """Fire the app's install request at its current target and store the fire."""
    target = settings_of(app)["target"]
    result = fire_install_request(request_or_default(app.manifest), fire_context(app), app_key=app_key,
                                  url=target_url(app, sample_base_url), timeouts=timeouts_of(app), policy=policy)
    fire_id = store.fires.insert(_row(result, app_ref=app.id, app_name=app.name, source="page",
                                      target_kind=target))
    record = get_fire(store, fire_id)
    assert record is not None
    return FireOutcome(result, record)


def run_conformance_for_app(store: Store, app: AppRecord, sample_base_url: str, policy: AddressPolicy,
                            target: str, on_fire: Callable[[ConformanceFire, int], None] | None = None) -> str:
    """Run every conformance step at ``target``; the fires are stored in one transaction. The run's id."""
    run_id = new_run_id()
    fired = run_conformance(request_or_default(app.manifest), fire_context(app),
                            url=target_url(app, sample_base_url, target), timeouts=timeouts_of(app), policy=policy,
                            on_fire=on_fire)
    store.fires.insert_many([_row(item.result, app_ref=app.id, app_name=app.name, source="conformance",
                                  target_kind=target, run_id=run_id, step=item.step) for item in fired])
    return run_id


def record_cli_fires(store: Store, results: Sequence[tuple[FireResult, str | None]], app_name: str,
                     target_kind: str, run_id: str | None = None) -> list[FireRecord]:
    """Store fires made on the command line (one transaction); the stored records, in firing order."""
    ids = store.fires.insert_many([_row(result, app_ref=None, app_name=app_name, source="cli",
                                        target_kind=target_kind, run_id=run_id, step=step)
                                   for result, step in results])
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
    items = evaluate_checklist(ReadinessInput(app.manifest, app.scopes, target, recent, conformance, for_listing))
    return Readiness(items, verdict_of(items))


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    done: bool
    status: str


def progress(store: Store, app: AppRecord) -> list[Step]:
    """The four steps, each done or not, derived from the app's state and its readiness verdict."""
    latest = store.fires.page(FireFilter(app_ref=app.id), limit=1)
    check = readiness(store, app, settings_of(app)["target"], for_listing=False)
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
