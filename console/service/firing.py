"""Firing: one fire, a re-fire, the conformance runs, and a fire of an App JSON file from the CLI.

Every fire, from either face, is stored by ``_store_fires``: the same row (the key masked, the App
JSON's sha256 for a file's evidence, the actor) and the same activity-log entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from console.access import guard_writes
from console.conformance import MAX_FIRES, ConformanceFire, new_run_id, run_conformance
from console.fire.prepare import FireContext
from console.fire.send import Timeouts, fire_install_request
from console.manifest.document import Document, document_hash, request_of, request_or_default
from console.netpolicy import AddressPolicy
from console.outcome import FireRecord, FireResult
from console.sandbox.sample_endpoint import is_sample_url
from console.service.base import (
    ServiceError,
    address_policy,
    fire_context,
    get_fire,
    log_activity,
    settings_of,
    target_kind,
    target_url,
    timeouts_of,
)
from console.store import AppRecord, FireFilter, Store, StoreConflict
from console.store.fires import StoredRow

MAX_CONFORMANCE_FIRES = MAX_FIRES


@dataclass(frozen=True)
class FireOutcome:
    result: FireResult
    record: FireRecord


@dataclass(frozen=True)
class Fired:
    """Where the fires went and whose they are (one row each, one activity entry for them all)."""

    app_ref: int | None
    app_name: str
    manifest: Document
    source: str
    target_kind: str
    actor: str
    run_id: str | None = None


def fire_row(result: FireResult, fired: Fired, step: str | None = None) -> StoredRow:
    """The stored form of one fire (the key masked; the App JSON's hash kept as evidence for the file)."""
    return {**result.to_stored(), "app_ref": fired.app_ref, "app_name": fired.app_name,
            "source": fired.source, "target_kind": fired.target_kind, "run_id": fired.run_id, "step": step,
            "actor": fired.actor[:80], "manifest_hash": document_hash(fired.manifest)}


def _insert(store: Store, fired: Fired, results: Sequence[tuple[FireResult, str | None]]) -> list[int]:
    try:
        return store.fires.insert_many([fire_row(result, fired, step) for result, step in results])
    except StoreConflict:
        raise ServiceError(f"The app '{fired.app_name}' was deleted (in another session) while it fired; the "
                           "fire was not stored. Pick another app in the sidebar.") from None


def _store_fires(store: Store, fired: Fired, results: Sequence[tuple[FireResult, str | None]], action: str,
                 summary: str) -> list[int]:
    ids = _insert(store, fired, results)
    if ids:
        log_activity(store, None, fired.actor, action, summary, app_ref=fired.app_ref, app_name=fired.app_name,
                     fire_id=ids[0], run_id=fired.run_id)
    return ids


def fire_for_app(store: Store, app: AppRecord, sample_base_url: str, policy: AddressPolicy,
                 app_key: str | None = None, retry_of: int | None = None, url: str | None = None, *,
                 actor: str = "local") -> FireOutcome:
    """Fire the app's install request at its current target (or ``url``) and store the fire.

    ``retry_of`` names the fire this one retries (the page labels it, with whether the key is the same)."""
    target = settings_of(app).target
    result = fire_install_request(request_or_default(app.manifest), fire_context(app), app_key=app_key,
                                  url=url or target_url(app, sample_base_url), timeouts=timeouts_of(app),
                                  policy=policy)
    kind = target_kind(target) if url is None else ("sample" if is_sample_url(url) else "endpoint")
    fired = Fired(app.id, app.name, app.manifest, "page", kind, actor)
    row = fire_row(result, fired)
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
    log_activity(store, app, actor, "fire", f"fired at the {target}: {result.category.value}"
                 + (f" (HTTP {result.status})" if result.status is not None else ""), fire_id=fire_id)
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
    """Run every conformance step at ``target``; the run is recorded before it fires and each fire is stored as
    it completes (a process killed half-way leaves the run and its fires so far). The run's id."""
    fired = Fired(app.id, app.name, app.manifest, "conformance", target, actor, new_run_id())
    _conformance(store, lambda results: fired, request_or_default(app.manifest), fire_context(app),
                 target_url(app, sample_base_url, target), timeouts_of(app), policy, on_fire)
    return str(fired.run_id)


def _conformance(store: Store, where: Callable[[Sequence[FireResult]], Fired], request: Document,
                 context: FireContext, url: str | None, timeouts: Timeouts, policy: AddressPolicy,
                 on_fire: Callable[[ConformanceFire, int], None] | None = None) -> list[int]:
    """The conformance steps, recorded first (an activity entry naming the run), each fire stored when it
    completes, then a summary. ``where`` says where the fires went, from the first answer (a file's target kind
    depends on what answered)."""
    first = where(())
    log_activity(store, None, first.actor, "conformance_started",
                 f"conformance run {first.run_id} started at {url or 'auth.request.url'} (up to {MAX_FIRES} fires)",
                 app_ref=first.app_ref, app_name=first.app_name, run_id=first.run_id)
    ids: list[int] = []
    decided: list[Fired] = []

    def store_each(item: ConformanceFire, index: int) -> None:
        if not decided:
            decided.append(where((item.result,)))
        ids.extend(_insert(store, decided[0], [(item.result, item.step)]))
        if on_fire is not None:
            on_fire(item, index)

    fires = run_conformance(request, context, url=url, timeouts=timeouts, policy=policy, on_fire=store_each)
    ok = sum(1 for item in fires if item.result.ok)
    kind = decided[0].target_kind if decided else first.target_kind
    log_activity(store, None, first.actor, "conformance_run",
                 f"conformance run at the {kind}: {len(fires)} fire(s), {ok} got 200",
                 app_ref=first.app_ref, app_name=first.app_name, fire_id=ids[0] if ids else None,
                 run_id=first.run_id)
    return ids


# ---- an App JSON file (the CLI's `fire` and `check --url`): stored with the file's name and hash


@dataclass(frozen=True)
class FileFire:
    """A fire of an App JSON file: what was fired, the stored record, or why it could not be stored."""

    result: FireResult
    record: FireRecord | None
    not_stored: str | None = None  # the database's refusal (the fire was made: its result is not lost)


def fire_file(store: Store | None, manifest: Document, name: str, context: FireContext, *, url: str | None,
              timeouts: Timeouts, app_key: str | None = None, policy: AddressPolicy | None = None,
              actor: str = "cli") -> FileFire:
    """Fire a file's install request (at ``url``, else its auth.request.url) and store it (with ``store``).

    It is stored as the page's fires are, under the file's ``name`` and the document's hash, so a later
    check of the same file at the same kind of target counts it."""
    if request_of(manifest) is None and not url:
        raise ServiceError(f"{name} has no auth.request (manual delivery): give the endpoint with --url.")
    result = fire_install_request(request_or_default(manifest), context, app_key=app_key, url=url,
                                  timeouts=timeouts, policy=address_policy(policy))
    if store is None:
        return FileFire(result, None, "no database")
    kind = file_target_kind(url, [result])
    try:
        ids = _store_fires(store, Fired(None, name, manifest, "cli", kind, actor), [(result, None)], "cli_fires",
                           f"1 fire(s) from the command line at the {kind}")
    except Exception as exc:  # noqa: BLE001 - a database that refuses must not lose the fire's result
        return FileFire(result, None, str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__)
    return FileFire(result, get_fire(store, ids[0]) if ids else None)


def conformance_for_file(store: Store, manifest: Document, name: str, context: FireContext, *, url: str,
                         timeouts: Timeouts, policy: AddressPolicy | None = None, actor: str = "cli"
                         ) -> list[FireRecord]:
    """Run the conformance steps of a file at ``url``, recorded and stored as they go (one run); the stored
    records in firing order."""
    run_id = new_run_id()

    def where(results: Sequence[FireResult]) -> Fired:
        return Fired(None, name, manifest, "cli", file_target_kind(url, results), actor, run_id)

    ids = _conformance(store, where, request_or_default(manifest), context, url, timeouts, address_policy(policy))
    return [FireRecord.from_row(row) for row in store.fires.in_order(FireFilter(run_id=run_id), len(ids))]


def record_cli_fires(store: Store, results: Sequence[tuple[FireResult, str | None]], app_name: str,
                     target_kind: str, run_id: str | None = None, *, manifest: Document | None = None,
                     actor: str = "cli") -> list[FireRecord]:
    """Store fires made on the command line (one transaction); the stored records, in firing order."""
    fired = Fired(None, app_name, manifest if manifest is not None else {}, "cli", target_kind, actor, run_id)
    ids = _store_fires(store, fired, results, "cli_fires",
                       f"{len(results)} fire(s) from the command line at the {target_kind}")
    return [FireRecord.from_row(row) for row in store.fires.in_order(FireFilter(run_id=run_id), len(ids))] \
        if run_id else []


def file_target_kind(url: str | None, results: Sequence[FireResult] = ()) -> str:
    """'sample' when the fires went to a sample endpoint on this machine (a rehearsal), else 'endpoint'.

    A URL that looks like the sample endpoint's counts as one only if what answered says it is.
    """
    if not url or not is_sample_url(url):
        return "endpoint"
    answered = [r.response.body for r in results if r.response is not None]
    return "sample" if not answered or any(_is_sample_answer(body) for body in answered) else "endpoint"


def _is_sample_answer(body: str) -> bool:
    import json

    try:
        echo = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(echo, dict) and echo.get("sample_endpoint") is True


# every write checks the actor's role (a sign-off also separation of duties) before storing: console.access
guard_writes(globals(), ServiceError)
