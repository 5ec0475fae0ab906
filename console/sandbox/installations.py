"""Installations on sandbox pages: each has its own App Key (stored only as a SHA-256 hash), its
install request fired through the fire engine, and re-keying when the app's scopes change.

Dev app: a scope change applies at once, every installation gets a new key and its install
request fires. Public app: a change marks "republish needed"; republishing puts it "in review";
approving applies the scopes and re-keys every installation; rejecting changes nothing.

The plain keys exist only in memory (the results below carry them for the one screen or CLI
output that shows a key once); the database holds hashes and fingerprints.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from console import keys
from console.catalog import sort_paths
from console.fire.prepare import FireContext, fill_params
from console.fire.send import Timeouts, fire_install_request
from console.manifest.document import document_hash, param_names, request_of
from console.netpolicy import AddressPolicy
from console.outcome import FireResult
from console.sandbox.sample_endpoint import is_sample_url
from console.settings import AppSettings
from console.store import AppRecord, InstallationRecord, SandboxAppRow, Store
from console.store.installations import INSTALLED, UNINSTALLED

LIVE, REPUBLISH_NEEDED, IN_REVIEW, REJECTED = "live", "republish_needed", "in_review", "rejected"
REVIEW_LABELS = {LIVE: "live", REPUBLISH_NEEDED: "republish needed", IN_REVIEW: "in review",
                 REJECTED: "review rejected"}
PENDING, DELIVERED, FAILED, MANUAL = "pending", "delivered", "failed", "manual"
FIRE_WORKERS = 4
MAX_PAGE_ID = 20


class InstallationError(ValueError):
    """A refused installation change; the message says what and how to fix it. Nothing changed."""


def key_hash(app_key: str) -> str:
    """The SHA-256 of a key: how the sandbox recognises it without storing it."""
    return hashlib.sha256(app_key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class FireJob:
    """One install request to send: the request object, its values, the key and where to."""

    request: dict[str, Any]
    context: FireContext
    app_key: str = field(repr=False)
    url: str | None
    timeouts: Timeouts


def fire_install_requests(jobs: Sequence[FireJob], policy: AddressPolicy,
                          workers: int = FIRE_WORKERS) -> list[FireResult]:
    """Send every job's install request (a small thread pool); the results in job order.

    The one place re-keying fires: a burst engine can replace it without touching the rest.
    """
    def send(job: FireJob) -> FireResult:
        return fire_install_request(job.request, job.context, app_key=job.app_key, url=job.url,
                                    timeouts=job.timeouts, policy=policy)

    if len(jobs) <= 1:
        return [send(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=min(workers, len(jobs)), thread_name_prefix="rekey") as pool:
        return list(pool.map(send, jobs))


@dataclass(frozen=True)
class Delivery:
    """One installation's new key and what became of its install request."""

    installation: InstallationRecord
    app_key: str = field(repr=False)  # in memory only: shown once, never stored
    result: FireResult | None  # None in manual mode
    fire_id: int | None

    @property
    def state(self) -> str:
        return MANUAL if self.result is None else (DELIVERED if self.result.ok else FAILED)


@dataclass(frozen=True)
class ScopeChange:
    """What a scope change, a republish, an approval or a rejection did."""

    app: AppRecord
    sandbox: SandboxAppRow
    message: str
    deliveries: tuple[Delivery, ...] = ()


def _timeouts(app: AppRecord) -> Timeouts:
    settings = AppSettings.from_stored(app.settings)
    return Timeouts(settings.connect_timeout, settings.total_timeout)


def _context(app: AppRecord, page_id: str) -> FireContext:
    values = dict(AppSettings.from_stored(app.settings).param_values)
    return FireContext(app.app_id, app.version, page_id, fill_params(param_names(app.manifest), values))


def check_page_id(page_id: str) -> str:
    page_id = str(page_id).strip()
    if not page_id.isdigit() or len(page_id) > MAX_PAGE_ID:
        raise InstallationError(f"page_id {page_id!r}: give the page's numeric id (digits only, "
                                f"at most {MAX_PAGE_ID}), e.g. 100200300.")
    return page_id


def sandbox_state(store: Store, app: AppRecord) -> SandboxAppRow:
    """The app's sandbox state (made live with the app's scopes the first time)."""
    return store.installations.ensure_sandbox_app(app.id, sort_paths(app.scopes))


def _fire_and_record(store: Store, app: AppRecord, pairs: Sequence[tuple[InstallationRecord, str]], step: str,
                     policy: AddressPolicy, actor: str) -> list[Delivery]:
    """Fire the install request of each (installation, new key); store the fires and the delivery states."""
    request = request_of(app.manifest)
    if request is None:
        for installation, _key in pairs:
            store.installations.set_delivery(installation.id, MANUAL, None)
        return [Delivery(_fresh(store, inst), key, None, None) for inst, key in pairs]
    jobs = [FireJob(request, _context(app, inst.page_id), key, inst.fire_url, _timeouts(app)) for inst, key in pairs]
    results = fire_install_requests(jobs, policy)
    rows = [{**result.to_stored(), "app_ref": app.id, "app_name": app.name, "source": "sandbox",
             "target_kind": "sample" if is_sample_url(result.request.url) else "endpoint", "run_id": None,
             "step": step, "actor": actor[:80], "manifest_hash": document_hash(app.manifest)} for result in results]
    fire_ids = store.fires.insert_many(rows)
    deliveries = []
    for (installation, key), result, fire_id in zip(pairs, results, fire_ids, strict=True):
        store.installations.set_delivery(installation.id, DELIVERED if result.ok else FAILED, fire_id)
        deliveries.append(Delivery(_fresh(store, installation), key, result, fire_id))
    return deliveries


def _fresh(store: Store, installation: InstallationRecord) -> InstallationRecord:
    found = store.installations.get(installation.id)
    return installation if found is None else found


def _new_key(store: Store, installation: InstallationRecord, **changes: Any) -> str:
    key = keys.generate_app_key()
    store.installations.replace_key(installation.id, key_hash=key_hash(key), key_fingerprint=keys.fingerprint(key),
                                    delivery=PENDING, **changes)
    return key


def install(store: Store, app: AppRecord, page_id: str, policy: AddressPolicy, url: str | None = None, *,
            actor: str = "local") -> Delivery:
    """Install the app on a page with a new key; the install request fires (manual mode: none)."""
    page_id = check_page_id(page_id)
    sandbox_state(store, app)
    existing = [i for i in store.installations.for_app(app.id) if i.page_id == page_id]
    if any(i.installed for i in existing):
        current = next(i for i in existing if i.installed)
        raise InstallationError(f"{app.name} is already installed on page {page_id} (installation "
                                f"#{current.id}): uninstall it first, or retry its delivery.")
    if existing:
        return reinstall(store, app, existing[-1], policy, url, actor=actor)
    key = keys.generate_app_key()
    new_id = store.installations.insert(app_ref=app.id, page_id=page_id, key_hash=key_hash(key),
                                        key_fingerprint=keys.fingerprint(key), fire_url=url, delivery=PENDING)
    installation = store.installations.get(new_id)
    assert installation is not None
    return _fire_and_record(store, app, [(installation, key)], "install", policy, actor)[0]


def uninstall(store: Store, installation: InstallationRecord) -> InstallationRecord:
    """Uninstall: the key stays known, and answers 500 as ManyChat's does for an uninstalled app."""
    if not installation.installed:
        raise InstallationError(f"Installation #{installation.id} is already uninstalled.")
    store.installations.set_status(installation.id, UNINSTALLED)
    return _fresh(store, installation)


def reinstall(store: Store, app: AppRecord, installation: InstallationRecord, policy: AddressPolicy,
              url: str | None = None, *, actor: str = "local") -> Delivery:
    """Install again on the same page: a new key, the install request fires again."""
    if installation.installed:
        raise InstallationError(f"Installation #{installation.id} is installed; uninstall it first.")
    key = _new_key(store, installation, status=INSTALLED, fire_url=url, keep_url=url is None)
    return _fire_and_record(store, app, [(_fresh(store, installation), key)], "install", policy, actor)[0]


def retry(store: Store, app: AppRecord, installation: InstallationRecord, policy: AddressPolicy,
          app_key: str | None = None, *, actor: str = "local") -> Delivery:
    """Send the installation's install request again: with ``app_key`` when it is the installation's
    current key (held by the caller, as ManyChat's Retry re-sends it), else with a fresh key."""
    if not installation.installed:
        raise InstallationError(f"Installation #{installation.id} is uninstalled: reinstall it instead.")
    if app_key and keys.fingerprint(app_key) == installation.key_fingerprint:
        store.installations.set_delivery(installation.id, PENDING, installation.last_fire_ref)
        key = app_key
    else:
        key = _new_key(store, installation)
    return _fire_and_record(store, app, [(_fresh(store, installation), key)], "retry", policy, actor)[0]


def retry_failed(store: Store, app: AppRecord, policy: AddressPolicy, *, actor: str = "local") -> list[Delivery]:
    """Retry every installed installation whose key was not delivered (each with a fresh key)."""
    failed = [i for i in store.installations.for_app(app.id) if i.installed and i.delivery in (FAILED, PENDING)]
    return _fire_and_record(store, app, [(i, _new_key(store, i)) for i in failed], "retry", policy, actor)


def _rescope_and_rekey(store: Store, app: AppRecord, policy: AddressPolicy, actor: str,
                       **sandbox_values: Any) -> list[Delivery]:
    """The scopes change and every installed installation gets a new key in one transaction (a call
    with a key being replaced never sees the new scopes); then the install requests fire."""
    plain: dict[int, str] = {}

    def make_key(installation_id: int) -> tuple[str, str]:
        key = plain[installation_id] = keys.generate_app_key()
        return key_hash(key), keys.fingerprint(key)

    ids = store.installations.rescope_and_rekey(app.id, sandbox_values, make_key)
    pairs = [(installation, plain[installation.id]) for installation in store.installations.for_app(app.id)
             if installation.id in plain]
    assert len(pairs) == len(ids)
    return _fire_and_record(store, app, pairs, "rekey", policy, actor)


def scopes_saved(store: Store, app: AppRecord, policy: AddressPolicy, *, actor: str = "local") -> ScopeChange:
    """React to the app's saved scopes: a dev app applies them and re-keys; a public app needs a republish."""
    state = store.installations.sandbox_app(app.id)
    scopes = sort_paths(app.scopes)
    if state is None:  # never installed in the sandbox: the saved scopes are simply what installs will get
        return ScopeChange(app, sandbox_state(store, app), "Saved.")
    if app.kind != "public":
        if list(state.live_scopes) == scopes and state.review_state == LIVE:
            return ScopeChange(app, state, "No change to the granted scopes.")
        deliveries = _rescope_and_rekey(store, app, policy, actor, live_scopes=scopes, pending_scopes=None,
                                        review_state=LIVE)
        return ScopeChange(app, sandbox_state(store, app),
                           f"Dev app: the scopes apply at once; {len(deliveries)} installation(s) got a new key.",
                           tuple(deliveries))
    if list(state.live_scopes) == scopes and state.review_state in (LIVE, REPUBLISH_NEEDED, REJECTED):
        store.installations.update_sandbox_app(app.id, review_state=LIVE, pending_scopes=None)
        return ScopeChange(app, sandbox_state(store, app), "The saved scopes equal the published ones.")
    store.installations.update_sandbox_app(app.id, review_state=REPUBLISH_NEEDED)
    return ScopeChange(app, sandbox_state(store, app),
                       "Public app: saved. Republish to send the new scopes to review; installations keep "
                       "their keys and scopes until the review passes.")


def republish(store: Store, app: AppRecord) -> ScopeChange:
    state = sandbox_state(store, app)
    if app.kind != "public":
        raise InstallationError("Only a public app is republished; a dev app's scope changes apply at once.")
    if state.review_state not in (REPUBLISH_NEEDED, REJECTED):
        raise InstallationError(f"Nothing to republish: the app is {REVIEW_LABELS[state.review_state]}. "
                                "Change its scopes first.")
    store.installations.update_sandbox_app(app.id, review_state=IN_REVIEW, pending_scopes=sort_paths(app.scopes))
    return ScopeChange(app, sandbox_state(store, app), "Republished: the new version is in review.")


def approve(store: Store, app: AppRecord, policy: AddressPolicy, *, actor: str = "local") -> ScopeChange:
    """The review passes: the scopes in review apply, every installation gets a new key."""
    state = sandbox_state(store, app)
    if state.review_state != IN_REVIEW or state.pending_scopes is None:
        raise InstallationError(f"There is no review to approve: the app is {REVIEW_LABELS[state.review_state]}.")
    deliveries = _rescope_and_rekey(store, app, policy, actor, live_scopes=state.pending_scopes,
                                    pending_scopes=None, review_state=LIVE)
    return ScopeChange(app, sandbox_state(store, app),
                       f"Review approved: the scopes apply; {len(deliveries)} installation(s) got a new key.",
                       tuple(deliveries))


def reject(store: Store, app: AppRecord) -> ScopeChange:
    """The review fails: installations keep their scopes and keys."""
    state = sandbox_state(store, app)
    if state.review_state != IN_REVIEW:
        raise InstallationError(f"There is no review to reject: the app is {REVIEW_LABELS[state.review_state]}.")
    store.installations.update_sandbox_app(app.id, pending_scopes=None, review_state=REJECTED)
    return ScopeChange(app, sandbox_state(store, app),
                       "Review rejected: nothing changed; installations keep their scopes and keys.")
